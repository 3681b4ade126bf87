"""Writing files so that a crash, a kill or a full disk never leaves a half-written one.

Every file galaxylib writes goes through :func:`atomic_path`: the content is written
under a temporary name in the destination's own folder (``.tmp-<pid>-<name>``), flushed
to the disk, and only then renamed over the destination -- a rename within one folder
is atomic, so a reader sees the old file or the new one, never a part. A folder is
published the same way with :func:`staging_dir` and :func:`replace`, the one place
galaxylib renames anything into place. What a killed process leaves behind (temporary
names of a process that no longer runs) is removed by :func:`remove_leftovers`, which
every writer calls first.

:func:`exclusive` lets one process at a time make a shared thing (a sky, a cache, the
book's networks): two notebooks, or two test workers, that need it at once do not both
make it -- the second waits, then finds it made.

:func:`disk_errors` turns a full disk, a read-only folder or a folder without write
permission into one sentence naming the folder and what to do,
:func:`require_space` checks up front that a job whose size is known fits, and
:func:`check_out_path` refuses an ``--out`` that cannot name the file to write.

:func:`sha256` is a file's digest, as provenance records and downloads check it, and
:func:`path_tag` names a folder after another folder's place on the disk.
"""

from __future__ import annotations

import errno
import hashlib
import os
import shutil
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from galaxylib.errors import GalaxyLibError

if TYPE_CHECKING:
    import pandas as pd

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no lock
    fcntl = None  # type: ignore[assignment]

__all__ = [
    "atomic_path",
    "check_out_path",
    "disk_error",
    "disk_errors",
    "exclusive",
    "format_bytes",
    "fsync",
    "is_full",
    "path_tag",
    "remove_leftovers",
    "replace",
    "require_space",
    "sha256",
    "staging_dir",
    "write_bytes",
    "write_csv",
    "write_text",
]

TMP_PREFIX = ".tmp-"
"""Temporary names start with this, then the writer's process id and a dash."""

_FULL = {errno.ENOSPC, errno.EDQUOT}
_READ_ONLY = {errno.EROFS, errno.EACCES, errno.EPERM}


def _alive(pid: int) -> bool:
    if pid == os.getpid() or os.name == "nt":  # Windows' os.kill would end the process
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


def remove_leftovers(folder: str | Path) -> None:
    """Delete the temporary files and folders a crashed or killed writer left in ``folder``."""
    folder = Path(folder)
    if not folder.is_dir():
        return
    for path in folder.glob(f"{TMP_PREFIX}*"):
        pid = path.name[len(TMP_PREFIX) :].split("-", 1)[0]
        if pid.isdigit() and not _alive(int(pid)):
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)


def _temporary(dest: Path) -> Path:
    # the name keeps dest's ending: Keras and NumPy choose the format by it
    return dest.with_name(f"{TMP_PREFIX}{os.getpid()}-{dest.name}")


def fsync(path: Path) -> None:
    """Write to disk every page of ``path`` that any process changed, mapped or written."""
    with path.open("rb+") as f:
        os.fsync(f.fileno())


def replace(src: str | Path, dest: str | Path) -> None:
    """Rename ``src`` over ``dest`` atomically, replacing a folder too.

    This is the one place galaxylib renames a finished file or folder into place.
    ``src`` lies on the same disk as ``dest``: in its folder, or in a
    :func:`staging_dir` there.
    """
    src, dest = Path(src), Path(dest)
    if dest.is_dir() and not dest.is_symlink():
        old = _temporary(dest.with_name(dest.name + ".old"))
        os.replace(dest, old)
        os.replace(src, dest)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(src, dest)


@contextmanager
def atomic_path(dest: str | Path) -> Iterator[Path]:
    """A temporary path to write ``dest``'s new content to; renamed over ``dest`` at the end.

    If the block raises (or the process is killed), ``dest`` is left as it was and the
    temporary file is removed (or later by :func:`remove_leftovers`).

    Examples
    --------
    >>> with atomic_path(folder / "model.keras") as tmp:  # doctest: +SKIP
    ...     net.save(tmp)
    """
    dest = Path(dest)
    remove_leftovers(dest.parent)
    tmp = _temporary(dest)
    try:
        yield tmp
        if tmp.is_file():
            fsync(tmp)
        replace(tmp, dest)
    finally:
        if tmp.is_dir() and not tmp.is_symlink():
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            tmp.unlink(missing_ok=True)


def write_text(dest: str | Path, text: str) -> None:
    """Write ``text`` to ``dest`` atomically (see :func:`atomic_path`)."""
    with atomic_path(dest) as tmp:
        tmp.write_text(text, encoding="utf-8")


def write_bytes(dest: str | Path, data: bytes) -> None:
    """Write ``data`` to ``dest`` atomically (see :func:`atomic_path`)."""
    with atomic_path(dest) as tmp:
        tmp.write_bytes(data)


@contextmanager
def staging_dir(parent: str | Path, label: str) -> Iterator[Path]:
    """A hidden folder in ``parent`` to build something in; removed when the block ends.

    A killed run's staging folder is removed by the next run's :func:`remove_leftovers`.
    """
    parent = Path(parent)
    remove_leftovers(parent)
    folder = parent / f"{TMP_PREFIX}{os.getpid()}-{label}"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def lock_path(thing: str | Path) -> Path:
    """The lock file beside ``thing``: ``.NAME.lock`` in its folder."""
    thing = Path(thing)
    return thing.with_name(f".{thing.name}.lock")


@contextmanager
def exclusive(thing: str | Path, *, wait: str = "", refuse: str = "") -> Iterator[None]:
    """Hold the lock of ``thing`` (its :func:`lock_path`) for the block.

    The operating system releases the lock when its process ends, however it ends, so a
    killed process never leaves a stale lock. Where there is no ``fcntl`` (Windows), or
    the lock cannot be written (a read-only folder, which the block itself will then
    report), the block runs unlocked.

    Parameters
    ----------
    thing : path
        What the block makes; its folder is created if missing.
    wait : str, optional
        Printed when another process holds the lock, before waiting for it.
    refuse : str, optional
        If given, a process that finds the lock held does not wait: it raises
        :class:`GalaxyLibError` with this sentence.
    """
    lock = lock_path(thing)
    try:
        lock.parent.mkdir(parents=True, exist_ok=True)
        handle = lock.open("a")
    except OSError:  # a folder that cannot be written: the block itself will say so
        handle = None
    if fcntl is None or handle is None:  # pragma: no cover
        yield
        return
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if refuse:
                raise GalaxyLibError(refuse) from None
            if wait:
                print(wait, file=sys.stderr, flush=True)
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def check_out_path(path: str | Path, what: str, *, suffix: str = "", example: str = "") -> Path:
    """Refuse, in one sentence, an ``--out`` that cannot name the file to write.

    Whether the file may be overwritten is the caller's to say.

    Parameters
    ----------
    path : str or Path
        The file the command will write.
    what : str
        What it writes, for the messages (``"CSV file"``, ``"model file"``).
    suffix : str, optional
        The ending the file must have (``".keras"``); any ending when empty.
    example : str, optional
        A file name to suggest when ``path`` is a folder (``"model.keras"``).

    Returns
    -------
    Path
        ``path``.

    Raises
    ------
    GalaxyLibError
        If ``path`` is a folder, does not end in ``suffix``, or lies in a folder that
        does not exist.
    """
    path = Path(path)
    if path.is_dir():
        such_as = f", such as {path / example}" if example else ""
        raise GalaxyLibError(f"{path} is a folder; --out names the {what} to write{such_as}.")
    if suffix and path.suffix != suffix:
        raise GalaxyLibError(f"The {what} {path} must end in {suffix}; rename it.")
    if not path.parent.is_dir():
        raise GalaxyLibError(
            f"The folder {path.parent} does not exist; create it (mkdir -p {path.parent}) or "
            "choose another --out."
        )
    return path


def shown_path(path: str | Path) -> str:
    """``path`` as a reader can use it: relative to here when near, else from ``~``.

    Messages and notebook outputs name files this way, so that a page built on one
    machine shows no folder of that machine (``../data/sky-small``, not ``/tmp/.../data``).
    """
    path = Path(path).resolve()
    relative = Path(os.path.relpath(path, Path.cwd()))
    if relative.parts.count("..") <= 1:
        return relative.as_posix()
    try:
        return "~/" + path.relative_to(Path.home()).as_posix()
    except ValueError:
        return path.as_posix()


def sha256(path: str | Path) -> str:
    """The SHA-256 digest of the file at ``path``, in hexadecimal.

    The file is read a mebibyte at a time, so that a large one (a ``.deb``, a network's
    weights) is never held in memory whole. (``hashlib.file_digest`` does the same from
    Python 3.11; galaxylib also runs on 3.10.)
    """
    digest = hashlib.sha256()
    with Path(path).open("rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def path_tag(path: str | Path) -> str:
    """A folder name for the folder ``path``: its name and a digest of its place.

    Its last part, a dash and 8 hexadecimal digits of a digest of its full path
    (``sky-small-1a2b3c4d``), so that two data sets of one name get folders apart.
    """
    resolved = Path(path).resolve()
    return f"{resolved.name}-{hashlib.sha256(str(resolved).encode()).hexdigest()[:8]}"


def format_bytes(n: float) -> str:
    """``1.5 GB``-style size."""
    for unit in ("bytes", "kB", "MB", "GB"):
        if abs(n) < 1000 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "bytes" else f"{n:.1f} {unit}"
        n /= 1000
    raise AssertionError  # pragma: no cover


def _existing(folder: Path) -> Path:
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    return folder


def require_space(folder: str | Path, needed: int, what: str, elsewhere: str = "") -> None:
    """Refuse to start a job that needs ``needed`` bytes in ``folder`` when they are not free.

    Parameters
    ----------
    folder : path
        Where the job writes (it may not exist yet).
    needed : int
        Bytes it will write.
    what : str
        What it writes, for the message (``"The improved-64-gray cache"``).
    elsewhere : str
        Another way out, for the message (``"pass --cache DIR to keep it on another disk"``).
    """
    free = shutil.disk_usage(_existing(Path(folder))).free
    if needed > free:
        raise GalaxyLibError(
            f"{what} needs {format_bytes(needed)} in {folder}, but only {format_bytes(free)} "
            f"is free there; free some space{_or(elsewhere)} and run it again."
        )


def _or(elsewhere: str) -> str:
    return f", or {elsewhere}," if elsewhere else ""


def is_full(err: BaseException) -> bool:
    """Whether ``err`` says that the disk is full (HDF5 puts the errno in its text)."""
    code = getattr(err, "errno", None)
    text = str(err)
    return code in _FULL or "errno = 28" in text or "No space left" in text


def disk_error(
    err: BaseException, folder: str | Path, elsewhere: str = ""
) -> GalaxyLibError | None:
    """The sentence for a full disk or a folder that cannot be written, else ``None``."""
    if is_full(err):
        return GalaxyLibError(
            f"The disk holding {folder} is full; free some space there{_or(elsewhere)} and "
            "run it again."
        )
    code = getattr(err, "errno", None)
    if code in _READ_ONLY or "Read-only file system" in str(err):
        reason = "is read-only" if code in (errno.EROFS, None) else "is not writable by you"
        return GalaxyLibError(
            f"{folder} {reason}; {elsewhere or 'choose a folder you can write to'}, then run "
            "it again."
        )
    return None


@contextmanager
def disk_errors(folder: str | Path, elsewhere: str = "") -> Iterator[None]:
    """Turn a full disk or an unwritable folder inside the block into one sentence.

    Parameters
    ----------
    folder : path
        The folder the block writes to, named in the message.
    elsewhere : str
        Another way out, for the message (``"pass --cache DIR to keep it elsewhere"``).
    """
    try:
        yield
    except OSError as err:
        sentence = disk_error(err, folder, elsewhere)
        if sentence is None:
            raise
        raise sentence from None


def write_csv(table: pd.DataFrame, out: str | Path, *, force: bool = False) -> Path:
    """Write a table to CSV atomically, refusing to overwrite a file without ``force``."""
    out = check_out_path(out, "CSV file")
    if out.exists() and not force:
        raise GalaxyLibError(f"{out} already exists; pass --force to overwrite it.")
    with disk_errors(out.parent, "choose another --out"), atomic_path(out) as tmp:
        table.to_csv(tmp, index=False, float_format="%.6f")
    return out
