"""The book's networks: trained for longer than a build can afford, stored with provenance.

Training both networks until they converge takes longer, on the two CPU cores that build
the book, than the whole build may. So the networks that chapters 6 to 8 evaluate under
the ``small`` profile were trained once, by ``make networks`` (the project's own
``galaxylib synth`` and ``galaxylib train``), on a sky of their own, and their weights are
kept in this folder beside ``provenance.json`` (:data:`PROVENANCE_FILE`): the commands, the
sky's seed and size, galaxylib's, TensorFlow's and Keras's versions, the machine, the
training time, and three fingerprints -- of the sky they learnt from
(:func:`sky_fingerprint`), of the crops each learnt from (:func:`crop_fingerprint`) and of
each network's layers (:func:`model_fingerprint`).
:func:`mismatches` compares those fingerprints with what today's code makes; a test fails
while any differs, so stored weights never stand in for code that changed.

Chapter 5 still trains both networks live, for a few epochs, so that a reader watches
``fit`` at work; :func:`galaxylib.course.course_model` hands the chapters the stored
networks (:func:`install`) wherever they apply (:func:`applies`), and trains on first use
everywhere else (the ``full`` profile, the real catalog), with the stored networks' remedies
(:func:`recipe`).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import TypedDict

import numpy as np
import pandas as pd

from galaxylib.errors import GalaxyLibError
from galaxylib.tools.files import sha256

__all__ = [
    "NAMES",
    "PROVENANCE_FILE",
    "Recipe",
    "SWITCHES",
    "applies",
    "crop_fingerprint",
    "describe",
    "install",
    "installed",
    "make_crops",
    "mismatches",
    "model_fingerprint",
    "provenance",
    "recipe",
    "sky_fingerprint",
]

FOLDER = Path(__file__).parent
PROVENANCE_FILE = FOLDER / "provenance.json"
"""How the stored networks were made, and the fingerprints they must still match."""

NAMES: tuple[str, ...] = tuple(json.loads(PROVENANCE_FILE.read_text())["networks"])
"""The stored networks (those of :data:`galaxylib.models.NETWORKS` that ``make networks``
trained), in the order the book shows them."""


_THUMBNAIL = 8
"""Side, in pixels, of the thumbnails the fingerprints keep of each image or crop."""

_IGNORED = {"name", "dtype", "trainable", "seed", "build_config", "dtype_policy"}
"""Layer settings that do not change what a trained network computes."""


def provenance() -> dict:
    """The stored networks' record (``provenance.json``), as a dict."""
    return json.loads(PROVENANCE_FILE.read_text())


class Recipe(TypedDict):
    """A network's remedies, as :func:`galaxylib.tools.train.train`'s keyword arguments."""

    photographic: bool
    framing: bool
    greyscale: bool
    parts: bool
    standardise: bool


SWITCHES: tuple[str, ...] = tuple(Recipe.__annotations__)
"""The ``galaxylib train`` switches that a remedy is made of, as a model's settings record
them (``--parts``: ``"parts": true``): the fields of :class:`Recipe`."""


def recipe(name: str) -> Recipe:
    """The remedies the stored network ``name`` was trained with, one per :data:`SWITCHES`.

    As :func:`galaxylib.tools.train.train`'s keyword arguments, from :func:`provenance`:
    ``{"photographic": True, "framing": False, "greyscale": False, "parts": True,
    "standardise": False}`` for the improved network. A chapter that trains its own network
    (the ``full`` profile, the real catalog) trains it with these, so that it is the
    network the chapters describe.
    Raises :class:`~galaxylib.errors.GalaxyLibError` for a network ``make networks`` has not
    stored.
    """
    if name not in NAMES:
        raise GalaxyLibError(
            f"{name!r} is not a stored network ({', '.join(NAMES)}); a network new to "
            "galaxylib.models.NETWORKS gets its remedies when `make networks` trains and "
            "stores it."
        )
    made = provenance()["networks"][name]["settings"]
    return Recipe(
        photographic=bool(made.get("photographic")),
        framing=bool(made.get("framing")),
        greyscale=bool(made.get("greyscale")),
        parts=bool(made.get("parts")),
        standardise=bool(made.get("standardise")),
    )


def _weights(name: str) -> Path:
    return FOLDER / f"{name}.weights.h5"


def _plain(config: dict) -> dict:
    """A layer's settings without names, dtypes and serialised helper objects' details."""
    plain = {}
    for key, value in config.items():
        if key in _IGNORED:
            continue
        if isinstance(value, dict) and "class_name" in value:
            value = value["class_name"]  # an initializer, a regularizer ...: its kind
        plain[key] = value
    return plain


def model_fingerprint(settings: dict) -> str:
    """A digest of the layers today's code builds for a stored network's ``settings``.

    The network is built by :func:`~galaxylib.tools.model_files.build_as_trained`. Every
    layer's kind and settings, in order; a change to any layer (a filter count, a dropout
    rate, an augmentation, the parts) changes the digest, a change to a layer's name does
    not.

    Parameters
    ----------
    settings : dict
        The network's training settings (``model``, ``input_shape``, and ``parts`` where
        set).

    Returns
    -------
    str
        64 hexadecimal digits.
    """
    from galaxylib.tools.model_files import build_as_trained

    net = build_as_trained(settings)
    layers = [[type(layer).__name__, _plain(layer.get_config())] for layer in net.layers]
    text = json.dumps(layers, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def sky_fingerprint(seed: int, n: int, *, galaxies: int = 4) -> dict:
    """What the sky of ``seed`` and ``n`` galaxies holds, in a few numbers.

    The first ten rows of its catalog (rounded to four decimals) and an 8x8 colour
    thumbnail of each of its first ``galaxies`` images, rendered without writing the sky:
    enough to notice any change to the truth, the volunteers or the renderer.

    Returns
    -------
    dict
        ``ids``, ``labels`` (10 x 37) and ``thumbnails`` (``galaxies`` x 8 x 8 x 3).
    """
    from galaxylib.synthetic import render_galaxy

    labels, rows = _first_galaxies(seed, n, galaxies)
    head = labels.head(10)
    return {
        "ids": head["GalaxyID"].astype(int).tolist(),
        "labels": np.round(head.drop(columns="GalaxyID").to_numpy(float), 4).tolist(),
        "thumbnails": [_thumbnail(render_galaxy(galaxy, seed)) for galaxy in rows],
    }


def crop_fingerprint(seed: int, n: int, preprocessing: dict, *, galaxies: int = 8) -> list:
    """What a network learnt from: thumbnails of the crops of the sky's first images.

    The first ``galaxies`` images of the sky of ``seed`` and ``n`` galaxies are written as
    the sky writes them (JPEG) and cut as the crop cache cuts them
    (:func:`galaxylib.preprocess.crop_file`, with a network's ``preprocessing`` settings);
    each crop is kept as an 8x8 thumbnail. A change to the crop that moves or resizes a
    box changes them; another JPEG library's last-bit differences do not.

    Returns
    -------
    list
        ``galaxies`` thumbnails, each 8 x 8 x channels.
    """
    from galaxylib.preprocess import Settings, crop_file
    from galaxylib.synthetic.render import render_chunk

    _, rows = _first_galaxies(seed, n, galaxies)
    settings = Settings(**preprocessing)
    with tempfile.TemporaryDirectory() as folder:
        render_chunk((seed, folder, rows))
        paths = [Path(folder) / f"{int(galaxy['GalaxyID'])}.jpg" for galaxy in rows]
        return [_thumbnail(crop_file(path, settings)[0]) for path in paths]


def _first_galaxies(seed: int, n: int, count: int) -> tuple[pd.DataFrame, list[dict]]:
    """The sky's catalog, and its first ``count`` galaxies as the renderer takes them."""
    from galaxylib.synthetic import sample_catalog

    labels, truth = sample_catalog(n, seed)
    return labels, truth.assign(index=np.arange(len(truth))).head(count).to_dict("records")


def _thumbnail(image: np.ndarray) -> list:
    """Block means of an image on an 8x8 grid, per channel, to a tenth of a grey level."""
    pixels = image.astype(np.float64).reshape(*image.shape[:2], -1)
    side = pixels.shape[0] // _THUMBNAIL * _THUMBNAIL
    channels = pixels.shape[2]
    blocks = pixels[:side, :side].reshape(_THUMBNAIL, side // _THUMBNAIL, _THUMBNAIL, -1, channels)
    return np.round(blocks.mean(axis=(1, 3)), 1).tolist()


def mismatches(record: dict | None = None) -> list[str]:
    """Where the stored networks no longer match today's sky or model code; one line each.

    Parameters
    ----------
    record : dict, optional
        Default: :func:`provenance`.

    Returns
    -------
    list of str
        Empty when the stored weights still belong to the code: the sky they were trained
        on is drawn and rendered as it was, each network's crops are cut as they were and
        it has the same layers, and each weights file is the one recorded.
    """
    record = provenance() if record is None else record
    sky = record["sky"]
    found = []
    now = sky_fingerprint(sky["seed"], sky["n"])
    then = sky["fingerprint"]
    if now["ids"] != then["ids"] or not np.allclose(now["labels"], then["labels"], atol=2e-4):
        found.append(
            f"the sky of seed {sky['seed']} ({sky['n']:,} galaxies) has other galaxies or votes "
            "than the one the stored networks learnt from"
        )
    elif not np.allclose(now["thumbnails"], then["thumbnails"], atol=1.0):
        found.append(f"the sky of seed {sky['seed']} is rendered differently than it was")
    for name in NAMES:
        network = record["networks"][name]
        if model_fingerprint(network["settings"]) != network["model_fingerprint"]:
            found.append(f"galaxylib.models builds the {name} network differently now")
        crops = crop_fingerprint(sky["seed"], sky["n"], network["settings"]["preprocessing"])
        if not np.allclose(crops, network["crop_fingerprint"], atol=1.0):
            found.append(
                f"the {name} network's crops are cut differently than those it learnt from"
            )
        if sha256(_weights(name)) != network["weights_sha256"]:
            found.append(f"{_weights(name).name} is not the file provenance.json records")
    return found


def applies() -> bool:
    """Whether the stored networks are the chapters' networks in this session.

    They are under the profile and on the data set they were made for: the ``small``
    profile's synthetic sky (not ``GALAXYLIB_DATASET``'s data), with the image size and
    the sky schema they were trained on.
    """
    from galaxylib.course import DATASET_ENV, session_profile
    from galaxylib.synthetic.skyfile import SCHEMA_VERSION

    if not PROVENANCE_FILE.exists() or os.environ.get(DATASET_ENV):
        return False
    record = provenance()
    scale = session_profile()
    return (
        scale.name == record["profile"]
        and record["sky"]["schema"] == SCHEMA_VERSION
        and all(
            record["networks"][name]["settings"]["preprocessing"]["size"] == scale.image_size
            for name in NAMES
        )
    )


def describe(name: str | None = None, *, note: bool = True) -> str:
    """How the stored networks (or network ``name``) were trained, in one phrase.

    Epochs, sky, training time, machine and (with ``note``) the record's note on how the
    times were taken, from :func:`provenance`.
    """
    from galaxylib.models import NETWORKS

    record = provenance()
    sky = record["sky"]
    each = ", ".join(
        f"{NETWORKS[n].called} for {record['networks'][n]['settings']['epochs']} epochs "
        f"({record['networks'][n]['train_s'] / 60:.0f} min)"
        for n in (NAMES if name is None else (name,))
    )
    remark = f" ({record['note']})" if note and record.get("note") else ""
    return (
        f"trained by make networks on a sky of {sky['n']:,} galaxies of their own "
        f"(seed {sky['seed']}): {each}, on {record['machine']}{remark}"
    )


def install(name: str, out: str | Path) -> Path:
    """Write stored network ``name`` as a model file that galaxylib reads like any other.

    The network is built by today's :mod:`galaxylib.models` as its settings describe it
    (:func:`~galaxylib.tools.model_files.build_as_trained`) and given the stored weights;
    beside ``out`` go its settings (those of its training run, plus ``stored``: the
    weights' digest) and its training history, as ``galaxylib train`` leaves them.

    Parameters
    ----------
    name : {'report', 'improved'}
    out : path
        The ``.keras`` file to write.

    Returns
    -------
    Path
        ``out``.
    """
    from galaxylib.tools.files import atomic_path, write_text
    from galaxylib.tools.model_files import ModelFiles, build_as_trained

    network = provenance()["networks"][name]
    files = ModelFiles(Path(out))
    files.model.parent.mkdir(parents=True, exist_ok=True)
    net = build_as_trained(network["settings"])
    net.load_weights(_weights(name))
    files.settings.unlink(missing_ok=True)
    files.split.unlink(missing_ok=True)  # it trained on another sky: none of these galaxies
    with atomic_path(files.model) as tmp:
        net.save(tmp)
    with atomic_path(files.history) as tmp:
        shutil.copyfile(FOLDER / f"{name}.history.csv", tmp)
    settings = {**network["settings"], "stored": network["weights_sha256"]}
    write_text(files.settings, json.dumps(settings, indent=2))
    return files.model


def make_crops(name: str, data_dir: str | Path, *, workers: int | None = None) -> None:
    """Crop ``data_dir`` for stored network ``name``'s input, unless its cache is there."""
    from galaxylib.preprocess import preprocess_catalog

    preprocessing = provenance()["networks"][name]["settings"]["preprocessing"]
    preprocess_catalog(data_dir, **preprocessing, workers=workers)


def installed(name: str, path: str | Path) -> bool:
    """Whether ``path`` holds stored network ``name`` as :func:`install` would write it now."""
    from galaxylib.errors import GalaxyLibError
    from galaxylib.tools.model_files import ModelFiles

    files = ModelFiles(Path(path))
    if not files.model.exists():
        return False
    try:
        digest = files.read_settings().get("stored")
    except GalaxyLibError:  # not a settings file: not ours either
        return False
    return digest == provenance()["networks"][name]["weights_sha256"]
