"""Tests of galaxylib.tools.download against a real HTTP server on 127.0.0.1.

Nothing here reaches the internet: the server serves files that the tests make in
the real format (a Kaggle-style catalog and 424x424 JPEGs, zipped as Kaggle zips them).
"""

from __future__ import annotations

import base64
import hashlib
import io
import re
import socket
import threading
import zipfile
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import cv2
import numpy as np
import pytest

from galaxylib.data import load_catalog
from galaxylib.errors import DataError, GalaxyLibError
from galaxylib.taxonomy import COLUMNS
from galaxylib.tools.cli import main
from galaxylib.tools.download import (
    KAGGLE_COMPETITION,
    download_kaggle,
    download_zip,
    fetch,
    kaggle_credentials,
)

IDS = (100008, 100023, 100053)


# ----------------------------------------------------------------------------- server


@dataclass
class Site:
    """What the local server serves, and what it was asked."""

    files: dict[str, bytes] = field(default_factory=dict)
    status: dict[str, int] = field(default_factory=dict)
    redirects: dict[str, str] = field(default_factory=dict)
    drop_after: dict[str, int] = field(default_factory=dict)  # serve this many bytes once
    ignore_range: bool = False
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    url: str = ""

    def headers_of(self, path: str) -> list[dict[str, str]]:
        return [headers for p, headers in self.requests if p == path]


class Server(ThreadingHTTPServer):
    site: Site


class Handler(BaseHTTPRequestHandler):
    server: Server

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        site = self.server.site
        site.requests.append((self.path, dict(self.headers)))
        if self.path in site.status:
            self.send_error(site.status[self.path])
        elif self.path in site.redirects:
            self.send_response(302)
            self.send_header("Location", site.redirects[self.path])
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif self.path in site.files:
            self._serve(site, site.files[self.path])
        else:
            self.send_error(404)

    def _serve(self, site: Site, data: bytes) -> None:
        start = 0
        match = re.fullmatch(r"bytes=(\d+)-", self.headers.get("Range", ""))
        if match and not site.ignore_range:
            start = int(match.group(1))
            if start >= len(data):
                self.send_response(416)
                self.send_header("Content-Range", f"bytes */{len(data)}")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
        else:
            self.send_response(200)
        body = data[start:]
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        cut = site.drop_after.pop(self.path, None)
        self.wfile.write(body if cut is None else body[:cut])  # then the connection closes


@pytest.fixture
def site():
    server = Server(("127.0.0.1", 0), Handler)
    server.site = Site(url=f"http://127.0.0.1:{server.server_port}")
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield server.site
    server.shutdown()
    server.server_close()


# ------------------------------------------------------------------------- test data


def catalog_csv(ids: tuple[int, ...] = IDS) -> bytes:
    """A catalog in the Kaggle format whose rows obey the decision tree."""
    ones = {"Class1.1", "Class6.2", "Class7.1"}  # smooth, nothing odd, completely round
    row = ",".join("1" if c in ones else "0" for c in COLUMNS)
    lines = ["GalaxyID," + ",".join(COLUMNS), *(f"{gid},{row}" for gid in ids)]
    return ("\n".join(lines) + "\n").encode()


def jpeg(seed: int) -> bytes:
    pixels = np.random.default_rng(seed).integers(0, 40, (424, 424, 3), dtype=np.uint8)
    ok, buf = cv2.imencode(".jpg", pixels)
    assert ok
    return buf.tobytes()


def make_zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


def training_set(
    csv: str = "training_solutions_rev1.csv", images: str = "images_training_rev1", prefix: str = ""
) -> dict[str, bytes]:
    members = {f"{prefix}{csv}": catalog_csv()}
    members.update({f"{prefix}{images}/{gid}.jpg": jpeg(gid) for gid in IDS})
    return members


def kaggle_zips() -> dict[str, bytes]:
    """The two competition files, as Kaggle serves them."""
    return {
        "training_solutions_rev1.zip": make_zip({"training_solutions_rev1.csv": catalog_csv()}),
        "images_training_rev1.zip": make_zip(
            {f"images_training_rev1/{gid}.jpg": jpeg(gid) for gid in IDS}
        ),
    }


def assert_installed(root: Path, csv: str = "training_solutions_rev1.csv") -> None:
    catalog = load_catalog(root)
    assert catalog.csv_path == root / csv
    assert sorted(catalog.ids) == sorted(IDS)
    leftovers = {p.name for p in root.iterdir()} - {csv, catalog.images_dir.name}
    assert leftovers == set(), "zips, .part files and staging folders are all gone"


# ---------------------------------------------------------------------------- fetch


def test_fetch_resumes_after_a_dropped_connection(site, tmp_path):
    data = np.random.default_rng(1).bytes(300_000)
    site.files["/big.bin"] = data
    site.drop_after["/big.bin"] = 100_000
    dest = tmp_path / "big.bin"

    with pytest.raises(GalaxyLibError, match="stopped at 100,000 of 300,000 bytes.*resume"):
        fetch(f"{site.url}/big.bin", dest)
    assert not dest.exists()
    assert (tmp_path / "big.bin.part").stat().st_size == 100_000

    sha = hashlib.sha256(data).hexdigest()
    assert fetch(f"{site.url}/big.bin", dest, sha256=sha.upper()) == dest
    assert dest.read_bytes() == data
    assert not (tmp_path / "big.bin.part").exists()
    first, second = site.headers_of("/big.bin")
    assert "Range" not in first
    assert second["Range"] == "bytes=100000-"


def test_fetch_restarts_when_the_server_ignores_range(site, tmp_path):
    data = np.random.default_rng(2).bytes(50_000)
    site.files["/f.bin"] = data
    site.ignore_range = True
    (tmp_path / "f.bin.part").write_bytes(b"stale bytes from another file")
    fetch(f"{site.url}/f.bin", tmp_path / "f.bin")
    assert (tmp_path / "f.bin").read_bytes() == data


def test_fetch_finishes_a_part_file_that_is_already_whole(site, tmp_path):
    data = b"x" * 1000
    site.files["/f.bin"] = data
    (tmp_path / "f.bin.part").write_bytes(data)  # stopped after the last byte, before renaming
    fetch(f"{site.url}/f.bin", tmp_path / "f.bin")
    assert (tmp_path / "f.bin").read_bytes() == data


def test_fetch_sha256_mismatch_keeps_nothing(site, tmp_path):
    site.files["/f.bin"] = b"galaxies" * 1000
    with pytest.raises(DataError, match="SHA-256.*removed"):
        fetch(f"{site.url}/f.bin", tmp_path / "f.bin", sha256="0" * 64)
    assert list(tmp_path.iterdir()) == []


def test_fetch_unreachable_server_is_one_sentence(tmp_path):
    with socket.socket() as s:  # a port that nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(GalaxyLibError, match=r"Could not reach .*check the connection.*resumes"):
        fetch(f"http://127.0.0.1:{port}/f.bin", tmp_path / "f.bin", timeout=5)


def test_fetch_http_error_names_the_url(site, tmp_path):
    site.status["/f.bin"] = 500
    with pytest.raises(GalaxyLibError, match=r"/f\.bin answered HTTP 500"):
        fetch(f"{site.url}/f.bin", tmp_path / "f.bin")


# ------------------------------------------------------------------------- zip URLs


def test_download_zip_with_a_wrapper_folder(site, tmp_path):
    site.files["/galaxyclass-data.zip"] = make_zip(training_set(prefix="galaxy-zoo/"))
    root = download_zip(f"{site.url}/galaxyclass-data.zip", tmp_path / "data")
    assert root == tmp_path / "data"
    assert_installed(root)


def test_download_zip_in_the_reports_layout(site, tmp_path):
    members = training_set("training_solutions.csv", "images_training")
    members["__MACOSX/images_training/._100008.jpg"] = b"resource fork"
    site.files["/d.zip"] = make_zip(members)
    root = download_zip(f"{site.url}/d.zip", tmp_path)
    assert_installed(root, csv="training_solutions.csv")


def test_download_zip_of_zips_like_kaggles_download_all(site, tmp_path):
    inner = kaggle_zips()
    inner["images_test_rev1.zip"] = make_zip({"images_test_rev1/1.jpg": jpeg(1)})
    site.files["/all.zip"] = make_zip(inner)
    root = download_zip(f"{site.url}/all.zip", tmp_path)
    assert_installed(root)


def test_download_zip_checks_sha256(site, tmp_path):
    site.files["/d.zip"] = make_zip(training_set())
    with pytest.raises(DataError, match="SHA-256"):
        download_zip(f"{site.url}/d.zip", tmp_path, sha256="ab" * 32)
    assert list(tmp_path.iterdir()) == []


def test_a_complete_data_set_is_not_downloaded_again_unless_forced(site, tmp_path, capsys):
    site.files["/d.zip"] = make_zip(training_set())
    download_zip(f"{site.url}/d.zip", tmp_path)
    assert len(site.requests) == 1

    assert download_zip(f"{site.url}/d.zip", tmp_path) == tmp_path
    assert download_kaggle(tmp_path, credentials=("u", "k"), api_url=site.url) == tmp_path
    assert len(site.requests) == 1
    assert "already holds a complete data set (3 galaxies)" in capsys.readouterr().out

    download_zip(f"{site.url}/d.zip", tmp_path, force=True)
    assert len(site.requests) == 2
    assert_installed(tmp_path)


def test_a_partial_data_set_is_completed(site, tmp_path):
    (tmp_path / "training_solutions_rev1.csv").write_bytes(catalog_csv())
    (tmp_path / "images_training_rev1").mkdir()  # the images never arrived
    site.files["/d.zip"] = make_zip(training_set())
    download_zip(f"{site.url}/d.zip", tmp_path)
    assert_installed(tmp_path)


def test_dead_link_points_to_kaggle(site, tmp_path):
    with pytest.raises(GalaxyLibError, match="link is gone.*Kaggle.*galaxylib download"):
        download_zip(f"{site.url}/galaxyclass-data.zip", tmp_path)


@pytest.mark.parametrize("bad", ["../evil.txt", "/tmp/evil.txt", "images/../../evil.txt"])
def test_zip_with_a_path_outside_the_folder_is_refused(site, tmp_path, bad):
    members = training_set()
    members[bad] = b"gotcha"
    site.files["/d.zip"] = make_zip(members)
    root = tmp_path / "data"
    with pytest.raises(DataError, match="outside the folder.*refused and removed"):
        download_zip(f"{site.url}/d.zip", root)
    assert not (tmp_path / "evil.txt").exists()
    assert list(root.iterdir()) == []


def test_corrupt_zip_is_removed(site, tmp_path):
    site.files["/d.zip"] = b"PK\x03\x04 this is not really a zip" * 100
    with pytest.raises(DataError, match="not a complete zip file.*removed.*again"):
        download_zip(f"{site.url}/d.zip", tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_zip_with_a_bad_crc_is_removed(site, tmp_path):
    data = bytearray(make_zip({"training_solutions_rev1.csv": b"A" * 5000}))
    data[data.index(b"PK\x01\x02") + 16] ^= 0xFF  # flip a byte of the CRC-32 on record
    site.files["/d.zip"] = bytes(data)
    with pytest.raises(DataError, match="not a complete zip file"):
        download_zip(f"{site.url}/d.zip", tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_zip_without_a_training_set_says_so(site, tmp_path):
    site.files["/d.zip"] = make_zip({"readme.txt": b"hello"})
    with pytest.raises(DataError, match="d.zip held no training_solutions_rev1.csv .* removed"):
        download_zip(f"{site.url}/d.zip", tmp_path)
    assert list(tmp_path.iterdir()) == []  # not kept to be reused by the next run


def test_default_root_is_under_the_data_root(site, tmp_path, monkeypatch):
    monkeypatch.setenv("GALAXYLIB_DATA", str(tmp_path))
    site.files["/d.zip"] = make_zip(training_set())
    assert download_zip(f"{site.url}/d.zip") == tmp_path / "galaxyzoo"


# --------------------------------------------------------------------------- Kaggle


def kaggle_path(name: str) -> str:
    return f"/competitions/data/download/{KAGGLE_COMPETITION}/{name}"


@pytest.fixture
def kaggle_env(monkeypatch, tmp_path):
    """No token anywhere: empty home and config folder, no environment variables."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("KAGGLE_CONFIG_DIR", str(home / "kaggle-config"))
    monkeypatch.delenv("KAGGLE_USERNAME", raising=False)
    monkeypatch.delenv("KAGGLE_KEY", raising=False)
    return monkeypatch


def test_kaggle_download_with_env_credentials(site, tmp_path, kaggle_env):
    kaggle_env.setenv("KAGGLE_USERNAME", "hubble")
    kaggle_env.setenv("KAGGLE_KEY", "s3cret")
    for name, data in kaggle_zips().items():
        site.redirects[kaggle_path(name)] = f"{site.url}/storage/{name}?signature=abc"
        site.files[f"/storage/{name}?signature=abc"] = data
    site.drop_after["/storage/images_training_rev1.zip?signature=abc"] = 500

    root = tmp_path / "data"
    with pytest.raises(GalaxyLibError, match="run the command again to resume"):
        download_kaggle(root, api_url=site.url)
    assert download_kaggle(root, api_url=site.url) == root
    assert_installed(root)

    token = "Basic " + base64.b64encode(b"hubble:s3cret").decode()
    api_calls = [h for p, h in site.requests if p.startswith("/competitions/")]
    storage_calls = [h for p, h in site.requests if p.startswith("/storage/")]
    assert len(api_calls) == 3  # the catalog once, the images twice
    assert all(h.get("Authorization") == token for h in api_calls)
    assert all("Authorization" not in h for h in storage_calls), "no token to storage"
    assert storage_calls[-1]["Range"] == "bytes=500-", "the Range header survives the redirect"


@pytest.mark.parametrize(
    ("code", "words"),
    [
        (403, r"refused the download \(403\).*accept the competition's rules.*/rules"),
        (
            401,
            r"not accept the API token of user 'hubble' \(401\).*Create New Token.*kaggle\.json",
        ),
    ],
)
def test_kaggle_refusals_are_explained(site, tmp_path, kaggle_env, code, words):
    site.status[kaggle_path("training_solutions_rev1.zip")] = code
    with pytest.raises(GalaxyLibError, match=words):
        download_kaggle(tmp_path, credentials=("hubble", "k"), api_url=site.url)


def test_missing_kaggle_token_says_how_to_make_one(kaggle_env, tmp_path):
    with pytest.raises(
        GalaxyLibError,
        match="No Kaggle API token.*Create New Token.*kaggle.json"
        ".*KAGGLE_USERNAME and KAGGLE_KEY.*Colab",
    ):
        download_kaggle(tmp_path / "data", api_url="http://127.0.0.1:9")


def test_kaggle_token_from_kaggle_json(kaggle_env, tmp_path):
    config = tmp_path / "home" / "kaggle-config"
    config.mkdir()
    (config / "kaggle.json").write_text('{"username": "hubble", "key": "s3cret"}')
    assert kaggle_credentials() == ("hubble", "s3cret")
    assert kaggle_credentials(("given", "key")) == ("given", "key")
    kaggle_env.setenv("KAGGLE_USERNAME", "env")
    kaggle_env.setenv("KAGGLE_KEY", "envkey")
    assert kaggle_credentials() == ("env", "envkey")


def test_kaggle_token_in_home_when_no_config_dir(kaggle_env, tmp_path):
    kaggle_env.delenv("KAGGLE_CONFIG_DIR")
    folder = tmp_path / "home" / ".kaggle"
    folder.mkdir()
    (folder / "kaggle.json").write_text('{"username": "hubble"}')
    with pytest.raises(DataError, match=r"kaggle\.json is not a Kaggle API token"):
        kaggle_credentials()


# --------------------------------------------------------------------------- bad input, faults


def test_the_command_refuses_a_url_or_an_out_it_cannot_use(tmp_path, monkeypatch, capsys):
    assert main(["download", "--url", "notaurl", "--out", str(tmp_path)]) == 1
    assert capsys.readouterr().err.strip() == (
        "galaxylib download: --url 'notaurl' is not a web address; give one starting with "
        "https:// (such as https://physics.sh/galaxyclass-data.zip)."
    )
    afile = tmp_path / "afile"
    afile.write_text("mine")
    assert main(["download", "--url", "https://example.org/d.zip", "--out", str(afile)]) == 1
    assert capsys.readouterr().err.strip() == (
        f"galaxylib download: {afile} is a file, not a folder; choose a folder for --out."
    )
    monkeypatch.setenv("GALAXYLIB_DATA", str(afile))
    assert main(["download", "--url", "https://example.org/d.zip"]) == 1
    assert capsys.readouterr().err.strip() == (
        f"galaxylib download: GALAXYLIB_DATA is {str(afile)!r}, a file, not a folder; set it "
        "to the folder that holds (or will hold) the data."
    )
    assert afile.read_text() == "mine"


def test_force_fetches_a_kept_zip_again(site, tmp_path):
    (tmp_path / "d.zip").write_bytes(make_zip({"readme.txt": b"an old, wrong download"}))
    site.files["/d.zip"] = make_zip(training_set())
    download_zip(f"{site.url}/d.zip", tmp_path, force=True)
    assert_installed(tmp_path)


def test_a_full_disk_is_one_sentence_and_the_download_resumes(site, small_disk, capsys):
    disk = small_disk("data", "64k")
    site.files["/d.zip"] = make_zip({"big.bin": np.random.default_rng(0).bytes(200_000)})
    assert main(["download", "--url", f"{site.url}/d.zip", "--out", str(disk)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1] == (
        f"galaxylib download: The disk holding {disk} is full; free some space there, or "
        "choose another --out, and run it again."
    )
    assert "Traceback" not in "".join(err)
    assert (disk / "d.zip.part").stat().st_size > 0  # kept: the next run resumes it
