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
# part does to a galaxy; shows how a network *learns* — a loss, its gradient, one small
# step after another — by letting TensorFlow learn a filter from galaxies before your
# eyes; writes the report's network and an improved one with Keras, layer by layer; and
# ends by opening the report's trained network to see what it learned.
#
# **In this chapter you will learn to**
#
# - compute the number of parameters of a convolutional layer from its number of
#   filters, its kernel size and its input channels, and explain why it does not
#   depend on the image's size.
# - explain, with the one-weight example of gradient descent, why a learning rate
#   that is too small is slow, one that is too large zigzags, and one larger still
#   diverges.
# - predict the size of a feature map after a 2 × 2 max pooling, and explain why max
#   pooling keeps the strongest response instead of averaging it away.
# - explain what batch normalisation, dropout and the random augmentation layers do
#   while training and when a trained network predicts.
# - read from the six random draws of the report's augmentation whether a draw
#   mirrors the galaxy, and explain why galaxylib flips each axis with its own layer.
#
# **Before it:** chapter 2 (the mean squared error and the RMSE score) and chapter 3
# (the crops of the cache). You need to read NumPy arrays and short Keras code, and to
# know what a derivative is, including the derivative of a square.
#
# <!-- reading-time -->

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

PROFILE = setup_notebook(makes=["sky", "crops", "report"])

# %%
import keras
import numpy as np
import pandas as pd
import tensorflow as tf
from keras import layers
from matplotlib.figure import Figure

from galaxylib.course import course_data, course_model, glue, reading, same_network
from galaxylib.course.plots import annotation_size
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
    f"Data: {DATA.name}; the example below is spiral #{spiral} (chosen by {chosen_by}), "
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

# %% tags=["remove-cell"]
glue("ch4_map_side", int(maps.shape[0]))
glue("ch4_map_loss", int(galaxy.shape[0] - maps.shape[0]))

# %% [markdown]
# Read the maps against the crop (brightness from 0 to 1; each colour bar gives a map's
# response in the same units). The blur is the galaxy, softened; the edge maps are bright
# on one side of each arm and dark on the other, because their filters are positive on one
# half and negative on the other; the spot map lights up where a small bright knot sits on
# a fainter background. Each map is {glue:text}`ch4_map_loss` pixels
# smaller than the image ({glue:text}`ch4_map_side` × {glue:text}`ch4_map_side`): a 7 × 7
# filter without padding has no room at the border. After each convolution comes a
# **ReLU**, which keeps positive responses and sets negative ones to zero, so that
# stacking layers builds ever more complex patterns instead of collapsing into one big
# linear filter.
#
# ## How a network learns
#
# Nobody sets the filters of a trained network by hand: it starts from random numbers and
# improves them, step by small step, until its answers match the volunteers'. Four ideas
# make that work.
#
# **A loss** measures how wrong the network is with one number. The report's, and ours,
# is the mean squared error: the average, over galaxies and the 37 answers, of (predicted
# fraction − volunteers' fraction)². Training means making it small.
#
# **The gradient** says, for every weight, which way and how steeply the loss changes
# when that weight grows a little. Stepping every weight a little *against* its gradient
# lowers the loss; that is **gradient descent**. The **learning rate** scales each step:
# a step is the learning rate times the gradient, so steps shorten as the slope flattens.
#
# Start with a "network" of one weight: one number `c`, predicted as the smooth fraction
# (the first question's first answer) of every galaxy. Its loss, the mean of
# (fraction − `c`)² over the sky, is a parabola with its lowest point at the mean
# fraction. TensorFlow's `GradientTape` records the computation of the loss and works out
# its gradient; a loop of ten steps does the rest:

# %%
smooth = tf.constant(load_catalog(DATA).labels["Class1.1"].to_numpy(), tf.float32)


def descend(rate, steps=10, start=0.95):
    """The values of c on ten steps of gradient descent on the mean squared error."""
    c = tf.Variable(start)
    path = [float(c)]
    for _ in range(steps):
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean((smooth - c) ** 2)
        gradient = tape.gradient(loss, c)  # d(loss)/dc
        c.assign_sub(rate * gradient)  # one step against the gradient
        path.append(float(c))
    return np.array(path)


def loss_at(c):
    return ((smooth.numpy()[:, None] - np.atleast_1d(c)) ** 2).mean(axis=0)


rates = {"0.1 (too timid)": 0.1, "0.3 (about right)": 0.3, "0.95 (too bold)": 0.95}
paths = {label: descend(rate) for label, rate in rates.items()}
fig = Figure(figsize=(10, 3.2))
fig.set_layout_engine("constrained")
grid = np.linspace(-0.05, 1.05, 200)
for ax, (label, path) in zip(fig.subplots(1, 3, sharey=True), paths.items(), strict=True):
    ax.plot(grid, loss_at(grid), color="0.6")
    ax.plot(path, loss_at(path), "o-", color="tab:red", markersize=4)
    ax.set_title(f"learning rate {label}", fontsize=9)
    ax.set_xlabel("c, the predicted smooth fraction")
fig.axes[0].set_ylabel("loss (mean squared error)")
fig

# %% tags=["remove-cell"]
best = float(tf.reduce_mean(smooth))
misses = {label: abs(path[-1] - best) for label, path in paths.items()}
timid, right, bold = misses.values()
# The reading below: the middle rate ends closest, the bold one zigzags.
assert right < bold < timid or right < timid < bold, misses
bold_path = paths["0.95 (too bold)"]
assert ((bold_path[1:] - best) * (bold_path[:-1] - best) < 0).all()  # it crosses every step
glue("ch4_best_c", best)
glue("ch4_timid_miss", misses["0.1 (too timid)"])
glue("ch4_right_miss", misses["0.3 (about right)"])

# %% [markdown]
# Every run starts at `c = 0.95` and aims for the bottom of the curve, the mean smooth
# fraction, {glue:text}`ch4_best_c:.3f`. With a small rate each step is short: after ten
# steps `c` is still {glue:text}`ch4_timid_miss:.3f` away. With a rate about right it
# gets within {glue:text}`ch4_right_miss:.6f`. With a bold rate every step overshoots
# the bottom and lands on the other side, zigzagging; a little bolder still (above 1 for
# this loss) and each zigzag is wider than the last, and training *diverges*. A network
# has hundreds of thousands of weights instead of one, and a loss that is no parabola,
# but each step of plain gradient descent is this one (Adam, below, sizes the step of each
# weight in its own way).
#
# **Batches and epochs.** The loss of a network is an average over every training
# galaxy, and computing it all before each step would be slow. Instead each step
# estimates the gradient on a **batch** of galaxies — 64 in the report — which is noisy
# but cheap, so the network takes many small steps where it could take one careful one.
# One pass through every training galaxy is an **epoch**; the report trained for 50.
#
# **Backpropagation** is how the gradient of a deep network is computed at all. The
# forward pass sends a batch of images through the layers to the loss. The backward pass
# goes the other way: the loss tells the last layer how it should change; that layer
# tells the layer before it how *its* output should change, and so on down to the first
# convolution — the chain rule of calculus, applied layer by layer. One backward pass
# costs a small multiple of a forward pass (about twice, as a rule of thumb) and yields
# the gradient of every weight at once.
# `GradientTape` does it for any computation TensorFlow records. In a picture:

# %% tags=["hide-input"]
fig = Figure(figsize=(10, 2.2))
size = annotation_size(fig)  # text the page shows readably, whatever the width
ax = fig.subplots()
ax.set_axis_off()
ax.set_xlim(0, 10)
ax.set_ylim(0, 2.2)
boxes = ["images", "convolutions", "dense layers", "37 fractions", "loss"]
for i, label in enumerate(boxes):
    ax.text(
        0.2 + 2.2 * i,
        1.1,
        label,
        ha="left",
        va="center",
        fontsize=size,
        bbox={"boxstyle": "round", "facecolor": "white", "edgecolor": "0.4"},
    )
    if i:
        ax.annotate(
            "",
            (0.1 + 2.2 * i, 1.45),
            (2.2 * i - 0.55, 1.45),
            arrowprops={"arrowstyle": "->", "color": "tab:blue"},
        )
        ax.annotate(
            "",
            (2.2 * i - 0.55, 0.75),
            (0.1 + 2.2 * i, 0.75),
            arrowprops={"arrowstyle": "->", "color": "tab:red"},
        )
ax.text(5, 2.0, "forward: values", color="tab:blue", ha="center", fontsize=size)
ax.text(
    5,
    0.2,
    "backward: how the loss changes with each layer's output and weights",
    color="tab:red",
    ha="center",
    fontsize=size,
)
fig

# %% [markdown]
# **Learning a filter.** Now the same loop learns something a convolutional layer
# learns. Take a real `Conv2D` layer with one 3 × 3 filter, started from random numbers,
# and a "teacher": a vertical-edge filter set by hand. Show both the same batches of
# galaxy crops, and step the layer's weights to make its feature maps match the
# teacher's. This time the optimiser is **Adam**, the report's choice: it keeps, for each
# weight, a running average of its gradients and of their size, and steps by the
# average direction scaled to a similar size for every weight, so that weights with
# small gradients learn as fast as those with large ones.

# %%
crops = preprocess_catalog(DATA, size=PROFILE.image_size, progress=False)
pictures = crops.images[:512, ..., None].astype("float32") / 255  # 512 grey crops, 0 to 1
teacher = np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], np.float32) / 4  # vertical edges
target_maps = tf.nn.conv2d(pictures, teacher[..., None, None], strides=1, padding="VALID")

keras.utils.set_random_seed(0)
student = keras.layers.Conv2D(1, 3, use_bias=False)
student.build((None, PROFILE.image_size, PROFILE.image_size, 1))
start = student.get_weights()[0][..., 0, 0].copy()
optimizer = keras.optimizers.Adam(learning_rate=0.05)
EPOCHS = 40
losses = []
for _epoch in range(EPOCHS):
    for first in range(0, len(pictures), 32):  # batches of 32
        batch = slice(first, first + 32)
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean((student(pictures[batch]) - target_maps[batch]) ** 2)
        gradients = tape.gradient(loss, student.trainable_weights)
        optimizer.apply_gradients(zip(gradients, student.trainable_weights, strict=True))
        losses.append(float(loss))
learnt = student.get_weights()[0][..., 0, 0]

fig = Figure(figsize=(10, 2.6))
fig.set_layout_engine("constrained")
axes = fig.subplots(1, 4, width_ratios=[1, 1, 1, 1.6])
for ax, kernel, title in zip(
    axes[:3],
    [start, learnt, teacher],
    ["random start", f"learnt ({EPOCHS} epochs)", "set by hand"],
    strict=True,
):
    ax.imshow(kernel, cmap="RdBu_r", vmin=-0.6, vmax=0.6)
    for (row, col), value in np.ndenumerate(kernel):
        ax.text(col, row, f"{value:.2f}", ha="center", va="center", fontsize=annotation_size(fig))
    ax.set_title(title, fontsize=9)
    ax.set_axis_off()
axes[3].semilogy(losses)
axes[3].set_xlabel(f"step (batches of 32; {len(pictures) // 32} steps an epoch)")
axes[3].set_ylabel("loss")
fig

# %% tags=["remove-cell"]
difference = float(np.abs(learnt - teacher).max())
assert difference < 0.05, difference  # the reading says the filters agree
assert losses[-1] < losses[0] / 100, (losses[0], losses[-1])
epoch_means = np.array(losses).reshape(EPOCHS, -1).mean(axis=1)
drops = epoch_means[:-1] / epoch_means[1:]  # how many fold each epoch lowered the loss
per_epoch = float(np.exp(np.log(drops[2:]).mean()))
first_drop = losses[0] / epoch_means[2]
assert np.allclose(drops[2:], per_epoch, rtol=0.1), drops  # the reading: then steady
assert first_drop > per_epoch**3, (first_drop, per_epoch)  # faster at first
glue("ch4_filter_difference", difference)
glue("ch4_filter_steps", len(losses))
glue("ch4_filter_epochs", EPOCHS)
glue("ch4_filter_first_drop", first_drop)
glue("ch4_filter_per_epoch", per_epoch)
glue("ch4_filter_loss_drop", losses[0] / losses[-1])

# %% [markdown]
# From random numbers, in {glue:text}`ch4_filter_steps` steps
# ({glue:text}`ch4_filter_epochs` epochs), the layer has found the teacher's filter: no
# number of the learnt filter is more than {glue:text}`ch4_filter_difference:.3f` from
# the one set by hand, and the loss (on a log scale) fell
# {glue:text}`ch4_filter_loss_drop:,.0f`-fold. Nobody told it "vertical edge": the
# gradient did. Look at the curve's shape: over its first three epochs the loss fell
# {glue:text}`ch4_filter_first_drop:,.0f`-fold, and after that by a steady
# {glue:text}`ch4_filter_per_epoch:.2f`-fold an epoch — a straight line on the log scale.
# Neighbouring pixels of a galaxy are much alike, so many filters make nearly the same
# maps, and the loss is almost flat along the directions that tell them
# apart; this is why networks train for many epochs, and why the learning rate matters
# so much. A network learns all its weights the same way, except that its teacher is
# not a filter but the volunteers' 37 answers at the far end, and
# backpropagation carries what they say back to every filter. Keras's `model.fit`, in
# the next chapter, runs this loop for you, with the shuffling and the bookkeeping of
# the metrics around it.
#
# ## Pooling: keep the strongest response, halve the size
#
# A 2 × 2 max pooling keeps the largest of each four neighbouring values. The map is
# halved in each direction, the exact position of a feature matters a little less, and
# each pixel of the next layer's input stands for 2 × 2 of the previous one's. How much of
# the original image does the next 7 × 7 filter see — its *receptive field*? Each layer
# widens the field by (its kernel − 1) steps of the layers below:

# %%
field, step = 1, 1
for layer, kernel, stride in [("7 x 7 conv", 7, 1), ("2 x 2 pool", 2, 2), ("7 x 7 conv", 7, 1)]:
    field += (kernel - 1) * step
    step *= stride
    print(f"after the {layer}: each output sees {field} x {field} pixels of the image")

# %% tags=["remove-cell"]
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
# block rather than averaging it away.

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
# flips each axis with its own layer, as the report's single layer did under the
# TensorFlow of its day, which drew a coin for each axis. Six
# random draws of the report's augmentation:

# %%
flips = keras.Sequential(
    [keras.layers.RandomFlip("horizontal", seed=1), keras.layers.RandomFlip("vertical", seed=5)]
)
turn_zoom_contrast = keras.Sequential(
    [
        keras.layers.RandomRotation(0.3, seed=2),
        keras.layers.RandomZoom(0.1, 0.1, fill_mode="nearest", seed=3),
        keras.layers.RandomContrast(0.05, seed=4),
    ]
)
batch = np.repeat(galaxy[None, ..., None].astype("float32"), 6, axis=0)
flipped = keras.ops.convert_to_numpy(flips(batch, training=True))[..., 0]
views = keras.ops.convert_to_numpy(turn_zoom_contrast(flipped[..., None], training=True))[..., 0]
# One flip mirrors the galaxy; two flips (left-right and upside down) make a half turn.
mirrored = [
    np.array_equal(view, galaxy[:, ::-1]) or np.array_equal(view, galaxy[::-1]) for view in flipped
]
show(
    list(views),
    [f"draw {i + 1}: {'mirrored' if m else 'not mirrored'}" for i, m in enumerate(mirrored)],
)

# %% tags=["remove-cell"]
assert any(mirrored) and not all(mirrored), "the prose asks the reader to compare the two"

# %% [markdown]
# The same spiral, each draw turned, mirrored or not (the titles say which: see the
# arms wind the other way in the mirrored ones), slightly zoomed and with its contrast
# nudged: to a volunteer every draw is the same galaxy with the same answers, and
# that is what the network is taught. Where a rotation uncovers the corners,
# `RandomRotation` fills them by mirroring the image across its border (its default
# `fill_mode="reflect"`) instead of leaving black triangles.

# %% [markdown]
# ## The report's network
#
# The report stacks six convolutions with growing numbers of filters (32, 32, 64, 64,
# 128, 256) and shrinking kernels (7, 7, 5, 5, 3, 3) — "CNNs with multiple consecutive
# convolutional layers learn best with increasing filter and decreasing kernel sizes",
# as it found by trial and error — each followed by batch normalisation and max pooling.
# Then come the parts that turn maps into answers:
#
# - `Flatten` lays the last maps out as one long row of numbers;
# - a **dense layer** makes each of its outputs a weighted sum of *all* its inputs, plus
#   a bias, then a ReLU: where a convolution looks at a small window, a dense layer
#   combines everything the convolutions found. The report has two, of 512 and 256 units;
# - the last dense layer has 37 outputs, one per answer, each passed through a
#   **sigmoid**, 1 / (1 + e<sup>−x</sup>), which squeezes any number into the range 0 to 1
#   that a vote fraction lives in.
#
# In Keras, a network that is one layer after another is a `keras.Sequential` list.
# Here is the report's, written out layer by layer as the course's library
# (`galaxylib.models.report_cnn`) builds it with today's Keras:


# %%
def report_network(size=150):
    """The report's CNN for grey crops of size x size pixels."""
    pools = report_pools(size)  # where a 2 x 2 pooling fits (see below); at 150: 2, 2, 2, 2, 1, 1
    return keras.Sequential(
        [
            keras.Input(shape=(size, size, 1), dtype="uint8", name="image"),
            layers.Rescaling(1 / 255),  # the cache's bytes, 0 to 255, to numbers 0 to 1
            # augmentation: a new variant of every galaxy at every epoch (training only)
            layers.RandomFlip("horizontal"),
            layers.RandomFlip("vertical"),
            layers.RandomRotation(0.3),
            layers.RandomZoom(height_factor=0.1, width_factor=0.1, fill_mode="nearest"),
            layers.RandomContrast(0.05),
            # six convolutions, each with batch normalisation and pooling
            layers.Conv2D(32, 7, activation="relu"),
            layers.BatchNormalization(momentum=0.9),
            layers.MaxPooling2D(pools[0]),
            layers.Conv2D(32, 7, activation="relu"),
            layers.BatchNormalization(momentum=0.9),
            layers.MaxPooling2D(pools[1]),
            layers.Conv2D(64, 5, activation="relu"),
            layers.BatchNormalization(momentum=0.9),
            layers.MaxPooling2D(pools[2]),
            layers.Conv2D(64, 5, activation="relu"),
            layers.BatchNormalization(momentum=0.9),
            layers.MaxPooling2D(pools[3]),
            layers.Conv2D(128, 3, activation="relu"),
            layers.BatchNormalization(momentum=0.9),
            layers.MaxPooling2D(pools[4]),
            layers.Conv2D(256, 3, activation="relu"),
            layers.BatchNormalization(momentum=0.9),
            layers.MaxPooling2D(pools[5]),
            # from maps to 37 answers
            layers.Dropout(0.05),
            layers.Flatten(),
            layers.Dense(512, activation="relu"),
            layers.Dropout(0.15),
            layers.Dense(256, activation="relu"),
            layers.Dropout(0.15),
            layers.Dense(37, activation="sigmoid", dtype="float32"),  # 32-bit (chapter 5)
        ],
        name="report_cnn",
    )


# %% [markdown]
# At the report's 150 × 150 grey input its summary matches the report's layer for layer,
# with two rows added, described below. Each row is a layer, the shape of what it hands on
# (`None` stands for the number of images in a batch), and its number of weights:

# %%
report_150 = report_network(150)
report_150.summary(line_length=90)
print(f"{report_150.count_params():,} parameters (the report: 849,285)")


# %% tags=["remove-cell"]
# The page's network is the library's, which make networks trained and the CLI trains.
assert same_network(report_150, report_cnn((150, 150, 1)))
# The prose quotes the report's parameter counts as ours: check that they are.
frozen = sum(int(np.prod(w.shape)) for w in report_150.non_trainable_weights)
assert report_150.count_params() == 849_285, report_150.count_params()
assert frozen == 1_152, frozen
assert tuple(report_pools(150)) == (2, 2, 2, 2, 1, 1), report_pools(150)
flatten = next(la for la in report_150.layers if isinstance(la, keras.layers.Flatten))
assert tuple(flatten.input.shape[1:]) == (1, 1, 256), flatten.input.shape

# %% [markdown]
# Two rows are not in the report's summary: a `Rescaling` layer, which turns the cache's
# bytes (0–255) into numbers between 0 and 1 on the accelerator, and a second
# `RandomFlip`, one per axis, for the reason given in the augmentation section. Neither
# has parameters. The input, not a row of the summary, is now `uint8`, so that a quarter
# of the bytes travel from memory to the GPU. One setting differs too: batch
# normalisation's `momentum=0.9` instead of Keras's `0.99` — how fast its running
# averages forget — so that they settle within a few dozen steps, which matters for the
# short runs of this book.
#
# Where do the 849,285 parameters sit? A convolution of 32 filters of 7 × 7 over one
# channel has 32 × (7 × 7 × 1 + 1) = 1,600; the dense layer of 512 units on the 256
# numbers left after `Flatten` has 512 × (256 + 1) = 131,584. The biggest, at 256 × (3 × 3
# × 128 + 1) = 295,168, is the last convolution.
#
# This book's `small` profile trains on 64 × 64 crops, where the report's pooling would
# shrink the map below the fourth convolution's kernel before it gets there.
# `report_pools` moves the pooling — and only the pooling — so that the same six
# convolutions fit and the network keeps every one of its parameters:

# %%
print("pooling at 150 px:", report_pools(150), " at 64 px:", report_pools(PROFILE.image_size))
report_small = report_network(PROFILE.image_size)
print(f"{report_small.count_params():,} parameters at {PROFILE.image_size} px")

# %% tags=["remove-cell"]
assert same_network(report_small, report_cnn((PROFILE.image_size, PROFILE.image_size, 1)))
layer_weights = {la.name: la.count_params() for la in report_150.layers}
assert sorted(layer_weights.values())[-1] == 295_168, layer_weights
assert 1_600 in layer_weights.values() and 131_584 in layer_weights.values(), layer_weights
glue("ch4_size", PROFILE.image_size)

# %% [markdown]
# ## An improved network
#
# The report's network ignores two facts about the task that the Kaggle winner used.
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
# and at prediction time `galaxylib.models.predict_tta` averages its answers over the
# eight rotations by quarter turns and their mirror images. Between the two ends it uses
# today's habits: one 5 × 5 layer that pools at once, then small 3 × 3 convolutions padded
# (`"same"`) to keep their size, in three stages, and a `Flatten` of the last 4 × 4 map.
# Each convolution has no bias of its own, because the batch normalisation after it adds
# one, and its ReLU comes after the normalisation. Its `Flatten` keeps *where* each
# feature was on the last 4 × 4 map, which matters for a bar that sits at the centre of
# the crop; a global average over the last maps would keep the same number of values at
# any input size, but mix the centre with the sky around it. The price of `Flatten` is
# that its dense layer grows with the map it is given: four times the weights for every
# doubling of the map's side. It sees colour, as the Kaggle winner's network did: three
# channels in.


# %%
def conv_block(filters, kernel=3):
    """A padded convolution, batch normalisation (which adds the bias), then ReLU."""
    return [
        layers.Conv2D(filters, kernel, padding="same", use_bias=False),
        layers.BatchNormalization(momentum=0.9),
        layers.ReLU(),
    ]


def improved_network(size=64, channels=3, width=32):
    """A CNN whose 37 outputs obey the decision tree, for crops of size x size pixels."""
    return keras.Sequential(
        [
            keras.Input(shape=(size, size, channels), dtype="uint8", name="image"),
            layers.Rescaling(1 / 255),
            layers.RandomFlip("horizontal"),
            layers.RandomFlip("vertical"),
            layers.RandomRotation(0.5, fill_mode="constant"),  # any angle: the sky has no up
            layers.RandomZoom(0.1, fill_mode="constant"),
            *conv_block(width, 5),  # one wide first layer, pooled at once
            layers.MaxPooling2D(2),
            *conv_block(width),
            *conv_block(width),
            layers.MaxPooling2D(2),
            *conv_block(2 * width),
            *conv_block(2 * width),
            layers.MaxPooling2D(2),
            *conv_block(4 * width),
            *conv_block(4 * width),
            layers.MaxPooling2D(2),
            layers.Flatten(),
            layers.Dense(256, activation="relu"),
            layers.Dropout(0.3),
            layers.Dense(37, dtype="float32"),  # 37 raw numbers, any sign ...
            DecisionTree(dtype="float32"),  # ... made into fractions that obey the tree
        ],
        name="improved_cnn",
    )


# %% [markdown]
# At the book's {glue:text}`ch4_size` pixels, in colour:

# %%
improved = improved_network(PROFILE.image_size)
improved.summary(line_length=90)

# %% tags=["remove-cell"]
shape = (PROFILE.image_size, PROFILE.image_size, 3)
assert same_network(improved, improved_cnn(shape))
assert same_network(
    improved_network(PROFILE.image_size, channels=1), improved_cnn(shape[:2] + (1,))
)
ratio = report_small.count_params() / improved.count_params()
glue("ch4_improved_params", f"{improved.count_params():,}")
glue("ch4_report_params", f"{report_small.count_params():,}")
dense = [la for la in improved.layers if isinstance(la, keras.layers.Dense)]
glue("ch4_dense_share", sum(la.count_params() for la in dense) / improved.count_params())
reading(
    "ch4_param_ratio",
    {
        "about as many as": abs(ratio - 1) < 0.1,
        f"{ratio:.1f} times fewer than": ratio >= 1.1,
        f"{1 / ratio:.1f} times more than": ratio <= 0.9,
    },
)
reading(
    "ch4_param_summary",
    {
        "about as many parameters as the report's": abs(ratio - 1) < 0.1,
        f"{1 / ratio:.0%} as many parameters as the report's": ratio >= 1.1,
        f"{1 / ratio:.1f} times as many parameters as the report's": ratio <= 0.9,
    },
)

# %% [markdown]
# The improved network has {glue:text}`ch4_improved_params` parameters at
# {glue:text}`ch4_size` pixels in colour, {glue:text}`ch4_param_ratio` the report's
# {glue:text}`ch4_report_params`; {glue:text}`ch4_dense_share:.0%` of its parameters sit
# in its two dense layers. The next chapter trains both, and chapter 6 compares them.
#
# ## What the report's network learned
#
# The book's trained networks (the next chapter tells how they were trained) can be
# opened like any Keras model. The first convolution's weights are 32 filters of 7 × 7
# numbers, learnt from random starts by the loop above; here they are, red for positive
# weights and blue for negative, each on its own scale:

# %%
trained = keras.models.load_model(course_model("report"))
first_conv = next(la for la in trained.layers if isinstance(la, layers.Conv2D))
learnt_filters = first_conv.get_weights()[0][..., 0, :]  # 7 x 7 x 32
fig = Figure(figsize=(9, 4.6))
fig.set_layout_engine("constrained")
for i, ax in enumerate(fig.subplots(4, 8).flat):
    kernel = learnt_filters[..., i]
    ax.imshow(kernel, cmap="RdBu_r", vmin=-abs(kernel).max(), vmax=abs(kernel).max())
    ax.set_title(f"filter {i + 1}", fontsize=8)
    ax.set_axis_off()
fig


# %% tags=["remove-cell"]
def resemblance(kernel, reference):
    """Correlation of two filters' numbers, sign included (1: the same pattern)."""
    return float(np.corrcoef(kernel.ravel(), reference.ravel())[0, 1])


angles = np.linspace(0, np.pi, 8, endpoint=False)
edges = [np.tanh(np.cos(a) * xx + np.sin(a) * yy) for a in angles]  # a step at each angle
kinds = {
    "edge": [max(abs(resemblance(learnt_filters[..., i], e)) for e in edges) for i in range(32)],
    "spot": [abs(resemblance(learnt_filters[..., i], kernels[..., 0, 3])) for i in range(32)],
    "blur": [abs(resemblance(learnt_filters[..., i], kernels[..., 0, 0])) for i in range(32)],
}
table = pd.DataFrame(kinds)
like = table[table.max(axis=1) > 0.5].idxmax(axis=1).value_counts()
counts = {kind: int(like.get(kind, 0)) for kind in kinds}
assert counts["edge"] > 0, counts  # the reading says some filters are edge detectors
glue("ch4_edge_like", counts["edge"])
glue("ch4_spot_blur_like", counts["spot"] + counts["blur"])
glue("ch4_unlike", 32 - sum(counts.values()))

# %% [markdown]
# Nobody asked for edges, and some came: {glue:text}`ch4_edge_like` of the 32 filters
# resemble an edge detector at some angle (a correlation above `0.5` with a straight step
# from dark to bright), {glue:text}`ch4_spot_blur_like` resemble the hand-set spot or
# blur, and {glue:text}`ch4_unlike` resemble none of these.
#
# What does the spiral look like *inside* the network? A Keras model can hand back any
# layer's output: `keras.Model(trained.inputs, [...])` builds a second model that shares
# the trained one's layers and stops at the ones asked for. For each convolution below,
# the eight feature maps that respond most strongly to this spiral:

# %%
convolutions = [la for la in trained.layers if isinstance(la, layers.Conv2D)]
inside = keras.Model(trained.inputs, [convolutions[i].output for i in (0, 1, 3)])
spiral_64 = crops.images[crops.rows_of(np.array([spiral]))[0]][None, ..., None]
feature_maps = [keras.ops.convert_to_numpy(m)[0] for m in inside(spiral_64)]
fig = Figure(figsize=(10, 4.4))
fig.set_layout_engine("constrained")
axes = fig.subplots(3, 9)
for row, (name, maps) in enumerate(zip(["conv 1", "conv 2", "conv 4"], feature_maps, strict=True)):
    axes[row, 0].imshow(spiral_64[0, ..., 0], cmap="gray")
    axes[row, 0].set_title("the crop" if row == 0 else "", fontsize=8)
    strongest = np.argsort(maps.mean(axis=(0, 1)))[::-1][:8]
    for ax, channel in zip(axes[row, 1:], strongest, strict=True):
        ax.imshow(maps[..., channel], cmap="magma")
        ax.set_title(f"{name} #{channel + 1}, {maps.shape[0]} px", fontsize=7)
    for ax in axes[row]:
        ax.set_axis_off()
fig

# %% tags=["remove-cell"]
sides = [m.shape[0] for m in feature_maps]
silent = int((feature_maps[0].max(axis=(0, 1)) == 0).sum())
field, step = 1, 1  # the receptive field of conv 4, as in the pooling section
for i, (kernel, pool) in enumerate(
    zip((7, 7, 5, 5), report_pools(PROFILE.image_size)[:4], strict=True)
):
    field += (kernel - 1) * step  # the convolution
    if i < 3:  # and the pooling after it
        field += (pool - 1) * step
        step *= pool
assert sides[0] > sides[1] > sides[2], sides
glue("ch4_sides", f"{sides[0]}, {sides[1]} and {sides[2]}")
glue("ch4_field_64", field)
assert feature_maps[0].shape[-1] - silent >= 8  # so the dark maps are not among those shown
reading(
    "ch4_silent",
    {
        f"{silent} of the first layer's 32 maps, not among the eight shown, are dark all over "
        "for this spiral: the ReLU sets negative responses to zero, so a filter that answers "
        "a pattern this crop does not have, or one that training left answering nothing, "
        "stays dark": silent > 0,
        "Every one of the first layer's 32 maps responds somewhere on this spiral": silent == 0,
    },
)

# %% [markdown]
# Read the rows from top to bottom. The maps are {glue:text}`ch4_sides` pixels wide in
# the three rows. The first convolution's are still pictures of the galaxy, each a
# different filtering of it. {glue:text}`ch4_silent`. Deeper down, the maps shrink and
# each of their pixels sees more of the crop; the second convolution's maps can still
# show the galaxy's shape, but a pixel of the fourth convolution's map sees
# {glue:text}`ch4_field_64` × {glue:text}`ch4_field_64` pixels of it, and its maps no
# longer look like the galaxy: each pixel now describes a whole region. The last
# convolution's map is a single pixel with 256 numbers, the description of the galaxy
# that the dense layers turn into 37 answers.
#
# ## Summary
#
# - A convolution slides one small filter over the whole image; pooling halves the map,
#   so deeper filters see larger structures.
# - A network learns by gradient descent: a loss, its gradient by backpropagation, and a
#   small step against it, batch after batch, epoch after epoch; Adam sizes each step.
# - Batch normalisation keeps each layer's inputs on a steady scale; dropout and
#   augmentation fight overfitting.
# - The report's network, written with today's Keras, has exactly the report's 849,285
#   parameters at 150 × 150; `report_pools` fits the same layers to smaller crops.
# - The improved network builds the decision tree into its output and averages over
#   rotations, with {glue:text}`ch4_param_summary`.
# - A trained network's first filters include edge detectors it found by itself.
#
# Practise with {doc}`Exercises 4: the CNN <../solutions/04_cnn>`.

# %% [markdown]
# ## Check yourself
#
# 6 questions on this chapter. Choose an answer before you open the explanation
# under it.
#
# **1.** The report's third convolution has 64 filters of 5 × 5 and receives the 32
# channels of the layer before it. How many parameters does it have?
#
# - (a) 64 × (5 × 5 + 1) = 1,664
# - (b) 64 × (5 × 5 × 32 + 1) = 51,264, whatever the image's size
# - (c) 51,264 at 150 × 150 pixels, but fewer at 64 × 64, because the map is smaller
# - (d) 64 × 5 × 5 × 32 + 1 = 51,201, with one bias shared by all filters
#
# <details class="quiz"><summary>Answer</summary>
# (b) Each filter has a 5 × 5 window in every one of the 32 input channels, so 5 × 5
# × 32 = 800 weights, plus one bias of its own, and there are 64 filters: 64 × 801 =
# 51,264, the same pattern as the chapter's 32 × (7 × 7 × 1 + 1) = 1,600 for the
# first layer and 256 × (3 × 3 × 128 + 1) = 295,168 for the last. The tempting (a)
# forgets the input channels, which only the first layer, on a single grey channel,
# can do. Because the same filter slides over every position, the count does not
# depend on the image's size, which is why the report's network keeps every one of
# its parameters at 64 pixels; and each filter has its own bias, not one shared bias.
# </details>
#
# **2.** Before running the cell that takes ten steps of gradient descent on the
# one-weight loss, the mean of (fraction − c)², predict what the learning rate 0.95
# does, starting from c = 0.95.
#
# - (a) It reaches the bottom fastest of the three rates, because larger steps are
#   always better.
# - (b) Every step overshoots the bottom and lands on the other side, zigzagging
#   towards it.
# - (c) Each zigzag is wider than the last, and training diverges.
# - (d) It moves c so little that after ten steps it has hardly left its start.
#
# <details class="quiz"><summary>Answer</summary>
# (b) The gradient of the mean of (fraction − c)² is 2 × (c − mean fraction), so one
# step multiplies c's distance from the bottom by 1 − 2 × rate. With 0.95 that factor
# is −0.9: the sign flips, so c jumps to the other side every step, but the distance
# still shrinks, and the chapter's figure shows the zigzag. The tempting (c) is what
# happens with a rate a little bolder still, above 1 for this loss, where the factor
# is larger than 1 in size. The timid rate 0.1 gives a factor of 0.8 and creeps
# towards the bottom, and 0.3 gives 0.4, which is why it is the one that gets closest
# in ten steps: bigger is not always better.
# </details>
#
# **3.** Before running the cell that applies a 2 × 2 max pooling to the spot map,
# once and then twice, predict what happens to the map and to the top of its colour
# bar.
#
# - (a) Each pooling halves the map in each direction, and the top of the colour bar
#   stays where it was.
# - (b) Each pooling halves the map in each direction, and the brightest values drop,
#   because each block of four is averaged.
# - (c) The map keeps its size but is blurred, like the blur filter.
# - (d) Each pooling halves the map, and which of the four values it keeps is a
#   weight that the network learns.
#
# <details class="quiz"><summary>Answer</summary>
# (a) A 2 × 2 max pooling keeps the largest of each four neighbouring values, so the
# map is halved in each direction and the single strongest response in the map
# survives, which is why the chapter points out that the top of the colour bar stays
# where it was: knots and stars remain as blocky peaks while the precise shape of the
# arms fades. The tempting (b) describes average pooling, not max pooling. Pooling
# has no weights at all, so nothing about it is learnt, and it always changes the
# size, unlike a padded convolution.
# </details>
#
# **4.** Which statement about batch normalisation in the report's network is true?
#
# - (a) It uses the statistics of the current batch at prediction time too, and the
#   1,152 non-trainable parameters in the summary are dropout rates.
# - (b) While training it uses the batch's statistics; afterwards it uses running
#   averages of them, a mean and a variance per channel, which are not trained by the
#   gradient: 2 × (32 + 32 + 64 + 64 + 128 + 256) = 1,152.
# - (c) It is switched off at prediction time, like dropout, so its 1,152 numbers are
#   never used.
# - (d) It uses running averages at prediction time, and the 1,152 non-trainable
#   parameters are its learnt scale and offset.
#
# <details class="quiz"><summary>Answer</summary>
# (b) Batch normalisation rescales each feature map to zero mean and unit variance
# over the current batch, then applies a scale and an offset that the network learns;
# during training it also keeps running averages of the mean and variance, and a
# trained network uses those. Of its four numbers per channel, the scale and offset
# are trained and the two running averages are not, and the six convolutions have 576
# channels in all, so 2 × 576 = 1,152 non-trainable parameters. The tempting (d)
# swaps the two pairs: the scale and offset are learnt by the gradient, so they are
# trainable. Batch normalisation is not switched off at prediction, it only changes
# which statistics it uses, and dropout has no parameters at all.
# </details>
#
# **5.** A trained network predicts the answers for a galaxy. Which statement about
# augmentation at prediction time is true?
#
# - (a) The random flip, rotation, zoom and contrast layers keep acting, so the same
#   galaxy gets a different answer each time.
# - (b) The random augmentation layers act during training only; for the improved
#   network, predict_tta instead averages the answers over eight fixed views, the
#   four rotations by quarter turns and their mirror images.
# - (c) Augmentation must never be used at prediction, because the network would then
#   see its training galaxies again.
# - (d) predict_tta averages the answers over random rotations by any angle, drawn
#   afresh as in training.
#
# <details class="quiz"><summary>Answer</summary>
# (b) The report's augmentation layers flip, rotate, zoom and change the contrast of
# every image at random during training only, so that the network sees a new variant
# of each galaxy at every epoch; when the network predicts they pass the image
# through unchanged, just as dropout drops nothing at prediction time. Averaging over
# views at prediction is a separate, deliberate choice: a galaxy has no up, so
# predict_tta averages the improved network's answers over the eight rotations by
# quarter turns and their mirror images, which are fixed views, not random draws. The
# tempting (a) confuses the two; (c) is wrong because averaging over views of the
# galaxy being predicted shows the network nothing from its training set.
# </details>
#
# **6.** Which figure lets you check that the network's augmentation sometimes
# mirrors the spiral, so that its arms wind the other way?
#
# - (a) The six random draws of the report's augmentation, whose titles say mirrored
#   or not mirrored.
# - (b) The crop beside its blur, vertical-edge, horizontal-edge and spot maps.
# - (c) The spot map pooled once and twice.
# - (d) The feature maps of conv 1, conv 2 and conv 4 for the same spiral.
#
# <details class="quiz"><summary>Answer</summary>
# (a) The six draws show the same spiral turned, slightly zoomed, with its contrast
# nudged, and mirrored or not; the titles say which, and in the mirrored ones the
# arms wind the other way. The chapter explains why this needs two RandomFlip layers:
# in Keras 3, RandomFlip("horizontal_and_vertical") tosses a single coin for both
# axes, so it either turns the image by half a turn or leaves it alone and never
# mirrors it, and a network trained that way would never see a spiral winding the
# other way; galaxylib flips each axis with its own layer, as the report's single
# layer did under TensorFlow 2. The other figures show filters, pooling and feature maps, not
# augmentation: the feature maps are of the plain crop, since the random layers are
# off at prediction.
# </details>
