"""Where each photograph's galaxies are in its frame (``galaxylib/course/real_positions.csv``).

``python -m build_tools.positions DEB`` reads the course's ``stellarium-data`` package (the
``.deb`` of :data:`galaxylib.tools.photographs.DEB_VERSION`, checked by its SHA-256).
Stellarium places each photograph on the sky by the positions of its four corners
(``worldCoords`` in ``textures.json``), and its deep-sky catalogue (``catalog.dat``) gives
each galaxy's position; together they say where in its frame each galaxy of the
``objects`` column of :func:`galaxylib.realsky.label_table` is. Chapter 8 checks the
crop's box against that point.

Each row of the file is one catalogued galaxy: ``file``, ``object`` (its designation),
``ra`` and ``dec`` (degrees, from the catalogue) and ``x``, ``y``: where it is in the
photograph, as fractions of the frame's width and height from its top-left corner.
"""

from __future__ import annotations

import argparse
import gzip
import re
import struct
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from galaxylib.course import POSITIONS_RECORD
from galaxylib.realsky import label_table
from galaxylib.tools.files import atomic_path, sha256
from galaxylib.tools.photographs import DEB_SHA256, DEB_VERSION, IMAGE_DIR, read_members

__all__ = ["frame_position", "main", "positions", "read_catalog", "read_corners"]

CATALOG_VERSION = "3.16"
"""The version of Stellarium's ``catalog.dat`` format this reader knows (Stellarium 0.22)."""

_U32 = struct.Struct(">I")
_F64 = struct.Struct(">d")
# One catalogue entry, in the order Stellarium 0.22's Nebula::readDSO reads it: "I" an
# unsigned 32-bit number, "d" a double, "s" a string (a QString: its length in bytes, then
# UTF-16); the names are those of readDSO.
_ENTRY = (
    ("id", "I"), ("ra", "d"), ("dec", "d"), ("b_mag", "d"), ("v_mag", "d"), ("type", "I"),
    ("morphology", "s"), ("major", "d"), ("minor", "d"), ("angle", "I"), ("z", "d"),
    ("z_err", "d"), ("parallax", "d"), ("parallax_err", "d"), ("distance", "d"),
    ("distance_err", "d"), ("NGC", "I"), ("IC", "I"), ("M", "I"), ("C", "I"), ("B", "I"),
    ("Sh2", "I"), ("VdB", "I"), ("RCW", "I"), ("LDN", "I"), ("LBN", "I"), ("Cr", "I"),
    ("Mel", "I"), ("PGC", "I"), ("UGC", "I"), ("Ced", "s"), ("Arp", "I"), ("VV", "I"),
    ("PK", "s"), ("PNG", "s"), ("SNRG", "s"), ("ACO", "s"), ("HCG", "s"), ("ESO", "s"),
    ("VdBH", "s"), ("DWB", "I"), ("Tr", "I"), ("St", "I"), ("Ru", "I"), ("VdBHa", "I"),
)  # fmt: skip
_CORNERS = r"(\[\s*\[\s*\[[^\]]*\](?:\s*,\s*\[[^\]]*\])*\s*\]\s*\])"  # [[[a, b], [c, d], ...]]
_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
_WORLD = re.compile(
    rf'"imageUrl"\s*:\s*"([^"]+)"\s*,\s*"worldCoords"\s*:\s*{_CORNERS}'
    rf'\s*,\s*"textureCoords"\s*:\s*{_CORNERS}'
)


def read_catalog(data: bytes) -> dict[str, tuple[float, float]]:
    """Each NGC and IC galaxy's position (RA, Dec in degrees) from Stellarium's ``catalog.dat``.

    ``data`` is the file as the package holds it (gzip-compressed). Where the catalogue
    lists a designation twice, the first entry is kept.
    """
    raw = gzip.decompress(data)
    at = 0

    def number() -> int:
        nonlocal at
        at += 4
        return _U32.unpack_from(raw, at - 4)[0]

    def text() -> str:
        nonlocal at
        size = number()
        if size == 0xFFFFFFFF:  # a null string
            return ""
        at += size
        return raw[at - size : at].decode("utf-16-be")

    def double() -> float:
        nonlocal at
        at += 8
        return _F64.unpack_from(raw, at - 8)[0]

    version, edition = text(), text()
    if version != CATALOG_VERSION:
        raise ValueError(f"catalog.dat is version {version} ({edition}), not {CATALOG_VERSION}.")
    read = {"I": number, "d": double, "s": text}
    found: dict[str, tuple[float, float]] = {}
    while at < len(raw):
        entry = {name: read[kind]() for name, kind in _ENTRY}
        where = (float(np.degrees(entry["ra"])), float(np.degrees(entry["dec"])))
        for catalogue in ("NGC", "IC"):
            if entry[catalogue]:
                found.setdefault(f"{catalogue} {entry[catalogue]}", where)
    return found


def read_corners(textures: str) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Each photograph's corners on the sky and in the image, from ``textures.json``.

    Returns ``{file: (world, texture)}``: ``world`` the four corners' (RA, Dec) in degrees,
    ``texture`` the same corners in texture coordinates (0 to 1, ``v`` upward).
    """

    def points(text: str) -> np.ndarray:  # the file writes numbers such as ".9454"
        return np.array(_NUMBER.findall(text), dtype=float).reshape(-1, 2)

    return {
        image.removesuffix(".png"): (points(world), points(texture))
        for image, world, texture in _WORLD.findall(textures)
    }


def frame_position(
    world: np.ndarray, texture: np.ndarray, ra: float, dec: float
) -> tuple[float, float]:
    """Where (RA, Dec) falls in a photograph with these corners: ``(x, y)``, as fractions of
    its width and height from the top-left corner.

    The corners and the point are projected onto the plane tangent to the sky at the
    corners' centre (a photograph of a galaxy spans well under a degree), and an affine map
    fitted to the four corners carries the point into the image.
    """
    first = world[0, 0]  # a frame across RA 0 has corners near 359 and near 0 degrees
    ras = first + (world[:, 0] - first + 180) % 360 - 180
    centre = np.radians([ras.mean(), world[:, 1].mean()])

    def tangent(points: np.ndarray) -> np.ndarray:
        ra_, dec_ = np.radians(points).T
        cos_c = np.sin(centre[1]) * np.sin(dec_) + np.cos(centre[1]) * np.cos(dec_) * np.cos(
            ra_ - centre[0]
        )
        xi = np.cos(dec_) * np.sin(ra_ - centre[0]) / cos_c
        eta = (
            np.cos(centre[1]) * np.sin(dec_)
            - np.sin(centre[1]) * np.cos(dec_) * np.cos(ra_ - centre[0])
        ) / cos_c
        return np.column_stack([xi, eta, np.ones_like(xi)])

    fit, *_ = np.linalg.lstsq(tangent(world), texture, rcond=None)
    u, v = (tangent(np.array([[ra, dec]])) @ fit)[0]
    return float(u), float(1 - v)


def positions(deb: Path, table: pd.DataFrame) -> pd.DataFrame:
    """The table of ``real_positions.csv`` (see the module's docstring) from ``deb``, for the
    photographs of ``table`` (columns ``file`` and ``objects``, as :func:`label_table`'s)."""
    names = [f"{IMAGE_DIR}/textures.json", f"{IMAGE_DIR}/catalog.dat"]
    members = read_members(deb, names)  # a DataError (a ValueError) names what it lacks
    corners = read_corners(members[names[0]].decode("utf-8", errors="replace"))
    catalog = read_catalog(members[names[1]])
    rows = []
    for photo in table.itertuples():
        for designation in photo.objects.split("; "):
            if photo.file not in corners or designation not in catalog:
                lacks = "corners" if photo.file not in corners else "catalogue entry"
                raise ValueError(f"{deb} has no {lacks} for {photo.file} ({designation}).")
            ra, dec = catalog[designation]
            x, y = frame_position(*corners[photo.file], ra, dec)
            rows.append((photo.file, designation, round(ra, 5), round(dec, 5), x, y))
    table = pd.DataFrame(rows, columns=["file", "object", "ra", "dec", "x", "y"])
    return table.round({"x": 4, "y": 4})


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m build_tools.positions", description=__doc__)
    parser.add_argument("deb", type=Path, help=f"stellarium-data_{DEB_VERSION}_all.deb")
    parser.add_argument("--out", type=Path, default=POSITIONS_RECORD, help="the CSV to write")
    args = parser.parse_args(argv)
    if not args.deb.is_file():
        sys.exit(
            f"{args.deb} does not exist: get it with "
            f"'apt-get download stellarium-data={DEB_VERSION}'."
        )
    if sha256(args.deb) != DEB_SHA256:
        sys.exit(f"{args.deb} is not stellarium-data {DEB_VERSION} (its SHA-256 differs).")
    try:
        found = positions(args.deb, label_table())
    except ValueError as err:
        sys.exit(str(err))
    with atomic_path(args.out) as tmp:
        found.to_csv(tmp, index=False)
    print(f"wrote {args.out}: {len(found)} galaxies in {found['file'].nunique()} photographs")


if __name__ == "__main__":
    main()
