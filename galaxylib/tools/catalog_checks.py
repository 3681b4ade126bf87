"""The checks behind :func:`galaxylib.data.load_catalog` and ``read_image``: one sentence each.

A catalog is read as text so that every bad cell can be named by its line and column:
a GalaxyID that is not a whole number or appears twice, an answer that is not a number
between 0 and 1, answers that break the decision tree, an image that is missing.
"""

from __future__ import annotations

import os
from pathlib import Path

import cv2
import numpy as np
import pandas as pd

from galaxylib.errors import DataError, GalaxyLibNote
from galaxylib.taxonomy import COLUMNS, check_tree
from galaxylib.tools.files import shown_path
from galaxylib.tools.progress import progress_bar

__all__ = [
    "MIN_SIDE",
    "FrameWarning",
    "decode_image",
    "frame_note",
    "image_problems",
    "numbers",
    "read_bytes",
    "read_table",
    "row_problems",
]

MIN_SIDE = 8
"""The smallest side, in pixels, of an image a crop can decode at an eighth of its size."""

_JPEG_START = b"\xff\xd8"
_JPEG_END = b"\xff\xd9"


def read_table(csv_path: Path) -> pd.DataFrame:
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


def numbers(table: pd.DataFrame) -> tuple[pd.Series, np.ndarray]:
    """The table's GalaxyIDs and its 37 answers as numbers, NaN where a cell is not one."""
    ids = pd.to_numeric(table["GalaxyID"].str.strip(), errors="coerce")
    cells = table[list(COLUMNS)].to_numpy()
    try:  # every cell a number (spaces around it allowed): one conversion for the table
        values = cells.astype(np.float64)
    except (ValueError, TypeError):  # some cell is not: the same conversion, cell by cell
        values = np.vectorize(_number, otypes=[np.float64])(cells)
    return ids, values


def _number(cell: str) -> float:
    try:
        return float(cell)
    except ValueError:
        return np.nan


def row_problems(
    table: pd.DataFrame, ids: pd.Series, values: np.ndarray, images_dir: Path, tol: float
) -> list[tuple[int, object, str]]:
    """Every bad row of the table, as (line, GalaxyID, reason); one reason per row.

    Parameters
    ----------
    table : DataFrame
        The catalog as :func:`read_table` reads it: text, with a ``line`` column.
    ids, values : Series, ndarray
        Its :func:`numbers`.
    images_dir : Path
        The folder that should hold ``<GalaxyID>.jpg`` for every row.
    tol : float
        Tolerance of :func:`galaxylib.taxonomy.check_tree`.
    """
    problems: dict[int, tuple[int, object, str]] = {}

    def add(line: int, gid: object, reason: str) -> None:
        problems.setdefault(line, (line, gid, reason))

    lines = table["line"].to_numpy()
    raw_ids = table["GalaxyID"].str.strip()
    for i in np.flatnonzero(ids.isna() | (ids % 1 != 0) | (ids < 0)):
        add(lines[i], raw_ids.iloc[i], f"GalaxyID {raw_ids.iloc[i]!r} is not a whole number")

    not_number = np.isnan(values)
    out_of_range = (values < 0) | (values > 1)
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
    broken = check_tree(values[numeric], tol=tol, ids=lines[numeric])
    for _, row in broken.drop_duplicates("GalaxyID").iterrows():
        line = int(row["GalaxyID"])  # check_tree was given the line numbers as ids
        q = row["question"]
        parent = "1" if row["expected"] == 1 and q in ("Q1", "Q6") else f"{row['expected']:.6f}"
        add(
            line,
            raw_ids.iloc[line - 2],
            f"the answers to {q} sum to {row['total']:.6f}, but the decision tree needs {parent}",
        )

    names = os.listdir(images_dir) if images_dir.is_dir() else []
    present = {name.removesuffix(".jpg") for name in names if name.endswith(".jpg")}
    whole = ids.to_numpy()
    for i in np.flatnonzero(ids.notna()):
        gid = int(whole[i])
        if lines[i] not in problems and str(gid) not in present:
            add(lines[i], gid, f"its image {images_dir.name}/{gid}.jpg is missing")
    return sorted(problems.values(), key=lambda p: p[0])


def image_problems(table: pd.DataFrame, images_dir: Path) -> list[tuple[int, object, str]]:
    """Every image of the table that does not decode to a Galaxy Zoo image."""
    from galaxylib.data import read_image

    problems: list[tuple[int, object, str]] = []
    rows = zip(table["line"], table["GalaxyID"].astype(float).astype(np.int64), strict=True)
    for line, gid in progress_bar(list(rows), desc="checking images", unit="img", leave=False):
        try:
            read_image(images_dir / f"{gid}.jpg")
        except DataError as err:
            problems.append((int(line), int(gid), str(err).rstrip(".")))
    return problems


def decode_image(raw: bytes, path: str | Path, flags: int = cv2.IMREAD_COLOR) -> np.ndarray:
    """Decode an image file's bytes with OpenCV ``flags``, refusing truncated JPEGs.

    OpenCV decodes a truncated JPEG without complaint, filling the missing part with grey,
    so a JPEG must end with its end-of-image marker. Returns the array as OpenCV gives it
    (blue, green, red for colour); ``path`` is named in errors.

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
    """``cv2.imdecode``, ``None`` for what it cannot decode (OpenCV 5 raises on some)."""
    if not raw:
        return None
    try:
        return cv2.imdecode(np.frombuffer(raw, np.uint8), flags)
    except cv2.error:
        return None


class FrameWarning(GalaxyLibNote):
    """An image to classify is framed unlike the Galaxy Zoo images the network learned from."""


def frame_note(path: str | Path, shape: tuple[int, ...]) -> str | None:
    """One sentence when an image of this ``shape`` is not 424x424, else ``None``.

    A non-square image is cropped to a square padded with black; an image of another size
    was taken at another pixel scale than the images the network learned from.
    """
    from galaxylib.data import IMAGE_SIZE

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


def read_bytes(path: Path) -> bytes:
    """An image file's bytes, or a sentence saying why they cannot be read."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise DataError(f"{path} does not exist; check the file name.") from None
    except IsADirectoryError:
        raise DataError(
            f"{path} is a folder, not an image file; name the images in it ({path}/*.jpg)."
        ) from None
    except PermissionError:
        raise DataError(f"{path} cannot be read (permission denied); check its rights.") from None
