"""Tests of build_tools.positions: where each galaxy is in its photograph.

The tests build a small ``stellarium-data`` ``.deb`` with ``dpkg-deb`` holding the two
files the tool reads, in the package's own formats: ``textures.json`` (each photograph's
corners on the sky) and ``catalog.dat`` (Stellarium's deep-sky catalogue: gzip-compressed
entries in Qt's big-endian ``QDataStream`` layout).
"""

from __future__ import annotations

import gzip
import math
import struct
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from build_tools import positions
from galaxylib.course import POSITIONS_RECORD
from galaxylib.realsky import label_table
from galaxylib.tools.photographs import IMAGE_DIR

# A frame 0.6 degrees wide around RA 64, Dec -55.7, north up and east to the left, as
# the package writes it (numbers such as ".5" included), and one across RA 0.
TEXTURES = """{
	"subTiles" : [
	{
		"imageCredits" : {"short" : "DSS"},
		"imageUrl" : "n1.png",
		"worldCoords" : [[[64.3,-56.0], [63.7,-56.0], [63.7,-55.4], [64.3,-55.4]]],
		"textureCoords" : [[[0,0], [1,0], [1,1], [0,1]]],
		"minResolution" : 0.2222381739
	},
	{
		"imageCredits" : {"short" : "A. Photographer"},
		"imageUrl" : "n2.png",
		"worldCoords" : [[[0.1,-.5], [359.9,-.5], [359.9,-0.3], [0.1,-0.3]]],
		"textureCoords" : [[[0,0], [1,0], [1,1], [0,1]]]
	}]
}
"""
KINDS = {"I": ">I", "d": ">d"}


def qstring(text: str) -> bytes:
    data = text.encode("utf-16-be")
    return struct.pack(">I", len(data)) + data


def entry(ngc: int, ic: int, ra: float, dec: float) -> bytes:
    """One catalogue entry, every other field zero or empty."""
    values = {"NGC": ngc, "IC": ic, "ra": math.radians(ra), "dec": math.radians(dec)}
    out = b""
    for name, kind in positions._ENTRY:
        if kind == "s":
            out += qstring("") if name != "morphology" else struct.pack(">I", 0xFFFFFFFF)
        else:
            out += struct.pack(KINDS[kind], values.get(name, 0))
    return out


def catalog(version: str = positions.CATALOG_VERSION) -> bytes:
    body = qstring(version) + qstring("standard")
    body += entry(1549, 0, 63.9384, -55.5924)  # north of the first frame's centre
    body += entry(1553, 0, 64.0436, -55.7801)
    body += entry(0, 694, 0.0, -0.4)  # the middle of the frame across RA 0
    body += entry(1549, 0, 10.0, 10.0)  # a second entry of a designation: not kept
    return gzip.compress(body)


def build_deb(folder: Path, files: dict[str, bytes]) -> Path:
    tree = folder / "tree"
    (tree / IMAGE_DIR).mkdir(parents=True)
    for name, data in files.items():
        (tree / IMAGE_DIR / name).write_bytes(data)
    (tree / "DEBIAN").mkdir()
    (tree / "DEBIAN" / "control").write_text(
        "Package: stellarium-data\nVersion: 0.22.2-1\nArchitecture: all\n"
        "Maintainer: Test <test@example.org>\nDescription: test package\n"
    )
    deb = folder / "stellarium-data_0.22.2-1_all.deb"
    subprocess.run(["dpkg-deb", "--root-owner-group", "-Zxz", "--build", str(tree), str(deb)],
                   check=True, capture_output=True)  # fmt: skip
    return deb


TABLE = pd.DataFrame({"file": ["n1", "n2"], "objects": ["NGC 1549; NGC 1553", "IC 694"]})


def test_each_galaxy_is_placed_in_its_frame(tmp_path):
    deb = build_deb(tmp_path, {"textures.json": TEXTURES.encode(), "catalog.dat": catalog()})
    found = positions.positions(deb, TABLE).set_index("object")
    assert list(found["file"]) == ["n1", "n1", "n2"]
    # NGC 1549: west of the centre (right) and north of it (upper half)
    assert found.loc["NGC 1549", "x"] == pytest.approx(0.602, abs=0.01)
    assert found.loc["NGC 1549", "y"] == pytest.approx(0.321, abs=0.01)
    # NGC 1553: east of the centre (left), south (lower half); the first entry is kept
    assert found.loc["NGC 1553", "x"] < 0.5 < found.loc["NGC 1553", "y"]
    assert found.loc["NGC 1549", "ra"] == pytest.approx(63.9384)
    # across RA 0, the middle stays the middle
    assert found.loc["IC 694", ["x", "y"]].tolist() == pytest.approx([0.5, 0.5], abs=1e-3)


def test_the_corners_map_to_the_frames_corners():
    world = np.array([[64.3, -56.0], [63.7, -56.0], [63.7, -55.4], [64.3, -55.4]])
    texture = np.array([[0, 0], [1, 0], [1, 1], [0, 1]], dtype=float)
    corners = [positions.frame_position(world, texture, *corner) for corner in world]
    assert np.ravel(corners) == pytest.approx([0, 1, 1, 1, 1, 0, 0, 0], abs=0.01)


def test_what_the_package_lacks_is_said_in_one_sentence(tmp_path, capsys):
    deb = build_deb(tmp_path, {"textures.json": TEXTURES.encode()})
    with pytest.raises(ValueError, match=r"has no catalog\.dat under"):
        positions.positions(deb, TABLE)
    unknown = pd.DataFrame({"file": ["n1"], "objects": ["NGC 9999"]})
    (tmp_path / "tree").rename(tmp_path / "old")
    deb = build_deb(tmp_path, {"textures.json": TEXTURES.encode(), "catalog.dat": catalog()})
    with pytest.raises(ValueError, match=r"no catalogue entry for n1 \(NGC 9999\)"):
        positions.positions(deb, unknown)
    with pytest.raises(ValueError, match=r"catalog\.dat is version 9\.99"):
        positions.read_catalog(catalog("9.99"))
    with pytest.raises(SystemExit, match="its SHA-256 differs"):
        positions.main([str(deb), "--out", str(tmp_path / "out.csv")])
    with pytest.raises(SystemExit, match="apt-get download stellarium-data=0.22.2-1"):
        positions.main([str(tmp_path / "missing.deb")])
    assert not (tmp_path / "out.csv").exists()


def test_the_stored_positions_are_those_of_the_label_table():
    stored, table = pd.read_csv(POSITIONS_RECORD), label_table()
    expected = [(f, o) for f, objects in zip(table["file"], table["objects"], strict=True)
                for o in objects.split("; ")]  # fmt: skip
    assert list(zip(stored["file"], stored["object"], strict=True)) == expected
    # every catalogued galaxy is inside its photograph
    assert stored[["x", "y"]].stack().between(0, 1).all()
