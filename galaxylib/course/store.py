"""Keep a data root as a few large files in another folder -- a Google Drive, say -- and back.

A data root holds tens of thousands of small files (the sky's JPEGs) that a cloud drive
copies slowly, one by one. :func:`save_data` packs it into one uncompressed tar per
*unit* -- a data set without its caches, each finished cache, each profile's trained
models -- and re-packs a unit only when something in it is newer than its archive.
:func:`restore_data` unpacks them into a data root and never overwrites what is there.

The store mirrors the data root::

    sky-small.tar                        the sky: images, catalog, truth
    sky-small/cache/improved-64-gray.tar one finished cache
    models/small.tar                     the trained models of the small profile
"""

from __future__ import annotations

import json
import tarfile
from pathlib import Path

from galaxylib.errors import GalaxyLibError
from galaxylib.tools.files import atomic_path, replace, staging_dir

__all__ = ["restore_data", "save_data", "units"]

_CATALOGS = ("training_solutions_rev1.csv", "training_solutions.csv")


def _hidden(path: Path) -> bool:
    return path.name.startswith(".")


def units(root: str | Path) -> dict[str, list[Path]]:
    """The units of a data root that :func:`save_data` archives, and the files of each.

    Parameters
    ----------
    root : str or Path
        The data root.

    Returns
    -------
    dict
        Maps each unit's path relative to ``root`` (``'sky-small'``,
        ``'sky-small/cache/improved-64-gray'``, ``'models/small'``) to its files. Hidden
        files, unfinished caches and interrupted training runs (``*.train``) are left out.
    """
    root = Path(root)
    found: dict[str, list[Path]] = {}

    def files(folder: Path, skip) -> list[Path]:
        out = []
        for path in sorted(folder.iterdir()):
            if _hidden(path) or skip(path):
                continue
            out += files(path, lambda p: False) if path.is_dir() else [path]
        return out

    if not root.is_dir():
        return found
    for folder in sorted(p for p in root.iterdir() if p.is_dir() and not _hidden(p)):
        if any((folder / name).exists() for name in _CATALOGS):
            found[folder.name] = files(folder, lambda p: p.name == "cache")
            for cache in sorted((folder / "cache").glob("*/meta.json")):
                if json.loads(cache.read_text()).get("complete"):
                    found[str(cache.parent.relative_to(root))] = files(cache.parent, _hidden)
    for models in sorted((root / "models").glob("*/")):
        kept = files(models, lambda p: p.suffix == ".train")
        if kept:
            found[str(models.relative_to(root))] = kept
    return found


def save_data(root: str | Path, store: str | Path) -> list[Path]:
    """Archive every unit of ``root`` whose archive in ``store`` is missing or older.

    Each archive is written beside its final name and renamed into place, so an
    interrupted save leaves the previous archive whole.

    Parameters
    ----------
    root : str or Path
        The data root.
    store : str or Path
        The folder that keeps the archives (made if missing).

    Returns
    -------
    list of Path
        The archives written.
    """
    root, store = Path(root), Path(store)
    written = []
    for name, members in units(root).items():
        archive = store / f"{name}.tar"
        newest = max(path.stat().st_mtime for path in members)
        if archive.exists() and archive.stat().st_mtime >= newest:
            continue
        archive.parent.mkdir(parents=True, exist_ok=True)
        with atomic_path(archive) as partial, tarfile.open(partial, "w") as tar:
            for path in members:
                tar.add(path, arcname=str(path.relative_to(root / name)), recursive=False)
        written.append(archive)
    return written


def restore_data(store: str | Path, root: str | Path) -> list[Path]:
    """Unpack the archives of ``store`` into ``root``, adding only what ``root`` lacks.

    A file or folder that already exists in ``root`` is kept as it is: restoring never
    overwrites. A data set is restored before its caches.

    Parameters
    ----------
    store : str or Path
        A folder written by :func:`save_data`.
    root : str or Path
        The data root.

    Returns
    -------
    list of Path
        The files and folders added to ``root``.

    Raises
    ------
    GalaxyLibError
        If ``store`` is not a folder, or an archive in it cannot be read.
    """
    store, root = Path(store), Path(root)
    if not store.is_dir():
        raise GalaxyLibError(f"{store} is not a folder; give the folder that save_data wrote.")
    archives = sorted(
        (p for p in store.rglob("*.tar") if not _hidden(p)),  # hidden: an unfinished save
        key=lambda p: (len(p.relative_to(store).parts), p),
    )
    added = []
    for archive in archives:
        target = root / archive.relative_to(store).with_suffix("")
        target.mkdir(parents=True, exist_ok=True)
        with staging_dir(target, "restore") as staging:
            try:
                with tarfile.open(archive) as tar:
                    tar.extractall(staging, filter="data")
            except (tarfile.TarError, OSError) as error:
                raise GalaxyLibError(
                    f"{archive} cannot be read ({error}); delete it and save the data again."
                ) from None
            for entry in sorted(staging.iterdir()):
                if not (target / entry.name).exists():
                    replace(entry, target / entry.name)
                    added.append(target / entry.name)
    return added
