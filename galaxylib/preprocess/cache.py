"""The cache: every image of a catalog cropped once, on every core, resumably.

:func:`preprocess_catalog` writes one compact, memory-mappable cache per setting, and
:func:`open_cache` opens it as a :class:`Cache`.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
import warnings
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from galaxylib.data import Catalog, load_catalog
from galaxylib.errors import DataError, GalaxyLibError, GalaxyLibNote
from galaxylib.preprocess.boxes import REPORT_SIZE
from galaxylib.preprocess.image_file import Settings, crop_file
from galaxylib.tools.files import atomic_path, disk_errors, exclusive, require_space, write_text
from galaxylib.tools.progress import progress_bar
from galaxylib.tools.workers import resolve_workers, worker_pool

__all__ = ["CACHE_ENV", "Cache", "cache_root", "open_cache", "preprocess_catalog"]


# Status of each row of a cache.
PENDING, OK, FALLBACK = 0, 1, 2

LEFT_BLACK = "left black"
"""How ``Cache.problems`` ends the note of an image that could not be read."""

SAVE_EVERY = 0.5
"""Seconds between two saves of the progress: what an interrupted run may have to redo.
Saving after every chunk cost 7 % of a run's time (fsync of two files each time)."""

CACHE_ENV = "GALAXYLIB_CACHE"
"""Environment variable naming a folder for the caches, for data in a read-only folder."""

_ELSEWHERE = f"pass --cache DIR (or set {CACHE_ENV}) to keep the cache in another folder"


def _process_one(path: Path, settings: Settings) -> tuple[np.ndarray, int, str]:
    """Crop one image for the cache; never raises for a bad image.

    Returns the crop, its status and a note on any fallback.
    """
    try:
        out, note = crop_file(path, settings)
    except (OSError, DataError) as err:
        reason = str(err).split(";")[0].replace(f"{path} ", "")
        return np.zeros(settings.shape, np.uint8), FALLBACK, f"{reason}: {LEFT_BLACK}"
    return out, (FALLBACK if note else OK), note


def _work(task: tuple[list[int], list[str], Settings]) -> tuple[list[int], np.ndarray, list]:
    rows, paths, settings = task
    results = [_process_one(Path(p), settings) for p in paths]
    images = np.stack([r[0] for r in results])
    return rows, images, [(r[1], r[2]) for r in results]


@dataclass
class Cache:
    """A finished cache of preprocessed images, memory-mapped.

    Attributes
    ----------
    path : Path
        Its folder, ``<data dir>/cache/<crop>-<size>-<gray|rgb>`` (or under ``--cache``).
    images : ndarray
        ``uint8`` array of shape ``(n, size, size)`` or ``(n, size, size, 3)``, read-only
        and memory-mapped: rows are read from disk only when used.
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

    def readable(self, galaxy_ids: np.ndarray, part: str) -> np.ndarray:
        """``galaxy_ids`` without those whose image could not be read, with a note.

        An unreadable image is a black square in the cache: a network must neither learn
        from it nor be scored on it. ``part`` names the galaxies in the note (``'training
        galaxies'``, ``'test galaxies'``).
        """
        black = self.problems.loc[self.problems["problem"].str.endswith(LEFT_BLACK), "GalaxyID"]
        left_out = np.isin(galaxy_ids, black.to_numpy())
        if left_out.any():
            shown = ", ".join(str(gid) for gid in np.asarray(galaxy_ids)[left_out][:5])
            warnings.warn(
                f"{left_out.sum()} of the {len(galaxy_ids)} {part} have an image that could not "
                f"be read ({shown}{' ...' if left_out.sum() > 5 else ''}) and are left out; "
                "`galaxylib check` on the data directory lists them.",
                GalaxyLibNote,
                stacklevel=2,
            )
        return np.asarray(galaxy_ids)[~left_out]


def cache_root(root: str | Path, cache: str | Path | None = None) -> Path:
    """The folder that holds a data directory's caches.

    ``<root>/cache`` by default. With ``cache`` (or ``GALAXYLIB_CACHE`` set), a folder
    of that one named after the data directory, so that data in a folder one cannot
    write to (an instructor's shared copy) can still be preprocessed.
    """
    given = "--cache" if cache else CACHE_ENV
    cache = cache or os.environ.get(CACHE_ENV) or None
    if cache is None:
        return Path(root) / "cache"
    existing = next((p for p in (Path(cache), *Path(cache).parents) if p.exists()), None)
    if existing is not None and not existing.is_dir():
        raise GalaxyLibError(
            f"{given} names {cache}, but {existing} is a file, not a folder; name a folder "
            "to keep the caches in."
        )
    resolved = Path(root).resolve()
    digest = hashlib.sha256(str(resolved).encode()).hexdigest()[:8]
    return Path(cache) / f"{resolved.name}-{digest}"


def _fingerprint(catalog: Catalog) -> str:
    """What the crops depend on: the catalog's rows and each image's size and time.

    The time is counted in whole seconds: an archive (``tar``, and so :mod:`galaxylib.course.store`
    and Google Drive) gives a file back its time to the microsecond at best, and a cache
    restored with its sky must still be recognised.
    """
    digest = hashlib.sha256(catalog.labels.to_csv(index=False).encode())
    for gid in catalog.ids:
        try:
            stat = catalog.image_path(gid).stat()
            digest.update(f"{stat.st_size}:{stat.st_mtime_ns // 1_000_000_000};".encode())
        except OSError:
            digest.update(b"missing;")
    return digest.hexdigest()[:16]


def _read_meta(folder: Path) -> dict:
    """A cache's ``meta.json``, or ``{}`` when it is missing or unreadable."""
    try:
        meta = json.loads((folder / "meta.json").read_text())
    except (OSError, ValueError):
        return {}
    return meta if isinstance(meta, dict) else {}


def _write_json(path: Path, content: dict) -> None:
    write_text(path, json.dumps(content, indent=2))


def _chunks(rows: np.ndarray, paths: list[str], settings: Settings, n: int) -> Iterator[tuple]:
    for start in range(0, len(rows), n):
        part = rows[start : start + n]
        yield part.tolist(), [paths[i] for i in part], settings


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

    The cache is a folder ``<root>/cache/<crop>-<size>-<gray|rgb>/`` (see
    :func:`cache_root` for ``cache``) holding ``images.npy`` (all crops in one ``uint8``
    array, memory-mappable), ``ids.npy`` (the GalaxyID of each row, in catalog order),
    ``status.npy`` (per row: 0 pending, 1 done, 2 done with a fallback),
    ``problems.csv`` and ``meta.json``. Rows are written in chunks, images before their
    status, so an interrupted run continues where it stopped; ``meta.json`` says
    ``complete`` only when every row is done, and a finished cache is returned at once.
    A cache is rebuilt when the catalog, or any image's size or modification time, has
    changed since it was made. The space it needs is checked before it starts.

    Bad images never stop the run: a missing, truncated or unreadable file becomes a
    black image, an image with nothing above the sky keeps its whole frame, an image of
    another size is cropped as found; each is listed in ``Cache.problems``. Bad rows of
    the catalog stop it before it starts, unless ``skip_bad``.

    Parameters
    ----------
    root : path
        Data directory (see :func:`galaxylib.data.load_catalog`).
    crop : {'improved', 'report'}
    size : int, default :data:`~galaxylib.preprocess.boxes.REPORT_SIZE`
    color : bool, default False
    workers : int, optional
        Processes; default every core.
    chunk : int, default 64
        Images per task and per write.
    progress : bool, default True
    limit : int, optional
        Stop after this many new rows (leaving the cache incomplete); for tests and demos
        of resumption.
    force : bool, default False
        Rebuild the cache even if it is up to date.
    cache : path, optional
        Keep the cache under this folder instead of ``<root>/cache`` (default:
        ``$GALAXYLIB_CACHE`` if set).
    skip_bad : bool, default False
        Leave bad catalog rows out instead of refusing the catalog.

    Returns
    -------
    Cache
        The finished (or, with ``limit``, partial) cache, memory-mapped.

    Raises
    ------
    DataError
        For a bad catalog row (unless ``skip_bad``), a catalog with no galaxy to crop, or
        bad settings.
    GalaxyLibError
        If the disk has too little room or the folder cannot be written.
    """
    settings = Settings(crop, size, color)
    workers = resolve_workers(workers)
    catalog = load_catalog(root, skip_bad=skip_bad)
    if not len(catalog):
        bad = f" ({len(catalog.skipped)} bad rows left out)" if len(catalog.skipped) else ""
        raise DataError(f"{catalog.csv_path} has no galaxies to crop{bad}: add rows.")
    folder = cache_root(root, cache) / settings.name
    waiting = f"Another process is filling the cache {folder}; waiting for it."
    with disk_errors(folder, _ELSEWHERE), exclusive(folder, wait=waiting):
        meta = _read_meta(folder)
        if force or not _current(meta, catalog, settings):
            _start_cache(folder, catalog, settings, _fingerprint(catalog))
            meta = _read_meta(folder)
        if not meta["complete"]:
            _fill_cache(folder, catalog, settings, workers, chunk, progress, limit)
    return _open(folder)


def _current(meta: dict, catalog: Catalog, settings: Settings) -> bool:
    """Whether a cache's ``meta.json`` belongs to the catalog and images as they are now.

    The one place that decides: :func:`preprocess_catalog` remakes a cache that is not,
    :func:`open_cache` refuses it.
    """
    return meta.get("settings") == asdict(settings) and meta.get("fingerprint") == _fingerprint(
        catalog
    )


def _allocate(path: Path) -> None:
    """Reserve the disk blocks of a file.

    A full disk then says so now (ENOSPC), not later as a ``Bus error`` when a
    memory-mapped write finds no block.
    """
    if hasattr(os, "posix_fallocate"):
        with path.open("rb+") as f:
            os.posix_fallocate(f.fileno(), 0, os.fstat(f.fileno()).st_size)


def _start_cache(folder: Path, catalog: Catalog, settings: Settings, fingerprint: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "meta.json").unlink(missing_ok=True)  # first: a stale cache is never "complete"
    (folder / "images.npy").unlink(missing_ok=True)
    n = len(catalog)
    needed = n * int(np.prod(settings.shape)) + 64 * 1024
    require_space(folder, needed, f"The {settings.name} cache", _ELSEWHERE)
    with atomic_path(folder / "images.npy") as tmp:
        images = np.lib.format.open_memmap(
            tmp, mode="w+", dtype=np.uint8, shape=(n, *settings.shape)
        )
        del images
        _allocate(tmp)
    with atomic_path(folder / "ids.npy") as tmp:
        np.save(tmp, catalog.ids.astype(np.int64))
    _save_status(folder, np.zeros(n, np.uint8), [])
    _write_json(
        folder / "meta.json",
        {"settings": asdict(settings), "fingerprint": fingerprint, "n": n, "complete": False},
    )


def _fill_cache(
    folder: Path,
    catalog: Catalog,
    settings: Settings,
    workers: int,
    chunk: int,
    progress: bool,
    limit: int | None,
) -> None:
    _allocate(folder / "images.npy")  # a cache begun by an older version may be sparse
    images = np.load(folder / "images.npy", mmap_mode="r+")
    status = np.load(folder / "status.npy")
    problems = pd.read_csv(folder / "problems.csv").to_dict("records")
    todo = np.flatnonzero(status == PENDING)
    if limit is not None:
        todo = todo[:limit]
    paths = [str(catalog.image_path(gid)) for gid in catalog.ids]
    bar = progress_bar(
        total=len(status),
        initial=len(status) - len(np.flatnonzero(status == PENDING)),
        desc=f"preprocess {settings.name}",
        unit="img",
        enabled=progress,
    )
    tasks = _chunks(todo, paths, settings, chunk)
    saved = time.monotonic()
    with worker_pool(workers, runs=_work) as pool:
        for rows, crops, outcomes in pool.imap_unordered(_work, tasks):
            images[rows] = crops
            for row, (state, note) in zip(rows, outcomes, strict=True):
                status[row] = state
                if note:
                    problems.append({"GalaxyID": int(catalog.ids[row]), "problem": note})
            if time.monotonic() - saved >= SAVE_EVERY:
                images.flush()  # the crops on disk first, then the status that counts them
                _save_status(folder, status, problems)
                saved = time.monotonic()
            bar.update(len(rows))
    images.flush()
    _save_status(folder, status, problems)
    bar.close()
    if (status != PENDING).all():
        meta = json.loads((folder / "meta.json").read_text())
        _write_json(folder / "meta.json", {**meta, "complete": True})


def _save_status(folder: Path, status: np.ndarray, problems: list[dict]) -> None:
    """Write the status and problems atomically, after their images are on disk."""
    with atomic_path(folder / "problems.csv") as tmp:
        pd.DataFrame(problems, columns=["GalaxyID", "problem"]).to_csv(tmp, index=False)
    with atomic_path(folder / "status.npy") as tmp:
        np.save(tmp, status)


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

    ``settings``, when given, replaces ``crop``, ``size`` and ``color``; ``cache`` is
    :func:`preprocess_catalog`'s.

    Raises
    ------
    DataError
        If there is no such cache, it is unfinished (``require_complete``), or the
        catalog or an image changed since it was made, with the command that makes it.
    """
    settings = settings or Settings(crop, size, color)
    folder = cache_root(root, cache) / settings.name
    command = (
        f"galaxylib preprocess {root} --crop {settings.crop} --size {settings.size}"
        f"{' --color' if settings.color else ''}{f' --cache {cache}' if cache else ''}"
    )
    meta = _read_meta(folder)
    if not meta:
        raise DataError(f"There is no {settings.name} cache in {folder.parent}; run `{command}`.")
    if require_complete and not meta.get("complete"):
        raise DataError(f"The cache {folder} is unfinished; run `{command}` to complete it.")
    if not _current(meta, load_catalog(root, skip_bad=True), settings):
        raise DataError(
            f"The cache {folder} was made before the catalog or an image in {root} changed, "
            f"so its crops are out of date; run `{command}` to make it again."
        )
    return _open(folder)


def _open(folder: Path) -> Cache:
    meta = _read_meta(folder)
    return Cache(
        path=folder,
        images=np.load(folder / "images.npy", mmap_mode="r"),
        ids=np.load(folder / "ids.npy"),
        problems=pd.read_csv(folder / "problems.csv"),
        settings=Settings.from_dict(meta.get("settings"), folder / "meta.json"),
    )
