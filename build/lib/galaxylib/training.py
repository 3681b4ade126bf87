"""Training a model on a data set: Adam, the report's callbacks made right, resumable.

:func:`train` preprocesses the data set if needed (the profile's image size), splits it
with :func:`galaxylib.data.split`, and fits a model from :mod:`galaxylib.models` with
Adam and mean squared error. The report's callbacks, repaired:

- its ``ModelCheckpoint`` monitored ``val_accuracy``, which a regression never has (so it
  never saved anything): here it keeps the weights of the best ``val_loss``;
- ``ReduceLROnPlateau`` and ``EarlyStopping`` (which now restores the best weights) on
  ``val_loss``, as the report set them;
- ``BackupAndRestore`` saves the state after every epoch, so a run that was interrupted
  continues where it stopped when started again with the same settings.

Everything lives beside the model file ``MODEL.keras`` (see :class:`ModelFiles`):
``MODEL.json`` (the preprocessing settings, which evaluation and prediction apply
again), ``MODEL.history.csv`` (one row per epoch, for :func:`galaxylib.plots.plot_history`)
and, while training, the folder ``MODEL.train/``.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import keras
import pandas as pd

from galaxylib.config import profile
from galaxylib.data import load_catalog, split
from galaxylib.errors import GalaxyLibError
from galaxylib.models import MODELS, build_model
from galaxylib.pipeline import Setup, make_dataset, setup
from galaxylib.preprocess import preprocess_catalog

__all__ = ["ModelFiles", "TrainResult", "bench_train", "compile_model", "read_history", "train"]

RMSE = "root_mean_squared_error"
"""The name Keras gives the RMSE metric, as in the report's history."""


@dataclass(frozen=True)
class ModelFiles:
    """The files of a trained model, all named after ``MODEL.keras``.

    Attributes
    ----------
    model : Path
        ``MODEL.keras``, the Keras model.
    """

    model: Path

    @property
    def settings(self) -> Path:
        """``MODEL.json``: model name, preprocessing (crop, size, colour) and results."""
        return self.model.with_suffix(".json")

    @property
    def history(self) -> Path:
        """``MODEL.history.csv``: one row per epoch."""
        return self.model.with_suffix(".history.csv")

    @property
    def work(self) -> Path:
        """``MODEL.train/``: checkpoints of a run in progress; removed when it ends."""
        return self.model.with_suffix(".train")

    def read_settings(self) -> dict:
        """The model's settings, or ``{}`` when ``MODEL.json`` is missing."""
        return json.loads(self.settings.read_text()) if self.settings.exists() else {}


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
        return float(self.history.loc[self.history["val_loss"].idxmin(), f"val_{RMSE}"])


def compile_model(net: keras.Model, learning_rate: float = 1e-3) -> keras.Model:
    """Compile with Adam, mean squared error and the RMSE metric, as the report did."""
    net.compile(
        optimizer=keras.optimizers.Adam(learning_rate=learning_rate),
        loss="mse",
        metrics=[keras.metrics.RootMeanSquaredError(name=RMSE)],
    )
    return net


def read_history(path: str | Path) -> pd.DataFrame:
    """Read ``MODEL.history.csv``: ``epoch`` (from 0), losses, RMSEs, learning rate, seconds.

    An epoch logged twice (by a run interrupted just after logging it) keeps its last row.
    """
    history = pd.read_csv(path)
    return history.drop_duplicates("epoch", keep="last").reset_index(drop=True)


class _EpochTimer(keras.callbacks.Callback):
    """Adds each epoch's wall-clock ``seconds`` to the logs, for the history file."""

    def on_epoch_begin(self, epoch, logs=None):
        self._start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        logs["seconds"] = time.perf_counter() - self._start


def _check_out(files: ModelFiles, run: dict, force: bool) -> None:
    """Refuse to overwrite a model, and start afresh or resume the interrupted run."""
    if files.model.suffix != ".keras":
        raise GalaxyLibError(f"The model file {files.model} must end in .keras; rename it.")
    if files.model.exists() and not force:
        raise GalaxyLibError(
            f"{files.model} already exists; pass --force (force=True) to overwrite it, "
            "or choose another --out."
        )
    state = files.work / "run.json"
    if force or not state.exists():
        shutil.rmtree(files.work, ignore_errors=True)
        files.history.unlink(missing_ok=True)
    elif json.loads(state.read_text()) != run:
        raise GalaxyLibError(
            f"{files.work} holds an interrupted run with other settings than these "
            f"({json.loads(state.read_text())}); run it again with those settings to resume "
            "it, or pass --force to start afresh."
        )
    files.work.mkdir(parents=True, exist_ok=True)
    state.write_text(json.dumps(run, indent=2))


def _callbacks(files: ModelFiles, patience: int, lr_patience: int) -> list:
    best = files.work / "best.weights.h5"
    history = read_history(files.history) if files.history.exists() else None
    best_so_far = None if history is None or history.empty else float(history["val_loss"].min())
    return [
        _EpochTimer(),
        keras.callbacks.ReduceLROnPlateau(
            monitor="val_loss", factor=0.2, patience=lr_patience, min_lr=1e-5
        ),
        keras.callbacks.EarlyStopping(
            monitor="val_loss", mode="min", patience=patience, restore_best_weights=True
        ),
        keras.callbacks.ModelCheckpoint(
            best,
            monitor="val_loss",
            mode="min",
            save_best_only=True,
            save_weights_only=True,
            initial_value_threshold=best_so_far,  # the best of the epochs before a resume
        ),
        keras.callbacks.CSVLogger(files.history, append=True),
        keras.callbacks.BackupAndRestore(files.work / "backup"),
    ]


def _save(net: keras.Model, name: str, hardware: Setup, files: ModelFiles, settings: dict) -> None:
    """Save the model (as float32, loadable anywhere) and its settings, atomically."""
    if hardware.policy != "float32":
        keras.mixed_precision.set_global_policy("float32")
        portable = build_model(name, net.input_shape[1:])
        portable.set_weights(net.get_weights())
        keras.mixed_precision.set_global_policy(hardware.policy)
        net = portable
    tmp = files.model.with_name(f".{files.model.stem}.tmp.keras")
    net.save(tmp)
    os.replace(tmp, files.model)
    files.settings.with_suffix(".json.tmp").write_text(json.dumps(settings, indent=2))
    os.replace(files.settings.with_suffix(".json.tmp"), files.settings)


def train(
    data_dir: str | Path,
    *,
    model: str = "improved",
    out: str | Path = "model.keras",
    epochs: int | None = None,
    batch_size: int | None = None,
    size: int | None = None,
    crop: str = "improved",
    color: bool = False,
    learning_rate: float = 1e-3,
    patience: int = 7,
    lr_patience: int | None = None,
    seed: int = 42,
    force: bool = False,
    workers: int | None = None,
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
    color : bool, default False
    learning_rate : float, default 1e-3
        Adam's, as in the report.
    patience : int, default 7
        Epochs without a better validation loss before stopping (the report's 7).
    lr_patience : int, optional
        Epochs without a better validation loss before the learning rate is divided by
        5; default one seventh of the epochs, at least 1 (the report's 7 for 50 epochs;
        1 for the small profile's 8, where the rate must come down within a few epochs).
    seed : int, default 42
        Seed of the split and of the weights and shuffles.
    force : bool, default False
        Overwrite an existing model, and start afresh rather than resume.
    workers : int, optional
        Processes for preprocessing.
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
        If ``out`` exists and ``force`` is false, or an interrupted run with other
        settings waits in ``MODEL.train/``; or for a bad data set.
    """
    if model not in MODELS:
        raise GalaxyLibError(f"Unknown model {model!r}; choose one of {', '.join(MODELS)}.")
    scale = profile()
    epochs = epochs or scale.epochs
    batch_size = batch_size or scale.batch_size
    size = size or scale.image_size
    lr_patience = lr_patience or max(1, epochs // 7)
    files = ModelFiles(Path(out))
    preprocessing = {"crop": crop, "size": size, "color": color}
    run = {"model": model, **preprocessing, "batch_size": batch_size, "seed": seed}
    run |= {"learning_rate": learning_rate, "data": str(Path(data_dir).resolve())}
    _check_out(files, run, force)

    cache = preprocess_catalog(data_dir, crop=crop, size=size, color=color, workers=workers)
    catalog = load_catalog(data_dir, skip_bad=True)
    parts = split(catalog.ids, seed=seed)
    hardware = setup()
    keras.utils.set_random_seed(seed)
    with hardware.strategy.scope():
        net = compile_model(build_model(model, (size, size, 3 if color else 1)), learning_rate)
    net.fit(
        make_dataset(cache, catalog, parts.train, batch_size=batch_size, training=True, seed=seed),
        validation_data=make_dataset(cache, catalog, parts.val, batch_size=batch_size),
        epochs=epochs,
        callbacks=[*_callbacks(files, patience, lr_patience), *callbacks],
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
        "preprocessing": preprocessing,
        "input_shape": list(net.input_shape[1:]),
        "epochs": len(history),
        "val_rmse": result.val_rmse,
        "seconds_per_epoch": result.seconds_per_epoch,
        "hardware": str(hardware),
        "data": run["data"],
    }
    _save(net, model, hardware, files, settings)
    shutil.rmtree(files.work, ignore_errors=True)
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

    Parameters
    ----------
    root : path
        Data set (its cache at ``size`` is made if missing).
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
    cache = preprocess_catalog(root, size=size, workers=workers, progress=False)
    catalog = load_catalog(root, skip_bad=True)
    dataset = make_dataset(cache, catalog, batch_size=batch_size, training=True).repeat()
    hardware = setup()
    figures: dict[str, float] = {"size": size, "batch_size": batch_size}
    for name in MODELS:
        with hardware.strategy.scope():
            net = compile_model(build_model(name, (size, size, 1)))
        net.fit(dataset, steps_per_epoch=warmup, epochs=1, verbose=0, shuffle=False)
        start = time.perf_counter()
        net.fit(dataset, steps_per_epoch=steps, epochs=1, verbose=0, shuffle=False)
        figures[f"{name}_img_per_s"] = steps * batch_size / (time.perf_counter() - start)
    return figures
