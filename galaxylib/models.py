"""The networks of the course: the report's CNN, and a better one that knows the tree.

Both take ``uint8`` images (grey: one channel; colour: three) and scale them to [0, 1]
in their first layer, so that a quarter of the bytes travel to the accelerator.
Augmentation layers come next: they run on the accelerator, and only while training.
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
    "OUTPUTS",
    "Concentrations",
    "JoinParts",
    "Parts",
    "REPORT_KERNELS",
    "DecisionTree",
    "Standardise",
    "Network",
    "build_model",
    "dihedral_views",
    "improved_cnn",
    "multiply_adds",
    "predict_tta",
    "report_cnn",
    "report_pools",
    "tree_fractions",
    "with_fractions",
]

REPORT_FILTERS = (32, 32, 64, 64, 128, 256)
REPORT_KERNELS = (7, 7, 5, 5, 3, 3)
"""Kernel sizes of the report's six convolutions."""

BN_MOMENTUM = 0.9
"""Momentum of batch normalisation's moving statistics. Keras's 0.99 averages over a few
hundred steps, so after a short run validation uses statistics unlike the training ones;
0.9 settles within a few dozen. On long runs (the report's 770 steps an epoch) the two
do not differ."""


def report_pools(size: int, kernels: tuple[int, ...] = REPORT_KERNELS) -> tuple[int, ...]:
    """Where the report's network pools, for square inputs of side ``size``.

    Each convolution (no padding) shrinks the map by ``kernel - 1``; a 2x2 max pooling
    follows it whenever the halved map still leaves room for the convolutions after it.
    At 150 pixels this gives the report's own pooling, (2, 2, 2, 2, 1, 1), and a 1x1x256
    map before the dense layers; at 64 pixels it gives (2, 1, 2, 1, 1, 1) and again
    1x1x256, so the network keeps every layer and parameter. Returns the pool size (1 or
    2) after each convolution; raises ValueError if the image is too small.
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


@keras.saving.register_keras_serializable(package="galaxylib")
class Standardise(layers.Layer):
    """Each image's channels shifted and scaled to mean 0 and standard deviation 1.

    In the network, so training and prediction share it: a gain and an offset per channel
    are gone (not gamma, saturation, noise or clipping); a flat channel is divided by 1/255.
    After the augmentation (``RandomContrast`` clips at 0), whose contrast it then undoes.
    """

    def call(self, images):
        """``(images - mean) / std``, over each image's pixels, channel by channel, in float32."""
        values = ops.cast(images, "float32")  # the statistics in float32, in mixed precision too
        mean, std = ops.mean(values, (1, 2), keepdims=True), ops.std(values, (1, 2), keepdims=True)
        return ops.cast((values - mean) / ops.maximum(std, 1 / 255), self.compute_dtype)


def _flips() -> list[layers.Layer]:
    """Mirror images, left-right and upside down, each half the time and independently.

    Keras 3's ``RandomFlip("horizontal_and_vertical")`` draws one coin for both axes, so
    it turns an image by half a turn and never mirrors it; two layers flip each axis on
    its own coin, so a network also sees galaxies whose arms wind the other way.
    """
    return [layers.RandomFlip("horizontal"), layers.RandomFlip("vertical")]


OUTPUTS = ("sigmoid", "tree", "votes")
"""How a network may end: 37 independent sigmoids, :class:`DecisionTree`, or
:class:`Concentrations` (trained on the votes, :mod:`galaxylib.votes`)."""


def _output(output: str) -> list[layers.Layer]:
    """The last layers: 37 sigmoids, or 37 values the decision tree turns into fractions."""
    if output == "sigmoid":
        return [layers.Dense(len(COLUMNS), activation="sigmoid", dtype="float32")]
    if output == "tree":
        return [layers.Dense(len(COLUMNS), dtype="float32"), DecisionTree(dtype="float32")]
    if output == "votes":
        return [layers.Dense(len(COLUMNS), dtype="float32"), Concentrations(dtype="float32")]
    raise ValueError(f"output must be one of {', '.join(OUTPUTS)}, not {output!r}")


def report_cnn(
    input_shape: tuple[int, int, int] = (REPORT_SIZE, REPORT_SIZE, 1),
    *,
    output: str = "sigmoid",
    standardise: bool = False,
) -> keras.Model:
    """The report's CNN, with Keras 3 augmentation layers.

    The report's four augmentations (five layers: its flip is two), six convolutions with
    batch normalisation and max pooling, dropout, dense 512/256 and 37 sigmoids (float32,
    also under mixed precision). At the default 150x150x1 it is the report's network
    layer for layer, 849,285 parameters; other sizes move the pooling only
    (:func:`report_pools`), and 64x64x1 keeps all 849,285. One setting differs at every
    size: :data:`BN_MOMENTUM`. ``standardise=True`` puts :class:`Standardise` before the
    first convolution. Not compiled.
    """
    stack = [
        *_inputs(input_shape),
        *_flips(),
        layers.RandomRotation(0.3),
        layers.RandomZoom(height_factor=0.1, width_factor=0.1, fill_mode="nearest"),
        layers.RandomContrast(0.05),
        *([Standardise()] if standardise else []),
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
        *_output(output),
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

    Values are made positive by softplus, not Dieleman et al.'s ReLU: with ReLU, a
    question whose values are all negative gets no gradient at all; ``positive=True``
    takes values that are positive already (a Dirichlet's concentrations, whose means
    these fractions then are). ``epsilon`` is added to every value, so that a question
    whose values all vanish gets equal fractions instead of 0/0.
    """

    def __init__(self, epsilon: float = 1e-6, positive: bool = False, **kwargs):
        super().__init__(**kwargs)
        self.epsilon, self.positive = epsilon, positive

    def call(self, values):
        """The 37 vote fractions, in ``COLUMNS`` order, of a batch of 37 raw values."""
        return tree_fractions((values if self.positive else ops.softplus(values)) + self.epsilon)

    def compute_output_shape(self, input_shape):
        """The shape of the input: 37 values in, 37 fractions out."""
        return input_shape

    def get_config(self) -> dict:
        """The layer's settings, for saving; ``epsilon`` besides Keras's own."""
        config = {**super().get_config(), "epsilon": self.epsilon}
        return config | ({"positive": True} if self.positive else {})


def tree_fractions(positive):
    """Each question's positive values divided by their sum, times the parent answer's."""
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


@keras.saving.register_keras_serializable(package="galaxylib")
class Concentrations(layers.Layer):
    """37 values to the concentrations of one Dirichlet per question, between 1 and 100.

    As zoobot's networks end (Walmsley et al. 2022); :mod:`galaxylib.votes` trains them.
    """

    def call(self, values):
        """``1 + 99 * sigmoid(values)``."""
        return 1.0 + 99.0 * ops.sigmoid(values)


def with_fractions(net: keras.Model) -> keras.Model:
    """A network that ends in :class:`Concentrations`, answering their mean fractions."""
    image = keras.Input(shape=net.input_shape[1:], dtype=net.inputs[0].dtype)
    tree = DecisionTree(positive=True, dtype="float32")
    return keras.Sequential([image, *net.layers, tree], name=net.name)


def _conv_block(filters: int) -> list[layers.Layer]:
    return [
        layers.Conv2D(filters, 3, padding="same", use_bias=False),
        layers.BatchNormalization(momentum=BN_MOMENTUM),
        layers.ReLU(),
    ]


@keras.saving.register_keras_serializable(package="galaxylib")
class Parts(layers.Layer):
    """Dieleman's views: four corners of each image, turned, stacked along the batch.

    Each corner, ``share`` of the side (Dieleman et al. 2015: 45 of 69 pixels), is turned
    so that the galaxy's centre sits at its bottom right. The same convolutions see every
    part, so a feature learnt in one orientation is found in all four;
    :class:`JoinParts` puts each image's four parts back side by side.
    """

    def __init__(self, share: float = 0.625, **kwargs):
        super().__init__(**kwargs)
        self.share = share

    def call(self, images):
        """``(4 n, side, side, channels)``: every image's first part, then every second..."""
        side, parts = round(images.shape[1] * self.share), []
        for _ in range(4):
            parts.append(images[:, :side, :side])
            # a quarter turn: swap rows and columns, then reverse the rows (by slicing: tf2onnx
            # turns ops.flip into a different ONNX graph from one export to the next)
            images = ops.transpose(images, (0, 2, 1, 3))[:, ::-1]
        return ops.concatenate(parts, axis=0)

    def get_config(self) -> dict:
        """The layer's settings, for saving; ``share`` besides Keras's own."""
        return {**super().get_config(), "share": self.share}


@keras.saving.register_keras_serializable(package="galaxylib")
class JoinParts(layers.Layer):
    """The features of each image's four :class:`Parts`, side by side in one row."""

    def call(self, features):
        """``(4 n, k)`` to ``(n, 4 k)``."""
        k = features.shape[-1]
        return ops.reshape(ops.transpose(ops.reshape(features, (4, -1, k)), (1, 0, 2)), (-1, 4 * k))


def improved_cnn(
    input_shape: tuple[int, int, int] = (64, 64, 1),
    *,
    width: int = 32,
    output: str = "tree",
    parts: bool = False,
    standardise: bool = False,
) -> keras.Model:
    """A CNN that respects the decision tree and does not care which way up a galaxy is.

    - Augmentation: any rotation (the sky has no up), mirror images, a little zoom.
    - A 5x5 convolution of ``width`` filters, then six padded 3x3 convolutions in stages
      of ``width``, ``2 width`` and ``4 width`` filters, all with batch normalisation;
      each stage (the first one too) ends in 2x2 max pooling, so inputs need 16 pixels.
    - Flatten, which keeps where each feature was (a bar sits at the centre of the crop),
      dense 256 with dropout, then :class:`DecisionTree` makes 37 values tree-consistent.

    The first stage pools after one convolution: a convolution's cost is paid at every
    pixel of its map, so 32 filters on 32 inputs at 64x64 cost as much as 128 on 128 at
    16x16. At 64x64 this network does 51 million multiply-adds per grey image and 58
    million per colour one, against the report's 54 million (:func:`multiply_adds`),
    although it has more layers. Average its predictions over rotations and flips with
    :func:`predict_tta`, or build the turns in: ``parts=True`` runs the convolutions on
    Dieleman's four :class:`Parts`; ``standardise=True`` puts :class:`Standardise` before
    the convolutions. Not compiled; output float32 fractions.
    """
    convolutions = [
        layers.Conv2D(width, 5, padding="same", use_bias=False),
        layers.BatchNormalization(momentum=BN_MOMENTUM),
        layers.ReLU(),
        layers.MaxPooling2D(2),
    ]
    for filters in (width, 2 * width, 4 * width):
        convolutions += [*_conv_block(filters), *_conv_block(filters), layers.MaxPooling2D(2)]
    features = [*convolutions, layers.Flatten()]
    stack = [
        *_inputs(input_shape),
        *_flips(),
        layers.RandomRotation(0.5, fill_mode="constant"),
        layers.RandomZoom(0.1, fill_mode="constant"),
        *([Standardise()] if standardise else []),
        *([Parts(), *features, JoinParts()] if parts else features),
        layers.Dense(256, activation="relu"),
        layers.Dropout(0.3),
        *_output(output),
    ]
    return keras.Sequential(stack, name="improved_cnn")


@dataclass(frozen=True)
class Network:
    """One of the book's networks, as every part of the course names and builds it.

    Attributes
    ----------
    build : callable
        ``build(input_shape, **options)``: :func:`report_cnn` or :func:`improved_cnn`, untrained.
    color : bool
        Whether it sees colour unless told otherwise.
    called : str
        How the book names it in a sentence.
    label : str
        Its row in the results table.
    """

    build: Callable[..., keras.Model]
    color: bool
    called: str
    label: str


NETWORKS: dict[str, Network] = {
    "report": Network(report_cnn, False, "the report's network", "CNN, the report's network"),
    "improved": Network(improved_cnn, True, "the improved network", "CNN, improved"),
}
"""The book's networks, by the name ``galaxylib train --model`` takes, in the book's order.

The one place a network is added. The report turned its images grey; the improved
network keeps the three bands, as the Kaggle winner's did."""


def build_model(
    name: str,
    input_shape: tuple[int, int, int],
    *,
    output: str | None = None,
    parts: bool = False,
    standardise: bool = False,
) -> keras.Model:
    """Build network ``name`` of :data:`NETWORKS` for ``input_shape``.

    ``output`` (one of :data:`OUTPUTS`) replaces the network's last layers; ``parts`` adds
    :class:`Parts` (the improved network only) and ``standardise`` :class:`Standardise`.

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
    options: dict[str, str | bool] = {} if output is None else {"output": output}
    options |= ({"parts": True} if parts else {}) | ({"standardise": True} if standardise else {})
    return NETWORKS[name].build(input_shape, **options)


def multiply_adds(model: keras.Model) -> int:
    """Multiply-adds a model's convolutions and dense layers do for one image.

    A convolution applies its weights at every position of its output map:
    ``out_height * out_width * kernel_height * kernel_width * in_channels * filters``
    multiply-adds; a dense layer does ``inputs * units``; other layers count as free.
    ``model`` must be built with a fixed input size.
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
    """The eight quarter-turn rotations and mirror images of a batch, the identity first."""
    turns = [np.rot90(images, k, axes=(1, 2)) for k in range(4)]
    return turns + [view[:, :, ::-1] for view in turns]


AUGMENTATION = (layers.RandomFlip, layers.RandomRotation, layers.RandomZoom, layers.RandomContrast)
"""The augmentation layers the networks use: they change images only while training."""


def predict_tta(model: keras.Model, images: np.ndarray, *, batch_size: int = 256) -> np.ndarray:
    """Predict with test-time augmentation: the mean over the eight :func:`dihedral_views`.

    A galaxy looks the same turned or mirrored, so averaging removes the part of the
    error that depends on its orientation. Averages of tree-consistent fractions are
    tree-consistent. Returns float32 of shape (n, 37).
    """
    views = [
        model.predict(view, batch_size=batch_size, verbose=0) for view in dihedral_views(images)
    ]
    return np.asarray(np.mean(views, axis=0, dtype=np.float64), dtype=np.float32)
