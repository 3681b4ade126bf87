"""The files of a synthetic sky beside the Kaggle catalog: ``truth.csv`` and ``sky.json``.

- ``truth.csv``: ``GalaxyID``, each galaxy's true parameters and the 37 expected vote
  fractions (``expected_Class1.1`` ...);
- ``sky.json``: who made the sky, with which :data:`SCHEMA_VERSION`, its seed and size,
  and its noise floor (written by :mod:`galaxylib.tools.sky`).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from galaxylib.taxonomy import COLUMNS

__all__ = [
    "EXPECTED_PREFIX",
    "SCHEMA_VERSION",
    "SKY_FILE",
    "TRUTH_FILE",
    "noise_floor",
    "sky_noise_floor",
]

EXPECTED_PREFIX = "expected_"
"""Prefix of the expected vote fractions in ``truth.csv`` (``expected_Class1.1`` ...)."""

TRUTH_FILE = "truth.csv"
SKY_FILE = "sky.json"

SCHEMA_VERSION = 5
"""Bumped whenever the same seed would give different data -- a change to the truth, the
volunteers or the renderer; :func:`~galaxylib.tools.sky.default_sky` then makes its sky
again."""


def noise_floor(labels: pd.DataFrame, truth: pd.DataFrame) -> float:
    """RMSE between the sampled vote fractions and the expected ones.

    A model that knew every galaxy's expected fractions exactly would score this; no model
    can do better on average, because the rest is the luck of which volunteers came by.
    ``truth`` is ``truth.csv``'s ``GalaxyID`` and ``expected_`` columns.
    """
    expected = truth.set_index("GalaxyID").loc[labels["GalaxyID"]]
    difference = labels.loc[:, list(COLUMNS)].to_numpy(float) - expected.loc[
        :, [EXPECTED_PREFIX + c for c in COLUMNS]
    ].to_numpy(float)
    return float(np.sqrt(np.mean(difference**2)))


def sky_noise_floor(data_dir: str | Path, galaxy_ids: np.ndarray | None = None) -> float | None:
    """The noise floor of a synthetic data set, or ``None`` when it is unknown.

    With the sky's ``truth.csv``, the RMSE of the catalog's votes against the expected
    fractions over ``galaxy_ids`` (default all); else the figure in ``sky.json``; real
    data has neither.
    """
    root = Path(data_dir)
    if (root / TRUTH_FILE).exists():
        from galaxylib.data import load_catalog

        catalog = load_catalog(root, skip_bad=True)
        labels = catalog.labels if galaxy_ids is None else catalog.subset(galaxy_ids).labels
        truth = pd.read_csv(root / TRUTH_FILE)
        return noise_floor(labels, truth[["GalaxyID", *(EXPECTED_PREFIX + c for c in COLUMNS)]])
    if (root / SKY_FILE).exists():
        return float(json.loads((root / SKY_FILE).read_text())["noise_floor"])
    return None
