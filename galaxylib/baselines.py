"""The report's four benchmarks: what RMSE do we get without deep learning?

All four look at two tiny summaries of an image, the colour of its central pixel and its
average colour (:func:`image_features`). :func:`run_baselines` fits each benchmark on the
training split and scores it on the test split.

- mean confidence: the training set's mean of each answer;
- central-pixel benchmark (Kaggle's): the mean answers of the training galaxies whose
  central pixel has the same (quantised) colour;
- linear regression on the central pixel's R, G, B, or on the average R, G, B.

The report's RMSE of each is in :data:`BASELINES`.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import cv2
import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.dummy import DummyRegressor
from sklearn.linear_model import LinearRegression

from galaxylib.data import Catalog, Split
from galaxylib.metrics import rmse
from galaxylib.taxonomy import COLUMNS
from galaxylib.tools.progress import progress_bar
from galaxylib.tools.workers import resolve_workers

__all__ = [
    "BASELINES",
    "CENTER_COLUMNS",
    "MEAN_COLUMNS",
    "CentralPixelBenchmark",
    "image_features",
    "run_baselines",
]

CENTER_COLUMNS = ["center_r", "center_g", "center_b"]
MEAN_COLUMNS = ["mean_r", "mean_g", "mean_b"]


def _features_of(image: np.ndarray) -> np.ndarray:
    h, w = image.shape[:2]
    # OpenCV's sums are exact: NumPy's mean to the last bit, fifty times faster.
    mean = np.array(cv2.sumElems(image)[:3]) / (h * w)
    return np.concatenate([image[h // 2, w // 2], mean])


def image_features(
    catalog: Catalog,
    galaxy_ids: np.ndarray | None = None,
    *,
    workers: int | None = None,
    progress: bool = True,
) -> pd.DataFrame:
    """Central-pixel colour and average colour of each galaxy's image.

    Images are decoded one at a time on ``workers`` threads (default: every core), so
    memory stays flat whatever the catalog's size. ``galaxy_ids`` default to all.

    Returns
    -------
    DataFrame
        Indexed by ``GalaxyID``, with columns ``center_r/g/b`` (the pixel at the
        image's centre, 0-255) and ``mean_r/g/b`` (the average over all pixels).
    """
    ids = catalog.ids if galaxy_ids is None else np.asarray(galaxy_ids)
    workers = resolve_workers(workers)
    with ThreadPoolExecutor(workers) as pool:
        rows = pool.map(lambda gid: _features_of(catalog.read_image(gid)), ids, chunksize=32)
        values = list(
            progress_bar(rows, total=len(ids), desc="image features", unit="img", enabled=progress)
        )
    return pd.DataFrame(
        np.array(values, dtype=float).reshape(len(ids), 6),
        index=pd.Index(ids, name="GalaxyID"),
        columns=CENTER_COLUMNS + MEAN_COLUMNS,
    )


class CentralPixelBenchmark(RegressorMixin, BaseEstimator):
    """Kaggle's central-pixel benchmark.

    Predict, for a galaxy, the mean answers of the training galaxies whose central
    pixel has the same colour. Colours are quantised to ``levels`` steps per channel (8
    gives 512 cells of 32 x 32 x 32 values) so that each cell holds enough galaxies; a
    colour never seen in training gets the overall training mean.
    """

    def __init__(self, levels: int = 8):
        self.levels = levels

    def _cells(self, X: np.ndarray) -> np.ndarray:
        q = np.clip(np.asarray(X, dtype=float) * self.levels // 256, 0, self.levels - 1)
        q = q.astype(np.int64)
        return (q[:, 0] * self.levels + q[:, 1]) * self.levels + q[:, 2]

    def fit(self, X: np.ndarray, y: np.ndarray) -> CentralPixelBenchmark:
        """Average the answers of the training galaxies in each colour cell."""
        y = np.asarray(y, dtype=float)
        cells = self._cells(X)
        n_cells = self.levels**3
        counts = np.bincount(cells, minlength=n_cells)
        sums = np.zeros((n_cells, y.shape[1]))
        np.add.at(sums, cells, y)
        self.mean_ = y.mean(axis=0)
        self.table_ = np.where(
            counts[:, None] > 0, sums / np.maximum(counts, 1)[:, None], self.mean_
        )
        return self

    def predict(self, X: np.ndarray) -> np.ndarray:
        """Look up each galaxy's colour cell."""
        return self.table_[self._cells(X)]


BASELINES: dict[str, tuple[Callable[[], BaseEstimator], list[str], float]] = {
    "mean confidence": (lambda: DummyRegressor(strategy="mean"), MEAN_COLUMNS, 0.1639),
    "central-pixel benchmark": (CentralPixelBenchmark, CENTER_COLUMNS, 0.16194),
    "linear regression, central pixel": (LinearRegression, CENTER_COLUMNS, 0.1577),
    "linear regression, average colour": (LinearRegression, MEAN_COLUMNS, 0.1597),
}
"""Each benchmark: a factory of its estimator, the features it sees, the report's RMSE."""


def run_baselines(
    catalog: Catalog,
    split: Split,
    *,
    features: pd.DataFrame | None = None,
    workers: int | None = None,
    progress: bool = True,
) -> pd.DataFrame:
    """Fit the four benchmarks on the training split and score them on the test split.

    ``features``, the output of :func:`image_features` for both splits, saves reading
    the images again.

    Returns
    -------
    DataFrame
        One row per benchmark: ``benchmark``, ``rmse`` (ours, on the test split) and
        ``report_rmse`` (the report's figure).
    """
    if features is None:
        ids = np.concatenate([split.train, split.test])
        features = image_features(catalog, ids, workers=workers, progress=progress)
    targets = catalog.labels.set_index("GalaxyID").loc[:, list(COLUMNS)]
    y_train, y_test = targets.loc[split.train].to_numpy(), targets.loc[split.test].to_numpy()
    rows = []
    for name, (make, columns, report) in BASELINES.items():
        model = make().fit(features.loc[split.train, columns].to_numpy(), y_train)
        pred = model.predict(features.loc[split.test, columns].to_numpy())
        rows.append({"benchmark": name, "rmse": rmse(pred, y_test), "report_rmse": report})
    return pd.DataFrame(rows)


def mean_rmse(catalog: Catalog, parts: Split, *, on: str = "test") -> float:
    """RMSE of the mean-confidence benchmark fitted on the training split.

    Scored ``on`` the test split, or the validation split (``'val'``) to read beside
    validation curves.
    """
    if on not in ("test", "val"):
        raise ValueError(f"on must be 'test' or 'val', not {on!r}")
    make, _, _ = BASELINES["mean confidence"]
    targets = catalog.labels.set_index("GalaxyID").loc[:, list(COLUMNS)]
    train, test = targets.loc[parts.train].to_numpy(), targets.loc[getattr(parts, on)].to_numpy()
    benchmark = make().fit(np.zeros((len(train), 1)), train)
    return rmse(benchmark.predict(np.zeros((len(test), 1))), test)
