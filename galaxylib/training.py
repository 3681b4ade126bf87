"""Training a model on a data set: Adam, the report's callbacks made right, resumable.

:func:`train` preprocesses the data set if needed (the profile's image size), splits it
with :func:`galaxylib.data.split`, and fits a model from :mod:`galaxylib.models` with
Adam and mean squared error. The report's callbacks, repaired:

- its ``ModelCheckpoint`` monitored ``val_accuracy``, which a regression never has (so it
  never saved anything): here it keeps the weights of the best ``val_loss``;
- ``EarlyStopping`` (which now restores the best weights) on ``val_loss``, as the report
  set it;
- instead of the report's ``ReduceLROnPlateau``, which waits for the validation loss to
  stall before lowering the learning rate, a cosine schedule fixed in advance
  (:func:`cosine_schedule`): with a known budget of epochs, the rate falls smoothly to a
  hundredth of its start by the last one, so the run ends on small, careful steps;
- ``BackupAndRestore`` saves the state after every epoch, so a run that was interrupted
  continues where it stopped when started again with the same settings.

The files of a model and of a run in progress -- where they live, the lock, resuming an
interrupted run, and what a full disk leaves behind -- are kept in
:mod:`galaxylib._model_files`; this module is the fit itself.
"""

from __future__ import annotations

import dataclasses
import json
import math
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import keras
import numpy as np
import pandas as pd

from galaxylib._files import atomic_path, require_space, write_text
from galaxylib._model_files import (
    ModelFiles,
    _check_out,
    _locked,
    _start_or_resume,
    _writing,
    read_history,
)
from galaxylib.config import profile
from galaxylib.data import Catalog, Split, load_catalog
from galaxylib.errors import GalaxyLibError
from galaxylib.models import MODELS, TAKES_COLOR, build_model
from galaxylib.pipeline import Setup, make_dataset, setup
from galaxylib.preprocess import Cache, Settings, preprocess_catalog
from galaxylib.preprocess.bench import _link_subset
from galaxylib.synthetic.skyfile import sky_identity

__all__ = [
    "ModelFiles",
    "TrainResult",
    "bench_train",
    "compile_model",
    "cosine_schedule",
    "read_history",
    "train",
]

RMSE = "root_mean_squared_error"
"""The name Keras gives the RMSE metric, as in the report's history."""


@dataclass
class TrainResult:
    """What :func:`train` made.

    Attributes
    ----------
    model : keras.Model
        With the weights of the epoch of lowest validation loss.
    history : DataFrame
        One row per epoch (see :func:`read_history`).
    files : ModelFiles
    setup : Setup
        The hardware it ran on.
    """

    model: keras.Model
    history: pd.DataFrame
    files: ModelFiles
    setup: Setup

    @property
    def seconds_per_epoch(self) -> float:
        """Median wall-clock time of an epoch, validation included."""
        return float(self.history["seconds"].median())

    @property
    def val_rmse(self) -> float:
        """Validation RMSE of the epoch whose weights were kept."""
        best = np.nanargmin(self.history["val_loss"].to_numpy())
        return float(self.history[f"val_{RMSE}"].iloc[best])


def compile_model(net: keras.Model, learning_rate: float = 1e-3) -> keras.Model:
    """Compile with Adam, mean squared error and the RMSE metric, as the report did."""
    net.compile(
        optimizer=keras.optimizers.Adam(learning_rate=learning_rate),
        loss="mse",
        metrics=[keras.metrics.RootMeanSquaredError(name=RMSE)],
    )
    return net


class _HistoryLogger(keras.callbacks.CSVLogger):
    """Keras's CSV log, with each epoch's wall-clock ``seconds`` added.

    The seconds go to the file only: Keras's progress line already shows the epoch's time.
    """

    def on_epoch_begin(self, epoch, logs=None):
        self._start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        super().on_epoch_end(epoch, {**(logs or {}), "seconds": time.perf_counter() - self._start})


class _KeepBest(keras.callbacks.Callback):
    """Save the weights of the epoch of lowest validation loss, atomically.

    Keras's ``ModelCheckpoint`` writes in place: a kill or a full disk while it writes
    leaves a truncated file.
    """

    def __init__(self, path: Path, best: float | None = None):
        super().__init__()
        self.path, self.best = path, np.inf if best is None else best

    def on_epoch_end(self, epoch, logs=None):
        loss = (logs or {}).get("val_loss")
        if loss is not None and np.isfinite(loss) and loss < self.best:
            self.best = float(loss)
            with atomic_path(self.path) as tmp:
                self.model.save_weights(tmp)


class _Backup(keras.callbacks.BackupAndRestore):
    """``BackupAndRestore`` whose files are written atomically, the weights first."""

    def _save_model(self):
        Path(self.backup_dir).mkdir(parents=True, exist_ok=True)
        with atomic_path(self._weights_path) as tmp:
            self.model.save_weights(tmp)
        state = {"epoch": self._current_epoch, "batch": self._last_batch_seen}
        write_text(self._training_metadata_path, json.dumps(state))


def cosine_schedule(
    epochs: int, learning_rate: float = 1e-3, final: float = 0.01
) -> Callable[[int], float]:
    """The learning rate of each epoch: a half cosine from ``learning_rate`` down.

    Parameters
    ----------
    epochs : int
        Length of the run; the last epoch (``epochs - 1``) gets ``final * learning_rate``.
    learning_rate : float, default 1e-3
        The rate of the first epoch.
    final : float, default 0.01
        The last epoch's rate as a fraction of the first.

    Returns
    -------
    callable
        ``epoch`` (from 0) to learning rate, for ``keras.callbacks.LearningRateScheduler``.
        Epochs past the end keep the last rate.
    """
    if epochs < 1:
        raise ValueError(f"epochs must be at least 1, not {epochs}")
    if not 0 < final <= 1:
        raise ValueError(f"final must lie in (0, 1], not {final}")

    def rate(epoch: int, current: float | None = None) -> float:
        progress = min(epoch, epochs - 1) / max(1, epochs - 1)
        return learning_rate * (final + (1 - final) * 0.5 * (1 + math.cos(math.pi * progress)))

    return rate


def _callbacks(files: ModelFiles, patience: int, schedule: Callable[[int], float]) -> list:
    best = files.work / "best.weights.h5"
    history = read_history(files.history)
    best_so_far = float(history["val_loss"].min()) if len(history) else None
    return [
        keras.callbacks.LearningRateScheduler(schedule),
        keras.callbacks.EarlyStopping(
            monitor="val_loss", mode="min", patience=patience, restore_best_weights=True
        ),
        _KeepBest(best, best_so_far),  # the best of the epochs before a resume, too
        _HistoryLogger(files.history, append=True),
        _Backup(files.work / "backup"),
    ]


def _save(
    net: keras.Model,
    name: str,
    hardware: Setup,
    files: ModelFiles,
    settings: dict,
    parts: Split,
) -> None:
    """Save the model (as float32, loadable anywhere), its split and settings, atomically.

    The settings come last: a model file without them is not taken for finished.
    """
    if hardware.policy != "float32":
        keras.mixed_precision.set_global_policy("float32")
        portable = build_model(name, net.input_shape[1:])
        portable.set_weights(net.get_weights())
        keras.mixed_precision.set_global_policy(hardware.policy)
        net = portable
    files.settings.unlink(missing_ok=True)
    with atomic_path(files.model) as tmp:
        net.save(tmp)
    table = pd.concat(
        [
            pd.DataFrame({"GalaxyID": parts.train, "part": "train"}),
            pd.DataFrame({"GalaxyID": parts.val, "part": "val"}),
        ]
    )
    with atomic_path(files.split) as tmp:
        table.to_csv(tmp, index=False)
    write_text(files.settings, json.dumps(settings, indent=2))


def _positive(name: str, value: int | float) -> None:
    if isinstance(value, bool) or not value > 0:
        raise GalaxyLibError(f"--{name.replace('_', '-')} is {value!r}; use a positive number.")


def _space_needed(net: keras.Model, files: ModelFiles) -> int:
    """Bytes a run still has to write beside the model.

    The model, the best weights, the backup (weights and the optimizer's two moments)
    and one temporary copy, plus history, less what a resumed run's checkpoints already
    hold.
    """
    there = sum(p.stat().st_size for p in files.work.rglob("*") if p.is_file())
    return 6 * 4 * net.count_params() + 1_000_000 - there


def train(
    data_dir: str | Path,
    *,
    model: str = "improved",
    out: str | Path = "model.keras",
    epochs: int | None = None,
    batch_size: int | None = None,
    size: int | None = None,
    crop: str = "improved",
    color: bool | None = None,
    learning_rate: float = 1e-3,
    patience: int = 7,
    seed: int = 42,
    train_galaxies: int | None = None,
    force: bool = False,
    workers: int | None = None,
    cache: str | Path | None = None,
    verbose: str | int = "auto",
    callbacks: Sequence[keras.callbacks.Callback] = (),
) -> TrainResult:
    """Train the report's network or the improved one on a data set, and save it.

    Parameters
    ----------
    data_dir : path
        A data directory in the Galaxy Zoo format; its cache is made if missing.
    model : {'improved', 'report'}
    out : path, default ``model.keras``
        Where to save the model; its other files go beside it (:class:`ModelFiles`).
    epochs, batch_size, size : int, optional
        Default: the profile's (:func:`galaxylib.config.profile`).
    crop : {'improved', 'report'}, default 'improved'
    color : bool, optional
        Train on colour rather than grey. Default: the network's own choice,
        :data:`galaxylib.models.TAKES_COLOR` (grey for the report's, colour for the
        improved one).
    learning_rate : float, default 1e-3
        Adam's first rate, as in the report; it then follows :func:`cosine_schedule`.
    patience : int, default 7
        Epochs without a better validation loss before stopping (the report's 7).
    seed : int, default 42
        Seed of the split and of the weights and shuffles; evaluate with the same one.
    train_galaxies : int, optional
        Train on only the first this many galaxies of the training split, for a short
        demonstration; the validation and test splits stay whole. Default: all of it.
    force : bool, default False
        Overwrite an existing model, and start afresh rather than resume.
    workers : int, optional
        Processes for preprocessing.
    cache : path, optional
        Folder for the preprocessing cache (see
        :func:`galaxylib.preprocess.preprocess_catalog`), for data one cannot write to.
    verbose : 'auto', 0, 1 or 2
        Keras's progress display.
    callbacks : sequence of keras.callbacks.Callback
        Extra callbacks, called after the built-in ones.

    Returns
    -------
    TrainResult

    Raises
    ------
    GalaxyLibError
        If ``out`` exists and ``force`` is false, another run is writing it, or an
        interrupted run with other settings waits in ``MODEL.train/``; for a bad data
        set, a bad setting, a full disk or a folder that cannot be written.
    """
    if model not in MODELS:
        raise GalaxyLibError(f"Unknown model {model!r}; choose one of {', '.join(MODELS)}.")
    scale = profile()
    epochs = scale.epochs if epochs is None else epochs
    batch_size = scale.batch_size if batch_size is None else batch_size
    for name, value in {"epochs": epochs, "batch_size": batch_size}.items():
        _positive(name, value)
    if train_galaxies is not None:
        _positive("train_galaxies", train_galaxies)
    color = TAKES_COLOR[model] if color is None else color
    preprocessing = Settings(crop, scale.image_size if size is None else size, color)
    files = ModelFiles(Path(out))
    _check_out(files, force)
    run = {"model": model, **preprocessing.as_dict(), "batch_size": batch_size, "seed": seed}
    run |= {"epochs": epochs}  # the schedule depends on it
    run |= {"learning_rate": learning_rate, "data": str(Path(data_dir).resolve())}
    if train_galaxies is not None:
        run |= {"train_galaxies": train_galaxies}
    with _writing(files.model.parent), _locked(files):
        _start_or_resume(files, run, force)
        catalog = load_catalog(data_dir, skip_bad=True)
        if len(catalog.skipped):
            print(
                f"Left out {len(catalog.skipped)} bad rows of {catalog.csv_path} "
                f"(`galaxylib check {data_dir}` lists them).",
                file=sys.stderr,
            )
        parts = catalog.split(seed)
        if train_galaxies is not None:
            parts = dataclasses.replace(parts, train=parts.train[:train_galaxies])
        crops = preprocess_catalog(
            data_dir, **preprocessing.as_dict(), workers=workers, cache=cache, skip_bad=True
        )
        result = _fit(crops, catalog, parts, files, run, patience, verbose, callbacks)
        shutil.rmtree(files.work, ignore_errors=True)
    return result


def _fit(
    cache: Cache,
    catalog: Catalog,
    parts: Split,
    files: ModelFiles,
    run: dict,
    patience: int,
    verbose: str | int,
    callbacks: Sequence[keras.callbacks.Callback],
) -> TrainResult:
    """Build, fit and save the network of ``run``.

    What :func:`train` does once the run holds its lock and its data are ready.
    """
    model, seed, batch_size, epochs = run["model"], run["seed"], run["batch_size"], run["epochs"]
    size = run["size"]
    hardware = setup()
    keras.utils.set_random_seed(seed)
    with hardware.strategy.scope():
        try:
            net = build_model(model, cache.settings.input_shape)
        except ValueError as err:
            raise GalaxyLibError(
                f"--size {size} is too small for the {model} network "
                f"({str(err).splitlines()[0]}); use a larger --size."
            ) from None
        net = compile_model(net, run["learning_rate"])
    require_space(
        files.model.parent,
        _space_needed(net, files),
        f"Training {files.model.name}",
        "choose another --out",
    )
    net.fit(
        make_dataset(cache, catalog, parts.train, batch_size=batch_size, training=True, seed=seed),
        validation_data=make_dataset(cache, catalog, parts.val, batch_size=batch_size),
        epochs=epochs,
        callbacks=[
            *_callbacks(files, patience, cosine_schedule(epochs, run["learning_rate"])),
            *callbacks,
        ],
        shuffle=False,  # the dataset shuffles itself
        verbose=verbose,
    )
    best = files.work / "best.weights.h5"
    if best.exists():  # absent only if no epoch gave a finite validation loss
        net.load_weights(best)
    history = read_history(files.history)
    result = TrainResult(net, history, files, hardware)
    settings = {
        "model": model,
        "preprocessing": cache.settings.as_dict(),
        "input_shape": list(net.input_shape[1:]),
        "epochs": len(history),
        "val_rmse": result.val_rmse,
        "seconds_per_epoch": result.seconds_per_epoch,
        "hardware": str(hardware),
        "data": run["data"],
        "sky": sky_identity(Path(run["data"])),
        "split": {"seed": seed, "train": len(parts.train), "val": len(parts.val)},
    }
    _save(net, model, hardware, files, settings, parts)
    return result


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

    Each model trains on the images it takes by default (:data:`~galaxylib.models.TAKES_COLOR`),
    cropped for the purpose from the first four batches' galaxies, over and over: the
    rate depends on the arithmetic, not on which galaxies are shown.

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
    scale = profile()
    size = size or scale.image_size
    batch_size = batch_size or scale.batch_size
    catalog = load_catalog(root, skip_bad=True)
    hardware = setup()
    figures: dict[str, float] = {"size": size, "batch_size": batch_size}
    with tempfile.TemporaryDirectory(prefix="galaxylib-bench-") as tmp:
        subset = Path(tmp) / "data"
        _link_subset(catalog, catalog.ids[: 4 * batch_size], subset)
        catalog = load_catalog(subset)
        for name in MODELS:
            color = TAKES_COLOR[name]
            cache = preprocess_catalog(
                subset, size=size, color=color, workers=workers, progress=False
            )
            dataset = make_dataset(cache, catalog, batch_size=batch_size, training=True)
            with hardware.strategy.scope():
                net = compile_model(build_model(name, cache.settings.input_shape))
            net.fit(dataset.repeat(), steps_per_epoch=warmup, epochs=1, verbose=0, shuffle=False)
            start = time.perf_counter()
            net.fit(dataset.repeat(), steps_per_epoch=steps, epochs=1, verbose=0, shuffle=False)
            figures[f"{name}_img_per_s"] = steps * batch_size / (time.perf_counter() - start)
    return figures
