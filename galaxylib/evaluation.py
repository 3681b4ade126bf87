"""How good is a trained model, and what does it say about new images?

:func:`evaluate` scores a model on the test split, the galaxies it never saw: overall
RMSE (the competition's score), RMSE per question and the galaxies it gets most wrong.
:func:`results_table` puts the models beside the report's four baselines, the report's
own figures and the noise floor -- the RMSE of the volunteers' votes against the expected
fractions, which no model can beat on average. :func:`predict_files` classifies any image
file, applying the same crop and resize the model was trained on.
"""

from __future__ import annotations

import json
import warnings
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import keras
import numpy as np
import pandas as pd

from galaxylib.data import IMAGE_SIZE, SPLIT_SEED, Catalog, load_catalog, read_image
from galaxylib.errors import DataError, GalaxyLibError, GalaxyLibNote
from galaxylib.metrics import rmse, rmse_per_question
from galaxylib.models import NETWORKS, predict_tta
from galaxylib.preprocess import Cache, Settings, crop_file, open_cache
from galaxylib.synthetic.skyfile import (
    EXPECTED_PREFIX,
    SKY_FILE,
    TRUTH_FILE,
    noise_floor,
    sky_identity,
)
from galaxylib.taxonomy import COLUMNS
from galaxylib.tools.files import atomic_path, check_out_path, disk_errors, shown_path
from galaxylib.tools.model_files import ModelFiles

__all__ = [
    "REPORT_CNN_RMSE",
    "Evaluation",
    "FrameWarning",
    "TrainedModel",
    "evaluate",
    "frame_note",
    "keras_version_of",
    "load_model",
    "predict_cache",
    "predict_files",
    "predict_images",
    "results_table",
    "sky_noise_floor",
    "worst_galaxies",
    "write_csv",
]

REPORT_CNN_RMSE = 0.0926
"""The report's CNN on its validation set, after 50 epochs."""


@dataclass
class TrainedModel:
    """A saved model with the preprocessing it was trained on.

    Attributes
    ----------
    net : keras.Model
    files : ModelFiles
    settings : dict
        ``MODEL.json``'s content (empty when it is missing).
    preprocessing : Settings
        How images must be cropped before the model sees them.
    """

    net: keras.Model
    files: ModelFiles
    settings: dict
    preprocessing: Settings

    @property
    def name(self) -> str:
        """``'report'``, ``'improved'``, or the file's name for a model of unknown kind."""
        return self.settings.get("model", self.files.model.stem)


def load_model(path: str | Path) -> TrainedModel:
    """Load ``MODEL.keras`` and its preprocessing settings from ``MODEL.json``.

    Without ``MODEL.json`` the settings are taken from the model's input: the improved
    crop at its size, grey for one channel and colour for three.

    Raises
    ------
    GalaxyLibError
        If the file is missing or not a Keras model, or ``MODEL.json`` describes images of
        another size or colour than the model takes.
    """
    files = ModelFiles(Path(path))
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
        # A file of a newer Keras or galaxylib (an unknown layer option, a renamed layer).
        saved = keras_version_of(files.model)
        by = f"; it was saved by Keras {saved}, this is {keras.__version__}" if saved else ""
        raise GalaxyLibError(
            f"{files.model} is not a Keras model that galaxylib can load "
            f"({(str(err).strip().splitlines() or [type(err).__name__])[0][:200]}{by}); "
            "load it where it was made, or train it again with `galaxylib train`."
        ) from None
    settings = files.read_settings()
    height, width, channels = net.input_shape[1:]
    if "preprocessing" in settings:
        preprocessing = Settings.from_dict(settings["preprocessing"], files.settings)
    else:
        preprocessing = Settings("improved", height, channels == 3)
    if (height, width, channels) != preprocessing.input_shape:
        raise GalaxyLibError(
            f"{files.model} takes {height}x{width}x{channels} images, but {files.settings} "
            f"says it was trained on {preprocessing.describe()}; the two files do not belong "
            "together: train the model again with `galaxylib train ... --force`."
        )
    return TrainedModel(net, files, settings, preprocessing)


def keras_version_of(path: str | Path) -> str | None:
    """The version of Keras that saved a ``.keras`` file, or ``None`` when it does not say."""
    try:
        with zipfile.ZipFile(path) as archive:
            version = json.loads(archive.read("metadata.json"))["keras_version"]
    except (OSError, KeyError, ValueError, TypeError, zipfile.BadZipFile):
        return None
    return version if isinstance(version, str) else None


def predict_images(trained: TrainedModel, images: np.ndarray, *, tta: bool = True) -> np.ndarray:
    """Predict the 37 fractions of preprocessed images.

    Parameters
    ----------
    trained : TrainedModel
    images : ndarray
        ``uint8`` crops as the cache holds them: ``(n, size, size)`` grey or
        ``(n, size, size, 3)``.
    tta : bool, default True
        Average over the eight rotations and flips (:func:`galaxylib.models.predict_tta`).

    Returns
    -------
    ndarray of shape (n, 37), float32
    """
    images = np.asarray(images).reshape(len(images), *trained.net.input_shape[1:])
    if tta:
        return predict_tta(trained.net, images)
    return trained.net.predict(images, batch_size=256, verbose=0)


def predict_cache(
    trained: TrainedModel, cache: Cache, galaxy_ids: np.ndarray, *, tta: bool = True
) -> np.ndarray:
    """Predict the given galaxies of a cache, checking that it suits the model.

    Raises
    ------
    GalaxyLibError
        If the cache holds other crops than the model was trained on.
    """
    if cache.settings != trained.preprocessing:
        raise GalaxyLibError(
            f"{trained.files.model} was trained on {trained.preprocessing.describe()}, but "
            f"the cache {cache.path} holds {cache.settings.describe()}; use the cache that "
            "`galaxylib preprocess` makes with the model's settings."
        )
    return predict_images(trained, cache.images[cache.rows_of(galaxy_ids)], tta=tta)


@dataclass
class Evaluation:
    """A model's predictions for the test split, beside the truth.

    Attributes
    ----------
    name : str
        The model's kind (``'report'`` or ``'improved'``).
    ids : ndarray
        GalaxyIDs of the test galaxies.
    pred, truth : ndarray of shape (n, 37)
    """

    name: str
    ids: np.ndarray
    pred: np.ndarray
    truth: np.ndarray

    @property
    def rmse(self) -> float:
        """The competition's score on the test split."""
        return rmse(self.pred, self.truth)

    @property
    def per_question(self) -> pd.Series:
        """RMSE of each question, ``Q1`` ... ``Q11``."""
        return rmse_per_question(self.pred, self.truth)

    def predictions(self) -> pd.DataFrame:
        """``GalaxyID`` and the 37 predicted fractions of each test galaxy.

        The same table as :func:`predict_files` gives for image files.
        """
        table = pd.DataFrame(self.pred, columns=list(COLUMNS))
        table.insert(0, "GalaxyID", self.ids)
        return table

    def worst(self, n: int = 12) -> pd.DataFrame:
        """The ``n`` test galaxies the model gets most wrong (see :func:`worst_galaxies`)."""
        return worst_galaxies(self.ids, self.pred, self.truth, n=n)


def evaluate(
    model: str | Path | TrainedModel,
    data_dir: str | Path,
    *,
    tta: bool = True,
    seed: int = SPLIT_SEED,
    cache: str | Path | None = None,
) -> Evaluation:
    """Score a model on the test split of a data set (``split(ids, seed).test``).

    A test score is honest only on galaxies the model never saw: when the model's
    ``MODEL.split.csv`` shows that some test galaxies were among those it trained or
    was validated on (another ``seed``, or a catalog that changed since), it refuses.

    Parameters
    ----------
    model : path or TrainedModel
    data_dir : path
        The data set; its cache for the model's preprocessing must exist.
    tta : bool, default True
        Average the predictions over the eight rotations and flips.
    seed : int, default :data:`galaxylib.data.SPLIT_SEED`
        Seed of the split, as in training.
    cache : path, optional
        The folder of the caches, if not under ``data_dir`` (see
        :func:`galaxylib.preprocess.cache_root`).

    Raises
    ------
    GalaxyLibError
        For a missing model or cache, with what to run, or a test split that overlaps
        the galaxies the model learnt from.
    """
    trained = model if isinstance(model, TrainedModel) else load_model(model)
    catalog = load_catalog(data_dir, skip_bad=True)
    test = catalog.split(seed).test
    _check_unseen(trained, catalog, test, seed)
    found = open_cache(data_dir, settings=trained.preprocessing, cache=cache)
    test = found.readable(test, "test galaxies")
    pred = predict_cache(trained, found, test, tta=tta)
    return Evaluation(trained.name, test, pred, catalog.subset(test).targets)


def _check_unseen(trained: TrainedModel, catalog: Catalog, test: np.ndarray, seed: int) -> None:
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
        same = catalog.digests(shared) == np.array([recorded[gid] for gid in shared])
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


def worst_galaxies(
    galaxy_ids: np.ndarray, pred: np.ndarray, truth: np.ndarray, *, n: int = 12
) -> pd.DataFrame:
    """The galaxies with the largest RMSE over their 37 answers.

    Returns
    -------
    DataFrame
        ``n`` rows, worst first: ``GalaxyID``, ``rmse`` (over the galaxy's 37 answers),
        ``answer`` (the column it misses most), ``true`` and ``pred`` (of that answer).
    """
    error = np.asarray(pred, float) - np.asarray(truth, float)
    per_galaxy = np.sqrt(np.mean(error**2, axis=1))
    order = np.argsort(per_galaxy)[::-1][:n]
    answer = np.argmax(np.abs(error[order]), axis=1)
    return pd.DataFrame(
        {
            "GalaxyID": np.asarray(galaxy_ids)[order],
            "rmse": per_galaxy[order],
            "answer": np.asarray(COLUMNS)[answer],
            "true": np.asarray(truth)[order, answer],
            "pred": np.asarray(pred)[order, answer],
        }
    )


def sky_noise_floor(data_dir: str | Path, galaxy_ids: np.ndarray | None = None) -> float | None:
    """The noise floor of a synthetic data set, or ``None`` when it is unknown.

    With the sky's ``truth.csv``, the RMSE of the catalog's votes against the expected
    fractions over ``galaxy_ids`` (default all); else the figure in ``sky.json``; real
    data has neither.
    """
    root = Path(data_dir)
    if (root / TRUTH_FILE).exists():
        catalog = load_catalog(root, skip_bad=True)
        labels = catalog.labels if galaxy_ids is None else catalog.subset(galaxy_ids).labels
        truth = pd.read_csv(root / TRUTH_FILE)
        return noise_floor(labels, truth[["GalaxyID", *(EXPECTED_PREFIX + c for c in COLUMNS)]])
    if (root / SKY_FILE).exists():
        return float(json.loads((root / SKY_FILE).read_text())["noise_floor"])
    return None


def results_table(
    baselines: pd.DataFrame | None, evaluations: Sequence[Evaluation], floor: float | None
) -> pd.DataFrame:
    """One table: the baselines, each model, the noise floor, and the report's figures.

    Parameters
    ----------
    baselines : DataFrame or None
        :func:`galaxylib.baselines.run_baselines`'s table, on the same test split.
    evaluations : sequence of Evaluation
    floor : float or None
        :func:`sky_noise_floor` (``None``: unknown).

    Returns
    -------
    DataFrame
        ``method``, ``rmse`` (ours on the test split), ``report_rmse`` (the report's
        figure, where it has one) and ``beyond_noise`` (``sqrt(rmse**2 - floor**2)``: the
        volunteers' noise and a model's own error add in quadrature, so this is the part
        of the error that is the model's, which it scores against the expected fractions);
        the last row is the noise floor itself, with ``rmse`` NaN when it is unknown.
    """
    rows = [] if baselines is None else baselines.rename(columns={"benchmark": "method"})
    rows = pd.DataFrame(rows, columns=["method", "rmse", "report_rmse"])
    models = pd.DataFrame(
        {
            "method": [
                NETWORKS[e.name].label if e.name in NETWORKS else e.name for e in evaluations
            ],
            "rmse": [e.rmse for e in evaluations],
            "report_rmse": [REPORT_CNN_RMSE if e.name == "report" else np.nan for e in evaluations],
        }
    )
    floor_label = "noise floor" if floor is not None else "noise floor (unknown for this data)"
    bottom = pd.DataFrame({"method": [floor_label], "rmse": [floor], "report_rmse": [np.nan]})
    table = pd.concat([rows, models, bottom], ignore_index=True).astype(
        {"rmse": float, "report_rmse": float}
    )
    floor_squared = np.nan if floor is None else floor**2
    table["beyond_noise"] = np.sqrt(np.maximum(table["rmse"] ** 2 - floor_squared, 0))
    return table


class FrameWarning(GalaxyLibNote):
    """An image to classify is framed unlike the Galaxy Zoo images the network learned from."""


def frame_note(path: str | Path, shape: tuple[int, ...]) -> str | None:
    """One sentence when an image is not square or not the training images' 424x424.

    A non-square image is cropped to a square that may leave the frame (the crop pads
    with black); an image of another size was taken at another pixel scale, so the
    galaxy's size in the frame and its sharpness after the resize differ from what the
    network learned.

    Parameters
    ----------
    path : path
        The image's file, named in the sentence.
    shape : tuple of int
        The image's shape, height first.

    Returns
    -------
    str or None
        ``None`` for a 424x424 image.
    """
    height, width = shape[:2]
    name = shown_path(path)
    if height != width:
        return (
            f"{name} is {width}x{height} pixels, not square: the square crop around the "
            "galaxy is padded with black where it leaves the frame."
        )
    if height != IMAGE_SIZE:
        return (
            f"{name} is {width}x{height} pixels, not the {IMAGE_SIZE}x{IMAGE_SIZE} of the "
            "training images: the galaxy may fill more or less of the frame, and be sharper "
            "or blurrier after the resize, than the galaxies the network learned from."
        )
    return None


def predict_files(
    trained: TrainedModel, paths: Sequence[str | Path], *, tta: bool = True
) -> pd.DataFrame:
    """Classify image files of any size, in colour or grey (JPEG, PNG, ...).

    Each image gets the crop and resize the model was trained on
    (``trained.preprocessing``), through :func:`galaxylib.preprocess.crop_file` -- the
    function that made the training cache -- then the model predicts its 37 fractions.

    Returns
    -------
    DataFrame
        ``GalaxyID`` (the file name without its extension), ``file`` and the 37 answers.

    Warns
    -----
    FrameWarning
        For each image that is not square or not 424x424 (see :func:`frame_note`).

    Raises
    ------
    DataError
        If a file is missing or not a readable image.
    """
    crops = []
    for path in paths:
        crops.append(crop_file(path, trained.preprocessing)[0])  # checks the file first
        note = frame_note(path, read_image(path, size=None).shape)
        if note:
            warnings.warn(note, FrameWarning, stacklevel=2)
    pred = predict_images(trained, np.stack(crops), tta=tta)
    table = pd.DataFrame(pred, columns=list(COLUMNS))
    table.insert(0, "file", [str(p) for p in paths])
    table.insert(0, "GalaxyID", [Path(p).stem for p in paths])
    return table


def write_csv(table: pd.DataFrame, out: str | Path, *, force: bool = False) -> Path:
    """Write a table to CSV atomically, refusing to overwrite a file without ``force``."""
    out = check_out_path(out, "CSV file")
    if out.exists() and not force:
        raise GalaxyLibError(f"{out} already exists; pass --force to overwrite it.")
    with disk_errors(out.parent, "choose another --out"), atomic_path(out) as tmp:
        table.to_csv(tmp, index=False, float_format="%.6f")
    return out
