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
from matplotlib.figure import Figure

from galaxylib.course import course_data
from galaxylib.models import DecisionTree, improved_cnn, report_cnn, report_pools
from galaxylib.preprocess import preprocess_catalog
from galaxylib.taxonomy import check_tree

DATA = course_data()
cache = preprocess_catalog(DATA, size=150, progress=False)
galaxy = cache.images[int(np.argmax(cache.images.reshape(len(cache), -1).std(axis=1)))]
print(f"Data: {DATA}; the example below is one 150 x 150 crop of chapter 3's cache")


def show(images, titles, cmap="gray", size=2.4):
    fig = Figure(figsize=(size * len(images), size + 0.4), layout="constrained")
    for ax, image, title in zip(fig.subplots(1, len(images)), images, titles, strict=True):
        ax.imshow(image, cmap=cmap)
        ax.set_title(title, fontsize=9)
        ax.set_axis_off()
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
show(
    [galaxy] + [maps[..., i] for i in range(4)],
    ["the crop", "blur", "vertical edges", "horizontal edges", "spots"],
    cmap="magma",
)

# %% [markdown]
# Each map is 6 pixels smaller than the image (144 × 144): a 7 × 7 filter without
# padding has no room at the border. After each convolution comes a **ReLU**, which keeps
# positive responses and sets negative ones to zero, so that stacking layers builds
# ever more complex patterns instead of collapsing into one big linear filter.
#
# ## Pooling: keep the strongest response, halve the size
#
# A 2 × 2 max pooling keeps the largest of each four neighbouring values. The map is
# halved in each direction, the exact position of a feature matters a little less, and
# the next layer's 7 × 7 filter now covers 14 × 14 pixels of the original: deeper
# layers see larger structures.

# %%
pooled = keras.ops.convert_to_numpy(keras.layers.MaxPooling2D(2)(maps[None]))[0]
pooled2 = keras.ops.convert_to_numpy(keras.layers.MaxPooling2D(2)(pooled[None]))[0]
show(
    [maps[..., 3], pooled[..., 3], pooled2[..., 3]],
    ["spots, 144 x 144", "after one pooling, 72 x 72", "after two, 36 x 36"],
    cmap="magma",
)

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
# are `keras.layers.RandomFlip` and friends. Six random draws of the report's
# augmentation:

# %%
augment = keras.Sequential(
    [
        keras.layers.RandomFlip("horizontal_and_vertical", seed=1),
        keras.layers.RandomRotation(0.3, seed=2),
        keras.layers.RandomZoom(0.1, 0.1, fill_mode="nearest", seed=3),
        keras.layers.RandomContrast(0.05, seed=4),
    ]
)
batch = np.repeat(galaxy[None, ..., None].astype("float32"), 6, axis=0)
views = keras.ops.convert_to_numpy(augment(batch, training=True))[..., 0]
show(list(views), [f"draw {i + 1}" for i in range(6)])

# %% [markdown]
# ## The report's network
#
# The report stacks six convolutions with growing numbers of filters (32, 32, 64, 64,
# 128, 256) and shrinking kernels (7, 7, 5, 5, 3, 3) — "CNNs with multiple consecutive
# convolutional layers learn best with increasing filter and decreasing kernel sizes",
# as it found by trial and error — each followed by batch normalisation and max pooling;
# then dropout, two dense layers of 512 and 256 units, and 37 sigmoid outputs, one per
# answer, each between 0 and 1. `galaxylib.models.report_cnn` builds it with today's
# Keras; at the report's 150 × 150 grey input its summary matches the report's line for
# line:

# %%
report_150 = report_cnn((150, 150, 1))
report_150.summary(line_length=90)
print(f"{report_150.count_params():,} parameters (the report: 849,285)")

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

# %% [markdown]
# ## An improved network
#
# The report's network ignores two facts about its targets that the Kaggle winner used.
#
# **The answers obey the decision tree.** Its 37 sigmoids can predict 0.8 smooth *and*
# 0.8 disc. `improved_cnn` ends instead in a `DecisionTree` layer: for each question it
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
# quarter turns and their mirror images. Between the two ends it uses today's habits:
# small 3 × 3 convolutions padded to keep their size, in four stages, and a global
# average over the last feature maps instead of a huge dense layer — far fewer
# parameters than the report's network:

# %%
improved = improved_cnn((PROFILE.image_size, PROFILE.image_size, 1))
improved.summary(line_length=90)

# %% [markdown]
# The next chapter trains both, and chapter 6 compares them.
