"""Getting the real Galaxy Zoo training set onto a learner's machine.

Two ways, one call each:

- :func:`download_kaggle` fetches the two files of the Kaggle competition
  ``galaxy-zoo-the-galaxy-challenge`` that the course needs (the catalog and the
  61,578 training images) with the learner's Kaggle API token;
- :func:`download_zip` fetches any zip URL that holds the same files, such as the
  report's ``https://physics.sh/galaxyclass-data.zip``.

Both go through :func:`fetch` (from :mod:`galaxylib.tools.http`), which resumes an
interrupted download, checks its size (and its SHA-256 when one is given) and only
then gives the file its final name. The zip is unpacked safely, the catalog and the
image folder are moved into the data directory in the Kaggle layout or the report's,
checked, and the zip is deleted. A data directory that already holds a complete data
set is left alone unless ``force`` is set. The tests never reach the internet: they
serve small files in the real format from a server on 127.0.0.1.
"""

from __future__ import annotations

import json
import os
import re
import zipfile
import zlib
from pathlib import Path, PurePosixPath
from urllib.parse import urlparse

from galaxylib.config import data_root
from galaxylib.data import LAYOUTS, find_layout, load_catalog
from galaxylib.errors import DataError, GalaxyLibError
from galaxylib.tools.files import disk_errors, replace, staging_dir
from galaxylib.tools.http import fetch
from galaxylib.tools.progress import progress_bar

__all__ = [
    "DEFAULT_DIR",
    "KAGGLE_API",
    "KAGGLE_COMPETITION",
    "KAGGLE_FILES",
    "download_kaggle",
    "download_zip",
    "fetch",
    "kaggle_credentials",
]

DEFAULT_DIR = "galaxyzoo"
"""Folder under the data root (``GALAXYLIB_DATA``) that receives the real data by default."""

KAGGLE_API = "https://www.kaggle.com/api/v1"
"""Base URL of Kaggle's API; tests point it at a local server."""

KAGGLE_COMPETITION = "galaxy-zoo-the-galaxy-challenge"
"""The competition whose training set the course uses."""

KAGGLE_FILES = ("training_solutions_rev1.zip", "images_training_rev1.zip")
"""The competition's files the course needs: the catalog and the training images."""

KAGGLE_RULES = f"https://www.kaggle.com/c/{KAGGLE_COMPETITION}/rules"

# Names (before the first dot) of the files and folders an accepted layout is made of.
_NEEDED = {name.split(".")[0] for layout in LAYOUTS for name in layout}
_TOKEN_HELP = "create one on kaggle.com (Settings → API → Create New Token)"


# --------------------------------------------------------------------- the two sources


def download_zip(
    url: str, root: str | Path | None = None, *, sha256: str | None = None, force: bool = False
) -> Path:
    """Download a zip of the Galaxy Zoo training set and install it in ``root``.

    The zip may hold the catalog and image folder in either accepted layout (see
    :data:`galaxylib.data.LAYOUTS`), inside a top-level folder or not, or zips of
    them (as Kaggle's "download all" zip does).

    Parameters
    ----------
    url : str
        Address of the zip, e.g. the report's ``https://physics.sh/galaxyclass-data.zip``.
    root : path, optional
        Data directory to fill (default: ``$GALAXYLIB_DATA/galaxyzoo``).
    sha256 : str, optional
        Expected SHA-256 of the zip.
    force : bool, default False
        Download again even if ``root`` already holds a complete data set.

    Returns
    -------
    Path
        The data directory, ready for :func:`galaxylib.data.load_catalog`.

    Raises
    ------
    GalaxyLibError
        If the download fails (running again resumes it); a 404 says the link is gone.
    DataError
        If the zip is corrupt, unsafe, or does not hold a Galaxy Zoo training set.
    """
    address = urlparse(url)
    if address.scheme not in ("http", "https") or not address.netloc:
        raise GalaxyLibError(
            f"--url {url!r} is not a web address; give one starting with https:// "
            "(such as https://physics.sh/galaxyclass-data.zip)."
        )
    root = _data_dir(root)
    if not force and _already_there(root):
        return root
    archive = root / (PurePosixPath(address.path).name or "galaxyzoo.zip")
    with disk_errors(root, "choose another --out"):
        if force:
            archive.unlink(missing_ok=True)
        if not archive.exists():
            gone = (
                f"{url} answered 404 (not found): the link is gone; get the data from Kaggle "
                "instead with `galaxylib download` (without --url)."
            )
            fetch(url, archive, sha256=sha256, messages={404: gone})
        _install([archive], root)
    return root


def download_kaggle(
    root: str | Path | None = None,
    *,
    force: bool = False,
    credentials: tuple[str, str] | None = None,
    api_url: str = KAGGLE_API,
) -> Path:
    """Download the Kaggle competition's catalog and training images into ``root``.

    Fetches :data:`KAGGLE_FILES` from the competition ``galaxy-zoo-the-galaxy-challenge``
    with the learner's API token (see :func:`kaggle_credentials`). Kaggle refuses
    (HTTP 403) until the competition's rules have been accepted on its website.

    Parameters
    ----------
    root : path, optional
        Data directory to fill (default: ``$GALAXYLIB_DATA/galaxyzoo``).
    force : bool, default False
        Download again even if ``root`` already holds a complete data set.
    credentials : (username, key), optional
        A Kaggle API token; by default it is looked up as :func:`kaggle_credentials` says.
    api_url : str, default KAGGLE_API
        Base URL of Kaggle's API.

    Returns
    -------
    Path
        The data directory, in the Kaggle layout.

    Raises
    ------
    GalaxyLibError
        If there is no token, Kaggle refuses it or the rules are not accepted, or the
        download fails (running again resumes it).
    DataError
        If a zip is corrupt or does not hold what it should.
    """
    root = _data_dir(root)
    if not force and _already_there(root):
        return root
    auth = kaggle_credentials(credentials)
    messages = {
        401: f"Kaggle did not accept the API token of user {auth[0]!r} (401); "
        f"{_TOKEN_HELP}, save it as {_token_path()} or set KAGGLE_USERNAME and KAGGLE_KEY, "
        "then run this again.",
        403: f"Kaggle refused the download (403): accept the competition's rules at "
        f"{KAGGLE_RULES} while signed in, then run this again.",
    }
    archives = [root / name for name in KAGGLE_FILES]
    with disk_errors(root, "choose another --out"):
        for archive in archives:
            if force:
                archive.unlink(missing_ok=True)
            if not archive.exists():
                url = f"{api_url}/competitions/data/download/{KAGGLE_COMPETITION}/{archive.name}"
                fetch(url, archive, auth=auth, messages=messages)
        _install(archives, root)
    return root


def kaggle_credentials(credentials: tuple[str, str] | None = None) -> tuple[str, str]:
    """Find the learner's Kaggle API token.

    Looks, in order, at ``credentials``, the environment variables ``KAGGLE_USERNAME``
    and ``KAGGLE_KEY``, and ``kaggle.json`` in ``$KAGGLE_CONFIG_DIR`` (default
    ``~/.kaggle``), the file that Kaggle's "Create New Token" button gives.

    Parameters
    ----------
    credentials : (username, key), optional

    Returns
    -------
    (username, key) : tuple of str

    Raises
    ------
    GalaxyLibError
        If no token is found, with a sentence saying how to make one.
    DataError
        If ``kaggle.json`` is not a token file.
    """
    if credentials:
        return credentials
    username, key = os.environ.get("KAGGLE_USERNAME"), os.environ.get("KAGGLE_KEY")
    if username and key:
        return username, key
    path = _token_path()
    if path.is_file():
        return _read_token(path)
    raise GalaxyLibError(
        f"No Kaggle API token found: {_TOKEN_HELP} and save the kaggle.json it gives as "
        f"{path}, or set KAGGLE_USERNAME and KAGGLE_KEY (on Colab, upload kaggle.json there "
        "or copy the two values from Colab secrets into os.environ)."
    )


def _token_path() -> Path:
    return Path(os.environ.get("KAGGLE_CONFIG_DIR") or Path.home() / ".kaggle") / "kaggle.json"


def _read_token(path: Path) -> tuple[str, str]:
    try:
        token = json.loads(path.read_text(encoding="utf-8"))
        return str(token["username"]), str(token["key"])
    except (ValueError, KeyError, TypeError):
        raise DataError(
            f'{path} is not a Kaggle API token (a JSON file with "username" and "key"); '
            f"{_TOKEN_HELP} and put the new kaggle.json there."
        ) from None


# ------------------------------------------------------------------- the data directory


def _data_dir(root: str | Path | None) -> Path:
    root = Path(root) if root is not None else data_root() / DEFAULT_DIR
    if root.exists() and not root.is_dir():
        raise GalaxyLibError(f"{root} is a file, not a folder; choose a folder for --out.")
    with disk_errors(root.parent, "choose another --out"):
        root.mkdir(parents=True, exist_ok=True)
    return root


def _already_there(root: Path) -> bool:
    """Say so and return True if ``root`` holds a complete data set."""
    try:
        csv_path, images_dir = find_layout(root)
    except DataError:
        return False
    if not images_dir.is_dir():
        return False
    n_images = sum(1 for _ in images_dir.glob("*.jpg"))
    with csv_path.open(encoding="utf-8", errors="replace") as f:
        n_rows = sum(1 for line in f if line.strip()) - 1
    if not n_images or n_images != n_rows:
        return False
    print(
        f"{root} already holds a complete data set ({n_rows:,} galaxies), so nothing was "
        "downloaded; use --force (force=True) to fetch it again."
    )
    return True


def _install(archives: list[Path], root: Path) -> None:
    """Unpack ``archives``, move the catalog and images into ``root``, check, delete them."""
    with staging_dir(root, "unpacking") as staging:
        for archive in archives:
            _unpack(archive, staging)
        csv_path, images_dir = _locate(staging, archives)
        replace(images_dir, root / images_dir.name)
        replace(csv_path, root / csv_path.name)
    catalog = load_catalog(root, skip_bad=True)
    if len(catalog.skipped):
        print(
            f"{len(catalog.skipped)} of the catalog's rows are unusable (see "
            f"`galaxylib check {root}`); load_catalog(skip_bad=True) leaves them out."
        )
    for archive in archives:
        archive.unlink()


def _unpack(archive: Path, dest: Path) -> None:
    """Unzip ``archive`` into ``dest``, then the zips it held, each into a folder of its name.

    When some inner zips are named like the files the course needs (as in Kaggle's
    "download all" zip), the others (test images, benchmarks) are deleted unopened.
    """
    _unzip(archive, dest, archive)
    while inner := sorted(dest.rglob("*.zip")):
        wanted = [p for p in inner if p.name.split(".")[0] in _NEEDED] or inner
        for path in inner:
            if path in wanted:
                _unzip(path, path.with_suffix(""), archive)
            path.unlink()


def _unzip(path: Path, dest: Path, origin: Path) -> None:
    """Extract every member of ``path`` into ``dest``; ``origin`` is the downloaded zip."""
    try:
        with zipfile.ZipFile(path) as zf:
            members = zf.infolist()
            for info in members:
                _check_member(info.filename, origin)
            for info in progress_bar(
                members, desc=f"unpacking {path.name}", unit="file", leave=False
            ):
                zf.extract(info, dest)
    except (zipfile.BadZipFile, zlib.error, EOFError) as err:
        origin.unlink(missing_ok=True)
        raise DataError(
            f"{origin} is not a complete zip file ({err}), so it was removed; run the "
            "command again to download it afresh."
        ) from None


def _check_member(name: str, origin: Path) -> None:
    member = PurePosixPath(name.replace("\\", "/"))
    if member.is_absolute() or ".." in member.parts or re.match(r"[A-Za-z]:", name):
        origin.unlink(missing_ok=True)
        raise DataError(
            f"{origin} holds {name!r}, a path outside the folder it unpacks into, so it was "
            "refused and removed; get the data from a source you trust."
        )


def _locate(staging: Path, archives: list[Path]) -> tuple[Path, Path]:
    """The catalog and image folder of one accepted layout, anywhere under ``staging``."""
    for csv_name, images_name in LAYOUTS:
        catalogs = [p for p in staging.rglob(csv_name) if p.is_file() and _kept(p)]
        folders = [
            p
            for p in staging.rglob(images_name)
            if p.is_dir() and _kept(p) and any(p.glob("*.jpg"))
        ]
        if catalogs and folders:
            return catalogs[0], folders[0]
    names = ", ".join(str(a) for a in archives)
    for archive in archives:  # never reuse a download that holds the wrong thing
        archive.unlink(missing_ok=True)
    raise DataError(
        f"{names} held no {LAYOUTS[0][0]} with an {LAYOUTS[0][1]}/ folder of JPEGs (nor the "
        f"report's {LAYOUTS[1][0]} with {LAYOUTS[1][1]}/), so it was removed; check that the "
        "URL is the Galaxy Zoo training set."
    )


def _kept(path: Path) -> bool:
    """False for macOS resource-fork copies (``__MACOSX/``)."""
    return "__MACOSX" not in path.parts
