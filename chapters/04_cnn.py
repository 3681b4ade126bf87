# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 4 The CNN
#
# A convolutional neural network learns, from the images and the volunteers' answers
# alone, which patterns matter: first edges and blobs, then arms, bars and bulges. This
# chapter explains the parts the report's network is made of, with pictures of what each
# part does to a galaxy, then builds the report's network — all 849,285 parameters of
# it — and an improved one that knows two things about galaxies the report's does not.

# %% tags=["hide-input"]
# Set-up. On Colab, install the course's package, galaxylib, from its repository
# (written from _config.yml by `make exercises`; GALAXYLIB_REPOSITORY overrides it).
import importlib.util
import os
import subprocess
import sys

REPOSITORY = "https://github.com/galaxy-morphology-course/galaxy-cnn-course"
if "google.colab" in sys.modules and importlib.util.find_spec("galaxylib") is None:
    source = "git+" + os.environ.get("GALAXYLIB_REPOSITORY", REPOSITORY)
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", source], check=True)

from galaxylib.course import setup_notebook

PROFILE = setup_notebook(makes=["sky", "crops"])

# %%
import keras
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from galaxylib.course import course_data, glue
from galaxylib.data import load_catalog
from galaxylib.models import DecisionTree, improved_cnn, report_cnn, report_pools
from galaxylib.preprocess import preprocess_catalog
from galaxylib.synthetic import typical_galaxies
from galaxylib.taxonomy import check_tree

DATA = course_data()
cache = preprocess_catalog(DATA, size=150, progress=False)
if (DATA / "truth.csv").exists():  # a synthetic sky: its clearest spiral
    spiral = typical_galaxies(pd.read_csv(DATA / "truth.csv")).at["spiral", "GalaxyID"]
    chosen_by = "the sky's truth"
else:  # the real data: the galaxy most volunteers called a spiral
    labels = load_catalog(DATA).labels
    spiral = labels["GalaxyID"].iat[int(labels["Class4.1"].to_numpy().argmax())]
    chosen_by = "the volunteers' votes"
galaxy = cache.images[cache.rows_of(np.array([spiral]))[0]]
print(
    f"Data: {DATA}; the example below is spiral #{spiral} (chosen by {chosen_by}), "
    "a 150 x 150 crop of chapter 3's cache"
)


def show(images, titles, cmap="gray", size=2.4, colorbar=False):
    """Images side by side, each with its title (and, for feature maps, a colour bar)."""
    fig = Figure(figsize=(size * len(images) * (1.2 if colorbar else 1), size + 0.4))
    fig.set_layout_engine("constrained")
    for ax, image, title in zip(fig.subplots(1, len(images)), images, titles, strict=True):
        shown = ax.imshow(image, cmap=cmap)
        ax.set_title(title, fontsize=9)
        ax.set_axis_off()
        if colorbar:
            fig.colorbar(shown, ax=ax, shrink=0.75)
    return fig


# %% [markdown]
# ## Convolution: the same small filter everywhere
#
# A convolutional layer slides small filters — 7 × 7 numbers in the report's first layer —
# over the image, and at each position writes the sum of the pixels weighted by the
# filter. One filter makes one new image, a *feature map*, that is bright wherever the
# image looks like the filter. Because the same filter is used everywhere, a feature is
# found wherever it appears, and a layer needs few parameters: 32 filters of 7 × 7 over
# one grey channel are 32 × (49 + 1) = 1,600 numbers, whatever the image's size.
#
# A trained network learns its filters. To see what filters *can* do, here are four
# that we set by hand — a blur, a vertical and a horizontal edge detector, and a "spot"
# detector (bright centre, dark ring) — applied by a real Keras `Conv2D` layer:

# %%
kernels = np.zeros((7, 7, 1, 4), np.float32)
yy, xx = np.mgrid[-3:4, -3:4]
kernels[..., 0, 0] = np.exp(-(xx**2 + yy**2) / 4.0) / np.exp(-(xx**2 + yy**2) / 4.0).sum()
kernels[..., 0, 1] = np.sign(xx) / 21
kernels[..., 0, 2] = np.sign(yy) / 21
spot = np.exp(-(xx**2 + yy**2) / 2.0)
kernels[..., 0, 3] = (
    spot / spot.sum() - np.exp(-(xx**2 + yy**2) / 8.0) / np.exp(-(xx**2 + yy**2) / 8.0).sum()
)
conv = keras.layers.Conv2D(4, 7, use_bias=False)
conv.build((None, 150, 150, 1))
conv.set_weights([kernels])
maps = keras.ops.convert_to_numpy(conv(galaxy[None, ..., None].astype("float32") / 255))[0]
glue("ch4_map_side", int(maps.shape[0]))
glue("ch4_map_loss", int(galaxy.shape[0] - maps.shape[0]))
show(
    [galaxy / 255] + [maps[..., i] for i in range(4)],
    [
        "the crop, 150 x 150 px",
        "blur",
        "vertical edges",
        "horizontal edges",
        "spots",
    ],
    cmap="magma",
    colorbar=True,
)

# %% [markdown]
# Read the maps against the crop (brightness from 0 to 1; each colour bar gives a map's
# response in the same units). The blur is the galaxy, softened; the edge maps are bright
# on one side of each arm and dark on the other, because their filters are positive on one
# half and negative on the other; the spot map lights up where a small bright knot sits on
# a fainter background — clumps along the arms, stars — but hardly on the bulge, which is
# broader than the filter's bright centre. Each map is {glue:text}`ch4_map_loss` pixels
# smaller than the image ({glue:text}`ch4_map_side` × {glue:text}`ch4_map_side`): a 7 × 7
# filter without padding has no room at the border. After each convolution comes a
# **ReLU**, which keeps positive responses and sets negative ones to zero, so that
# stacking layers builds ever more complex patterns instead of collapsing into one big
# linear filter.
#
# ## Pooling: keep the strongest response, halve the size
#
# A 2 × 2 max pooling keeps the largest of each four neighbouring values. The map is
# halved in each direction, the exact position of a feature matters a little less, and
# each pixel of the next layer's input stands for two of the previous one. How much of
# the original image does the next 7 × 7 filter see — its *receptive field*? Each layer
# widens the field by (its kernel − 1) steps of the layers below:

# %%
field, step = 1, 1
for layer, kernel, stride in [("7 x 7 conv", 7, 1), ("2 x 2 pool", 2, 2), ("7 x 7 conv", 7, 1)]:
    field += (kernel - 1) * step
    step *= stride
    print(f"after the {layer}: each output sees {field} x {field} pixels of the image")
glue("ch4_field", field)

# %% [markdown]
# The second 7 × 7 filter covers {glue:text}`ch4_field` × {glue:text}`ch4_field` pixels
# of the original: deeper layers see larger structures. Here is the spot map pooled once
# and twice:

# %%
pooled = keras.ops.convert_to_numpy(keras.layers.MaxPooling2D(2)(maps[None]))[0]
pooled2 = keras.ops.convert_to_numpy(keras.layers.MaxPooling2D(2)(pooled[None]))[0]
show(
    [maps[..., 3], pooled[..., 3], pooled2[..., 3]],
    [
        f"spots, {maps.shape[0]} x {maps.shape[0]} px",
        f"after one pooling, {pooled.shape[0]} x {pooled.shape[0]}",
        f"after two, {pooled2.shape[0]} x {pooled2.shape[0]}",
    ],
    cmap="magma",
    colorbar=True,
)

# %% [markdown]
# Each pooling halves the picture and keeps the brightest spots: the knots and stars
# survive as blocky peaks, while the precise shape of the arms fades. The top of the
# colour bar stays where it was, because max pooling keeps the largest response of each
# block rather than averaging it away; the negative values all but vanish, because the
# largest of four neighbours is rarely negative.

# %% [markdown]
# ## Batch normalisation and dropout
#
# **Batch normalisation** rescales each feature map to zero mean and unit variance over
# the current batch, then lets the network learn the best scale and offset. Every layer
# then receives inputs on a steady scale however the earlier layers change, which lets
# training use larger steps. While training it uses the batch's statistics; afterwards it
# uses running averages of them — two of its four numbers per channel are not trained,
# which is why the report's summary lists 1,152 "non-trainable" parameters.
#
# **Dropout** sets a random fraction of a layer's outputs to zero at every training step
# (5 % and 15 % in the report's network) so that no unit can rely on one particular other
# unit: a cheap way to fight overfitting. At prediction time nothing is dropped.
#
# ## Augmentation: more galaxies for free
#
# A galaxy turned upside down or mirrored is still the same galaxy with the same answers.
# The report's network begins with four augmentation layers that, during training only,
# flip, rotate, zoom and change the contrast of every image at random, so the network
# sees a new variant of each galaxy at every epoch. The report wrote them as
# `layers.experimental.preprocessing.RandomFlip`, a name Keras 3 has removed; today they
# are `keras.layers.RandomFlip` and friends.
#
# One of them changed its meaning on the way. In TensorFlow 2,
# `RandomFlip("horizontal_and_vertical")` tossed one coin per axis; Keras 3's tosses a
# single coin for both, so it either turns the image by half a turn or leaves it alone,
# and **never mirrors it**. A network trained that way never sees the mirror image of a
# galaxy, and a spiral's mirror image winds the other way. `galaxylib` therefore
# flips each axis with its own layer, as the report's code did when it was written. Six
# random draws of the report's augmentation:

# %%
augment = keras.Sequential(
    [
        keras.layers.RandomFlip("horizontal", seed=1),
        keras.layers.RandomFlip("vertical", seed=5),
        keras.layers.RandomRotation(0.3, seed=2),
        keras.layers.RandomZoom(0.1, 0.1, fill_mode="nearest", seed=3),
        keras.layers.RandomContrast(0.05, seed=4),
    ]
)
batch = np.repeat(galaxy[None, ..., None].astype("float32"), 6, axis=0)
views = keras.ops.convert_to_numpy(augment(batch, training=True))[..., 0]
show(list(views), [f"draw {i + 1}, 150 x 150 px" for i in range(6)])

# %% [markdown]
# The same spiral, each draw turned, perhaps mirrored, slightly zoomed and with its
# contrast nudged: to a volunteer every draw is the same galaxy with the same answers, and
# that is what the network is taught. Where a rotation uncovers the corners, the zoom
# layer's `nearest` filling repeats the border pixels instead of leaving black triangles.

# %% [markdown]
# ## The report's network
#
# The report stacks six convolutions with growing numbers of filters (32, 32, 64, 64,
# 128, 256) and shrinking kernels (7, 7, 5, 5, 3, 3) — "CNNs with multiple consecutive
# convolutional layers learn best with increasing filter and decreasing kernel sizes",
# as it found by trial and error — each followed by batch normalisation and max pooling
# (2 × 2 after the first four; 1 × 1, which changes nothing, after the last two); then
# dropout, two dense layers of 512 and 256 units, and 37 sigmoid outputs, one per
# answer, each between 0 and 1. `galaxylib.models.report_cnn` builds it with today's
# Keras; at the report's 150 × 150 grey input its summary matches the report's layer for
# layer, with two additions described below:

# %%
report_150 = report_cnn((150, 150, 1))
report_150.summary(line_length=90)
print(f"{report_150.count_params():,} parameters (the report: 849,285)")

# %% tags=["remove-cell"]
# The prose quotes the report's parameter counts as ours: check that they are.
frozen = sum(int(np.prod(w.shape)) for w in report_150.non_trainable_weights)
assert report_150.count_params() == 849_285, report_150.count_params()
assert frozen == 1_152, frozen
assert tuple(report_pools(150)) == (2, 2, 2, 2, 1, 1), report_pools(150)
flatten = next(la for la in report_150.layers if isinstance(la, keras.layers.Flatten))
assert tuple(flatten.input.shape[1:]) == (1, 1, 256), flatten.input.shape

# %% [markdown]
# Two lines differ from the report's summary: a `Rescaling` layer, which turns the cache's
# bytes (0–255) into numbers between 0 and 1 on the accelerator, and the input, which is
# now `uint8` so that a quarter of the bytes travel from memory to the GPU. Neither has
# parameters.
#
# This book's `small` profile trains on 64 × 64 crops, where the report's pooling would
# shrink the map to nothing before the sixth convolution. `report_pools` moves the
# pooling — and only the pooling — so that the same six convolutions fit and the network
# keeps every one of its parameters:

# %%
print("pooling at 150 px:", report_pools(150), " at 64 px:", report_pools(PROFILE.image_size))
report_small = report_cnn((PROFILE.image_size, PROFILE.image_size, 1))
print(f"{report_small.count_params():,} parameters at {PROFILE.image_size} px")
glue("ch4_size", PROFILE.image_size)

# %% [markdown]
# ## An improved network
#
# The report's network ignores two facts about its targets that the Kaggle winner used.
#
# **The answers obey the decision tree.** Its 37 sigmoids can predict 80 % smooth *and*
# 80 % disc. `improved_cnn` ends instead in a `DecisionTree` layer: for each question it
# makes the values positive, divides them by their sum, and multiplies by the answer that
# leads to the question — so its outputs obey the tree whatever the weights, and the
# network spends nothing on learning the catalog's arithmetic. Fed random numbers, it
# returns tree-consistent fractions:

# %%
random_values = np.random.default_rng(0).normal(size=(1000, 37)).astype("float32")
fractions = keras.ops.convert_to_numpy(DecisionTree()(random_values))
print("rows that break the tree:", len(check_tree(fractions)))
print("all between 0 and 1:", bool(((fractions >= 0) & (fractions <= 1)).all()))

# %% [markdown]
# **A galaxy has no "up".** The improved network is trained with rotations by any angle,
# and at prediction time `predict_tta` averages its answers over the eight rotations by
# quarter turns and their mirror images. Between the two ends it uses today's habits: one
# 5 × 5 layer that pools at once, then small 3 × 3 convolutions padded to keep their size,
# in three stages, and a `Flatten` of the last 4 × 4 map. Like the report's network, it
# keeps *where* each feature was, which matters for a bar that sits at the centre of the
# crop; a global average over the last maps would keep the same number of values at any
# input size, but mix the centre with the sky around it. The price of `Flatten` is that
# its dense layer grows with the map it is given: four times the weights for every
# doubling of the map's side.

# %%
improved = improved_cnn((PROFILE.image_size, PROFILE.image_size, 1))
improved.summary(line_length=90)
ratio = report_small.count_params() / improved.count_params()
glue("ch4_improved_params", f"{improved.count_params():,}")
glue("ch4_report_params", f"{report_small.count_params():,}")
dense = [la for la in report_small.layers if isinstance(la, keras.layers.Dense)]
glue("ch4_dense_share", sum(la.count_params() for la in dense) / report_small.count_params())
glue(
    "ch4_param_ratio",
    "about as many as"
    if abs(ratio - 1) < 0.1
    else f"{ratio:.1f} times fewer than"
    if ratio > 1
    else f"{1 / ratio:.1f} times more than",
)

# %% [markdown]
# The improved network has {glue:text}`ch4_improved_params` parameters at
# {glue:text}`ch4_size` pixels, {glue:text}`ch4_param_ratio` the report's
# {glue:text}`ch4_report_params`, of which {glue:text}`ch4_dense_share:.0%` sit in its
# dense layers.
#
# The next chapter trains both, and chapter 6 compares them.
#
# ## Summary
#
# - A convolution slides one small filter over the whole image; pooling halves the map,
#   so deeper filters see larger structures.
# - Batch normalisation keeps each layer's inputs on a steady scale; dropout and
#   augmentation fight overfitting.
# - The report's network, rebuilt with today's Keras, has exactly the report's 849,285
#   parameters at 150 × 150; `report_pools` fits the same layers to smaller crops.
# - The improved network builds the decision tree into its output and averages over
#   rotations, with {glue:text}`ch4_param_ratio` the report's parameters.
#
# Practise with {doc}`Exercises 4: the CNN <../solutions/04_cnn>`.
