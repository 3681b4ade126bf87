"""How fast: the report's preprocessing loop against :func:`preprocess_catalog`."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import cv2
import numpy as np

from galaxylib._workers import resolve_workers
from galaxylib.data import Catalog, load_catalog
from galaxylib.errors import DataError
from galaxylib.preprocess.boxes import crop, report_box
from galaxylib.preprocess.cache import preprocess_catalog

__all__ = ["bench_preprocess"]


def _report_loop(paths: list[Path], out: Path, size: int) -> None:
    """The report's preprocessing loop: one image after another, written as PNGs."""
    for path in paths:
        image = cv2.imread(str(path))  # blue, green, red -- the report then called it RGB
        if image is None:
            raise DataError(f"{path} is not a readable image; re-download or regenerate it.")
        gray = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)
        square = crop(gray, report_box(gray), size=size)
        cv2.imwrite(str(out / path.with_suffix(".png").name), square)


def bench_preprocess(
    root: str | Path, *, n: int = 500, size: int = 150, workers: int | None = None
) -> dict[str, float]:
    """Time the report's loop and :func:`preprocess_catalog` on the same images.

    Both run on the first ``n`` galaxies of the catalog, after one read of every file so
    that both find them in the operating system's cache. Ours is timed twice: with the
    improved crop (the default) and with the report's crop, to separate what the crop
    costs from what the batch run saves.

    Returns
    -------
    dict
        ``n``, ``workers``, ``report_img_per_s``, ``ours_img_per_s``,
        ``ours_report_crop_img_per_s`` and ``ratio`` (ours over the report's).
    """
    catalog = load_catalog(root)
    if not len(catalog) or n < 1:
        raise DataError(
            f"There are no galaxies to time in {catalog.csv_path} (n={n}); run the "
            "benchmark on a catalog with galaxies and --n of 1 or more."
        )
    ids = catalog.ids[:n]
    paths = [catalog.image_path(gid) for gid in ids]
    workers = resolve_workers(workers)
    for path in paths:
        path.read_bytes()
    with tempfile.TemporaryDirectory() as tmp:
        subset = Path(tmp) / "data"
        _link_subset(catalog, ids, subset)
        pngs = Path(tmp) / "png"
        pngs.mkdir()
        seconds = {}
        start = time.perf_counter()
        _report_loop(paths, pngs, size)
        seconds["report"] = time.perf_counter() - start
        for name in ("improved", "report"):
            start = time.perf_counter()
            preprocess_catalog(subset, crop=name, size=size, workers=workers, progress=False)
            seconds[name + "_batch"] = time.perf_counter() - start
    return {
        "n": len(ids),
        "workers": workers,
        "report_img_per_s": len(ids) / seconds["report"],
        "ours_img_per_s": len(ids) / seconds["improved_batch"],
        "ours_report_crop_img_per_s": len(ids) / seconds["report_batch"],
        "ratio": seconds["report"] / seconds["improved_batch"],
    }


def _link_subset(catalog: Catalog, ids: np.ndarray, dest: Path) -> None:
    """A data directory holding ``ids`` only, its images linked to the originals."""
    images = dest / catalog.images_dir.name
    images.mkdir(parents=True)
    for gid in ids:
        (images / f"{gid}.jpg").symlink_to(catalog.image_path(gid).resolve())
    catalog.subset(ids).labels.to_csv(dest / catalog.csv_path.name, index=False)
