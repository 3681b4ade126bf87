"""How fast, and how good: the benchmarks behind ``galaxylib bench``.

Each prints ``key=value`` lines through the command line.

- :func:`bench_preprocess`: the report's preprocessing loop against
  :func:`~galaxylib.preprocess.preprocess_catalog` on the same images;
- :func:`bench_pipeline`: images per second from
  :func:`~galaxylib.pipeline.make_dataset` and from the report's pipeline;
- :func:`bench_train`: training images per second of each network;
- :func:`bench_quality`: the book's two networks scored on a fresh sky, as chapter 6
  scores them -- the share of the gap from the mean benchmark to the noise floor each
  closes (:func:`~galaxylib.metrics.gap_closed`), and how often it commits on clear
  galaxies (:func:`~galaxylib.metrics.clear_cases`);
- :func:`bench_colour`: the report's network trained on one sky in grey and in colour:
  the same two trainings as the first two rows of ``make ablation``, whose record
  chapter 7 reads.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import cv2
import numpy as np
import pandas as pd

from galaxylib.baselines import mean_rmse
from galaxylib.config import PROFILE_ENV, profile
from galaxylib.data import SPLIT_SEED, Catalog, Split, load_catalog, split
from galaxylib.errors import DataError, GalaxyLibError
from galaxylib.metrics import clear_cases, gap_closed, margin_interval
from galaxylib.preprocess import REPORT_SIZE, crop, preprocess_catalog, report_box
from galaxylib.taxonomy import COLUMNS
from galaxylib.tools.model_files import ModelFiles, read_history
from galaxylib.tools.workers import resolve_workers, worker_pool

if TYPE_CHECKING:
    import tensorflow as tf

    from galaxylib.preprocess import Cache

__all__ = [
    "bench_colour",
    "bench_pipeline",
    "bench_preprocess",
    "bench_quality",
    "bench_synth",
    "bench_train",
    "report_dataset",
    "write_pngs",
    "link_subset",
]


def _report_loop(paths: list[Path], out: Path, size: int) -> None:
    """The report's preprocessing loop: one image after another, written as PNGs."""
    for path in paths:
        image = cv2.imread(str(path))  # blue, green, red -- the report then called it RGB
        if image is None:
            raise DataError(f"{path} is not a readable image; re-download or regenerate it.")
        gray = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)
        square = crop(gray, report_box(gray), size=size)
        cv2.imwrite(str(out / path.with_suffix(".png").name), square)


def _decode(path: Path) -> int:
    """Decode one JPEG in full colour, as :func:`bench_preprocess`'s yardstick."""
    image = cv2.imdecode(np.fromfile(path, np.uint8), cv2.IMREAD_COLOR)
    return 0 if image is None else image.shape[0]


def _fastest(runs: dict[str, Callable[[], object]], repeats: int) -> dict[str, float]:
    """Seconds of the fastest of ``repeats`` calls of each run, the runs taken in turn.

    A pass over 500 images takes a fifth of a second here: timed once on a machine shared
    with other work, it can be half as fast as the next; the fastest pass is the one that
    other work disturbed least. One call of each run, then the next round: a machine that
    slows down or speeds up during the benchmark weighs on every run alike, where timing
    one run's repeats after another's would hand the drift to a ratio of the two.
    """
    if isinstance(repeats, bool) or not isinstance(repeats, int) or repeats < 1:
        raise GalaxyLibError(f"repeats is {repeats!r}; time each run 1 or more times.")
    seconds: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(repeats):
        for name, run in runs.items():
            start = time.perf_counter()
            run()
            seconds[name].append(time.perf_counter() - start)
    return {name: min(times) for name, times in seconds.items()}


def bench_preprocess(
    root: str | Path,
    *,
    n: int = 500,
    size: int = REPORT_SIZE,
    workers: int | None = None,
    repeats: int = 3,
) -> dict[str, float]:
    """Time the report's loop and :func:`preprocess_catalog` on the same images.

    Both run on the first ``n`` galaxies of the catalog, after one read of every file so
    that both find them in the operating system's cache. Ours is timed twice: with the
    improved crop (the default) and with the report's crop, to separate what the crop
    costs from what the batch run saves. Its workers' server is started before the clock,
    as the yardstick's pool is: a session pays that once, for its first pool. The
    yardstick is ``workers`` processes decoding the same files whole and in colour: what
    cropping could reach if finding the box, resizing and writing cost nothing. Every
    rate, the yardstick's included, is that of the fastest of ``repeats`` runs, each into
    a fresh folder (so nothing is cached), the four runs taken in turn.

    Returns
    -------
    dict
        ``n``, ``workers``, ``report_img_per_s``, ``ours_img_per_s``,
        ``ours_report_crop_img_per_s``, ``ratio`` (ours over the report's),
        ``decode_img_per_s`` (the yardstick, on the same files and workers) and
        ``ratio_to_decode`` (ours over it).
    """
    catalog = load_catalog(root)
    if not len(catalog) or n < 1:
        raise DataError(
            f"There are no galaxies to time in {catalog.csv_path} (n={n}); run the "
            "benchmark on a catalog with galaxies and --n of 1 or more."
        )
    ids = catalog.ids[:n]
    paths = [catalog.image_path(gid) for gid in ids]
    workers = resolve_workers(workers)
    for path in paths:
        path.read_bytes()
    with ExitStack() as stack:
        tmp = stack.enter_context(tempfile.TemporaryDirectory())
        warm = Path(tmp) / "warm"
        link_subset(catalog, ids[: 2 * workers], warm)
        # The first pool starts the workers' server, with only the crop's modules loaded
        # (the yardstick's module loads TensorFlow, which would make every fork slower).
        preprocess_catalog(warm, size=size, workers=workers, progress=False)
        decoder = stack.enter_context(worker_pool(workers, runs=_decode))
        decoder.map(_decode, paths[: 2 * workers])
        outs: list[Path] = []
        subsets: dict[str, list[Path]] = {"improved": [], "report": []}
        for k in range(repeats):  # a fresh folder for every run, made before the clock
            outs.append(Path(tmp) / f"png{k}")
            outs[-1].mkdir()
            for name, folders in subsets.items():
                folders.append(Path(tmp) / f"{name}{k}")
                link_subset(catalog, ids, folders[-1])

        def batch(name: str) -> None:
            folder = subsets[name].pop()
            preprocess_catalog(folder, crop=name, size=size, workers=workers, progress=False)

        chunks = max(1, len(paths) // (8 * workers))
        seconds = _fastest(
            {
                "report": lambda: _report_loop(paths, outs.pop(), size),
                "improved_batch": lambda: batch("improved"),
                "report_batch": lambda: batch("report"),
                "decode": lambda: decoder.map(_decode, paths, chunksize=chunks),
            },
            repeats,
        )
    rate = {name: len(ids) / value for name, value in seconds.items()}
    return {
        "n": len(ids),
        "workers": workers,
        "decode_img_per_s": rate["decode"],
        "ratio_to_decode": rate["improved_batch"] / rate["decode"],
        "report_img_per_s": rate["report"],
        "ours_img_per_s": rate["improved_batch"],
        "ours_report_crop_img_per_s": rate["report_batch"],
        "ratio": seconds["report"] / seconds["improved_batch"],
    }


def link_subset(catalog: Catalog, ids: np.ndarray, dest: Path) -> None:
    """A data directory holding ``ids`` only, its images linked to the originals."""
    images = dest / catalog.images_dir.name
    images.mkdir(parents=True)
    for gid in ids:
        (images / f"{gid}.jpg").symlink_to(catalog.image_path(gid).resolve())
    catalog.subset(ids).labels.to_csv(dest / catalog.csv_path.name, index=False)


def bench_train(
    root: str | Path,
    *,
    size: int | None = None,
    batch_size: int | None = None,
    steps: int = 10,
    warmup: int = 3,
    workers: int | None = None,
) -> dict[str, float]:
    """Training images per second of each model, after a few warm-up steps.

    Each network trains as the chapters train it: on the images it takes
    (``NETWORKS[name].color``), with the stored network's remedies
    (:func:`galaxylib.course.networks.recipe`: the photographic augmentation in the
    pipeline, Dieleman's parts in the improved network). The images are cropped for the
    purpose from the first four batches' galaxies and shown over and over: the rate
    depends on the arithmetic, not on which galaxies are shown.

    Parameters
    ----------
    root : path
        Data set.
    size, batch_size : int, optional
        Default: the profile's.
    steps : int, default 10
        Timed training steps per model.
    warmup : int, default 3
        Steps before timing (tracing and compiling the step).

    Returns
    -------
    dict
        ``size``, ``batch_size`` and ``<model>_img_per_s`` for each model.
    """
    from galaxylib.course.networks import recipe
    from galaxylib.hardware import setup
    from galaxylib.models import NETWORKS, build_model
    from galaxylib.pipeline import make_dataset
    from galaxylib.training import compile_model

    scale = profile()
    size = size or scale.image_size
    batch_size = batch_size or scale.batch_size
    catalog = load_catalog(root, skip_bad=True)
    hardware = setup()
    figures: dict[str, float] = {"size": size, "batch_size": batch_size}
    with tempfile.TemporaryDirectory(prefix="galaxylib-bench-") as tmp:
        subset = Path(tmp) / "data"
        link_subset(catalog, catalog.ids[: 4 * batch_size], subset)
        catalog = load_catalog(subset)
        for name, network in NETWORKS.items():
            color = network.color
            cache = preprocess_catalog(
                subset, size=size, color=color, workers=workers, progress=False
            )
            remedies = recipe(name)
            dataset = make_dataset(
                cache,
                catalog,
                batch_size=batch_size,
                training=True,
                photographic=remedies["photographic"],
                framing=remedies["framing"],
                greyscale=remedies["greyscale"],
            )
            shape = cache.settings.input_shape
            with hardware.strategy.scope():
                built = build_model(
                    name, shape, parts=remedies["parts"], standardise=remedies["standardise"]
                )
                net = compile_model(built)
            net.fit(dataset.repeat(), steps_per_epoch=warmup, epochs=1, verbose=0, shuffle=False)
            start = time.perf_counter()
            net.fit(dataset.repeat(), steps_per_epoch=steps, epochs=1, verbose=0, shuffle=False)
            figures[f"{name}_img_per_s"] = steps * batch_size / (time.perf_counter() - start)
    return figures


def _images_per_second(dataset, min_seconds: float) -> float:
    """Images a dataset delivers per second: one warm-up epoch, then whole epochs."""
    for _ in dataset:
        pass
    count, start = 0, time.perf_counter()
    while time.perf_counter() - start < min_seconds:
        for images, _ in dataset:
            count += int(images.shape[0])
    return count / (time.perf_counter() - start)


def bench_pipeline(
    root: str | Path,
    *,
    n: int = 500,
    size: int = REPORT_SIZE,
    batch_size: int = 64,
    min_seconds: float = 3.0,
    workers: int | None = None,
) -> dict[str, float]:
    """Images per second from :func:`make_dataset` and from the report's pipeline.

    Both deliver the same ``n`` galaxies of the same cache (made if missing) in shuffled
    batches with their labels, and no model consumes them. The report's reads the
    cache's images written as PNG files, as it did; the files are read once beforehand,
    so both find their data in memory. Its per-image label search scans the whole
    catalog, so it slows down as the catalog grows (61,578 rows in the report).

    Returns
    -------
    dict
        ``n``, ``size``, ``ours_img_per_s``, ``report_img_per_s`` and ``ratio``.
    """
    from galaxylib.pipeline import make_dataset

    cache = preprocess_catalog(root, size=size, workers=workers, progress=False, skip_bad=True)
    catalog = load_catalog(root, skip_bad=True)
    ids = catalog.ids[:n]
    ours = _images_per_second(
        make_dataset(cache, catalog, ids, batch_size=batch_size, training=True), min_seconds
    )
    with tempfile.TemporaryDirectory() as tmp:
        paths = write_pngs(cache, ids, tmp)
        theirs = _images_per_second(
            report_dataset(paths, catalog.labels, batch_size=batch_size), min_seconds
        )
    return {
        "n": len(ids),
        "size": size,
        "ours_img_per_s": ours,
        "report_img_per_s": theirs,
        "ratio": ours / theirs,
    }


def _write_predictions(path: Path, ids: np.ndarray, pred: np.ndarray) -> None:
    from galaxylib.tools.files import write_csv

    table = pd.DataFrame(pred, columns=list(COLUMNS))
    table.insert(0, "GalaxyID", ids)
    write_csv(table, path, force=True)


def bench_quality(
    seed: int = 8,
    *,
    out: str | Path | None = None,
    workers: int | None = None,
    retrain: bool = False,
) -> dict[str, float]:
    """Score the book's two networks on a fresh sky: what they learned, and how firmly.

    The sky has the profile's size (:func:`galaxylib.config.profile`) and is made with
    ``seed``. The networks are the book's, as chapter 6 gets them from
    :func:`galaxylib.course.course_model`: under the ``small`` profile the stored ones
    (:mod:`galaxylib.course.networks`, trained on a sky of their own, so that every galaxy of
    this one is new to them); elsewhere, or with ``retrain``, trained on this sky with
    the profile's settings and the stored networks' remedies
    (:func:`galaxylib.course.networks.recipe`). Both are scored on the sky's test split
    as chapter 6's table scores them: one view of each galaxy.

    Parameters
    ----------
    seed : int, default 8
        Seed of the sky (the split keeps the book's, :data:`galaxylib.data.SPLIT_SEED`).
    out : path, optional
        Keep everything here: the sky in ``out/sky``, the models in ``out/models`` and
        the test split's predictions in ``out/test_predictions_<model>.csv`` (GalaxyID and
        the 37 answers), from which every figure can be computed again. Default: a
        temporary folder, removed afterwards.
    workers : int, optional
        Processes for making and cropping the sky.
    retrain : bool, default False
        Train both networks on this sky, as above, even where stored ones apply.

    Returns
    -------
    dict
        ``improved_rmse``, ``report_rmse``, ``mean_rmse``, ``floor_rmse``, ``improved_gap``,
        ``report_gap`` (:func:`gap_closed`), ``margin_low`` and ``margin_high`` (the 95 %
        paired bootstrap interval of the report's RMSE minus the improved network's,
        :func:`margin_interval`: above zero, the improved network is ahead beyond the luck
        of the test galaxies), ``train_s`` (seconds of training, both networks: for stored
        networks, as their provenance records it), then ``improved_edge_on`` and
        ``improved_bar`` (:func:`clear_cases`'s shares) and ``stored`` (1 for the stored
        networks, 0 for networks trained here).
    """
    with _bench_sky(seed, out, workers) as (out, sky, catalog, parts, floor):
        return _bench_quality(out, sky, catalog, parts, floor, workers, retrain)


def _bench_quality(
    out: Path,
    sky: Path,
    catalog: Catalog,
    parts: Split,
    floor: float,
    workers: int | None,
    retrain: bool,
) -> dict[str, float]:
    from galaxylib.course import networks
    from galaxylib.evaluation import evaluate

    stored = networks.applies() and not retrain
    results = {}
    committed: dict[str, float] = {}
    train_s = 0.0
    for name in ("improved", "report"):
        path = out / "models" / f"{name}.keras"
        path.parent.mkdir(parents=True, exist_ok=True)
        if stored:
            networks.install(name, path)
            networks.make_crops(name, sky, workers=workers)
            train_s += networks.provenance()["networks"][name]["train_s"]
        else:
            start = time.perf_counter()
            remedies = networks.recipe(name)  # as the chapters train their own
            _train(sky, model=name, out=path, **remedies, force=True, workers=workers, verbose=2)
            train_s += time.perf_counter() - start
        result = evaluate(path, sky, tta=False)  # one view of each, as chapter 6 scores them
        _write_predictions(out / f"test_predictions_{name}.csv", result.ids, result.pred)
        results[name] = result
        if name == "improved":
            shares = clear_cases(result.pred, result.truth)["share"]
            committed = {f"improved_{kind}": share for kind, share in shares.items()}
    mean = mean_rmse(catalog, parts)
    improved, report = results["improved"], results["report"]
    assert np.array_equal(improved.ids, report.ids)  # the same test galaxies, in one order
    low, high = margin_interval(improved.pred, report.pred, improved.truth)
    return {
        "improved_rmse": improved.rmse,
        "report_rmse": report.rmse,
        "mean_rmse": mean,
        "floor_rmse": floor,
        "improved_gap": gap_closed(improved.rmse, mean, floor),
        "report_gap": gap_closed(report.rmse, mean, floor),
        "margin_low": low,
        "margin_high": high,
        "train_s": train_s,
        **committed,
        "stored": float(stored),
    }


def bench_colour(
    seed: int = 8, *, out: str | Path | None = None, workers: int | None = None
) -> dict[str, float]:
    """Train the report's network on a sky in grey and in colour, and compare.

    The report turned the images grey before training; the Kaggle winner kept the three
    colour bands. Both runs use the same sky (of the profile's size, made with ``seed``),
    the same split, the same recipe (:func:`galaxylib.tools.train.train`'s defaults) and the
    same network; only the input's channels differ. Each is scored on the test split.

    Parameters
    ----------
    seed : int, default 8
        Seed of the sky, as in :func:`bench_quality`.
    out : path, optional
        Keep the sky in ``out/sky`` and the models in ``out/models``, and write the
        figures with their provenance (command, machine, versions, date) to
        ``out/colour_vs_grey.json``. A sky or a grey report network that
        ``galaxylib bench quality --out`` left there is used as it is. Default: a
        temporary folder, removed afterwards.
    workers : int, optional
        Processes for making and cropping the sky.

    Returns
    -------
    dict
        ``grey_rmse``, ``colour_rmse``, ``mean_rmse``, ``floor_rmse``, ``grey_gap``,
        ``colour_gap`` (:func:`gap_closed`), ``margin_low`` and ``margin_high``
        (:func:`margin_interval` of grey's RMSE minus colour's: above zero where colour
        is better), and ``grey_train_s``, ``colour_train_s`` (seconds of training, from
        each model's history).
    """
    with _bench_sky(seed, out, workers) as (out, sky, catalog, parts, floor):
        figures = _bench_colour(sky, out, catalog, parts, floor, workers)
        _write_record(out / "colour_vs_grey.json", seed, figures)
        return figures


def _bench_colour(
    sky: Path, out: Path, catalog: Catalog, parts: Split, floor: float, workers: int | None
) -> dict[str, float]:
    from galaxylib.evaluation import evaluate

    mean = mean_rmse(catalog, parts)
    figures: dict[str, float] = {}
    results = {}
    for channels, name in (("grey", "report"), ("colour", "report-colour")):
        path = out / "models" / f"{name}.keras"
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists():
            _train(sky, model="report", color=channels == "colour", out=path, workers=workers)
        results[channels] = evaluate(path, sky, tta=False)
        figures[f"{channels}_rmse"] = results[channels].rmse
        history = read_history(ModelFiles(path).history)
        figures[f"{channels}_train_s"] = float(history["seconds"].sum())
    figures |= {"mean_rmse": mean, "floor_rmse": floor}
    for channels in ("grey", "colour"):
        figures[f"{channels}_gap"] = gap_closed(figures[f"{channels}_rmse"], mean, floor)
    grey, colour = results["grey"], results["colour"]
    figures["margin_low"], figures["margin_high"] = margin_interval(
        colour.pred, grey.pred, grey.truth
    )
    return figures


@contextmanager
def _bench_sky(
    seed: int, out: str | Path | None, workers: int | None
) -> Iterator[tuple[Path, Path, Catalog, Split, float]]:
    """A benchmark's results folder (``out``, else a temporary one) and its sky.

    The sky of the profile's size made with ``seed`` in ``sky/`` (kept if already
    there), its catalog, the book's split and the noise floor of its test split.
    """
    from galaxylib.synthetic.skyfile import sky_noise_floor
    from galaxylib.tools.sky import make_sky

    with ExitStack() as stack:
        if out is None:
            out = stack.enter_context(tempfile.TemporaryDirectory(prefix="galaxylib-bench-"))
        out = Path(out)
        if out.exists() and not out.is_dir():
            raise GalaxyLibError(f"--out {out} is a file; name a folder to keep the results in.")
        sky = out / "sky"
        if not (sky / "sky.json").exists():
            print(make_sky(sky, profile().n_galaxies, seed=seed, workers=workers, force=True))
        catalog = load_catalog(sky)
        parts = split(catalog.ids, seed=SPLIT_SEED)
        floor = sky_noise_floor(sky, parts.test)
        if floor is None:  # make_sky always writes the truth the floor is read from
            raise GalaxyLibError(f"{sky} holds no truth.csv; delete it and run it again.")
        yield out, sky, catalog, parts, floor


def _write_record(path: Path, seed: int, figures: dict[str, float]) -> None:
    """Figures of a benchmark run beside what a reader needs to trust and repeat them."""
    from importlib.metadata import version

    from galaxylib import __version__
    from galaxylib.course import machine
    from galaxylib.tools.files import write_text

    chosen = profile()
    record = {
        "command": f"{PROFILE_ENV}={chosen.name} galaxylib bench colour --seed {seed}",
        "sky": {"seed": seed, "galaxies": chosen.n_galaxies, "split_seed": SPLIT_SEED},
        "image_size": chosen.image_size,
        "epochs": chosen.epochs,
        "machine": machine(),
        "versions": {
            "galaxylib": __version__,
            "tensorflow": version("tensorflow"),
            "keras": version("keras"),
        },
        "date": date.today().isoformat(),
        "figures": figures,
    }
    write_text(path, json.dumps(record, indent=2) + "\n")


def _train(sky: Path, **options) -> None:
    """Train on ``sky`` with the profile's epochs, batch size and image size."""
    from galaxylib.tools.train import train

    scale = profile()
    train(
        sky,
        epochs=scale.epochs,
        batch_size=scale.batch_size,
        size=scale.image_size,
        **options,
    )


def bench_synth(n: int = 200, workers: int | None = None) -> dict[str, float]:
    """Time :func:`make_sky` on ``n`` galaxies, images and JPEGs included.

    Parameters
    ----------
    n : int, default 200
    workers : int, optional
        Processes; every core by default.

    Returns
    -------
    dict
        ``galaxies_per_s``, ``seconds``, ``n``, ``workers`` and ``noise_floor``.
    """
    from galaxylib.tools.sky import make_sky

    with tempfile.TemporaryDirectory(prefix="galaxylib-bench-") as folder:
        report = make_sky(Path(folder) / "sky", n, workers=workers, progress=False)
    return {
        "galaxies_per_s": report.galaxies_per_s,
        "seconds": report.seconds,
        "n": float(n),
        "workers": float(report.workers),
        "noise_floor": report.noise_floor,
    }


def write_pngs(cache: Cache, galaxy_ids: np.ndarray, folder: str | Path) -> list[str]:
    """Write cached images as ``<GalaxyID>.png`` files, as the report kept its crops.

    Returns
    -------
    list of str
        The paths, in the order of ``galaxy_ids``.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for galaxy_id, row in zip(galaxy_ids, cache.rows_of(galaxy_ids), strict=True):
        path = folder / f"{int(galaxy_id)}.png"
        image = cache.images[row]
        cv2.imwrite(str(path), image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_RGB2BGR))
        paths.append(str(path))
    return paths


def report_dataset(
    image_paths: list[str], labels: pd.DataFrame, *, batch_size: int = 64, training: bool = True
) -> tf.data.Dataset:
    """The report's input pipeline, as its notebook wrote it (for comparison only).

    For every image, a Python function (``tf.py_function``) reads and decodes the PNG
    and finds the galaxy's row with ``labels.loc[labels['GalaxyID'] == galaxyID]``, a
    scan of the whole table; then ``shuffle(1024)``, ``batch`` and ``prefetch``. The
    one change: the GalaxyID is taken from the file name, not from the fourth part of
    the report's own folder path.

    Parameters
    ----------
    image_paths : list of str
        ``<GalaxyID>.png`` files (see :func:`write_pngs`).
    labels : DataFrame
        ``GalaxyID`` followed by the 37 answer columns.
    batch_size : int, default 64
    training : bool, default True
        Yield labels too, and shuffle.

    Returns
    -------
    tf.data.Dataset
        ``float32`` images in [0, 1] (and ``float32`` labels).
    """
    import tensorflow as tf

    def get_features(image_path, training=True):
        image = tf.io.decode_image(tf.io.read_file(image_path), dtype=tf.dtypes.float32)
        if training:
            label = tf.strings.split(image_path, os.path.sep)[-1]
            galaxy_id = int(tf.strings.substr(label, 0, tf.strings.length(label) - 4))
            galaxy_row = labels.loc[labels["GalaxyID"] == galaxy_id]
            features = tf.cast(galaxy_row.iloc[0, 1:].values, tf.float32)
            return image, features
        return image

    paths = tf.data.Dataset.from_tensor_slices(image_paths)
    if training:
        dataset = paths.map(
            lambda x: tf.py_function(func=get_features, inp=[x], Tout=(tf.float32, tf.float32)),
            num_parallel_calls=tf.data.AUTOTUNE,
        )
        dataset = dataset.shuffle(1024)
    else:
        dataset = paths.map(
            lambda x: tf.py_function(func=get_features, inp=[x, False], Tout=tf.float32),
            num_parallel_calls=tf.data.AUTOTUNE,
        )
    return dataset.batch(batch_size).prefetch(tf.data.AUTOTUNE)
