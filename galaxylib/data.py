"""Catalogs and images in the Galaxy Zoo format, and reproducible splits.

A data directory holds the Kaggle layout (or the report's names for the same files,
``training_solutions.csv`` and ``images_training/``)::

    training_solutions_rev1.csv           GalaxyID, Class1.1, ..., Class11.6
    images_training_rev1/<GalaxyID>.jpg   424x424 RGB JPEGs
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np
import pandas as pd

from galaxylib.errors import DataError
from galaxylib.taxonomy import COLUMNS
from galaxylib.tools import catalog_checks

__all__ = [
    "IMAGE_SIZE",
    "LAYOUTS",
    "MIN_GALAXIES",
    "SPLIT_SEED",
    "Catalog",
    "Split",
    "find_layout",
    "load_catalog",
    "read_image",
    "split",
]

IMAGE_SIZE = 424
"""Side of a Galaxy Zoo image in pixels."""

SPLIT_SEED = 42
"""The seed of the book's split: train, evaluate and compare with the same one."""

LAYOUTS: tuple[tuple[str, str], ...] = (
    ("training_solutions_rev1.csv", "images_training_rev1"),  # Kaggle
    ("training_solutions.csv", "images_training"),  # the report's zip
)
"""The accepted (catalog, image folder) names, in order of preference."""

MIN_GALAXIES = 3
"""Fewest galaxies that :func:`split` can share out: one each to train, validate and test."""


def find_layout(root: str | Path) -> tuple[Path, Path]:
    """Return ``(csv_path, images_dir)`` of a data directory in either layout.

    Raises
    ------
    DataError
        If neither layout's catalog is there.
    """
    root = Path(root)
    for csv_name, images_name in LAYOUTS:
        if (root / csv_name).is_file():
            return root / csv_name, root / images_name
    raise DataError(
        f"No catalog in {root}: expected {LAYOUTS[0][0]} (Kaggle) or {LAYOUTS[1][0]} "
        "(the report's); make one with `galaxylib synth --out "
        f"{root}` or fetch the real one with `galaxylib download`."
    )


@dataclass
class Catalog:
    """A checked catalog and where its images are.

    Attributes
    ----------
    labels : DataFrame
        ``GalaxyID`` (int) and the 37 answer columns (float), in the file's order.
    images_dir, csv_path : Path
        The folder of ``<GalaxyID>.jpg`` files, and the catalog file.
    skipped : DataFrame
        Rows left out by ``skip_bad=True``: ``line`` (the header is line 1), ``GalaxyID``
        and ``reason``.
    """

    labels: pd.DataFrame
    images_dir: Path
    csv_path: Path
    skipped: pd.DataFrame = field(default_factory=lambda: _problems([]))

    @property
    def ids(self) -> np.ndarray:
        """Galaxy IDs in catalog order."""
        return self.labels["GalaxyID"].to_numpy()

    @property
    def targets(self) -> np.ndarray:
        """The 37 vote fractions as a float32 array of shape (n, 37)."""
        return self.labels.loc[:, list(COLUMNS)].to_numpy(dtype=np.float32)

    def image_path(self, galaxy_id: int) -> Path:
        """Path of one galaxy's image."""
        return self.images_dir / f"{int(galaxy_id)}.jpg"

    def image_paths(self) -> list[str]:
        """Every galaxy's image path, in catalog order: strings, quicker to make than Paths."""
        folder = str(self.images_dir)
        return [os.path.join(folder, f"{gid}.jpg") for gid in self.ids.tolist()]

    def read_image(self, galaxy_id: int) -> np.ndarray:
        """Read and check one galaxy's image (see :func:`read_image`)."""
        return read_image(self.image_path(galaxy_id))

    def split(self, seed: int = SPLIT_SEED) -> Split:
        """:func:`split` of the catalog's galaxies; DataError below :data:`MIN_GALAXIES`."""
        if len(self) < MIN_GALAXIES:
            raise DataError(
                f"{self.csv_path} has {len(self)} good galaxies, too few to split into "
                f"training, validation and test sets: add rows (at least {MIN_GALAXIES})."
            )
        return split(self.ids, seed=seed)

    def subset(self, galaxy_ids: np.ndarray) -> Catalog:
        """The catalog restricted to ``galaxy_ids``, in that order."""
        rows = self.labels.set_index("GalaxyID").loc[np.asarray(galaxy_ids)].reset_index()
        return Catalog(rows, self.images_dir, self.csv_path, self.skipped)

    def __len__(self) -> int:
        return len(self.labels)


def _problems(rows: list[tuple[int, object, str]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["line", "GalaxyID", "reason"])


def load_catalog(
    root: str | Path,
    *,
    skip_bad: bool = False,
    verify_images: bool = False,
    tol: float = 1e-4,
) -> Catalog:
    """Load and check the catalog of a data directory (see :func:`find_layout`).

    Every row is checked: a whole-number GalaxyID seen once, 37 numbers between 0 and 1,
    answers that obey the decision tree (within ``tol``), and an image file.

    Parameters
    ----------
    skip_bad : bool, default False
        Leave out bad rows, listing them in ``Catalog.skipped``, instead of raising.
    verify_images : bool, default False
        Also decode every image and check its size (about a minute per 10,000 on two cores).
    tol : float, default 1e-4
        Tolerance of :func:`galaxylib.taxonomy.check_tree`.

    Raises
    ------
    DataError
        For a missing or malformed file, and, unless ``skip_bad``, the first bad row.
    """
    csv_path, images_dir = find_layout(root)
    table = catalog_checks.read_table(csv_path)
    if not images_dir.is_dir():
        raise DataError(
            f"{csv_path} has no image folder beside it: expected {images_dir}/ holding "
            "<GalaxyID>.jpg files; unpack the images there."
        )
    ids, values = catalog_checks.numbers(table)
    problems = catalog_checks.row_problems(table, ids, values, images_dir, tol)
    bad_lines = {line for line, _, _ in problems}
    if verify_images:
        good = table[~table["line"].isin(bad_lines)]
        problems += catalog_checks.image_problems(good, images_dir)
    if problems and not skip_bad:
        line, _, reason = problems[0]
        more = f" ({len(problems) - 1} more problems follow)" if len(problems) > 1 else ""
        raise DataError(
            f"{csv_path}, line {line}: {reason}{more}; fix or remove the row, or load "
            "with skip_bad=True (--skip-bad) to leave bad rows out."
        )
    skipped = _problems(sorted(problems, key=lambda p: p[0]))
    keep = ~table["line"].isin(set(skipped["line"])).to_numpy()
    labels = pd.DataFrame(values[keep], columns=list(COLUMNS))
    # whole numbers written as floats ("100277.0", as Excel and pandas write them) are IDs too
    labels.insert(0, "GalaxyID", ids.to_numpy()[keep].astype(np.int64))
    return Catalog(labels, images_dir, csv_path, skipped)


def read_image(path: str | Path, *, size: int | None = IMAGE_SIZE) -> np.ndarray:
    """Read a galaxy image as an RGB ``uint8`` array, ``size`` pixels square (any if None).

    Raises
    ------
    DataError
        If the file is missing, not an image, truncated, or of the wrong size.
    """
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise DataError(f"{path} does not exist; check the data directory.") from None
    image = catalog_checks.decode_image(raw, path)
    if size is not None and image.shape[:2] != (size, size):
        h, w = image.shape[:2]
        raise DataError(
            f"{path} is {w}x{h} pixels, but Galaxy Zoo images are {size}x{size}; "
            "use the original files."
        )
    return cv2.cvtColor(image, cv2.COLOR_BGR2RGB)


@dataclass(frozen=True)
class Split:
    """Galaxy IDs of the training, validation and test sets."""

    train: np.ndarray
    val: np.ndarray
    test: np.ndarray

    def sizes(self) -> dict[str, int]:
        """Number of galaxies in each part."""
        return {"train": len(self.train), "val": len(self.val), "test": len(self.test)}


def split(
    galaxy_ids: np.ndarray | pd.Series,
    *,
    val_size: float = 0.2,
    test_size: float = 0.16,
    seed: int = SPLIT_SEED,
) -> Split:
    """Split galaxies into training, validation and test sets, reproducibly.

    The IDs are sorted first, so the split depends only on which galaxies there are and on
    ``seed``, not on the file's order. ``val_size`` and ``test_size`` are fractions of all
    galaxies, rounded up as scikit-learn does; the defaults reproduce the report's 39,409 /
    12,316 / 9,853 galaxies on the 61,578 of the real catalog. Unlike the report's
    ``random_state=random.seed(42)``, which passes ``None``, ``seed`` fixes the split.

    Examples
    --------
    >>> parts = split(np.arange(61578))
    >>> parts.sizes()
    {'train': 39409, 'val': 12316, 'test': 9853}
    >>> bool((split(np.arange(61578)).test == parts.test).all())  # same seed, same split
    True
    """
    if not isinstance(seed, int | np.integer):
        raise TypeError(f"seed must be an integer, not {seed!r}: None would not be reproducible")
    ids = np.sort(np.asarray(galaxy_ids))
    if len(ids) < MIN_GALAXIES:
        raise DataError(
            f"There {'is' if len(ids) == 1 else 'are'} only {len(ids)} good "
            f"galax{'y' if len(ids) == 1 else 'ies'} to split; training, validation and test "
            f"need at least {MIN_GALAXIES} (thousands for a useful model): add rows to the "
            "catalog."
        )
    if len(np.unique(ids)) != len(ids):
        raise DataError("The galaxy IDs to split contain duplicates; load them with load_catalog.")
    if not (0 <= val_size < 1 and 0 <= test_size < 1 and val_size + test_size < 1):
        raise ValueError("val_size and test_size must be fractions that leave a training set")
    n_val = math.ceil(val_size * len(ids))
    n_test = math.ceil(test_size * len(ids))
    order = np.random.default_rng(seed).permutation(ids)
    return Split(
        train=order[n_val + n_test :], val=order[:n_val], test=order[n_val : n_val + n_test]
    )
