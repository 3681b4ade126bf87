"""The photographs of :mod:`galaxylib.realsky`, out of Debian's ``stellarium-data``.

:func:`fetch_photographs` gets the package once -- through ``apt-get download`` where apt
exists, otherwise from a Debian mirror over HTTPS (:func:`galaxylib.tools.download.fetch`)
-- checks its SHA-256, reads the ``.deb`` in Python (an ``ar`` archive holding
``data.tar.xz``) and keeps only the listed photographs, with each image's credit as the
package gives it.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import tarfile
from collections.abc import Sequence
from pathlib import Path
from typing import BinaryIO, Literal

import pandas as pd

from galaxylib.config import data_root
from galaxylib.errors import DataError, GalaxyLibError
from galaxylib.tools.download import fetch
from galaxylib.tools.files import atomic_path, replace, staging_dir, write_bytes
from galaxylib.tools.files import sha256 as file_sha256

__all__ = [
    "CREDITS_FILE",
    "DEB_SHA256",
    "DEB_URL",
    "DEB_VERSION",
    "IMAGE_DIR",
    "fetch_photographs",
    "read_members",
]

PACKAGE = "stellarium-data"
DEB_VERSION = "0.22.2-1"
"""The version of ``stellarium-data`` the course reads (Debian 12 "bookworm")."""
DEB_URL = f"https://deb.debian.org/debian/pool/main/s/stellarium/{PACKAGE}_{DEB_VERSION}_all.deb"
DEB_SHA256 = "45aaebf39a814acbd6dcccea058c2f5651bcb5635599da03a215feeb51f4d5a5"
IMAGE_DIR = "usr/share/stellarium/nebulae/default"
"""Where the package keeps its galaxy photographs (and ``textures.json``, their credits)."""
DEFAULT_DIR = "realsky"
"""Folder under the data root that receives the photographs."""
CREDITS_FILE = "credits.csv"

_CREDIT = re.compile(r'"imageCredits"\s*:\s*(\{[^}]*\})\s*,\s*"imageUrl"\s*:\s*"([^"]+)"')
_FIELD = re.compile(r'"(short|infoUrl)"\s*:\s*"([^"]*)"', re.IGNORECASE)


def fetch_photographs(
    root: str | Path | None = None,
    *,
    files: Sequence[str] | None = None,
    url: str = DEB_URL,
    sha256: str = DEB_SHA256,
    version: str = DEB_VERSION,
    force: bool = False,
) -> Path:
    """Get the listed photographs from ``stellarium-data`` into ``root``, once.

    Tries ``apt-get download stellarium-data=<version>`` first, then ``url``; either
    ``.deb`` must have the SHA-256 ``sha256``. The download resumes after an
    interruption, each photograph is written atomically, ``credits.csv`` (each
    photograph's credit, from the package's ``textures.json``) is written last, and
    the ``.deb`` is deleted once everything is out of it.

    Parameters
    ----------
    root : path, optional
        Folder for the photographs (default ``$GALAXYLIB_DATA/realsky``).
    files : sequence of str, optional
        Photographs to keep, without ``.png`` (default: the ``file`` column of
        :func:`galaxylib.realsky.label_table`).
    url, sha256, version : str
        Where the ``.deb`` is on a Debian mirror, its checksum, and its version.
    force : bool, default False
        Fetch again even when every photograph is already there.

    Returns
    -------
    Path
        ``root``, holding ``<file>.png`` for each file and ``credits.csv``.

    Raises
    ------
    GalaxyLibError
        If neither apt nor the mirror gives the package (one sentence saying both).
    DataError
        If the package lacks a listed photograph or is not a readable ``.deb``.
    """
    root = Path(root) if root is not None else data_root() / DEFAULT_DIR
    if files is None:
        from galaxylib.realsky import label_table

        files = label_table()["file"].tolist()
    files = list(files)
    if not force and _complete(root, files):
        return root
    root.mkdir(parents=True, exist_ok=True)
    deb = root / f"{PACKAGE}_{version}_all.deb"
    if not deb.exists():
        _get_deb(deb, url, sha256, version)
    _extract(deb, root, files)
    deb.unlink()
    return root


def _complete(root: Path, files: list[str]) -> bool:
    return (root / CREDITS_FILE).is_file() and all((root / f"{f}.png").is_file() for f in files)


def _get_deb(deb: Path, url: str, sha256: str, version: str) -> None:
    apt_said = _apt_download(deb, sha256, version)
    if apt_said is None:
        return
    try:
        fetch(url, deb, sha256=sha256)
    except GalaxyLibError as err:  # a DataError (bad checksum) stays one
        raise type(err)(
            f"Could not get {PACKAGE} {version}: apt-get download {apt_said}, and from the "
            f"mirror: {err}"
        ) from None


def _apt_download(deb: Path, sha256: str, version: str) -> str | None:
    """Fetch the package with apt into ``deb``; None on success, else what went wrong."""
    if shutil.which("apt-get") is None:
        return "is not available (no apt on this machine)"
    with staging_dir(deb.parent, "apt") as folder:
        run = subprocess.run(
            ["apt-get", "download", "-q", f"{PACKAGE}={version}"],
            cwd=folder,
            capture_output=True,
            text=True,
            check=False,
        )
        found = sorted(folder.glob("*.deb"))
        if run.returncode or not found:
            lines = (run.stderr or run.stdout).strip().splitlines()
            errors = [line for line in lines if line.startswith("E:")] or lines or ["no .deb"]
            return f"failed ({errors[-1]})"
        if file_sha256(found[0]) != sha256:
            return f"gave a {found[0].name} whose SHA-256 is not {sha256}"
        replace(found[0], deb)
        return None


def _extract(deb: Path, root: Path, files: list[str]) -> None:
    """Write the listed photographs and their credits out of ``deb`` into ``root``."""
    wanted = {f"{IMAGE_DIR}/{name}.png": root / f"{name}.png" for name in files}
    textures = f"{IMAGE_DIR}/textures.json"
    found = read_members(deb, [*wanted, textures])
    for name, path in wanted.items():
        write_bytes(path, found[name])
    credits_text = found[textures].decode("utf-8", errors="replace")
    with atomic_path(root / CREDITS_FILE) as tmp:
        _credits(credits_text, files).to_csv(tmp, index=False)


def read_members(deb: Path, names: Sequence[str]) -> dict[str, bytes]:
    """The files ``names`` out of the ``.deb`` ``deb``, read in Python.

    ``names`` are paths inside the package, such as ``f"{IMAGE_DIR}/m65.png"``; a
    :class:`DataError` names those the package lacks.
    """
    wanted, found = set(names), {}
    with deb.open("rb") as raw:
        member, size = _data_member(raw, deb)
        modes: dict[str, Literal["r|xz", "r|gz", "r|bz2", "r|"]]
        modes = {".xz": "r|xz", ".gz": "r|gz", ".bz2": "r|bz2", ".tar": "r|"}
        mode = modes.get(Path(member).suffix)
        if mode is None:
            raise DataError(f"{deb} holds {member}, which Python cannot unpack; delete it.")
        try:
            with tarfile.open(fileobj=_Limited(raw, size), mode=mode) as tar:
                for info in tar:
                    name = info.name.removeprefix("./")
                    member_file = tar.extractfile(info) if info.isfile() else None
                    if member_file is not None and name in wanted:
                        found[name] = member_file.read()
        except (tarfile.TarError, EOFError, OSError) as err:
            raise DataError(f"{deb} is not a complete .deb ({err}); delete it and retry.") from None
    missing = [Path(name).name for name in names if name not in found]
    if missing:
        raise DataError(
            f"{deb} has no {', '.join(missing)} under {IMAGE_DIR}; check that it is "
            f"{PACKAGE} {DEB_VERSION}."
        )
    return found


def _data_member(raw: BinaryIO, deb: Path) -> tuple[str, int]:
    """Position ``raw`` at the ``data.tar.*`` member of the ``ar`` archive ``deb``."""
    if raw.read(8) != b"!<arch>\n":
        raise DataError(f"{deb} is not a .deb (no ar archive header); delete it and retry.")
    while len(header := raw.read(60)) == 60:
        name = header[:16].decode("ascii", errors="replace").strip().rstrip("/")
        size = int(header[48:58].decode("ascii").strip() or 0)
        if name.startswith("data.tar"):
            return name, size
        raw.seek(size + size % 2, os.SEEK_CUR)
    raise DataError(f"{deb} holds no data.tar member; delete it and retry.")


class _Limited(io.RawIOBase):
    """A read-only stream of the next ``size`` bytes of a file."""

    def __init__(self, raw: BinaryIO, size: int) -> None:
        super().__init__()
        self.raw, self.left = raw, size

    def readable(self) -> bool:
        return True

    def read(self, n: int = -1) -> bytes:
        n = self.left if n < 0 else min(n, self.left)
        data = self.raw.read(n)
        self.left -= len(data)
        return data


def _credits(textures: str, files: list[str]) -> pd.DataFrame:
    """Each photograph's credit (``short``) and link (``infoUrl``) from ``textures.json``."""
    found = {}
    for fields, image in _CREDIT.findall(textures):
        values = {k.lower(): v.strip() for k, v in _FIELD.findall(fields)}
        found[image] = (values.get("short", ""), values.get("infourl", ""))
    rows = [(name, *found.get(f"{name}.png", ("", ""))) for name in files]
    return pd.DataFrame(rows, columns=["file", "credit", "info_url"])
