"""The files behind the book's "Try the network" page, written into the built site.

``python -m build_tools.try_page SITE_STATIC`` (and the book's Sphinx extension
``_ext/try_network.py``, at the end of every build) writes into ``SITE_STATIC/try/``:

- ``<name>.onnx``: each stored network (:mod:`galaxylib.course.networks`), exported by
  :func:`galaxylib.tools.export.export_onnx` -- what ``galaxylib export`` runs -- and
  checked there against Keras;
- ``networks.json``: what the page needs to know and say -- each network's crop, how it
  was trained (its provenance), its scores on the sky and on chapter 8's photographs
  (``remedies.json``), the decision tree's questions and answers, and the improved
  crop's settings, all read from the library, so that the page states no fact twice;
- ``examples/``: five galaxies of the book's synthetic sky (its test split) and four of
  chapter 8's open photographs, with their credits;
- ``ort/``: ONNX Runtime for the web, from the npm registry (:data:`ORT_VERSION`, checked
  against :data:`ORT_INTEGRITY`), so that the page runs offline and needs no CDN.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import inspect
import json
import shutil
import sys
import tarfile
import tempfile
import urllib.request
from pathlib import Path

from galaxylib.preprocess.boxes import BLUR_SIGMA, improved_box
from galaxylib.preprocess.image_file import LOCATE_MIN_LEVEL, LOCATE_SIDE
from galaxylib.taxonomy import QUESTIONS
from galaxylib.tools.catalog_checks import MIN_SIDE
from galaxylib.tools.files import write_bytes, write_text

__all__ = ["ORT_FILES", "ORT_INTEGRITY", "ORT_VERSION", "examples", "main", "write"]

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / "_build" / "vendor"
"""Where the npm tarball is kept between builds."""

ORT_VERSION = "1.31.1"
ORT_URL = f"https://registry.npmjs.org/onnxruntime-web/-/onnxruntime-web-{ORT_VERSION}.tgz"
ORT_INTEGRITY = (
    "sha512-5GeH+bWQ+HxM10z7erGlsWqryrwMbSvm/1tkIsKTT48g0fI19VXVVC435t4t7V"
    "sPdSQeS7NmuZPXrQ73k82URw=="
)
"""The tarball's digest as the npm registry publishes it (``npm view onnxruntime-web``)."""

ORT_FILES = (
    "dist/ort.wasm.min.js",
    "dist/ort-wasm-simd-threaded.mjs",
    "dist/ort-wasm-simd-threaded.wasm",
    "package.json",
)
"""The parts of the package the page loads: the WebAssembly build only (no WebGPU), and
the package's description (its version and MIT licence)."""

SKY_EXAMPLES = {
    "Class1.1": "smooth",
    "Class7.3": "cigar-shaped",
    "Class2.1": "edge-on disc",
    "Class3.1": "barred spiral",
    "Class4.1": "spiral",
}
"""The synthetic galaxies shown: the test galaxy with the most votes for each answer."""

PHOTO_EXAMPLES = ("n3640-sdss", "n4945", "n1398", "n6744")
"""The photographs shown (from chapter 8's open set): an elliptical, an edge-on disc, a
barred spiral and a spiral."""


def _ort_tarball() -> Path:
    """The onnxruntime-web tarball, downloaded once and checked against its digest."""
    tarball = CACHE / f"onnxruntime-web-{ORT_VERSION}.tgz"
    algorithm, _, digest = ORT_INTEGRITY.partition("-")
    if not tarball.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        print(f"try_page: downloading {ORT_URL}", file=sys.stderr)
        with urllib.request.urlopen(ORT_URL, timeout=120) as response:
            data = response.read()
        if base64.b64encode(hashlib.new(algorithm, data).digest()).decode() != digest:
            raise SystemExit(f"try_page: {ORT_URL} does not match its published digest.")
        write_bytes(tarball, data)
    return tarball


def _vendor_ort(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    with tarfile.open(_ort_tarball()) as archive:
        for name in ORT_FILES:
            member = archive.extractfile(f"package/{name}")
            assert member is not None, name
            write_bytes(out / Path(name).name, member.read())


def _tree() -> list[dict]:
    return [
        {
            "number": q.number,
            "text": q.text,
            "parent": q.parent,
            "answers": [
                {"column": a, "says": d} for a, d in zip(q.answers, q.descriptions, strict=True)
            ],
        }
        for q in QUESTIONS
    ]


def _crop_settings() -> dict:
    defaults = {
        key: value.default
        for key, value in inspect.signature(improved_box).parameters.items()
        if value.default is not inspect.Parameter.empty
    }
    return {
        "locate_side": LOCATE_SIDE,
        "nsigma": defaults["nsigma"],
        "min_level": LOCATE_MIN_LEVEL,
        "padding": defaults["padding"],
        "blur_sigma": BLUR_SIGMA,
        "min_side": MIN_SIDE,
    }


def _trained(record: dict, name: str) -> str:
    """How a stored network was trained, in a phrase, from its provenance."""
    settings = record["networks"][name]["settings"]
    used = [kind for kind in ("photographic", "framing") if settings.get(kind)]
    augmented = f", with {' and '.join(used)} augmentation" if used else ""
    if settings.get("parts"):
        augmented += (" and" if used else ", with") + (
            " Dieleman's parts (its convolutions on four turned corners of each image)"
        )
    return (
        f"trained by make networks for {settings['epochs']} epochs on "
        f"{settings['split']['train']:,} galaxies of a synthetic sky of its own (seed "
        f"{record['sky']['seed']}){augmented}, in "
        f"{record['networks'][name]['train_s'] / 60:.0f} min on {record['machine']}"
    )


def _scores(name: str) -> dict:
    """The stored network's row of chapter 8's remedy table (``make remedies``)."""
    from galaxylib.course import REMEDY_RECORD

    record = json.loads(REMEDY_RECORD.read_text())
    rows = record["rows"]
    row = next(r for r in rows if r["network"] == name and r["remedy"] == record["stored"][name])
    return {
        "sky_rmse": row["sky_rmse"],
        "sky_gap": row["sky_gap"],
        "photographs": record["photographs"],
        "auc": {label: v["auc"] for label, v in row["auc"].items()},
    }


def examples(sky: Path, photographs: Path, out: Path) -> list[dict]:
    """Copy the example galaxies into ``out``; their descriptions, in the page's order.

    Parameters
    ----------
    sky : path
        The book's synthetic sky (a data directory in the Kaggle format).
    photographs : path
        Chapter 8's photographs (:func:`galaxylib.tools.photographs.fetch_photographs`).
    out : path
        The folder to copy them to.
    """
    import pandas as pd

    from galaxylib.data import load_catalog
    from galaxylib.realsky import label_table

    out.mkdir(parents=True, exist_ok=True)
    catalog = load_catalog(sky)
    test = catalog.labels.loc[catalog.labels["GalaxyID"].isin(catalog.split().test)]
    shown = []
    for column, kind in SKY_EXAMPLES.items():
        galaxy = int(test.loc[test[column].idxmax(), "GalaxyID"])
        source = catalog.image_path(galaxy)
        shutil.copyfile(source, out / source.name)
        shown.append({"file": source.name, "title": f"sky {galaxy}", "says": f"synthetic, {kind}"})
    table = label_table().set_index("file")
    credits = pd.read_csv(photographs / "credits.csv").set_index("file")
    for name in PHOTO_EXAMPLES:
        shutil.copyfile(photographs / f"{name}.png", out / f"{name}.png")
        credit = credits.loc[name, "credit"]
        shown.append(
            {
                "file": f"{name}.png",
                "title": table.loc[name, "name"],
                "says": f"photograph, {table.loc[name, 'hubble_type']}; credit: {credit}",
            }
        )
    return shown


def write(static: str | Path) -> Path:
    """Write the page's files into ``static/try`` (the built site's ``_static``).

    Returns
    -------
    Path
        The folder written.
    """
    from galaxylib.course import course_data, networks
    from galaxylib.models import NETWORKS
    from galaxylib.tools.export import export_onnx
    from galaxylib.tools.photographs import fetch_photographs

    out = Path(static) / "try"
    out.mkdir(parents=True, exist_ok=True)
    record = networks.provenance()
    shown = {}
    with tempfile.TemporaryDirectory() as work:
        for name in networks.NAMES:
            model = networks.install(name, Path(work) / f"{name}.keras")
            done = export_onnx(model, out / f"{name}.onnx", force=True)
            stored = record["networks"][name]
            shown[name] = {
                "file": f"{name}.onnx",
                "called": NETWORKS[name].called,
                "crop": stored["settings"]["preprocessing"],
                "trained": _trained(record, name),
                "max_difference": done.max_difference,
                "scores": _scores(name),
            }
    page = {
        "networks": shown,
        "tree": _tree(),
        "locate": _crop_settings(),
        "examples": examples(course_data(), fetch_photographs(), out / "examples"),
        "onnxruntime_web": ORT_VERSION,
    }
    write_text(out / "networks.json", json.dumps(page, indent=1) + "\n")
    _vendor_ort(out / "ort")
    return out


def main(argv: list[str] | None = None) -> int:
    """Write the page's files into the built site's ``_static`` folder."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("static", type=Path, help="the built site's _static folder")
    args = parser.parse_args(argv)
    print(f"Wrote {write(args.static)}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
