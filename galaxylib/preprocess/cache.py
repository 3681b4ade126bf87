"""The cache: every image of a catalog cropped once, on every core, resumably.

:func:`preprocess_catalog` writes one compact, memory-mappable cache per setting, and
:func:`open_cache` opens it as a :class:`Cache`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from galaxylib.data import load_catalog
from galaxylib.errors import DataError
from galaxylib.preprocess.boxes import REPORT_SIZE
from galaxylib.preprocess.image_file import Settings
from galaxylib.tools import crop_cache
from galaxylib.tools.files import disk_errors, exclusive
from galaxylib.tools.workers import resolve_workers

__all__ = ["Cache", "open_cache", "preprocess_catalog"]


@dataclass
class Cache:
    """A finished cache of preprocessed images, memory-mapped.

    Attributes
    ----------
    path : Path
        Its folder, ``<data dir>/cache/<crop>-<size>-<gray|rgb>`` (or under ``--cache``).
    images : ndarray
        ``uint8``, ``(n, size, size)`` or ``(n, size, size, 3)``; rows are read from disk
        only when used.
    ids : ndarray
        The GalaxyID of each row, in the catalog's order.
    problems : DataFrame
        ``GalaxyID`` and ``problem`` of every image that got a fallback.
    settings : Settings
        How its images were cropped.
    """

    path: Path
    images: np.ndarray
    ids: np.ndarray
    problems: pd.DataFrame
    settings: Settings

    def __len__(self) -> int:
        return len(self.ids)

    def rows_of(self, galaxy_ids: np.ndarray) -> np.ndarray:
        """Row numbers of the given galaxies in the cache."""
        lookup = pd.Series(np.arange(len(self.ids)), index=self.ids)
        missing = ~np.isin(galaxy_ids, self.ids)
        if missing.any():
            raise DataError(
                f"The cache {self.path} lacks galaxy {np.asarray(galaxy_ids)[missing][0]}; "
                "run `galaxylib preprocess` again."
            )
        return lookup.loc[np.asarray(galaxy_ids)].to_numpy()


def preprocess_catalog(
    root: str | Path,
    *,
    crop: str = "improved",
    size: int = REPORT_SIZE,
    color: bool = False,
    workers: int | None = None,
    chunk: int = 64,
    progress: bool = True,
    limit: int | None = None,
    force: bool = False,
    cache: str | Path | None = None,
    skip_bad: bool = False,
) -> Cache:
    """Crop and resize every image of a catalog into one cache; resume if interrupted.

    The cache is a folder ``<root>/cache/<crop>-<size>-<gray|rgb>/`` holding every crop in
    one memory-mappable array. A finished, up-to-date cache is returned at once; one made
    before the catalog or an image changed is made again, and ``force`` remakes any.

    Bad images never stop the run: an unreadable file becomes a black image, an image with
    nothing above the sky keeps its whole frame, an image of another size is cropped as
    found; each is listed in ``Cache.problems``. Bad catalog rows stop it, unless ``skip_bad``
    leaves them out.

    Parameters
    ----------
    workers : int, optional
        Processes; default every core.
    chunk : int, default 64
        Images per task and per write.
    limit : int, optional
        Stop after this many new rows, leaving the cache incomplete (to show resumption).
    cache : path, optional
        Keep the cache under this folder instead of ``<root>/cache`` (default:
        ``$GALAXYLIB_CACHE`` if set).

    Raises
    ------
    DataError
        For a bad catalog row (unless ``skip_bad``), no galaxy to crop, or bad settings.
    GalaxyLibError
        If the disk has too little room or the folder cannot be written.
    """
    settings = Settings(crop, size, color)
    workers = resolve_workers(workers)
    catalog = load_catalog(root, skip_bad=skip_bad)
    if not len(catalog):
        bad = f" ({len(catalog.skipped)} bad rows left out)" if len(catalog.skipped) else ""
        raise DataError(f"{catalog.csv_path} has no galaxies to crop{bad}: add rows.")
    folder = crop_cache.cache_root(root, cache) / settings.name
    waiting = f"Another process is filling the cache {folder}; waiting for it."
    with disk_errors(folder, crop_cache.ELSEWHERE), exclusive(folder, wait=waiting):
        # A cache made from this catalog and these images as they are now is kept;
        # otherwise one array for all the crops is reserved on disk, every row pending.
        meta = crop_cache.read_meta(folder)
        if force or not crop_cache.is_current(meta, catalog, settings):
            fingerprint = crop_cache.fingerprint(catalog)
            crop_cache.start_cache(folder, catalog, settings, fingerprint)
            meta = crop_cache.read_meta(folder)
        # Then crop_file crops the pending rows, in chunks, on every core.
        if not meta["complete"]:
            crop_cache.fill_cache(folder, catalog, settings, workers, chunk, progress, limit)
    return _open(folder)


def open_cache(
    root: str | Path,
    *,
    crop: str = "improved",
    size: int = REPORT_SIZE,
    color: bool = False,
    settings: Settings | None = None,
    cache: str | Path | None = None,
    require_complete: bool = True,
) -> Cache:
    """Open the cache that :func:`preprocess_catalog` wrote, memory-mapped read-only.

    ``settings``, when given, replaces ``crop``, ``size`` and ``color``.

    Raises
    ------
    DataError
        If there is no such cache, it is unfinished (``require_complete``), or it is out
        of date, with the command that makes it.
    """
    settings = settings or Settings(crop, size, color)
    folder = crop_cache.cache_root(root, cache) / settings.name
    command = (
        f"galaxylib preprocess {root} --crop {settings.crop} --size {settings.size}"
        f"{' --color' if settings.color else ''}{f' --cache {cache}' if cache else ''}"
    )
    meta = crop_cache.read_meta(folder)
    if not meta:
        raise DataError(f"There is no {settings.name} cache in {folder.parent}; run `{command}`.")
    if require_complete and not meta.get("complete"):
        raise DataError(f"The cache {folder} is unfinished; run `{command}` to complete it.")
    if not crop_cache.is_current(meta, load_catalog(root, skip_bad=True), settings):
        raise DataError(
            f"The cache {folder} was made before the catalog or an image in {root} changed, "
            f"so its crops are out of date; run `{command}` to make it again."
        )
    return _open(folder)


def _open(folder: Path) -> Cache:
    meta = crop_cache.read_meta(folder)
    return Cache(
        path=folder,
        images=np.load(folder / "images.npy", mmap_mode="r"),
        ids=np.load(folder / "ids.npy"),
        problems=pd.read_csv(folder / "problems.csv"),
        settings=crop_cache.stored_settings(meta.get("settings"), folder / "meta.json"),
    )
