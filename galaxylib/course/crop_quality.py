"""How good the crops are, measured against what only a synthetic sky knows: its truth."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from galaxylib.data import IMAGE_SIZE, load_catalog
from galaxylib.errors import DataError
from galaxylib.preprocess.boxes import REPORT_SIZE, Box
from galaxylib.preprocess.image_file import Settings, locate
from galaxylib.tools.workers import resolve_workers, worker_pool

__all__ = ["crop_quality"]


def crop_quality(
    root: str | Path,
    *,
    crops: tuple[str, ...] = ("report", "improved"),
    size: int = REPORT_SIZE,
    workers: int | None = None,
) -> pd.DataFrame:
    """Measure crops against a synthetic sky's truth: is each galaxy kept whole, and centred?

    Each crop's box is found exactly as :func:`preprocess_catalog` finds it, and
    compared with the true centre and 90 %-light radius in the sky's ``truth.csv``.

    Parameters
    ----------
    root : path
        A data directory made by :func:`galaxylib.tools.sky.make_sky`.
    size : int
        Output size; it decides how far the improved crop may reduce its decode.
    workers : int, optional
        Processes; default every core.

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
    workers = resolve_workers(workers)
    galaxies = [
        (gid, x, y, radius, str(catalog.image_path(gid)))
        for gid, x, y, radius in truth.itertuples(index=False)
    ]
    step = max(1, -(-len(galaxies) // (4 * workers)))
    jobs = [
        (Settings(name, size, False), galaxies[i : i + step])
        for name in crops
        for i in range(0, len(galaxies), step)
    ]
    if workers == 1:
        done = [_measure(job) for job in jobs]
    else:
        with worker_pool(workers, runs=_measure) as pool:
            done = pool.map(_measure, jobs)
    return pd.DataFrame([row for rows in done for row in rows])


def _measure(job: tuple[Settings, list[tuple]]) -> list[dict]:
    settings, galaxies = job
    rows = []
    for gid, x, y, radius, name in galaxies:
        path = Path(name)
        _, box, factor, _ = locate(path.read_bytes(), path, settings)
        rows.append(
            {"GalaxyID": gid, "crop": settings.crop, **_compare(box.scaled(factor), x, y, radius)}
        )
    return rows


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
