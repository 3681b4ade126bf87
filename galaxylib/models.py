"""The networks of the course: the report's CNN, and a better one that knows the tree.

Both take the preprocessing cache's ``uint8`` images (grey: one channel; colour: three)
and scale them to [0, 1] in their first layer, so that a quarter of the bytes travel from
the input pipeline to the accelerator. Augmentation layers come next: they run on the
accelerator, and only while training.

:func:`report_cnn`
    The report's network: four augmentation layers (Keras 3's ``RandomFlip``, ...,
    instead of the removed ``layers.experimental.preprocessing``), six convolutions with
    batch normalisation and max pooling, dropout, dense 512/256 and 37 sigmoids. At
    150x150x1 it is the report's layer for layer, 849,285 parameters. At another size
    only the pooling moves (see :func:`report_pools`), so that the small profile's 64-pixel
    images fit the same six convolutions and the same parameter count.
:func:`improved_cnn`
    A network whose output obeys the decision tree by construction (:class:`DecisionTree`,
    as the Kaggle winner's did), trained with every rotation and flip, and averaged over
    the eight rotations and flips of the square at prediction time (:func:`predict_tta`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import keras
import numpy as np
from keras import layers, ops

from galaxylib.preprocess.boxes import REPORT_SIZE
from galaxylib.taxonomy import COLUMNS, QUESTIONS, question_of

__all__ = [
    "NETWORKS",
    "REPORT_KERNELS",
    "DecisionTree",
    "Network",
    "build_model",
    "dihedral_views",
    "improved_cnn",
    "inference_model",
    "multiply_adds",
    "predict_tta",
    "report_cnn",
    "report_pools",
]

REPORT_FILTERS = (32, 32, 64, 64, 128, 256)
REPORT_KERNELS = (7, 7, 5, 5, 3, 3)
"""Kernel sizes of the report's six convolutions."""

BN_MOMENTUM = 0.9
"""Momentum of batch normalisation's moving mean and variance, which the network uses
once trained. Keras's default, 0.99, averages over the last few hundred steps, so that
after a short run it still remembers its starting values and validation runs with
statistics unlike the training ones; 0.9 settles within a few dozen steps. On long runs
(the report's 770 steps an epoch) the two do not differ."""


def report_pools(size: int, kernels: tuple[int, ...] = REPORT_KERNELS) -> tuple[int, ...]:
    """Where the report's network pools, for square inputs of side ``size``.

    Each convolution (no padding) shrinks the map by ``kernel - 1``; a 2x2 max pooling
    follows it whenever the halved map still leaves room for the convolutions after it.
    At 150 pixels this rule gives the report's own pooling, (2, 2, 2, 2, 1, 1), and a
    1x1x256 map before the dense layers; at the small profile's 64 pixels it gives
    (2, 1, 2, 1, 1, 1) and again 1x1x256, so the network keeps every layer and parameter.

    Parameters
    ----------
    size : int
        Side of the input image in pixels.
    kernels : tuple of int
        Kernel size of each convolution.

    Returns
    -------
    tuple of int
        Pool size (1 or 2) after each convolution.

    Raises
    ------
    ValueError
        If the image is too small for the convolutions.
    """
    needed = 1 + sum(k - 1 for k in kernels)
    if size < needed:
        raise ValueError(f"the report's network needs images of at least {needed} pixels")
    pools = []
    for i, kernel in enumerate(kernels):
        size -= kernel - 1
        rest = 1 + sum(k - 1 for k in kernels[i + 1 :])
        pool = 2 if i < len(kernels) - 1 and size // 2 >= rest else 1
        size //= pool
        pools.append(pool)
    return tuple(pools)


def _inputs(input_shape: tuple[int, int, int]) -> list[layers.Layer]:
    """The uint8 input and its scaling to [0, 1] (no parameters)."""
    return [keras.Input(shape=input_shape, dtype="uint8", name="image"), layers.Rescaling(1 / 255)]


def _flips() -> list[layers.Layer]:
    """Mirror images, left-right and upside down, each half the time and independently.

    Keras 3's ``RandomFlip("horizontal_and_vertical")`` draws one coin for both axes: it
    turns an image by half a turn or leaves it, and never mirrors it. The report's
    TensorFlow 2 layer flipped each axis on its own coin, so a network also saw galaxies
    whose arms wind the other way; two layers do that here.
    """
    return [layers.RandomFlip("horizontal"), layers.RandomFlip("vertical")]


def report_cnn(input_shape: tuple[int, int, int] = (REPORT_SIZE, REPORT_SIZE, 1)) -> keras.Model:
    """The report's CNN, with Keras 3 augmentation layers.

    Parameters
    ----------
    input_shape : (height, width, channels), default (150, 150, 1)
        At the default, the report's network exactly: 849,285 parameters. Other sizes
        move the pooling only (:func:`report_pools`); 64x64x1 keeps all 849,285. One
        setting differs at every size: batch normalisation's momentum (:data:`BN_MOMENTUM`).

    Returns
    -------
    keras.Model
        Not compiled. Input ``uint8`` images, output 37 sigmoids (float32, also under
        mixed precision).
    """
    stack = [
        *_inputs(input_shape),
        *_flips(),
        layers.RandomRotation(0.3),
        layers.RandomZoom(height_factor=0.1, width_factor=0.1, fill_mode="nearest"),
        layers.RandomContrast(0.05),
    ]
    pools = report_pools(min(input_shape[:2]))
    for filters, kernel, pool in zip(REPORT_FILTERS, REPORT_KERNELS, pools, strict=True):
        stack += [
            layers.Conv2D(filters, kernel, activation="relu"),
            layers.BatchNormalization(momentum=BN_MOMENTUM),
            layers.MaxPooling2D(pool),
        ]
    stack += [
        layers.Dropout(0.05),
        layers.Flatten(),
        layers.Dense(512, activation="relu"),
        layers.Dropout(0.15),
        layers.Dense(256, activation="relu"),
        layers.Dropout(0.15),
        layers.Dense(len(COLUMNS), activation="sigmoid", dtype="float32"),
    ]
    return keras.Sequential(stack, name="report_cnn")


@keras.saving.register_keras_serializable(package="galaxylib")
class DecisionTree(layers.Layer):
    """Turn 37 numbers into vote fractions that obey the decision tree.

    For each question, in the tree's order: make the answers' values positive, divide
    them by their sum, and multiply them by the output of the answer that leads to the
    question (Dieleman, Willett & Dambre 2015). The answers of Q1 and Q6 sum to 1, every
    other question's to its parent answer, and every output lies in [0, 1] -- whatever
    the input.

    Values are made positive by softplus, where Dieleman et al. used ReLU: with ReLU, a
    question whose values are all negative gets no gradient at all (they switched the
    normalisation off early in training so that it would converge).

    Parameters
    ----------
    epsilon : float, default 1e-6
        Added to every value before normalising, so that a question whose values all
        vanish gets equal fractions instead of 0/0.
    """

    def __init__(self, epsilon: float = 1e-6, **kwargs):
        super().__init__(**kwargs)
        self.epsilon = epsilon

    def call(self, values):
        """The 37 vote fractions, in ``COLUMNS`` order, of a batch of 37 raw values."""
        positive = ops.softplus(values) + self.epsilon
        parts: list = []  # one per question, in the tree's order: parents come first
        for question in QUESTIONS:
            part = positive[:, question.columns]
            part = part / ops.sum(part, axis=1, keepdims=True)
            if question.parent is not None:
                parent = question_of(question.parent)
                answer = parent.answers.index(question.parent)
                part = part * parts[parent.number - 1][:, answer : answer + 1]
            parts.append(part)
        return ops.concatenate(parts, axis=1)

    def compute_output_shape(self, input_shape):
        """The shape of the input: 37 values in, 37 fractions out."""
        return input_shape

    def get_config(self) -> dict:
        """The layer's settings, for saving; ``epsilon`` besides Keras's own."""
        return {**super().get_config(), "epsilon": self.epsilon}


def _conv_block(filters: int) -> list[layers.Layer]:
    return [
        layers.Conv2D(filters, 3, padding="same", use_bias=False),
        layers.BatchNormalization(momentum=BN_MOMENTUM),
        layers.ReLU(),
    ]


def improved_cnn(
    input_shape: tuple[int, int, int] = (64, 64, 1), *, width: int = 32
) -> keras.Model:
    """A CNN that respects the decision tree and does not care which way up a galaxy is.

    - Augmentation: any rotation (the sky has no up), mirror images, a little zoom.
    - A 5x5 convolution of ``width`` filters, then six 3x3 convolutions, padded to keep
      their size, in three stages of ``width``, ``2 width`` and ``4 width`` filters; each
      convolution with batch normalisation, each stage (the first one too) ending in 2x2
      max pooling, so that the input needs at least 16 pixels.
    - Flatten, which keeps where each feature was (a bar sits at the centre of the crop),
      dense 256 with dropout, then 37 values made into tree-consistent fractions by
      :class:`DecisionTree`.

    The first layer pools at once. Arithmetic, not parameters, sets a convolution's
    cost: it is paid at every pixel of its map, so a layer of 32 filters on 32 inputs at
    full 64x64 resolution costs as much as one of 128 filters on 128 inputs at 16x16. The
    first layer can afford 32 wide filters because it sees three colour channels at most.
    At 64x64 this network does 51 million multiply-adds per grey image and 58 million
    per colour one, against the report's 54 million per grey image (see
    :func:`multiply_adds`), although it has more layers.

    Average its predictions over the eight rotations and flips with :func:`predict_tta`.

    Parameters
    ----------
    input_shape : (height, width, channels), default (64, 64, 1)
    width : int, default 32
        Filters of the first layer and stage; the others scale with it.

    Returns
    -------
    keras.Model
        Not compiled; input ``uint8`` images, output float32 fractions.
    """
    convolutions = [
        layers.Conv2D(width, 5, padding="same", use_bias=False),
        layers.BatchNormalization(momentum=BN_MOMENTUM),
        layers.ReLU(),
        layers.MaxPooling2D(2),
    ]
    for filters in (width, 2 * width, 4 * width):
        convolutions += [*_conv_block(filters), *_conv_block(filters), layers.MaxPooling2D(2)]
    stack = [
        *_inputs(input_shape),
        *_flips(),
        layers.RandomRotation(0.5, fill_mode="constant"),
        layers.RandomZoom(0.1, fill_mode="constant"),
        *convolutions,
        layers.Flatten(),
        layers.Dense(256, activation="relu"),
        layers.Dropout(0.3),
        layers.Dense(len(COLUMNS), dtype="float32"),
        DecisionTree(dtype="float32"),
    ]
    return keras.Sequential(stack, name="improved_cnn")


@dataclass(frozen=True)
class Network:
    """One of the book's networks, as every part of the course names and builds it.

    Attributes
    ----------
    build : callable
        ``build(input_shape)`` returns the uncompiled network.
    color : bool
        Whether it sees colour unless told otherwise.
    called : str
        How the book names it in a sentence.
    label : str
        Its row in the results table.
    """

    build: Callable[[tuple[int, int, int]], keras.Model]
    color: bool
    called: str
    label: str


NETWORKS: dict[str, Network] = {
    "report": Network(report_cnn, False, "the report's network", "CNN, the report's network"),
    "improved": Network(improved_cnn, True, "the improved network", "CNN, improved"),
}
"""The book's networks, by the name ``galaxylib train --model`` takes, in the book's order.

The one place a network is added. The report turned its images grey; the improved
network keeps the three bands, as the Kaggle winner's did (chapter 7 measures what
colour is worth to the report's network)."""


def build_model(name: str, input_shape: tuple[int, int, int]) -> keras.Model:
    """Build network ``name`` of :data:`NETWORKS` for ``input_shape``.

    Examples
    --------
    >>> net = build_model("report", (64, 64, 1))
    >>> net.output_shape
    (None, 37)
    >>> f"{net.count_params():,}"
    '849,285'
    """
    if name not in NETWORKS:
        raise ValueError(f"unknown model {name!r}; choose one of {', '.join(NETWORKS)}")
    return NETWORKS[name].build(input_shape)


def multiply_adds(model: keras.Model) -> int:
    """Multiply-adds a model's convolutions and dense layers do for one image.

    What a layer costs is its arithmetic, not its parameters: a convolution applies its
    weights at every position of its output map. A 2-D convolution does
    ``out_height * out_width * kernel_height * kernel_width * in_channels * filters``
    multiply-adds, a dense layer ``inputs * units``; every other layer is counted as free.

    Parameters
    ----------
    model : keras.Model
        A built model with a fixed input size.

    Returns
    -------
    int
    """
    total = 0
    for layer in model.layers:
        if isinstance(layer, layers.Conv2D):
            _, height, width, filters = layer.output.shape
            k_h, k_w = layer.kernel_size
            total += height * width * k_h * k_w * layer.input.shape[-1] * filters
        elif isinstance(layer, layers.Dense):
            total += layer.input.shape[-1] * layer.units
    return int(total)


def dihedral_views(images: np.ndarray) -> list[np.ndarray]:
    """The eight rotations by quarter turns and their mirror images of a batch.

    Parameters
    ----------
    images : ndarray of shape (n, height, width, ...)

    Returns
    -------
    list of 8 ndarrays
        The identity first.
    """
    turns = [np.rot90(images, k, axes=(1, 2)) for k in range(4)]
    return turns + [view[:, :, ::-1] for view in turns]


AUGMENTATION = (layers.RandomFlip, layers.RandomRotation, layers.RandomZoom, layers.RandomContrast)
"""The augmentation layers the networks use: they change images only while training."""


def inference_model(net: keras.Model) -> keras.Model:
    """The layers ``net`` predicts with, without its augmentation.

    At prediction Keras's random layers pass images through unchanged, so leaving them
    out changes no answer; a model written for another runtime (``galaxylib export``
    writes ONNX) must leave them out, as their random-number operations exist only in
    TensorFlow. The layers are ``net``'s own: same weights, nothing copied.

    Examples
    --------
    >>> net = build_model("improved", (64, 64, 3))
    >>> [type(layer).__name__ for layer in net.layers[1:5]]
    ['RandomFlip', 'RandomFlip', 'RandomRotation', 'RandomZoom']
    >>> bare = inference_model(net)
    >>> len(net.layers) - len(bare.layers[1:]), bare.count_params() == net.count_params()
    (4, True)
    """
    image = keras.Input(shape=net.input_shape[1:], dtype=net.inputs[0].dtype, name="image")
    values = image
    for layer in net.layers:
        if not isinstance(layer, AUGMENTATION):
            values = layer(values)
    return keras.Model(image, values, name=f"{net.name}_inference")


def predict_tta(model: keras.Model, images: np.ndarray, *, batch_size: int = 256) -> np.ndarray:
    """Predict with test-time augmentation: the mean over the eight :func:`dihedral_views`.

    A galaxy looks the same turned or mirrored, so averaging removes the part of the
    error that depends on its orientation. Averages of tree-consistent fractions are
    tree-consistent.

    Parameters
    ----------
    model : keras.Model
    images : ndarray of shape (n, height, width, channels)
    batch_size : int, default 256

    Returns
    -------
    ndarray of shape (n, 37), float32
    """
    views = [
        model.predict(view, batch_size=batch_size, verbose=0) for view in dihedral_views(images)
    ]
    return np.asarray(np.mean(views, axis=0, dtype=np.float64), dtype=np.float32)
