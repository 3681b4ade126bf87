"""Feeding the network fast: ``tf.data`` from the preprocessing cache, on any hardware.

The report's pipeline took 623 ms a step because, for every image, it ran a Python
function that decoded a PNG and searched the whole pandas label table for the image's
row. Here the labels are put in the cache's row order once, with one vectorised join,
and each batch is one slice of the memory-mapped cache: a shuffle of row numbers, a
batch of them, one gather. Images stay ``uint8`` until they reach the accelerator, where
the model scales and augments them.

:func:`report_dataset` re-creates the report's pipeline, so that
:func:`galaxylib.tools.bench.bench_pipeline` can time both on the same images.
"""

from __future__ import annotations

import os
from pathlib import Path

import cv2
import numpy as np
import pandas as pd
import tensorflow as tf

from galaxylib import augment
from galaxylib.data import Catalog
from galaxylib.errors import DataError
from galaxylib.preprocess import Cache
from galaxylib.taxonomy import COLUMNS

__all__ = [
    "make_dataset",
    "report_dataset",
    "targets_of",
    "write_pngs",
]

AUTOTUNE = tf.data.AUTOTUNE


def targets_of(labels: Catalog | pd.DataFrame, galaxy_ids: np.ndarray) -> np.ndarray:
    """The 37 vote fractions of the given galaxies, in their order (one vectorised join).

    Parameters
    ----------
    labels : Catalog or DataFrame
        A catalog, or a table with ``GalaxyID`` and the 37 answer columns.
    galaxy_ids : array-like of int

    Returns
    -------
    ndarray of shape (n, 37), float32

    Raises
    ------
    DataError
        If a galaxy has no labels.
    """
    table = labels.labels if isinstance(labels, Catalog) else labels
    table = table.set_index("GalaxyID")
    galaxy_ids = np.asarray(galaxy_ids)
    missing = ~np.isin(galaxy_ids, table.index)
    if missing.any():
        raise DataError(f"Galaxy {galaxy_ids[missing][0]} has no labels in the catalog given.")
    return table.loc[galaxy_ids, list(COLUMNS)].to_numpy(np.float32)


def make_dataset(
    cache: Cache,
    labels: Catalog | pd.DataFrame | None,
    galaxy_ids: np.ndarray | None = None,
    *,
    batch_size: int = 64,
    training: bool = False,
    seed: int | None = None,
    photographic: bool = False,
) -> tf.data.Dataset:
    """A ``tf.data`` pipeline of cached images (and their labels), in batches.

    Parameters
    ----------
    cache : Cache
        From :func:`galaxylib.preprocess.preprocess_catalog` or ``open_cache``.
    labels : Catalog, DataFrame or None
        Where the 37 vote fractions come from; ``None`` gives images only (for
        prediction).
    galaxy_ids : array-like of int, optional
        Which galaxies, in this order unless ``training``; default all of the cache.
    batch_size : int, default 64
        Global batch size (split between the replicas of a ``MirroredStrategy``).
    training : bool, default False
        Shuffle the galaxies anew every epoch.
    seed : int, optional
        Seed of the shuffle.
    photographic : bool, default False
        Vary each image's light as photographs vary it
        (:func:`galaxylib.augment.photographic`), afresh every epoch.

    Returns
    -------
    tf.data.Dataset
        Batches of ``uint8`` images of shape ``(batch, size, size, channels)``, with
        ``float32`` labels of shape ``(batch, 37)`` unless ``labels`` is ``None``.
    """
    ids = cache.ids if galaxy_ids is None else np.asarray(galaxy_ids)
    rows = cache.rows_of(ids)
    images = cache.images
    shape = (None, *images.shape[1:3], images.shape[3] if images.ndim == 4 else 1)

    def gather(positions: np.ndarray) -> np.ndarray:
        return images[rows[positions]].reshape(-1, *shape[1:])

    def image_batch(positions: tf.Tensor) -> tf.Tensor:
        batch = tf.numpy_function(gather, [positions], tf.uint8, stateful=False)
        batch = tf.ensure_shape(batch, shape)
        return augment.photographic(batch) if photographic else batch

    dataset = tf.data.Dataset.range(len(ids))
    if training:
        dataset = dataset.shuffle(len(ids), seed=seed, reshuffle_each_iteration=True)
    dataset = dataset.batch(batch_size)
    if labels is None:
        dataset = dataset.map(image_batch, num_parallel_calls=AUTOTUNE)
    else:
        targets = tf.constant(targets_of(labels, ids))
        dataset = dataset.map(
            lambda positions: (image_batch(positions), tf.gather(targets, positions)),
            num_parallel_calls=AUTOTUNE,
        )
    return dataset.prefetch(AUTOTUNE)


# --------------------------------------------------------------------------- the report's


def write_pngs(cache: Cache, galaxy_ids: np.ndarray, folder: str | Path) -> list[str]:
    """Write cached images as ``<GalaxyID>.png`` files, as the report kept its crops.

    Returns
    -------
    list of str
        The paths, in the order of ``galaxy_ids``.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for galaxy_id, row in zip(galaxy_ids, cache.rows_of(galaxy_ids), strict=True):
        path = folder / f"{int(galaxy_id)}.png"
        image = cache.images[row]
        cv2.imwrite(str(path), image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_RGB2BGR))
        paths.append(str(path))
    return paths


def report_dataset(
    image_paths: list[str], labels: pd.DataFrame, *, batch_size: int = 64, training: bool = True
) -> tf.data.Dataset:
    """The report's input pipeline, as its notebook wrote it (for comparison only).

    For every image, a Python function (``tf.py_function``) reads and decodes the PNG
    and finds the galaxy's row with ``labels.loc[labels['GalaxyID'] == galaxyID]``, a
    scan of the whole table; then ``shuffle(1024)``, ``batch`` and ``prefetch``. The
    one change: the GalaxyID is taken from the file name, not from the fourth part of
    the report's own folder path.

    Parameters
    ----------
    image_paths : list of str
        ``<GalaxyID>.png`` files (see :func:`write_pngs`).
    labels : DataFrame
        ``GalaxyID`` followed by the 37 answer columns.
    batch_size : int, default 64
    training : bool, default True
        Yield labels too, and shuffle.

    Returns
    -------
    tf.data.Dataset
        ``float32`` images in [0, 1] (and ``float32`` labels).
    """

    def get_features(image_path, training=True):
        image = tf.io.decode_image(tf.io.read_file(image_path), dtype=tf.dtypes.float32)
        if training:
            label = tf.strings.split(image_path, os.path.sep)[-1]
            galaxy_id = int(tf.strings.substr(label, 0, tf.strings.length(label) - 4))
            galaxy_row = labels.loc[labels["GalaxyID"] == galaxy_id]
            features = tf.cast(galaxy_row.iloc[0, 1:].values, tf.float32)
            return image, features
        return image

    paths = tf.data.Dataset.from_tensor_slices(image_paths)
    if training:
        dataset = paths.map(
            lambda x: tf.py_function(func=get_features, inp=[x], Tout=(tf.float32, tf.float32)),
            num_parallel_calls=AUTOTUNE,
        )
        dataset = dataset.shuffle(1024)
    else:
        dataset = paths.map(
            lambda x: tf.py_function(func=get_features, inp=[x, False], Tout=tf.float32),
            num_parallel_calls=AUTOTUNE,
        )
    return dataset.batch(batch_size).prefetch(AUTOTUNE)
