"""The ``galaxylib`` command: ``galaxylib --help`` lists the subcommands.

Every subcommand prints one sentence and exits with status 1 on bad input
(a :class:`~galaxylib.errors.GalaxyLibError`), never a traceback; a bad flag is
one sentence and status 2, a Ctrl-C one sentence and status 130, a ``kill`` one sentence
and status 143. A note about a
result (a :class:`~galaxylib.errors.GalaxyLibNote`) is one line too.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import tempfile
import threading
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from galaxylib.config import profile
from galaxylib.data import SPLIT_SEED
from galaxylib.errors import GalaxyLibError, GalaxyLibNote
from galaxylib.preprocess import CROPS, REPORT_SIZE
from galaxylib.tools.files import disk_error

__all__ = ["main"]


def _synth(args: argparse.Namespace) -> None:
    from galaxylib.tools.sky import make_sky

    report = make_sky(args.out, args.n, seed=args.seed, workers=args.workers, force=args.force)
    print(report)


def _baselines(args: argparse.Namespace) -> None:
    from galaxylib.baselines import run_baselines
    from galaxylib.data import load_catalog

    catalog = load_catalog(args.data_dir, skip_bad=args.skip_bad)
    if len(catalog.skipped):
        print(f"Left out {len(catalog.skipped)} bad rows:", file=sys.stderr)
        print(catalog.skipped.to_string(index=False), file=sys.stderr)
    table = run_baselines(catalog, catalog.split(args.seed), workers=args.workers)
    print(table.to_string(index=False, float_format=lambda x: f"{x:.4f}", na_rep="-"))


def _check(args: argparse.Namespace) -> int:
    from galaxylib.data import load_catalog

    catalog = load_catalog(args.data_dir, skip_bad=True, verify_images=not args.quick)
    print(f"{catalog.csv_path}: {len(catalog)} good galaxies, {len(catalog.skipped)} bad rows.")
    if len(catalog.skipped):
        print(catalog.skipped.to_string(index=False))
        return 1
    catalog.split()  # refuses a catalog too small to split, in a sentence
    return 0


def _download(args: argparse.Namespace) -> None:
    from galaxylib.tools.download import download_kaggle, download_zip

    if args.url:
        root = download_zip(args.url, args.out, sha256=args.sha256, force=args.force)
    else:
        root = download_kaggle(args.out, force=args.force)
    print(f"The Galaxy Zoo training set is ready in {root}.")


def _preprocess(args: argparse.Namespace) -> None:
    from galaxylib.preprocess import preprocess_catalog

    cache = preprocess_catalog(
        args.data_dir,
        crop=args.crop,
        size=args.size,
        color=args.color,
        workers=args.workers,
        force=args.force,
        cache=args.cache,
        skip_bad=args.skip_bad,
    )
    print(f"{cache.path}: {len(cache)} galaxies, {len(cache.problems)} with a fallback.")
    if len(cache.problems):
        print(cache.problems.to_string(index=False))


def _train(args: argparse.Namespace) -> None:
    from galaxylib.tools.train import train

    scale = profile()
    result = train(
        args.data_dir,
        model=args.model,
        out=args.out,
        epochs=args.epochs or scale.epochs,
        batch_size=args.batch_size or scale.batch_size,
        size=args.size or scale.image_size,
        crop=args.crop,
        color=args.color,
        force=args.force,
        workers=args.workers,
        seed=args.seed,
        train_galaxies=args.train_galaxies,
        photographic=args.photographic,
        framing=args.framing,
        greyscale=args.greyscale,
        output=args.output,
        volunteers=args.volunteers,
        parts=args.parts,
        standardise=args.standardise,
        cache=args.cache,
    )
    print(
        f"Saved {result.files.model}: validation RMSE {result.val_rmse:.4f} after "
        f"{len(result.history)} epochs, {result.seconds_per_epoch:.1f} s per epoch on "
        f"{result.setup}; history in {result.files.history}."
    )


def _evaluate(args: argparse.Namespace) -> None:
    from galaxylib.evaluation import evaluate, load_model, results_table
    from galaxylib.synthetic import sky_noise_floor
    from galaxylib.tools.files import write_csv

    trained = load_model(args.model)
    evaluation = evaluate(
        trained, args.data_dir, tta=not args.no_tta, seed=args.seed, cache=args.cache
    )
    if args.out is not None:
        write_csv(evaluation.predictions(), args.out, force=args.force)
    baselines = None
    if not args.no_baselines:
        from galaxylib.baselines import run_baselines
        from galaxylib.data import load_catalog

        catalog = load_catalog(args.data_dir, skip_bad=True)
        baselines = run_baselines(catalog, catalog.split(args.seed), progress=False)
    floor = sky_noise_floor(args.data_dir, evaluation.ids)
    fmt: dict[str, Any] = {"float_format": lambda x: f"{x:.4f}", "na_rep": "-"}
    print(
        f"{args.model} ({trained.name}): test RMSE {evaluation.rmse:.4f} on "
        f"{len(evaluation.ids)} galaxies{'' if args.no_tta else ' (mean of 8 rotations/flips)'}."
    )
    print("\nRMSE per question:")
    print(evaluation.per_question.to_frame("rmse").T.to_string(**fmt))
    print("\nThe galaxies it gets most wrong:")
    print(evaluation.worst(5).to_string(index=False, **fmt))
    print("\nResults on the test split:")
    print(results_table(baselines, [evaluation], floor).to_string(index=False, **fmt))
    if args.out is not None:
        print(f"\nWrote the 37 predicted vote fractions of each test galaxy to {args.out}.")


def _export(args: argparse.Namespace) -> None:
    from galaxylib.tools.export import TOLERANCE, export_onnx

    done = export_onnx(args.model, args.out, force=args.force)
    size, _, channels = done.input_shape
    print(
        f"Wrote {done.path}: takes uint8 crops of {size}x{size}x{channels} (input 'image'), "
        f"gives the 37 vote fractions (output 'answers'); ONNX Runtime agrees with Keras to "
        f"{done.max_difference:.1e} (at most {TOLERANCE:g} allowed)."
    )


def _predict(args: argparse.Namespace) -> None:
    from galaxylib.evaluation import load_model, predict_files
    from galaxylib.tools.files import write_csv

    table = predict_files(load_model(args.model), args.images, tta=not args.no_tta)
    if args.out is None:
        print(table.drop(columns="file").to_string(index=False, float_format=lambda x: f"{x:.3f}"))
    else:
        write_csv(table, args.out, force=args.force)
        print(f"Wrote the 37 vote fractions of {len(table)} images to {args.out}.")


def _bench(args: argparse.Namespace) -> None:
    from galaxylib.tools.bench import bench_preprocess, bench_synth

    def bench_pipeline() -> dict[str, float]:
        from galaxylib.tools.bench import bench_pipeline

        return bench_pipeline(_bench_data(args), n=args.n, workers=args.workers)

    def bench_train() -> dict[str, float]:
        from galaxylib.tools.bench import bench_train

        return bench_train(_bench_data(args), workers=args.workers)

    def bench_quality() -> dict[str, float]:
        from galaxylib.tools.bench import bench_quality

        return bench_quality(args.seed, out=args.out, workers=args.workers, retrain=args.retrain)

    def bench_colour() -> dict[str, float]:
        from galaxylib.tools.bench import bench_colour

        return bench_colour(args.seed, out=args.out, workers=args.workers)

    benchmarks: dict[str, Callable[[], dict[str, float]]] = {
        "synth": lambda: bench_synth(n=args.n, workers=args.workers),
        "preprocess": lambda: bench_preprocess(_bench_data(args), n=args.n, workers=args.workers),
        "pipeline": bench_pipeline,
        "train": bench_train,
        "quality": bench_quality,
        "colour": bench_colour,
    }
    figures = benchmarks[args.name]()
    print(" ".join(f"{key}={_figure(value)}" for key, value in figures.items()))


def _figure(value: float) -> str:
    """A benchmark figure for a key=value line: whole numbers plain, rates to 0.1."""
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.1f}" if abs(value) >= 100 else f"{value:.4g}"


def _bench_data(args: argparse.Namespace) -> Path:
    """The data set a benchmark runs on: --data, or a synthetic sky made once for it."""
    if args.data is not None:
        return args.data
    from galaxylib.config import data_root
    from galaxylib.tools.sky import make_sky

    root = data_root() / f"bench-sky-{args.n}"
    if not (root / "training_solutions_rev1.csv").exists():
        make_sky(root, args.n, seed=0, workers=args.workers)
    return root


class _Parser(argparse.ArgumentParser):
    """An argument parser whose complaint about a flag is one sentence."""

    def error(self, message: str):
        print(f"{self.prog}: {message}; see `{self.prog} --help`.", file=sys.stderr)
        sys.exit(2)


def _at_least(minimum: int) -> Callable[[str], int]:
    """An argparse type: a whole number of at least ``minimum``."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"{value} is too small: use {minimum} or more")
        return value

    parse.__name__ = "whole number"
    return parse


def _parser() -> argparse.ArgumentParser:
    from galaxylib.preprocess import MIN_SIZE

    positive, pixels, seed = _at_least(1), _at_least(MIN_SIZE), _at_least(0)
    parser = _Parser(
        prog="galaxylib",
        description="Galaxy Zoo data, baselines and models for the course "
        "'Galaxy morphology with CNNs'.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    workers: dict[str, Any] = {
        "type": positive,
        "default": None,
        "help": "processes to use (default: every core)",
    }
    cache: dict[str, Any] = {
        "type": Path,
        "default": None,
        "help": "folder for the preprocessing cache (default: DATA_DIR/cache, or "
        "$GALAXYLIB_CACHE); for data in a folder you cannot write to",
    }

    p = sub.add_parser("synth", help="make a synthetic Galaxy Zoo in the Kaggle format")
    p.add_argument("--out", type=Path, required=True, help="directory to write")
    p.add_argument("--n", type=positive, required=True, help="number of galaxies")
    p.add_argument("--seed", type=seed, default=0, help="random seed (default 0)")
    p.add_argument("--workers", **workers)
    p.add_argument("--force", action="store_true", help="overwrite an existing data set")
    p.set_defaults(func=_synth)

    p = sub.add_parser("check", help="check a data directory's catalog and images")
    p.add_argument("data_dir", type=Path)
    p.add_argument("--quick", action="store_true", help="do not decode every image")
    p.set_defaults(func=_check)

    p = sub.add_parser("baselines", help="RMSE of the report's four benchmarks on the test split")
    p.add_argument("data_dir", type=Path)
    p.add_argument(
        "--seed", type=seed, default=SPLIT_SEED, help=f"seed of the split (default {SPLIT_SEED})"
    )
    p.add_argument("--skip-bad", action="store_true", help="leave bad rows out and list them")
    p.add_argument("--workers", **workers)
    p.set_defaults(func=_baselines)

    p = sub.add_parser("download", help="fetch the real Galaxy Zoo training set")
    p.add_argument(
        "--out", type=Path, default=None, help="data directory (default: $GALAXYLIB_DATA/galaxyzoo)"
    )
    p.add_argument("--url", help="a zip URL (such as the report's) instead of Kaggle")
    p.add_argument("--sha256", help="expected SHA-256 of the zip at --url")
    p.add_argument("--force", action="store_true", help="download again over a complete data set")
    p.set_defaults(func=_download)

    p = sub.add_parser("preprocess", help="crop and resize every image into one cache")
    p.add_argument("data_dir", type=Path)
    p.add_argument(
        "--size",
        type=pixels,
        default=REPORT_SIZE,
        help=f"output side in pixels (default {REPORT_SIZE})",
    )
    p.add_argument("--color", action="store_true", help="keep colour (default grey)")
    p.add_argument("--crop", choices=list(CROPS), default="improved")
    p.add_argument("--workers", **workers)
    p.add_argument("--cache", **cache)
    p.add_argument("--skip-bad", action="store_true", help="leave bad rows out and go on")
    p.add_argument("--force", action="store_true", help="rebuild the cache even if up to date")
    p.set_defaults(func=_preprocess)

    p = sub.add_parser("train", help="train the report's CNN or the improved one")
    p.add_argument("data_dir", type=Path)
    p.add_argument(
        "--model",
        type=_network,
        default="improved",
        metavar="NAME",
        help="a network of galaxylib.models.NETWORKS (default: improved)",
    )
    p.add_argument("--out", type=Path, required=True, help="model file to write (MODEL.keras)")
    p.add_argument("--epochs", type=positive, default=None, help="default: the profile's")
    p.add_argument("--batch-size", type=positive, default=None, help="default: the profile's")
    p.add_argument("--size", type=pixels, default=None, help="image side; default: the profile's")
    channels = p.add_mutually_exclusive_group()
    channels.add_argument(
        "--color",
        action="store_const",
        const=True,
        dest="color",
        help="train on colour (the improved network's default)",
    )
    channels.add_argument(
        "--grey",
        action="store_const",
        const=False,
        dest="color",
        help="train on grey images (the report's network's default)",
    )
    p.add_argument("--crop", choices=list(CROPS), default="improved")
    p.add_argument(
        "--seed", type=seed, default=SPLIT_SEED, help=f"seed of the split (default {SPLIT_SEED})"
    )
    p.add_argument(
        "--train-galaxies",
        type=positive,
        default=None,
        help="train on the first N galaxies of the training split only (default: all)",
    )
    p.add_argument(
        "--photographic",
        action="store_true",
        help="vary the training images' brightness, black point, stretch, colour balance, "
        "saturation and noise as photographs vary them (galaxylib.augment)",
    )
    p.add_argument(
        "--framing",
        action="store_true",
        help="frame the training galaxies as photographs do: smaller or larger, off-centre, "
        "among stars, softer (galaxylib.augment)",
    )
    p.add_argument(
        "--greyscale",
        action="store_true",
        help="with --photographic, make half of the training images grey, so that a colour "
        "network cannot lean on the sky's colours (galaxylib.augment; no change in grey)",
    )
    p.add_argument(
        "--output",
        default=None,
        metavar="OUTPUT",
        help="how the network ends, one of galaxylib.models.OUTPUTS: 'sigmoid' (37 "
        "sigmoids), 'tree' (the decision tree's layer) or 'votes' (Dirichlet "
        "concentrations, trained on the votes); default: the network's own",
    )
    p.add_argument(
        "--volunteers",
        type=Path,
        default=None,
        metavar="TABLE",
        help="with --output votes: GalaxyID and n_volunteers of each galaxy (a synthetic "
        "sky's truth.csv)",
    )
    p.add_argument(
        "--parts",
        action="store_true",
        help="the improved network only: run its convolutions on four turned corners of "
        "each image, as the Kaggle winner did (galaxylib.models.Parts)",
    )
    p.add_argument(
        "--standardise",
        action="store_true",
        help="standardise each image's channels (mean 0, standard deviation 1) in the "
        "network's first layers, in training and prediction (galaxylib.models.Standardise)",
    )
    p.add_argument("--workers", **workers)
    p.add_argument("--cache", **cache)
    p.add_argument("--force", action="store_true", help="overwrite MODEL.keras, start afresh")
    p.set_defaults(func=_train)

    p = sub.add_parser("evaluate", help="score a model on the test split beside the baselines")
    p.add_argument("model", type=Path, help="MODEL.keras")
    p.add_argument("data_dir", type=Path)
    p.add_argument(
        "--seed", type=seed, default=SPLIT_SEED, help=f"seed of the split (default {SPLIT_SEED})"
    )
    p.add_argument("--no-tta", action="store_true", help="do not average over rotations/flips")
    p.add_argument("--no-baselines", action="store_true", help="leave the baselines out")
    p.add_argument("--cache", **cache)
    p.add_argument(
        "--out", type=Path, default=None, help="CSV to write each test galaxy's predictions to"
    )
    p.add_argument("--force", action="store_true", help="overwrite --out")
    p.set_defaults(func=_evaluate)

    p = sub.add_parser("predict", help="the 37 vote fractions of any galaxy images")
    p.add_argument("model", type=Path, help="MODEL.keras")
    p.add_argument("images", type=Path, nargs="+", help="image files (JPEG, PNG, any size)")
    p.add_argument("--out", type=Path, default=None, help="CSV to write (default: print)")
    p.add_argument("--no-tta", action="store_true", help="do not average over rotations/flips")
    p.add_argument("--force", action="store_true", help="overwrite --out")
    p.set_defaults(func=_predict)

    p = sub.add_parser("export", help="write a trained model as ONNX, checked against Keras")
    p.add_argument("model", type=Path, help="MODEL.keras")
    p.add_argument("--format", choices=["onnx"], default="onnx", help="file format (onnx)")
    p.add_argument("--out", type=Path, required=True, help="the .onnx file to write")
    p.add_argument("--force", action="store_true", help="overwrite --out")
    p.set_defaults(func=_export)

    p = sub.add_parser("bench", help="time a part of the pipeline and print key=value figures")
    p.add_argument(
        "name", choices=["synth", "preprocess", "pipeline", "train", "quality", "colour"]
    )
    p.add_argument("--n", type=positive, default=500, help="galaxies to time (default 500)")
    p.add_argument(
        "--data", type=Path, default=None, help="data set to time on (default: a synthetic sky)"
    )
    p.add_argument(
        "--seed", type=seed, default=8, help="quality, colour: seed of the sky (default 8)"
    )
    p.add_argument(
        "--out",
        type=Path,
        default=None,
        help="quality, colour: folder to keep the sky, the models and the results in",
    )
    p.add_argument(
        "--retrain",
        action="store_true",
        help="quality: train both networks on the sky instead of using the stored ones",
    )
    p.add_argument("--workers", **workers)
    p.set_defaults(func=_bench)
    return parser


def _network(name: str) -> str:
    """A ``--model`` that names a network of :data:`galaxylib.models.NETWORKS`.

    Reading the registry imports Keras, so TensorFlow is started (quietly) first: only
    when a command is parsed that trains, never for ``--help``.
    """
    _start_tensorflow()
    from galaxylib.models import NETWORKS

    if name not in NETWORKS:
        raise argparse.ArgumentTypeError(f"{name!r} is not one of {', '.join(NETWORKS)}")
    return name


_USES_TENSORFLOW = {
    "train",
    "evaluate",
    "predict",
    "export",
    "bench pipeline",
    "bench train",
    "bench quality",
    "bench colour",
}


def _start_tensorflow() -> None:
    """Import TensorFlow and find the devices with its C++ start-up lines silenced.

    TensorFlow's C++ side prints ``I0000 ...`` lines (oneDNN, CUDA, CPU features) to
    the process's stderr before ``TF_CPP_MIN_LOG_LEVEL`` takes effect; a learner should
    see galaxylib's message, not them. They are shown only if the start fails.
    """
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    if "tensorflow" in sys.modules:
        return
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as log:
        os.dup2(log.fileno(), 2)
        try:
            import tensorflow as tf

            tf.config.list_physical_devices()
        except BaseException:
            os.dup2(saved, 2)
            log.seek(0)
            sys.stderr.write(log.read().decode(errors="replace"))
            raise
        finally:
            os.dup2(saved, 2)
            os.close(saved)


@contextmanager
def _notes_as_lines(command: str) -> Iterator[None]:
    """Print each note raised inside as one line, without the source line Python adds."""
    show = warnings.showwarning

    def show_note(message, category, filename, lineno, file=None, line=None):
        if issubclass(category, GalaxyLibNote):
            print(f"galaxylib {command}: {message}", file=sys.stderr)
        else:
            show(message, category, filename, lineno, file, line)

    with warnings.catch_warnings():
        warnings.simplefilter("always", GalaxyLibNote)
        warnings.showwarning = show_note
        yield


class _Terminated(KeyboardInterrupt):
    """A plain ``kill`` (SIGTERM), stopped like Ctrl-C: pools closed, one sentence."""


def _terminate(signum: int, frame: object) -> None:
    raise _Terminated


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    args = _parser().parse_args(argv)
    command = f"{args.command} {getattr(args, 'name', '')}".strip()
    if threading.current_thread() is not threading.main_thread():
        return _run(args, command)
    previous = signal.signal(signal.SIGTERM, _terminate)
    try:
        return _run(args, command)
    finally:
        signal.signal(signal.SIGTERM, previous)


def _run(args: argparse.Namespace, command: str) -> int:
    """Run one parsed command; every way it can end becomes one sentence and a status."""
    try:
        if command in _USES_TENSORFLOW or args.command in _USES_TENSORFLOW:
            _start_tensorflow()
        with _notes_as_lines(args.command):
            return args.func(args) or 0
    except GalaxyLibError as err:
        print(f"galaxylib {args.command}: {err}", file=sys.stderr)
        return 1
    except _Terminated:
        print(f"galaxylib {args.command}: stopped; run it again to continue.", file=sys.stderr)
        return 143
    except KeyboardInterrupt:
        print(f"galaxylib {args.command}: interrupted; run it again to continue.", file=sys.stderr)
        return 130
    except OSError as err:  # a full disk or an unwritable folder the command did not foresee
        folder = Path(err.filename).parent if err.filename else Path.cwd()
        sentence = disk_error(err, folder)
        if sentence is None:
            raise
        print(f"galaxylib {args.command}: {sentence}", file=sys.stderr)
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
