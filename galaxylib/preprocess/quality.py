"""How good the crops are: measured against a synthetic sky's truth."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from galaxylib.data import IMAGE_SIZE, load_catalog
from galaxylib.errors import DataError
from galaxylib.preprocess.boxes import Box
from galaxylib.preprocess.image_file import Settings, _locate

__all__ = ["crop_quality"]


def crop_quality(
    root: str | Path, *, crops: tuple[str, ...] = ("report", "improved"), size: int = 150
) -> pd.DataFrame:
    """Measure crops against a synthetic sky's truth: is each galaxy kept whole, and centred?

    Each crop's box is found exactly as :func:`preprocess_catalog` finds it, and
    compared with the true centre and 90 %-light radius in the sky's ``truth.csv``.

    Parameters
    ----------
    root : path
        A data directory made by :func:`galaxylib.synthetic.make_sky`.
    crops : tuple of str
        Which crops to measure.
    size : int, default 150
        Output size; it decides how far the improved crop may reduce its decode.

    Returns
    -------
    DataFrame
        One row per galaxy and crop: ``GalaxyID``, ``crop``, ``whole`` (the disc of the
        90 %-light radius, as far as it lies in the frame, is inside the box),
        ``offset_px`` (distance from the box's centre to the galaxy's, in pixels of the
        424-pixel image), ``offset`` (the same as a fraction of the box's side),
        ``side`` (the box's side in pixels; 424 when the whole frame is kept) and
        ``fill`` (90 %-light diameter over the box's side).
    """
    truth_path = Path(root) / "truth.csv"
    if not truth_path.exists():
        raise DataError(
            f"{truth_path} does not exist: crop quality needs a synthetic sky's truth; "
            "make one with `galaxylib synth`."
        )
    truth = pd.read_csv(truth_path, usecols=["GalaxyID", "x", "y", "r90_px"])
    catalog = load_catalog(root, skip_bad=True)
    truth = truth[truth["GalaxyID"].isin(catalog.ids)]
    rows = []
    for name in crops:
        settings = Settings(name, size, False)
        for gid, x, y, radius in truth.itertuples(index=False):
            path = catalog.image_path(gid)
            _, box, factor, _ = _locate(path.read_bytes(), path, settings)
            rows.append(
                {"GalaxyID": gid, "crop": name, **_compare(box.scaled(factor), x, y, radius)}
            )
    return pd.DataFrame(rows)


def _compare(box: Box, x: float, y: float, radius: float) -> dict[str, float | bool]:
    cx, cy = box.center
    left, top = max(x - radius, 0), max(y - radius, 0)
    right, bottom = min(x + radius, IMAGE_SIZE), min(y + radius, IMAGE_SIZE)
    whole = box.x <= left and box.y <= top and box.x + box.side >= right
    whole = whole and box.y + box.side >= bottom
    offset = float(np.hypot(cx - x, cy - y))
    return {
        "whole": bool(whole),
        "offset_px": offset,
        "offset": offset / box.side,
        "side": box.side,
        "fill": 2 * radius / box.side,
    }
