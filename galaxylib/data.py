"""Catalogs and images in the Galaxy Zoo format, and reproducible splits.

A data directory holds the Kaggle layout::

    training_solutions_rev1.csv     GalaxyID, Class1.1, ..., Class11.6
    images_training_rev1/<GalaxyID>.jpg   424x424 RGB JPEGs

or the report's names for the same files (``training_solutions.csv``,
``images_training/``). :func:`load_catalog` reads and checks the table;
:func:`read_image` reads one image and checks it; :func:`split` makes the
train/validation/test split from a real seed.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np
import pandas as pd

from galaxylib.errors import DataError
from galaxylib.taxonomy import COLUMNS, check_tree
from galaxylib.tools.progress import progress_bar

__all__ = [
    "IMAGE_SIZE",
    "LAYOUTS",
    "MIN_GALAXIES",
    "MIN_SIDE",
    "SPLIT_SEED",
    "Catalog",
    "Split",
    "decode_image",
    "find_layout",
    "load_catalog",
    "read_image",
    "split",
]

IMAGE_SIZE = 424
"""Side of a Galaxy Zoo image in pixels."""

MIN_SIDE = 8
"""The smallest side, in pixels, of an image a crop can decode at an eighth of its size."""

SPLIT_SEED = 42
"""The seed of the book's split: train, evaluate and compare with the same one."""

LAYOUTS: tuple[tuple[str, str], ...] = (
    ("training_solutions_rev1.csv", "images_training_rev1"),  # Kaggle
    ("training_solutions.csv", "images_training"),  # the report's zip
)
"""The accepted (catalog, image folder) names, in order of preference."""

MIN_GALAXIES = 3
"""Fewest galaxies that :func:`split` can share out: one each to train, validate and test."""

_JPEG_START = b"\xff\xd8"
_JPEG_END = b"\xff\xd9"


def find_layout(root: str | Path) -> tuple[Path, Path]:
    """Return the catalog file and image folder of a data directory.

    Parameters
    ----------
    root : path
        A data directory in the Kaggle layout or the report's.

    Returns
    -------
    (csv_path, images_dir) : tuple of Path

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
        ``GalaxyID`` (int) and the 37 answer columns (float), one row per galaxy,
        in the file's order.
    images_dir : Path
        The folder of ``<GalaxyID>.jpg`` files.
    csv_path : Path
        The catalog file.
    skipped : DataFrame
        Rows left out by ``skip_bad=True``: ``line`` (in the CSV, the header is
        line 1), ``GalaxyID`` and ``reason``. Empty when nothing was skipped.
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

    def read_image(self, galaxy_id: int) -> np.ndarray:
        """Read and check one galaxy's image (see :func:`read_image`)."""
        return read_image(self.image_path(galaxy_id))

    def split(self, seed: int = SPLIT_SEED) -> Split:
        """:func:`split` of the catalog's galaxies, refusing a catalog too small to split.

        Raises
        ------
        DataError
            If it holds fewer than :data:`MIN_GALAXIES` galaxies, naming the file.
        """
        if len(self) < MIN_GALAXIES:
            raise DataError(
                f"{self.csv_path} has {len(self)} good galaxies, too few to split into "
                f"training, validation and test sets: add rows (at least {MIN_GALAXIES})."
            )
        return split(self.ids, seed=seed)

    def digests(self, galaxy_ids: np.ndarray) -> np.ndarray:
        """A short digest of each galaxy's 37 vote fractions, to 4 decimals.

        The same galaxy in another copy of the catalog has the same digest; a galaxy of
        another catalog that shares its ID (two synthetic skies draw IDs from one range)
        almost surely has another.
        """
        values = np.round(self.subset(galaxy_ids).targets.astype(np.float64), 4)
        return np.array(
            [hashlib.sha256(row.tobytes()).hexdigest()[:12] for row in values + 0.0], dtype=str
        )

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
    """Load and check the catalog of a data directory.

    Every row is checked: a whole-number GalaxyID seen once, 37 numbers between
    0 and 1, answers that obey the decision tree (within ``tol``), and an image file.
    With ``verify_images`` each image is also decoded and its size checked.

    Parameters
    ----------
    root : path
        Data directory in the Kaggle layout or the report's (see :func:`find_layout`).
    skip_bad : bool, default False
        Leave out bad rows, listing them in ``Catalog.skipped``, instead of raising.
    verify_images : bool, default False
        Decode every image (slow: about a minute per 10,000 on two cores).
    tol : float, default 1e-4
        Tolerance of the decision-tree check (see :func:`galaxylib.taxonomy.check_tree`).

    Returns
    -------
    Catalog

    Raises
    ------
    DataError
        For a missing or malformed file, and, unless ``skip_bad``, for the first bad
        row, with a sentence naming the file, the line and what to do.
    """
    csv_path, images_dir = find_layout(root)
    table = _read_table(csv_path)
    if not images_dir.is_dir():
        raise DataError(
            f"{csv_path} has no image folder beside it: expected {images_dir}/ holding "
            "<GalaxyID>.jpg files; unpack the images there."
        )
    problems = _row_problems(table, csv_path, images_dir, tol)
    bad_lines = {line for line, _, _ in problems}
    if verify_images:
        good = table[~table["line"].isin(bad_lines)]
        problems += _image_problems(good, images_dir)
    if problems and not skip_bad:
        line, _, reason = problems[0]
        more = f" ({len(problems) - 1} more problems follow)" if len(problems) > 1 else ""
        raise DataError(
            f"{csv_path}, line {line}: {reason}{more}; fix or remove the row, or load "
            "with skip_bad=True (--skip-bad) to leave bad rows out."
        )
    skipped = _problems(sorted(problems, key=lambda p: p[0]))
    keep = ~table["line"].isin(set(skipped["line"]))
    labels = table.loc[keep, ["GalaxyID", *COLUMNS]].reset_index(drop=True)
    # whole numbers written as floats ("100277.0", as Excel and pandas write them) are IDs too
    labels["GalaxyID"] = pd.to_numeric(labels["GalaxyID"].str.strip()).astype(np.int64)
    labels[list(COLUMNS)] = labels[list(COLUMNS)].astype(float)
    return Catalog(labels, images_dir, csv_path, skipped)


def _read_table(csv_path: Path) -> pd.DataFrame:
    """Read the CSV as text and check its header; add the file's line numbers."""
    try:
        table = pd.read_csv(csv_path, dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as err:
        first = str(err).strip().splitlines()[0] if str(err).strip() else "it is empty"
        raise DataError(
            f"{csv_path} is not a readable CSV file ({first}); re-download or regenerate it."
        ) from None
    table.columns = [str(c).strip() for c in table.columns]
    if len(table.columns) == 1:
        for name, separator in (("';'", ";"), ("tabs", "\t"), ("'|'", "|")):
            if separator in table.columns[0]:
                raise DataError(
                    f"{csv_path} is separated by {name}, not by commas; save it as a "
                    "comma-separated CSV (the Galaxy Zoo format)."
                )
    expected = ["GalaxyID", *COLUMNS]
    # pandas names a repeated column "Class1.1.1": two columns of one answer disagree.
    repeated = [c for c in table.columns if c not in expected and c.rpartition(".")[0] in expected]
    if repeated:
        first = repeated[0].rpartition(".")[0]
        raise DataError(
            f"{csv_path} has the column {first} more than once; keep one of them (which "
            "one is right, only the file's maker knows)."
        )
    missing = [c for c in expected if c not in table.columns]
    if missing:
        extra = [c for c in table.columns if c not in expected]
        hint = f" and has unexpected columns {', '.join(extra[:5])}" if extra else ""
        raise DataError(
            f"{csv_path} lacks the columns {', '.join(missing[:5])}"
            f"{' and others' if len(missing) > 5 else ''}{hint}; a Galaxy Zoo catalog "
            "needs GalaxyID and the 37 columns Class1.1 ... Class11.6."
        )
    table = table[expected].copy()
    table.insert(0, "line", np.arange(2, len(table) + 2))
    return table


def _row_problems(
    table: pd.DataFrame, csv_path: Path, images_dir: Path, tol: float
) -> list[tuple[int, object, str]]:
    """Every bad row of the table, as (line, GalaxyID, reason); one reason per row."""
    problems: dict[int, tuple[int, object, str]] = {}

    def add(line: int, gid: object, reason: str) -> None:
        problems.setdefault(line, (line, gid, reason))

    lines = table["line"].to_numpy()
    raw_ids = table["GalaxyID"].str.strip()
    ids = pd.to_numeric(raw_ids, errors="coerce")
    for i in np.flatnonzero(ids.isna() | (ids % 1 != 0) | (ids < 0)):
        add(lines[i], raw_ids.iloc[i], f"GalaxyID {raw_ids.iloc[i]!r} is not a whole number")

    cells = table[list(COLUMNS)]
    try:  # every cell a number (spaces around it allowed): one conversion for the table
        values = pd.DataFrame(
            cells.to_numpy().astype(np.float64), index=cells.index, columns=cells.columns
        )
    except (ValueError, TypeError):  # some cell is not: convert column by column
        values = cells.apply(lambda col: pd.to_numeric(col.str.strip(), errors="coerce"))
    not_number = values.isna().to_numpy()
    out_of_range = ((values < 0) | (values > 1)).to_numpy()
    for i, j in zip(*np.nonzero(not_number | out_of_range), strict=True):
        cell = table[COLUMNS[j]].iloc[i]
        what = "is not a number" if not_number[i, j] else "is outside 0 to 1"
        add(lines[i], raw_ids.iloc[i], f"{COLUMNS[j]} = {cell!r} {what}")

    dup = ids.duplicated(keep=False) & ids.notna()
    first_line: dict[int, int] = {}
    for i in np.flatnonzero(dup):
        gid = int(ids.iloc[i])
        if gid in first_line:
            add(lines[i], gid, f"GalaxyID {gid} appears again (first on line {first_line[gid]})")
        else:
            first_line[gid] = lines[i]

    numeric = ~not_number.any(axis=1)
    broken = check_tree(values.to_numpy()[numeric], tol=tol, ids=lines[numeric])
    for _, row in broken.drop_duplicates("GalaxyID").iterrows():
        line = int(row["GalaxyID"])  # check_tree was given the line numbers as ids
        q = row["question"]
        parent = "1" if row["expected"] == 1 and q in ("Q1", "Q6") else f"{row['expected']:.6f}"
        add(
            line,
            raw_ids.iloc[line - 2],
            f"the answers to {q} sum to {row['total']:.6f}, but the decision tree needs {parent}",
        )

    present = {p.stem for p in images_dir.glob("*.jpg")}
    for i in np.flatnonzero(ids.notna()):
        gid = ids.iloc[i]
        if lines[i] not in problems and str(int(gid)) not in present:
            add(lines[i], int(gid), f"its image {images_dir.name}/{int(gid)}.jpg is missing")
    return sorted(problems.values(), key=lambda p: p[0])


def _image_problems(table: pd.DataFrame, images_dir: Path) -> list[tuple[int, object, str]]:
    problems: list[tuple[int, object, str]] = []
    rows = zip(table["line"], table["GalaxyID"].astype(float).astype(np.int64), strict=True)
    for line, gid in progress_bar(list(rows), desc="checking images", unit="img", leave=False):
        try:
            read_image(images_dir / f"{gid}.jpg")
        except DataError as err:
            problems.append((int(line), int(gid), str(err).rstrip(".")))
    return problems


def read_image(path: str | Path, *, size: int | None = IMAGE_SIZE) -> np.ndarray:
    """Read a galaxy image as an RGB ``uint8`` array and check it.

    Parameters
    ----------
    path : path
        A JPEG (or any image OpenCV reads).
    size : int or None, default 424
        Required side in pixels; ``None`` accepts any size.

    Returns
    -------
    ndarray of shape (size, size, 3), dtype uint8

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
    image = decode_image(raw, path)
    if size is not None and image.shape[:2] != (size, size):
        h, w = image.shape[:2]
        raise DataError(
            f"{path} is {w}x{h} pixels, but Galaxy Zoo images are {size}x{size}; "
            "use the original files."
        )
    return cv2.cvtColor(image, cv2.COLOR_BGR2RGB)


def decode_image(raw: bytes, path: str | Path, flags: int = cv2.IMREAD_COLOR) -> np.ndarray:
    """Decode an image file's bytes with OpenCV ``flags``, refusing truncated JPEGs.

    OpenCV decodes a truncated JPEG without complaint, filling the missing part with
    grey; a JPEG must end with its end-of-image marker to be accepted here.

    Parameters
    ----------
    raw : bytes
        The file's content.
    path : path
        The file, named in the error message.
    flags : int, default ``cv2.IMREAD_COLOR``
        Passed to ``cv2.imdecode`` (for instance ``cv2.IMREAD_REDUCED_GRAYSCALE_8``).

    Returns
    -------
    ndarray
        As OpenCV returns it (blue, green, red order for colour).

    Raises
    ------
    DataError
        If the bytes are a truncated JPEG or not an image.
    """
    if raw[:2] == _JPEG_START and not raw.rstrip(b"\0").endswith(_JPEG_END):
        raise DataError(f"{path} is a truncated JPEG; re-download or regenerate it.")
    image = _imdecode(raw, flags)
    if image is None:
        whole = _imdecode(raw, cv2.IMREAD_UNCHANGED)
        if whole is not None:  # an image, too small to decode at a reduced size
            height, width = whole.shape[:2]
            raise DataError(
                f"{path} is only {width}x{height} pixels, too small to find a galaxy in; use "
                f"an image of at least {MIN_SIDE} pixels a side."
            )
        raise DataError(f"{path} is not a readable image; re-download or regenerate it.")
    if min(image.shape[:2]) < 1:
        raise DataError(f"{path} holds an empty image; re-download or regenerate it.")
    return image


def _imdecode(raw: bytes, flags: int) -> np.ndarray | None:
    """``cv2.imdecode``, ``None`` for what it cannot decode.

    OpenCV 5 raises where OpenCV 4 returned ``None``: on an image smaller than the
    reduction asked for (a 1x1 PNG at an eighth of its size).
    """
    if not raw:
        return None
    try:
        return cv2.imdecode(np.frombuffer(raw, np.uint8), flags)
    except cv2.error:
        return None


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

    The IDs are sorted first, so the split depends only on which galaxies there
    are and on ``seed`` -- not on the order of the file. Sizes are rounded up as
    scikit-learn does; the defaults reproduce the report's 39,409 / 12,316 / 9,853
    galaxies (64 % / 20 % / 16 %) on the 61,578 of the real catalog.

    Parameters
    ----------
    galaxy_ids : array-like of int
    val_size, test_size : float
        Fractions of all galaxies.
    seed : int, default :data:`SPLIT_SEED`
        Seed of the shuffle. Unlike the report's ``random_state=random.seed(42)``,
        which passes ``None`` (``random.seed`` returns nothing), this fixes the split.

    Returns
    -------
    Split

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
