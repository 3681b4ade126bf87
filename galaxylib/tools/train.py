"""``galaxylib train``: crop a data set, split it, build a network, fit it, save it.

The Keras calls are :mod:`galaxylib.training`'s; this adds what a long run on disk needs
(:mod:`galaxylib.tools.checkpoints`): a run killed after an epoch resumes from it.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import keras
import numpy as np
import pandas as pd

from galaxylib.config import SMALL
from galaxylib.data import SPLIT_SEED, Catalog, load_catalog
from galaxylib.errors import GalaxyLibError
from galaxylib.hardware import Setup, setup
from galaxylib.models import NETWORKS, OUTPUTS, build_model, with_fractions
from galaxylib.pipeline import make_dataset
from galaxylib.preprocess import Settings, preprocess_catalog
from galaxylib.tools import checkpoints
from galaxylib.tools.crop_cache import readable
from galaxylib.tools.model_files import ModelFiles, read_history, training_run
from galaxylib.training import RMSE, compile_model, fit
from galaxylib.votes import read_volunteers, vote_counts

__all__ = ["TrainResult", "train"]


@dataclass
class TrainResult:
    """What :func:`train` made.

    Attributes
    ----------
    model : keras.Model
        With the weights of the epoch of lowest validation loss.
    history : DataFrame
        One row per epoch (see :func:`galaxylib.tools.model_files.read_history`).
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


def train(
    data_dir: str | Path,
    *,
    model: str = "improved",
    out: str | Path = "model.keras",
    epochs: int = SMALL.epochs,
    batch_size: int = SMALL.batch_size,
    size: int = SMALL.image_size,
    crop: str = "improved",
    color: bool | None = None,
    learning_rate: float = 1e-3,
    patience: int = 7,
    seed: int = SPLIT_SEED,
    train_galaxies: int | None = None,
    photographic: bool = False,
    framing: bool = False,
    greyscale: bool = False,
    output: str | None = None,
    volunteers: str | Path | None = None,
    parts: bool = False,
    standardise: bool = False,
    force: bool = False,
    workers: int | None = None,
    cache: str | Path | None = None,
    verbose: str | int = "auto",
    callbacks: Sequence[keras.callbacks.Callback] = (),
) -> TrainResult:
    """Train one of the book's networks on a data set, and save it.

    Crops the data set (if its cache is missing), splits it, builds and compiles the
    network, :func:`fit` s it and saves it with its settings, history and split. A run
    that was interrupted after an epoch continues where it stopped when started again
    with the same settings.

    Parameters
    ----------
    data_dir : path
        A data directory in the Galaxy Zoo format; its cache is made if missing.
    model : str, default 'improved'
        A name of :data:`galaxylib.models.NETWORKS`.
    out : path, default ``model.keras``
        Where to save the model; its other files go beside it (:class:`ModelFiles`).
    epochs, batch_size, size : int
        Default: the ``small`` profile's (:data:`galaxylib.config.SMALL`).
    crop : {'improved', 'report'}, default 'improved'
    color : bool, optional
        Train on colour rather than grey. Default: the network's own choice
        (``NETWORKS[model].color``).
    learning_rate : float, default 1e-3
        Adam's first rate, as in the report; it then follows :func:`cosine_schedule`.
    patience : int, default 7
        Epochs without a better validation loss before stopping (the report's 7).
    seed : int, default :data:`galaxylib.data.SPLIT_SEED`
        Seed of the split and of the weights and shuffles; evaluate with the same one.
    train_galaxies : int, optional
        Train on only the first this many galaxies of the training split, for a short
        demonstration; the validation and test splits stay whole. Default: all of it.
    photographic : bool, default False
        Vary the light of the training images as photographs vary it
        (:func:`galaxylib.augment.photographic`); chapter 8 measures what it buys.
    framing : bool, default False
        Frame the training galaxies as photographs frame them: smaller, off-centre, among
        stars, softer (:func:`galaxylib.augment.framing`); chapter 8 measures it too.
    greyscale : bool, default False
        With ``photographic``, make half of the training images grey, for a colour network
        (its ``grey``; a grey network trains as without it); chapter 8 measures it.
    output : {'sigmoid', 'tree', 'votes'}, optional
        How the network ends (:data:`galaxylib.models.OUTPUTS`); default: its own.
    volunteers : path, optional
        For ``output='votes'``: how many volunteers classified each galaxy
        (:func:`galaxylib.votes.read_volunteers`).
    parts : bool, default False
        Give the improved network Dieleman's four parts of each image through the same
        convolutions (:class:`galaxylib.models.Parts`).
    standardise : bool, default False
        Standardise each image's channels in the network's first layers, in training and
        in every prediction (:class:`galaxylib.models.Standardise`); chapter 8 measures it.
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
    if model not in NETWORKS:
        raise GalaxyLibError(f"Unknown model {model!r}; choose one of {', '.join(NETWORKS)}.")
    if output is not None and output not in OUTPUTS:
        raise GalaxyLibError(f"--output is {output!r}; choose one of {', '.join(OUTPUTS)}.")
    for name, value in {"epochs": epochs, "batch_size": batch_size}.items():
        _positive(name, value)
    if train_galaxies is not None:
        _positive("train_galaxies", train_galaxies)
    color = NETWORKS[model].color if color is None else color
    preprocessing = Settings(crop, size, color)
    files = ModelFiles(Path(out))
    run = {"model": model, **preprocessing.as_dict(), "batch_size": batch_size, "seed": seed}
    run |= {"epochs": epochs}  # the schedule depends on it
    run |= {"learning_rate": learning_rate, "data": str(Path(data_dir).resolve())}
    if train_galaxies is not None:
        run |= {"train_galaxies": train_galaxies}
    if photographic:
        run |= {"photographic": True}
    if framing:
        run |= {"framing": True}
    if greyscale and not photographic:
        raise GalaxyLibError("--greyscale is a step of --photographic: pass both, or neither.")
    if greyscale:
        run |= {"greyscale": True}
    if output is not None:
        run |= {"output": output}
    if parts and model != "improved":
        raise GalaxyLibError(f"--parts is for the improved network, not the {model} network.")
    if parts:
        run |= {"parts": True}
    if standardise:
        run |= {"standardise": True}
    votes = output == "votes"
    if votes != (volunteers is not None):
        raise GalaxyLibError(
            "--output votes trains on the votes, and needs --volunteers TABLE (GalaxyID and "
            "n_volunteers, such as a synthetic sky's truth.csv); other outputs take none."
        )
    if volunteers is not None:
        run |= {"volunteers": str(Path(volunteers).resolve())}
    with training_run(files, run, force):
        catalog = load_catalog(data_dir, skip_bad=True)
        if len(catalog.skipped):
            print(
                f"Left out {len(catalog.skipped)} bad rows of {catalog.csv_path} "
                f"(`galaxylib check {data_dir}` lists them).",
                file=sys.stderr,
            )
        split = catalog.split(seed)
        labels: Catalog | pd.DataFrame = catalog
        if volunteers is not None:
            labels = vote_counts(catalog.labels, read_volunteers(volunteers))
        if train_galaxies is not None:
            split = replace(split, train=split.train[:train_galaxies])
        crops = preprocess_catalog(
            data_dir, **preprocessing.as_dict(), workers=workers, cache=cache, skip_bad=True
        )
        split = replace(
            split,
            train=readable(crops, split.train, "training galaxies"),
            val=readable(crops, split.val, "validation galaxies"),
        )
        hardware = setup()
        keras.utils.set_random_seed(seed)
        with hardware.strategy.scope():
            net = _build(model, crops.settings.input_shape, output, parts, standardise)
            net = compile_model(net, learning_rate, votes=votes)
        checkpoints.require_room(net, files)
        fit(
            net,
            make_dataset(
                crops,
                labels,
                split.train,
                batch_size=batch_size,
                training=True,
                seed=seed,
                photographic=photographic,
                framing=framing,
                greyscale=greyscale,
            ),
            make_dataset(crops, labels, split.val, batch_size=batch_size),
            epochs=epochs,
            learning_rate=learning_rate,
            patience=patience,
            callbacks=[*checkpoints.run_callbacks(files), *callbacks],
            verbose=verbose,
        )
        checkpoints.keep_best(net, files)
        if votes:  # answer the fractions the concentrations mean
            net = with_fractions(net)
        result = TrainResult(net, read_history(files.history), files, hardware)
        settings = {
            "model": model,
            "preprocessing": crops.settings.as_dict(),
            "input_shape": list(net.input_shape[1:]),
            "epochs": len(result.history),
            "val_rmse": result.val_rmse,
            "seconds_per_epoch": result.seconds_per_epoch,
            "hardware": str(hardware),
            "data": run["data"],
            "split": {"seed": seed, "train": len(split.train), "val": len(split.val)},
            "photographic": photographic,
        }
        named = ("framing", "greyscale", "output", "parts", "standardise")  # as the run has them
        settings |= {key: run[key] for key in named if key in run}
        checkpoints.save(net, hardware, files, settings, split, catalog)
    return result


def _build(
    model: str,
    input_shape: tuple[int, int, int],
    output: str | None,
    parts: bool,
    standardise: bool,
) -> keras.Model:
    """:func:`galaxylib.models.build_model`, with a too small ``--size`` as a sentence."""
    try:
        return build_model(model, input_shape, output=output, parts=parts, standardise=standardise)
    except ValueError as err:
        raise GalaxyLibError(
            f"--size {input_shape[0]} is too small for the {model} network "
            f"({str(err).splitlines()[0]}); use a larger --size."
        ) from None


def _positive(name: str, value: int | float) -> None:
    if isinstance(value, bool) or not value > 0:
        raise GalaxyLibError(f"--{name.replace('_', '-')} is {value!r}; use a positive number.")
