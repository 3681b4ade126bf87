"""The files of a trained model and of a run in progress, and keeping them whole.

Everything lives beside the model file ``MODEL.keras`` (see :class:`ModelFiles`):
``MODEL.json`` (the preprocessing settings, which evaluation and prediction apply
again), ``MODEL.history.csv`` (one row per epoch, for :func:`galaxylib.course.plots.plot_history`),
``MODEL.split.csv`` (which galaxies it trained and validated on, so that evaluation can
refuse a "test" set that overlaps them) and, while training, the folder ``MODEL.train/``.

A run never leaves ``--out`` broken: every file is written atomically, a run that
finished at least one epoch resumes when started again, and one that did not starts
afresh; a second run to the same ``--out`` is refused while the first holds its lock.
:mod:`galaxylib.training` fits the network; this module keeps the books around it, and
:mod:`galaxylib.tools.checkpoints` the files a run writes while it fits.
"""

from __future__ import annotations

import gc
import hashlib
import json
import shutil
import sys
import traceback
import warnings
import zipfile
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import keras
import numpy as np
import pandas as pd

from galaxylib.errors import DataError, GalaxyLibError, GalaxyLibNote
from galaxylib.tools.files import check_out_path, disk_error, exclusive, lock_path, write_text
from galaxylib.tools.sky import sky_identity

if TYPE_CHECKING:
    from galaxylib.data import Catalog
    from galaxylib.evaluation import TrainedModel

__all__ = [
    "ModelFiles",
    "build_as_trained",
    "check_unseen",
    "digests",
    "keras_version_of",
    "load_keras",
    "read_history",
    "training_run",
]


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
    def split(self) -> Path:
        """``MODEL.split.csv``: which galaxies the model learnt from or was chosen on.

        Its columns are ``GalaxyID`` and ``part`` (train or val).
        """
        return self.model.with_suffix(".split.csv")

    @property
    def work(self) -> Path:
        """``MODEL.train/``: checkpoints of a run in progress; removed when it ends."""
        return self.model.with_suffix(".train")

    @property
    def lock(self) -> Path:
        """``.MODEL.keras.lock``: held by the run that is writing the model."""
        return lock_path(self.model)

    def read_settings(self) -> dict:
        """The model's settings, or ``{}`` when ``MODEL.json`` is missing.

        Raises
        ------
        GalaxyLibError
            If ``MODEL.json`` is not a JSON object.
        """
        if not self.settings.exists():
            return {}
        try:
            settings = json.loads(self.settings.read_text())
        except (ValueError, UnicodeDecodeError) as err:
            settings = err
        if not isinstance(settings, dict):
            raise GalaxyLibError(
                f"{self.settings} is not a model's settings file (not a JSON object); "
                f"restore it, or train the model again with `galaxylib train ... --out "
                f"{self.model} --force`."
            )
        return settings

    def read_split(self) -> pd.DataFrame | None:
        """``MODEL.split.csv``, or ``None`` for a model saved without one."""
        return pd.read_csv(self.split) if self.split.exists() else None


def build_as_trained(settings: dict) -> keras.Model:
    """The network a model's settings (``MODEL.json``) describe, with untrained weights.

    :func:`galaxylib.models.build_model` for its ``model``, ``input_shape``, ``output``,
    ``parts`` and ``standardise``. Weights copied into a network must go into this layout:
    Dieleman's parts have no weights, so a parts network's weights fit the layout without
    them too, and only the settings can tell the two apart.
    """
    from galaxylib.models import build_model

    return build_model(
        settings["model"],
        tuple(settings["input_shape"]),
        output=settings.get("output"),
        parts=bool(settings.get("parts")),
        standardise=bool(settings.get("standardise")),
    )


def read_history(path: str | Path) -> pd.DataFrame:
    """Read ``MODEL.history.csv``: ``epoch`` (from 0), losses, RMSEs, learning rate, seconds.

    An epoch logged twice (by a run interrupted just after logging it) keeps its last row.
    A missing or empty file (a run stopped before its first epoch ended) is an empty
    table.
    """
    try:
        history = pd.read_csv(path)
    except (FileNotFoundError, pd.errors.EmptyDataError):
        return pd.DataFrame(columns=["epoch"])
    if "epoch" not in history:
        raise DataError(f"{path} is not a training history (no epoch column); delete it.")
    return history.drop_duplicates("epoch", keep="last").reset_index(drop=True)


def check_out(files: ModelFiles, force: bool) -> None:
    """Refuse an ``--out`` that cannot be a model file, or that would overwrite a file.

    Every file a run writes is checked, not the model alone: ``MODEL.json`` is also what
    ``model.to_json()`` tutorials write. A history that an interrupted run of ours left
    (beside its ``MODEL.train/run.json``) is not in the way: the run resumes from it.
    """
    model = check_out_path(files.model, "model file", suffix=".keras", example="model.keras")
    if force:
        return
    ours = (files.work / "run.json").exists()
    in_the_way = [
        path
        for path in (files.model, files.settings, files.split, files.history)
        if path.exists() and not (ours and path == files.history)
    ]
    if in_the_way:
        also = "" if in_the_way[0] == model else f" (training {model.name} writes it too)"
        raise GalaxyLibError(
            f"{in_the_way[0]} already exists{also}; pass --force (force=True) to overwrite "
            "it, or choose another --out."
        )


def interrupted_run(files: ModelFiles) -> dict | None:
    """The settings of an interrupted run that can resume: one that finished an epoch."""
    try:
        run = json.loads((files.work / "run.json").read_text())
    except (OSError, ValueError):
        return None
    done = (files.work / "backup" / "training_metadata.json").exists()
    return run if done and len(read_history(files.history)) else None


def start_or_resume(files: ModelFiles, run: dict, force: bool) -> None:
    """Resume the interrupted run with these settings, or start afresh.

    A run that never finished an epoch has nothing to resume: its leftovers are
    removed, whatever its settings were.
    """
    previous = None if force else interrupted_run(files)
    if previous is None:
        shutil.rmtree(files.work, ignore_errors=True)
        files.history.unlink(missing_ok=True)
    elif previous != run:
        raise GalaxyLibError(
            f"{files.work} holds an interrupted run with other settings than these "
            f"({previous}); run it again with those settings to resume it, or pass "
            "--force to start afresh."
        )
    files.work.mkdir(parents=True, exist_ok=True)
    write_text(files.work / "run.json", json.dumps(run, indent=2))


def locked(files: ModelFiles) -> AbstractContextManager[None]:
    """Hold ``files.lock`` while training; refuse if another run holds it."""
    return exclusive(
        files.model,
        refuse=f"Another run is training {files.model} (it holds {files.lock}); wait for "
        "it to finish, or choose another --out.",
    )


@contextmanager
def writing(folder: Path) -> Iterator[None]:
    """A full disk or an unwritable folder while training becomes one sentence.

    Keras and HDF5 report a full disk in exceptions of several types; the errno is in
    the text.
    """
    try:
        yield
    except GalaxyLibError:
        raise
    except (OSError, RuntimeError, ValueError) as err:
        sentence = disk_error(err, folder, "choose another --out")
        if sentence is None:
            raise
        release(err)
        raise sentence from None


def release(err: BaseException) -> None:
    """Close the files that a failed HDF5 write still holds, quietly.

    Left to the garbage collector, each would print a traceback of its own as it fails
    to flush to the full disk, after galaxylib's sentence.
    """
    traceback.clear_frames(err.__traceback__)
    hook = sys.unraisablehook
    sys.unraisablehook = lambda unraisable: None
    try:
        gc.collect()
    finally:
        sys.unraisablehook = hook


@contextmanager
def training_run(files: ModelFiles, run: dict, force: bool) -> Iterator[None]:
    """Hold ``--out`` for one training run with the settings ``run``.

    Refuses an existing model without ``force`` and a second run to the same ``--out``;
    resumes an interrupted run with the same settings or starts afresh; turns a full disk
    or an unwritable folder into one sentence; removes ``MODEL.train/`` once the block
    ends without an error.
    """
    check_out(files, force)
    with writing(files.model.parent), locked(files):
        start_or_resume(files, run, force)
        yield
        shutil.rmtree(files.work, ignore_errors=True)


def keras_version_of(path: str | Path) -> str | None:
    """The version of Keras that saved a ``.keras`` file, or ``None`` when it does not say."""
    try:
        with zipfile.ZipFile(path) as archive:
            version = json.loads(archive.read("metadata.json"))["keras_version"]
    except (OSError, KeyError, ValueError, TypeError, zipfile.BadZipFile):
        return None
    return version if isinstance(version, str) else None


def check_unseen(trained: TrainedModel, catalog: Catalog, test: np.ndarray, seed: int) -> None:
    """Refuse test galaxies that the model trained or was validated on.

    ``MODEL.split.csv`` lists them, each with the digest of its vote fractions: a test
    galaxy is one of them when its ID and its digest both match, in whatever copy of the
    catalog it sits. Only a model whose settings name another synthetic sky than the one
    ``catalog`` says it is needs no check.
    """
    trained_on = trained.settings.get("sky")
    here = sky_identity(catalog.csv_path.parent)
    if trained_on is not None and here is not None and trained_on != here:
        return
    seen = trained.files.read_split()
    if seen is None:
        warnings.warn(
            f"{trained.files.model} carries no record of the galaxies it trained on "
            f"({trained.files.split.name} is missing), so this test score cannot be checked "
            "for galaxies it has seen; train it again with `galaxylib train` to be sure.",
            GalaxyLibNote,
            stacklevel=3,
        )
        return
    overlap = np.isin(test, seen["GalaxyID"].to_numpy())
    if "digest" in seen and overlap.any():  # the same IDs: the same galaxies too?
        recorded = dict(zip(seen["GalaxyID"], seen["digest"].astype(str), strict=True))
        shared = test[overlap]
        same = digests(catalog, shared) == np.array([recorded[gid] for gid in shared])
        overlap[np.flatnonzero(overlap)[~same]] = False
    if overlap.any():
        used = trained.settings.get("split", {}).get("seed", "?")
        raise DataError(
            f"{overlap.sum()} of the {len(test)} test galaxies ({overlap.mean():.0%}) were "
            f"among those {trained.files.model} trained or was validated on (it was "
            f"trained with --seed {used}; this split has --seed {seed}), so its test score "
            f"would flatter it; evaluate with --seed {used} on the catalog it was trained "
            "on, or train it again on this one."
        )


def load_keras(files: ModelFiles) -> keras.Model:
    """The Keras model of ``files``, or one sentence on what is wrong with the file."""
    if files.model.is_dir():
        raise GalaxyLibError(
            f"{files.model} is a folder, not a model file; the model comes first, as in "
            "`galaxylib evaluate MODEL.keras DATA_DIR`."
        )
    if not files.model.is_file():
        raise GalaxyLibError(
            f"{files.model} does not exist; train one with "
            f"`galaxylib train DATA_DIR --out {files.model}`."
        )
    if not zipfile.is_zipfile(files.model):
        raise GalaxyLibError(
            f"{files.model} is not a Keras model file (a .keras file is a zip archive); "
            "name the file that `galaxylib train --out` wrote."
        )
    try:
        net = keras.saving.load_model(files.model)
    except (ValueError, OSError, KeyError, TypeError, AttributeError, zipfile.BadZipFile) as err:
        saved = keras_version_of(files.model)
        by = f"; it was saved by Keras {saved}, this is {keras.__version__}" if saved else ""
        raise GalaxyLibError(
            f"{files.model} is not a Keras model that galaxylib can load "
            f"({(str(err).strip().splitlines() or [type(err).__name__])[0][:200]}{by}); "
            "load it where it was made, or train it again with `galaxylib train`."
        ) from None
    return net


def digests(catalog: Catalog, galaxy_ids: np.ndarray) -> np.ndarray:
    """A short digest of each galaxy's 37 vote fractions, to 4 decimals.

    It tells the same galaxy in two catalogs from two galaxies that share an ID.
    """
    values = np.round(catalog.subset(galaxy_ids).targets.astype(np.float64), 4)
    return np.array(
        [hashlib.sha256(row.tobytes()).hexdigest()[:12] for row in values + 0.0], dtype=str
    )
