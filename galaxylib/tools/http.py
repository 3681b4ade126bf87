"""A download that survives a dropped connection: resumed, checked, then renamed.

:func:`fetch` writes to ``<dest>.part``, asks only for the missing bytes when that file
exists, checks the size (and the SHA-256 when one is given) and only then gives the
file its final name. It knows nothing of Galaxy Zoo: :mod:`galaxylib.tools.download` uses it
for Kaggle's files and for any zip URL.
"""

from __future__ import annotations

import base64
import hashlib
import http.client
import re
from pathlib import Path
from urllib.error import HTTPError, URLError
from urllib.request import Request, urlopen

from galaxylib import __version__
from galaxylib.errors import DataError, GalaxyLibError
from galaxylib.tools.files import replace
from galaxylib.tools.progress import progress_bar

__all__ = ["TIMEOUT", "fetch"]

TIMEOUT = 60.0
"""Seconds to wait for a connection or for the next bytes of a download."""

_CHUNK = 1 << 20
_USER_AGENT = f"galaxylib/{__version__} (urllib)"
_CONTENT_RANGE = re.compile(r"bytes\s+(?:(\d+)-\d+|\*)/(\d+|\*)")
_NETWORK_ERRORS = (URLError, ConnectionError, TimeoutError, http.client.HTTPException)


def fetch(
    url: str,
    dest: str | Path,
    *,
    sha256: str | None = None,
    auth: tuple[str, str] | None = None,
    messages: dict[int, str] | None = None,
    timeout: float = TIMEOUT,
) -> Path:
    """Download ``url`` to ``dest``, resuming an earlier attempt.

    The bytes go to ``<dest>.part`` first. When that file exists, only the rest is
    asked for (``Range: bytes=N-``); a server that answers 206 has its bytes
    appended, one that answers 200 starts the file again. The file is renamed to
    ``dest`` only once its size matches the server's and its SHA-256 (if given)
    matches ``sha256``.

    Parameters
    ----------
    url : str
        An ``http(s)://`` address.
    dest : path
        The file to write; its folder is made if needed.
    sha256 : str, optional
        Expected SHA-256 of the whole file, in hex.
    auth : (username, key), optional
        HTTP basic credentials. They go to ``url`` only: a redirect (such as Kaggle's
        to signed storage URLs) is followed without them.
    messages : dict of int to str, optional
        Sentences to raise for given HTTP status codes, instead of the generic one.
    timeout : float, default 60
        Seconds to wait for the connection and for each read.

    Returns
    -------
    Path
        ``dest``.

    Raises
    ------
    GalaxyLibError
        If the server cannot be reached, answers with an error, or the connection
        drops before the end (the partial file is kept, so running again resumes).
    DataError
        If the file's SHA-256 is not ``sha256`` (the file is removed).
    """
    dest = Path(dest)
    part = dest.with_name(dest.name + ".part")
    dest.parent.mkdir(parents=True, exist_ok=True)
    try:
        _transfer(_request(url, part, auth), part, url, timeout)
    except HTTPError as err:
        err.close()
        if not _already_complete(err, part):
            raise GalaxyLibError(_http_message(url, err, messages or {})) from None
    except _NETWORK_ERRORS as err:
        reason = getattr(err, "reason", None) or str(err) or type(err).__name__
        raise GalaxyLibError(
            f"Could not reach {url} ({reason}); check the connection and run the command "
            "again — the download resumes where it stopped."
        ) from None
    if sha256:
        _verify(part, sha256.strip().lower(), url)
    replace(part, dest)
    return dest


def _request(url: str, part: Path, auth: tuple[str, str] | None) -> Request:
    request = Request(url, headers={"User-Agent": _USER_AGENT})
    done = part.stat().st_size if part.exists() else 0
    if done:
        request.add_header("Range", f"bytes={done}-")  # kept across redirects
    if auth:
        token = base64.b64encode(f"{auth[0]}:{auth[1]}".encode()).decode("ascii")
        request.add_unredirected_header("Authorization", f"Basic {token}")  # dropped on redirect
    return request


def _transfer(request: Request, part: Path, url: str, timeout: float) -> None:
    """Write the response to ``part`` (appending on 206) and check its size."""
    with urlopen(request, timeout=timeout) as response:
        start, total = _span(response, part, url)
        with (
            part.open("r+b" if start else "wb") as out,
            progress_bar(
                total=total,
                initial=start,
                desc=part.name[: -len(".part")],
                unit="B",
                unit_scale=True,
                unit_divisor=1024,
                leave=False,
            ) as bar,
        ):
            out.seek(start)
            out.truncate()
            while chunk := response.read(_CHUNK):
                out.write(chunk)
                bar.update(len(chunk))
    size = part.stat().st_size
    if total is not None and size < total:
        raise GalaxyLibError(
            f"The download of {url} stopped at {size:,} of {total:,} bytes; run the command "
            "again to resume it."
        )
    if total is not None and size > total:
        part.unlink()
        raise DataError(
            f"{url} sent {size:,} bytes where it announced {total:,}, so the download was "
            "removed; run the command again."
        )


def _span(response: http.client.HTTPResponse, part: Path, url: str) -> tuple[int, int | None]:
    """Offset in the file where the response's bytes go, and the file's size if known."""
    if response.status != 206:
        length = response.headers.get("Content-Length")
        return 0, int(length) if length else None
    match = _CONTENT_RANGE.fullmatch(response.headers.get("Content-Range", "").strip())
    if not match or match.group(1) is None or int(match.group(1)) != part.stat().st_size:
        part.unlink()
        raise GalaxyLibError(
            f"{url} resumed the download at the wrong place, so the partial file was removed; "
            "run the command again to start afresh."
        )
    return int(match.group(1)), None if match.group(2) == "*" else int(match.group(2))


def _already_complete(err: HTTPError, part: Path) -> bool:
    """A 416 for a partial file that already holds every byte (e.g. stopped before renaming)."""
    if err.code != 416 or not part.exists():
        return False
    match = _CONTENT_RANGE.fullmatch((err.headers.get("Content-Range") or "").strip())
    return match is not None and match.group(2) == str(part.stat().st_size)


def _http_message(url: str, err: HTTPError, messages: dict[int, str]) -> str:
    if err.code in messages:
        return messages[err.code]
    return (
        f"{url} answered HTTP {err.code} ({err.reason}); check the address and run the "
        "command again."
    )


def _verify(part: Path, expected: str, url: str) -> None:
    digest = hashlib.sha256()
    with part.open("rb") as f:
        while chunk := f.read(_CHUNK):
            digest.update(chunk)
    if digest.hexdigest() != expected:
        part.unlink()
        raise DataError(
            f"The file from {url} has SHA-256 {digest.hexdigest()}, not the expected "
            f"{expected}, so it was removed; check the checksum and the URL, then run the "
            "command again."
        )
