"""How good is a trained model, and what does it say about new images?

:func:`evaluate` scores a model on the test split, the galaxies it never saw;
:func:`results_table` puts it beside the report's baselines and the noise floor -- the
RMSE of the volunteers' votes against the expected fractions, which no model can beat on
average; :func:`predict_files` classifies any image file.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import keras
import numpy as np
import pandas as pd

from galaxylib.data import SPLIT_SEED, load_catalog, read_image
from galaxylib.errors import GalaxyLibError
from galaxylib.metrics import rmse, rmse_per_question
from galaxylib.models import NETWORKS, predict_tta
from galaxylib.preprocess import Cache, Settings, crop_file, open_cache
from galaxylib.taxonomy import COLUMNS
from galaxylib.tools.catalog_checks import FrameWarning, frame_note
from galaxylib.tools.crop_cache import readable, stored_settings
from galaxylib.tools.model_files import ModelFiles, check_unseen, load_keras

__all__ = [
    "REPORT_CNN_RMSE",
    "Evaluation",
    "TrainedModel",
    "evaluate",
    "load_model",
    "predict_cache",
    "predict_files",
    "predict_images",
    "results_table",
    "worst_galaxies",
]

REPORT_CNN_RMSE = 0.0926
"""The report's CNN on its validation set, after 50 epochs."""


@dataclass
class TrainedModel:
    """A saved model with the preprocessing it was trained on.

    ``settings`` is ``MODEL.json``'s content (a dict, empty when the file is missing);
    ``preprocessing`` is how images must be cropped before the model sees them (a
    :class:`galaxylib.preprocess.Settings`).
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
        If the file is missing or not a Keras model, or the two files disagree.
    """
    files = ModelFiles(Path(path))
    net = load_keras(files)  # or one sentence on what is wrong with the file
    settings = files.read_settings()
    height, width, channels = net.input_shape[1:]
    if "preprocessing" in settings:
        preprocessing = stored_settings(settings["preprocessing"], files.settings)
    else:
        preprocessing = Settings("improved", height, channels == 3)
    if (height, width, channels) != preprocessing.input_shape:
        raise GalaxyLibError(
            f"{files.model} takes {height}x{width}x{channels} images, but {files.settings} "
            f"says it was trained on {preprocessing.describe()}; the two files do not belong "
            "together: train the model again with `galaxylib train ... --force`."
        )
    return TrainedModel(net, files, settings, preprocessing)


def predict_images(trained: TrainedModel, images: np.ndarray, *, tta: bool = True) -> np.ndarray:
    """Predict the 37 fractions of ``uint8`` crops as the cache holds them.

    ``tta`` averages over the eight rotations and flips (:func:`galaxylib.models.predict_tta`).
    """
    images = np.asarray(images).reshape(len(images), *trained.net.input_shape[1:])
    if tta:
        return predict_tta(trained.net, images)
    return trained.net.predict(images, batch_size=256, verbose=0)


def predict_cache(
    trained: TrainedModel, cache: Cache, galaxy_ids: np.ndarray, *, tta: bool = True
) -> np.ndarray:
    """Predict the given galaxies of a cache, refusing one of other crops than the model's."""
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

    ``name`` is the model's kind (``'report'`` or ``'improved'``); ``ids`` the test
    galaxies; ``pred`` and ``truth`` their 37 fractions.
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
        """``GalaxyID`` and the 37 predicted fractions, as :func:`predict_files` gives."""
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
    ``MODEL.split.csv`` shows that some test galaxies were among those it trained or was
    validated on (another ``seed``, or a catalog that changed since), it refuses. The
    model's cache must exist (under ``cache`` if given); ``tta`` as in :func:`predict_images`.

    Raises
    ------
    GalaxyLibError
        For a missing model or cache, or a test split that overlaps the training galaxies.
    """
    trained = model if isinstance(model, TrainedModel) else load_model(model)
    catalog = load_catalog(data_dir, skip_bad=True)
    test = catalog.split(seed).test
    # MODEL.split.csv lists the galaxies it learnt from (IDs and a digest of their votes):
    # none may be in the test split, or its score would flatter it.
    check_unseen(trained, catalog, test, seed)
    found = open_cache(data_dir, settings=trained.preprocessing, cache=cache)
    test = readable(found, test, "test galaxies")
    pred = predict_cache(trained, found, test, tta=tta)
    return Evaluation(trained.name, test, pred, catalog.subset(test).targets)


def worst_galaxies(
    galaxy_ids: np.ndarray, pred: np.ndarray, truth: np.ndarray, *, n: int = 12
) -> pd.DataFrame:
    """The ``n`` galaxies with the largest RMSE over their 37 answers, worst first.

    Columns: ``GalaxyID``, ``rmse``, ``answer`` (the column it misses most), ``true`` and
    ``pred`` (of that answer).
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


def results_table(
    baselines: pd.DataFrame | None, evaluations: Sequence[Evaluation], floor: float | None
) -> pd.DataFrame:
    """One table: the baselines, each model, the noise floor, and the report's figures.

    ``baselines`` is :func:`galaxylib.baselines.run_baselines`'s table on the same test
    split; ``floor`` is :func:`galaxylib.synthetic.sky_noise_floor` (``None``: unknown).

    Returns
    -------
    DataFrame
        ``method``, ``rmse``, ``report_rmse`` (where the report has one) and
        ``beyond_noise``, ``sqrt(rmse**2 - floor**2)``: the volunteers' noise and a model's
        own error add in quadrature, so this is the model's part of the error. The last
        row is the noise floor itself.
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


def predict_files(
    trained: TrainedModel, paths: Sequence[str | Path], *, tta: bool = True
) -> pd.DataFrame:
    """Classify image files of any size, in colour or grey (JPEG, PNG, ...).

    Each image gets the crop the model was trained on, through
    :func:`galaxylib.preprocess.crop_file` -- the function that made the training cache.
    Returns ``GalaxyID`` (the file name without its extension), ``file`` and the 37
    answers; warns (``FrameWarning``) for each image not square or not 424x424.
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
