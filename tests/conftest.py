"""Small data sets in the real Galaxy Zoo format, written by the tests themselves."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import cv2
import numpy as np
import pandas as pd
import pytest

from galaxylib.course.checks.common import random_fractions
from galaxylib.taxonomy import COLUMNS

# Keep TensorFlow's start-up lines out of the test output. pytest reads this file before
# any test module, and nothing above imports TensorFlow, so this comes in time.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def galaxy_image(smooth: float, size: int = 424) -> np.ndarray:
    """An RGB image whose centre brightens and reddens with the 'smooth' fraction."""
    yy, xx = np.mgrid[:size, :size] - size / 2
    blob = np.exp(-(xx**2 + yy**2) / (2 * (size / 12) ** 2))
    colour = np.array([60 + 180 * smooth, 80 + 100 * smooth, 200 - 150 * smooth])
    return np.clip(blob[..., None] * colour, 0, 255).astype(np.uint8)


def write_dataset(
    root: Path,
    n: int = 12,
    *,
    layout: tuple[str, str] = ("training_solutions_rev1.csv", "images_training_rev1"),
    seed: int = 0,
    first_id: int = 100008,
) -> pd.DataFrame:
    """Write a catalog and its JPEGs under ``root``; return the catalog table."""
    root.mkdir(parents=True, exist_ok=True)
    values = random_fractions(n, np.random.default_rng(seed))
    table = pd.DataFrame(values, columns=list(COLUMNS))
    table.insert(0, "GalaxyID", first_id + 15 * np.arange(n))
    images = root / layout[1]
    images.mkdir(exist_ok=True)
    for gid, smooth in zip(table["GalaxyID"], table["Class1.1"], strict=True):
        rgb = galaxy_image(smooth)
        cv2.imwrite(str(images / f"{gid}.jpg"), cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR))
    table.to_csv(root / layout[0], index=False, float_format="%.6f")
    return table


@pytest.fixture
def dataset(tmp_path: Path) -> Path:
    """A 12-galaxy data set in the Kaggle layout."""
    write_dataset(tmp_path / "gz")
    return tmp_path / "gz"


@pytest.fixture
def small_disk(tmp_path: Path):
    """Make folders that are small real disks (tmpfs): ``small_disk(name, size)``.

    ``read_only(path)`` remounts one read-only. Mounting needs root, as the tests run
    here and in CI; elsewhere the test is skipped with the reason.
    """
    if os.geteuid() != 0:
        pytest.skip("a real full or read-only disk needs a tmpfs mount, which needs root")
    mounts: list[Path] = []

    def make(name: str, size: str) -> Path:
        path = tmp_path / name
        path.mkdir()
        subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", path], check=True)
        mounts.append(path)
        return path

    yield make
    for path in reversed(mounts):
        subprocess.run(["umount", "-l", path], check=True)


def read_only(path: Path) -> None:
    """Remount a :func:`small_disk` folder read-only."""
    subprocess.run(["mount", "-o", "remount,ro", path], check=True)
