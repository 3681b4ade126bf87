"""The crop cache on disk: filled on every core, resumable, refused when out of date.

:func:`galaxylib.preprocess.preprocess_catalog` and :func:`~galaxylib.preprocess.open_cache`
call these. A cache folder holds ``images.npy`` (all crops in one ``uint8`` array,
memory-mappable), ``ids.npy`` (the GalaxyID of each row, in catalog order), ``status.npy``
(per row: 0 pending, 1 done, 2 done with a fallback), ``problems.csv`` and ``meta.json``.
Rows are written in chunks, images before their status, so an interrupted run continues
where it stopped; ``meta.json`` says ``complete`` only when every row is done.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
import warnings
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from galaxylib.data import Catalog
from galaxylib.errors import DataError, GalaxyLibError, GalaxyLibNote
from galaxylib.preprocess.image_file import Settings, crop_file
from galaxylib.tools.files import atomic_path, fsync, path_tag, require_space, write_text
from galaxylib.tools.progress import progress_bar
from galaxylib.tools.workers import worker_pool

if TYPE_CHECKING:
    from galaxylib.preprocess.cache import Cache

__all__ = [
    "CACHE_ENV",
    "ELSEWHERE",
    "LEFT_BLACK",
    "cache_root",
    "fill_cache",
    "fingerprint",
    "is_current",
    "read_meta",
    "readable",
    "start_cache",
    "stored_settings",
]


# Status of each row of a cache.
PENDING, OK, FALLBACK = 0, 1, 2

LEFT_BLACK = "left black"
"""How ``Cache.problems`` ends the note of an image that could not be read."""

SAVE_EVERY = 0.5
"""Seconds between two saves of the progress: what an interrupted run may have to redo.
Saving after every chunk cost 7 % of a run's time (fsync of two files each time)."""

CACHE_ENV = "GALAXYLIB_CACHE"
"""Environment variable naming a folder for the caches, for data in a read-only folder."""

ELSEWHERE = f"pass --cache DIR (or set {CACHE_ENV}) to keep the cache in another folder"


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


def _work(task: tuple[str, list[int], list[str], Settings]) -> tuple[list[int], list]:
    """Crop a chunk of rows straight into the cache's array; each row's outcome.

    The caller makes the array's pages durable before it counts the rows as done. Sending
    the crops back instead, through a pipe to the caller, halved the rate on two cores.
    """
    array, rows, paths, settings = task
    results = [_process_one(Path(p), settings) for p in paths]
    images = np.load(array, mmap_mode="r+")
    images[rows] = np.stack([r[0] for r in results])
    del images
    return rows, [(r[1], r[2]) for r in results]


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
    return Path(cache) / path_tag(root)


def fingerprint(catalog: Catalog) -> str:
    """What the crops depend on: the catalog's galaxies, in order, and each image's size and time.

    The votes are left out: they change no crop (and writing them out as text took most of
    the time). The time is counted in whole seconds: an archive (``tar``, and so
    :mod:`galaxylib.course.store` and Google Drive) gives a file back its time to the
    microsecond at best, and a cache restored with its sky must still be recognised.
    """
    digest = hashlib.sha256(catalog.ids.astype(np.int64).tobytes())
    for path in catalog.image_paths():
        try:
            stat = os.stat(path)
            digest.update(f"{stat.st_size}:{stat.st_mtime_ns // 1_000_000_000};".encode())
        except OSError:
            digest.update(b"missing;")
    return digest.hexdigest()[:16]


def read_meta(folder: Path) -> dict:
    """A cache's ``meta.json``, or ``{}`` when it is missing or unreadable."""
    try:
        meta = json.loads((folder / "meta.json").read_text())
    except (OSError, ValueError):
        return {}
    return meta if isinstance(meta, dict) else {}


def _write_json(path: Path, content: dict) -> None:
    write_text(path, json.dumps(content, indent=2))


def _chunks(
    array: Path, rows: np.ndarray, paths: list[str], settings: Settings, n: int
) -> Iterator[tuple]:
    for start in range(0, len(rows), n):
        part = rows[start : start + n]
        yield str(array), part.tolist(), [paths[i] for i in part], settings


def is_current(meta: dict, catalog: Catalog, settings: Settings) -> bool:
    """Whether a cache's ``meta.json`` belongs to the catalog and images as they are now.

    The one place that decides: ``preprocess_catalog`` remakes a cache that is not,
    ``open_cache`` refuses it.
    """
    return meta.get("settings") == asdict(settings) and meta.get("fingerprint") == fingerprint(
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


def start_cache(folder: Path, catalog: Catalog, settings: Settings, fingerprint: str) -> None:
    """Begin a cache: its disk room reserved, every row pending, ``meta.json`` last."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "meta.json").unlink(missing_ok=True)  # first: a stale cache is never "complete"
    (folder / "images.npy").unlink(missing_ok=True)
    n = len(catalog)
    needed = n * int(np.prod(settings.shape)) + 64 * 1024
    require_space(folder, needed, f"The {settings.name} cache", ELSEWHERE)
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


def fill_cache(
    folder: Path,
    catalog: Catalog,
    settings: Settings,
    workers: int,
    chunk: int,
    progress: bool,
    limit: int | None,
) -> None:
    """Crop the pending rows on ``workers`` processes, saving the progress as it goes."""
    array = folder / "images.npy"
    _allocate(array)  # a cache begun by an older version may be sparse
    status = np.load(folder / "status.npy")
    problems = pd.read_csv(folder / "problems.csv").to_dict("records")
    todo = np.flatnonzero(status == PENDING)
    if limit is not None:
        todo = todo[:limit]
    paths = catalog.image_paths()
    bar = progress_bar(
        total=len(status),
        initial=len(status) - len(np.flatnonzero(status == PENDING)),
        desc=f"preprocess {settings.name}",
        unit="img",
        enabled=progress,
    )
    tasks = _chunks(array, todo, paths, settings, chunk)
    saved = time.monotonic()
    with worker_pool(workers, runs=_work) as pool:
        for rows, outcomes in pool.imap_unordered(_work, tasks):
            for row, (state, note) in zip(rows, outcomes, strict=True):
                status[row] = state
                if note:
                    problems.append({"GalaxyID": int(catalog.ids[row]), "problem": note})
            # The chunk's crops go to disk now, while the workers crop the next ones, so
            # that the last write, which no cropping hides, is one chunk's.
            fsync(array)
            if time.monotonic() - saved >= SAVE_EVERY:  # the status that counts them
                _save_status(folder, status, problems)
                saved = time.monotonic()
            bar.update(len(rows))
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


def stored_settings(content: object, source: str | Path) -> Settings:
    """The crop settings stored in ``source`` (a ``MODEL.json`` or a cache's ``meta.json``)."""
    keys = {"crop", "size", "color"}
    if not isinstance(content, dict) or not keys <= set(content):
        raise DataError(
            f"{source} does not say how the images were cropped (it needs crop, size and "
            "color); make it again (`galaxylib train ... --force`)."
        )
    try:
        return Settings(content["crop"], content["size"], content["color"])
    except DataError as err:
        raise DataError(f"{source}: {err}") from None


def readable(cache: Cache, galaxy_ids: np.ndarray, part: str) -> np.ndarray:
    """``galaxy_ids`` without those whose image could not be read (black in ``cache``).

    ``part`` names the galaxies in the note (``'training galaxies'``).
    """
    black = cache.problems.loc[cache.problems["problem"].str.endswith(LEFT_BLACK), "GalaxyID"]
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
