"""The files of a synthetic sky beside the Kaggle catalog: ``truth.csv`` and ``sky.json``.

A sky made by :func:`galaxylib.synthetic.make_sky` is a Kaggle data set (see
:mod:`galaxylib.data`) plus two files that only a synthetic sky has:

- ``truth.csv`` (:data:`TRUTH_FILE`): ``GalaxyID``, each galaxy's true parameters and the
  37 expected vote fractions, named with :data:`EXPECTED_PREFIX` (``expected_Class1.1``
  ...);
- ``sky.json`` (:data:`SKY_FILE`): who made the sky (:data:`GENERATOR`, schema
  :data:`SCHEMA_VERSION`), its seed and size, and its noise floor.

This module reads and writes them, and computes the noise floor from them. It imports no
other part of :mod:`galaxylib.synthetic`, so :mod:`galaxylib.evaluation` and
:mod:`galaxylib.course.checks` read a sky through it without loading the renderer.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from galaxylib.taxonomy import COLUMNS

__all__ = [
    "EXPECTED_PREFIX",
    "GENERATOR",
    "SCHEMA_VERSION",
    "SKY_FILE",
    "TRUTH_FILE",
    "noise_floor",
    "read_summary",
    "sky_identity",
    "write_summary",
    "write_truth",
]

EXPECTED_PREFIX = "expected_"
"""Prefix of the expected vote fractions in ``truth.csv`` (``expected_Class1.1`` ...)."""

TRUTH_FILE = "truth.csv"
SKY_FILE = "sky.json"

GENERATOR = "galaxylib.synthetic"
"""The ``generator`` that ``sky.json`` names: what tells our sky from somebody's data."""

SCHEMA_VERSION = 4
"""Bumped whenever the same seed would give different data -- a change to the truth, the
volunteers or the renderer; :func:`~galaxylib.synthetic.default_sky` then makes its sky
again."""


def write_truth(folder: Path, truth: pd.DataFrame) -> None:
    """Write ``truth.csv`` into ``folder``: the truth table, floats to 6 decimals."""
    truth.to_csv(folder / TRUTH_FILE, index=False, float_format="%.6f")


def write_summary(folder: Path, *, seed: int, n: int, mean_volunteers: float, floor: float) -> None:
    """Write ``sky.json`` into ``folder``: generator, schema, seed, size and noise floor."""
    summary = {
        "generator": GENERATOR,
        "schema": SCHEMA_VERSION,
        "seed": seed,
        "n": n,
        "mean_volunteers": round(float(mean_volunteers), 3),
        "noise_floor": round(floor, 6),
    }
    (folder / SKY_FILE).write_text(json.dumps(summary, indent=2) + "\n")


def read_summary(folder: Path) -> dict | None:
    """The ``sky.json`` in ``folder``, or ``None`` when it is missing or unreadable."""
    try:
        summary = json.loads((folder / SKY_FILE).read_text())
    except (OSError, ValueError):
        return None
    return summary if isinstance(summary, dict) else None


def sky_identity(folder: Path) -> dict | None:
    """What makes a synthetic sky the one it is: generator, schema, seed and size.

    Two skies with the same identity hold the same galaxies; two with different ones share
    no galaxy, whatever their IDs (each sky draws its own). ``None`` for a data
    set without a readable ``sky.json``: the real catalog, or somebody's own.
    """
    summary = read_summary(folder)
    if summary is None or summary.get("generator") != GENERATOR:
        return None
    return {key: summary.get(key) for key in ("generator", "schema", "seed", "n")}


def noise_floor(labels: pd.DataFrame, truth: pd.DataFrame) -> float:
    """RMSE between the sampled vote fractions and the expected ones.

    A model that knew every galaxy's expected fractions exactly would score this; no model
    can do better on average, because the rest is the luck of which volunteers came by.

    Parameters
    ----------
    labels : DataFrame
        The catalog (``GalaxyID`` and the 37 answers).
    truth : DataFrame
        ``truth.csv``: ``GalaxyID`` and the ``expected_`` columns.

    Returns
    -------
    float
    """
    expected = truth.set_index("GalaxyID").loc[labels["GalaxyID"]]
    difference = labels.loc[:, list(COLUMNS)].to_numpy(float) - expected.loc[
        :, [EXPECTED_PREFIX + c for c in COLUMNS]
    ].to_numpy(float)
    return float(np.sqrt(np.mean(difference**2)))
