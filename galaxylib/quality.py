"""How well do the book's networks learn? The gap they close, and whether they commit.

An RMSE alone says little: is 0.10 good? Two reference points frame it. Predicting every
galaxy as the average galaxy (the mean-confidence benchmark) is what a model that learned
nothing scores; the **noise floor** (the votes against the expected fractions of a
synthetic sky) is what a perfect model scores. :func:`gap_closed` says which share of the
distance between the two a network covers.

A network can also score well while *hedging*: predicting fractions close to the average
for every galaxy and never committing to an edge-on disc or a bar.
:func:`clear_cases` counts how often it commits on galaxies whose catalog is clear.

:func:`bench_quality` (``galaxylib bench quality``) makes a fresh sky of the book's
profile, scores the book's two networks on it exactly as chapter 6 does (the stored ones,
or trained on it), and reports all of this in one line. :func:`bench_colour`
(``galaxylib bench colour``) asks whether the report was right to throw colour away:
the report's network, trained the same way on the same sky in grey and in colour. Its
figures, with how and where they were measured, are kept in :data:`COLOUR_RECORD`, which
chapter 7 reads.
"""

from __future__ import annotations

import json
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from galaxylib.baselines import BASELINES
from galaxylib.config import profile
from galaxylib.data import Catalog, Split, load_catalog, split
from galaxylib.errors import GalaxyLibError
from galaxylib.metrics import rmse
from galaxylib.taxonomy import COLUMNS

__all__ = [
    "CLEAR_CASES",
    "COLOUR_RECORD",
    "bench_colour",
    "bench_quality",
    "clear_cases",
    "gap_closed",
    "margin_interval",
    "mean_rmse",
]

COLOUR_RECORD = Path(__file__).with_name("colour_vs_grey.json")
"""The figures of one run of :func:`bench_colour`, with the command, machine and versions."""

CLEAR_CASES = {
    "edge_on": ("Class2.1", 0.6, 0.5),
    "bar": ("Class3.1", 0.5, 0.3),
}
"""For each kind of clear galaxy: the answer, the catalog fraction from which a galaxy
counts as clearly of that kind, and the prediction from which the network is taken to
have seen it."""


def gap_closed(model_rmse: float, mean_rmse: float, floor_rmse: float) -> float:
    """The share of the distance from the mean benchmark to the noise floor a model covers.

    0 for a model no better than predicting the average galaxy, 1 for one at the noise
    floor (which no model can beat on average).

    Parameters
    ----------
    model_rmse, mean_rmse, floor_rmse : float
        RMSEs on the same galaxies: the model's, the mean-confidence benchmark's and the
        noise floor.

    Returns
    -------
    float
    """
    if not mean_rmse > floor_rmse:
        raise ValueError(
            f"the mean benchmark's RMSE ({mean_rmse}) must lie above the noise floor ({floor_rmse})"
        )
    return (mean_rmse - model_rmse) / (mean_rmse - floor_rmse)


def margin_interval(
    pred_a: np.ndarray, pred_b: np.ndarray, truth: np.ndarray, *, draws: int = 1000, seed: int = 0
) -> tuple[float, float]:
    """How much of a margin between two models could be the luck of the test galaxies.

    Redraws the test galaxies with replacement ``draws`` times, scores both models on
    each draw, and returns the range that holds the middle 95 % of the margins
    RMSE(b) - RMSE(a) (a paired bootstrap). When it holds zero, the test split cannot
    tell the two models apart.

    Parameters
    ----------
    pred_a, pred_b, truth : ndarray of shape (n, 37)
        Both models' predictions and the fractions of the same galaxies, in one order.
    draws : int, default 1000
    seed : int, default 0

    Returns
    -------
    (float, float)
        The 2.5th and 97.5th percentiles of the margin.
    """
    truth = np.asarray(truth, float)
    errors_a = ((np.asarray(pred_a, float) - truth) ** 2).mean(axis=1)
    errors_b = ((np.asarray(pred_b, float) - truth) ** 2).mean(axis=1)
    picks = np.random.default_rng(seed).integers(0, len(truth), size=(draws, len(truth)))
    margins = np.sqrt(errors_b[picks].mean(axis=1)) - np.sqrt(errors_a[picks].mean(axis=1))
    low, high = np.percentile(margins, [2.5, 97.5])
    return float(low), float(high)


def mean_rmse(catalog: Catalog, parts: Split) -> float:
    """RMSE on the test split of the mean-confidence benchmark fitted on the training split."""
    make, _, _ = BASELINES["mean confidence"]
    targets = catalog.labels.set_index("GalaxyID").loc[:, list(COLUMNS)]
    train, test = targets.loc[parts.train].to_numpy(), targets.loc[parts.test].to_numpy()
    benchmark = make().fit(np.zeros((len(train), 1)), train)
    return rmse(benchmark.predict(np.zeros((len(test), 1))), test)


def clear_cases(pred: np.ndarray, truth: np.ndarray) -> pd.DataFrame:
    """How often a network commits on galaxies whose catalog is clear (see :data:`CLEAR_CASES`).

    Parameters
    ----------
    pred, truth : ndarray of shape (n, 37)
        Predictions and catalog fractions of the same galaxies.

    Returns
    -------
    DataFrame
        One row per kind (``edge_on``, ``bar``): ``answer``, ``clear_from`` (catalog
        fraction), ``seen_from`` (prediction), ``galaxies`` (how many are clear),
        ``seen`` (how many of those the network predicts at ``seen_from`` or above),
        ``share`` (``seen / galaxies``, NaN when there are none) and ``largest`` (the
        largest prediction of that answer over all the galaxies).
    """
    pred, truth = np.asarray(pred, float), np.asarray(truth, float)
    rows = []
    for kind, (answer, clear_from, seen_from) in CLEAR_CASES.items():
        column = COLUMNS.index(answer)
        clear = truth[:, column] >= clear_from
        seen = int(np.sum(pred[clear, column] >= seen_from))
        rows.append(
            {
                "kind": kind,
                "answer": answer,
                "clear_from": clear_from,
                "seen_from": seen_from,
                "galaxies": int(clear.sum()),
                "seen": seen,
                "share": seen / clear.sum() if clear.any() else np.nan,
                "largest": float(pred[:, column].max()) if len(pred) else np.nan,
            }
        )
    return pd.DataFrame(rows).set_index("kind")


def _write_predictions(path: Path, ids: np.ndarray, pred: np.ndarray) -> None:
    from galaxylib.evaluation import write_csv

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
    (:mod:`galaxylib.networks`, trained on a sky of their own, so that every galaxy of
    this one is new to them); elsewhere, or with ``retrain``, trained on this sky with
    :func:`galaxylib.training.train`'s defaults. Both are scored on the sky's test split
    as chapter 6 scores them (the improved one averaged over the eight rotations and
    flips).

    Parameters
    ----------
    seed : int, default 8
        Seed of the sky (the split keeps the book's seed, 42).
    out : path, optional
        Keep everything here: the sky in ``out/sky``, the models in ``out/models`` and
        the test split's predictions in ``out/test_predictions_<model>.csv`` (GalaxyID and
        the 37 answers), from which every figure can be computed again. Default: a
        temporary folder, removed afterwards.
    workers : int, optional
        Processes for making and cropping the sky.
    retrain : bool, default False
        Train both networks on this sky with the book's recipe, even where stored ones
        apply.

    Returns
    -------
    dict
        ``improved_rmse``, ``report_rmse``, ``mean_rmse``, ``floor_rmse``, ``improved_gap``,
        ``report_gap`` (:func:`gap_closed`), ``train_s`` (seconds of training, both
        networks: for stored networks, as their provenance records it), then
        ``improved_edge_on`` and ``improved_bar`` (:func:`clear_cases`'s shares) and
        ``stored`` (1 for the stored networks, 0 for networks trained here).
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
    from galaxylib import networks
    from galaxylib.evaluation import evaluate
    from galaxylib.training import train

    stored = networks.applies() and not retrain
    rmses: dict[str, float] = {}
    committed: dict[str, float] = {}
    train_s = 0.0
    for name, tta in (("improved", True), ("report", False)):
        path = out / "models" / f"{name}.keras"
        path.parent.mkdir(parents=True, exist_ok=True)
        if stored:
            networks.install(name, path)
            networks.make_crops(name, sky, workers=workers)
            train_s += networks.provenance()["networks"][name]["train_s"]
        else:
            start = time.perf_counter()
            train(sky, model=name, out=path, force=True, workers=workers, verbose=2)
            train_s += time.perf_counter() - start
        result = evaluate(path, sky, tta=tta)
        _write_predictions(out / f"test_predictions_{name}.csv", result.ids, result.pred)
        rmses[name] = result.rmse
        if name == "improved":
            shares = clear_cases(result.pred, result.truth)["share"]
            committed = {f"improved_{kind}": share for kind, share in shares.items()}
    mean = mean_rmse(catalog, parts)
    return {
        "improved_rmse": rmses["improved"],
        "report_rmse": rmses["report"],
        "mean_rmse": mean,
        "floor_rmse": floor,
        "improved_gap": gap_closed(rmses["improved"], mean, floor),
        "report_gap": gap_closed(rmses["report"], mean, floor),
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
    the same split, the same recipe (:func:`galaxylib.training.train`'s defaults) and the
    same network; only the input's channels differ. Each is scored on the test split.

    Parameters
    ----------
    seed : int, default 8
        Seed of the sky, as in :func:`bench_quality`.
    out : path, optional
        Keep the sky in ``out/sky`` and the models in ``out/models``, and write the
        figures with their provenance to ``out/colour_vs_grey.json`` (the form of
        :data:`COLOUR_RECORD`). A sky or a grey report network that
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
        _write_record(out / COLOUR_RECORD.name, seed, figures)
        return figures


def _bench_colour(
    sky: Path, out: Path, catalog: Catalog, parts: Split, floor: float, workers: int | None
) -> dict[str, float]:
    from galaxylib.evaluation import evaluate
    from galaxylib.training import ModelFiles, read_history, train

    mean = mean_rmse(catalog, parts)
    figures: dict[str, float] = {}
    results = {}
    for channels, name in (("grey", "report"), ("colour", "report-colour")):
        path = out / "models" / f"{name}.keras"
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists():
            train(sky, model="report", color=channels == "colour", out=path, workers=workers)
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
    from galaxylib.evaluation import sky_noise_floor
    from galaxylib.synthetic import make_sky

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
        parts = split(catalog.ids, seed=42)
        floor = sky_noise_floor(sky, parts.test)
        if floor is None:  # make_sky always writes the truth the floor is read from
            raise GalaxyLibError(f"{sky} holds no truth.csv; delete it and run it again.")
        yield out, sky, catalog, parts, floor


def _write_record(path: Path, seed: int, figures: dict[str, float]) -> None:
    """Figures of a benchmark run beside what a reader needs to trust and repeat them."""
    from importlib.metadata import version

    from galaxylib import __version__
    from galaxylib._files import write_text
    from galaxylib.course import machine

    chosen = profile()
    record = {
        "command": f"GALAXYLIB_PROFILE={chosen.name} galaxylib bench colour --seed {seed}",
        "sky": {"seed": seed, "galaxies": chosen.n_galaxies, "split_seed": 42},
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
