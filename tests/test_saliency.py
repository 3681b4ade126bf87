"""Saliency maps: the gradient of an answer with respect to the pixels."""

import keras
import numpy as np
import pytest

from galaxylib.models import report_cnn
from galaxylib.saliency import saliency


def _corner_network():
    """A network whose answers depend on the top-left 3 x 3 pixels only."""
    keras.utils.set_random_seed(0)
    return keras.Sequential(
        [
            keras.Input(shape=(12, 12, 1), dtype="uint8"),
            keras.layers.Rescaling(1 / 255),
            keras.layers.Cropping2D(((0, 9), (0, 9))),
            keras.layers.Flatten(),
            keras.layers.Dense(37, activation="sigmoid"),
        ]
    )


def test_saliency_lies_where_the_answer_depends_on_the_image():
    images = np.random.default_rng(1).integers(0, 256, (3, 12, 12), dtype=np.uint8)
    maps = saliency(_corner_network(), images, "Class1.1", copies=4)
    assert maps.shape == (3, 12, 12) and maps.dtype == np.float32
    np.testing.assert_allclose(maps.sum(axis=(1, 2)), 1, rtol=1e-5)
    assert (maps[:, :3, :3] > 0).all()
    assert (maps[:, 3:, :] == 0).all() and (maps[:, :, 3:] == 0).all()


def test_saliency_of_a_book_network_on_colour_and_grey():
    net = report_cnn((32, 32, 1))
    grey = np.full((1, 32, 32), 80, np.uint8)
    maps = saliency(net, grey, "Class4.1", copies=2)
    assert maps.shape == (1, 32, 32) and np.isfinite(maps).all()
    with pytest.raises(ValueError, match=r"\(32, 32, 3\) do not fit the network's input"):
        saliency(net, np.zeros((1, 32, 32, 3), np.uint8), "Class1.1")


def test_an_unknown_answer_is_one_sentence():
    with pytest.raises(ValueError, match="'Class12.1' is not one of the 37 columns"):
        saliency(_corner_network(), np.zeros((1, 12, 12), np.uint8), "Class12.1")
