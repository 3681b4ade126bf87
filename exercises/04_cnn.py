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
# # Exercises 4: the CNN
#
# These exercises go with {doc}`chapter 4 <../chapters/04_cnn>`.
# Each asks you to write a few lines and ends with a
# check cell that prints **Correct!** or tells you, in one sentence, what is still wrong.
# Run the cells from the top; the first import of Keras takes a few seconds.
#
# Where `galaxylib` already holds an answer, write your own: the check refuses an answer
# that calls galaxylib's version.

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

from galaxylib.course import checks
from galaxylib.models import REPORT_KERNELS, DecisionTree, report_cnn, report_pools
from galaxylib.taxonomy import COLUMNS, QUESTIONS

keras.utils.set_random_seed(0)


# %% [markdown]
# ```{exercise} How big is the map after a layer?
# :label: ex-4-1
#
# Write `output_size(size, kernel, stride=1, padding="valid")`: the side of the square
# map that a `Conv2D` or `MaxPooling2D` layer makes from a map of side `size`, with a
# square kernel (or pool) of side `kernel`, moving `stride` pixels a step. With
# `"valid"` padding the kernel must fit inside the map at every position; with `"same"`
# padding Keras pads the map so that the output has `size / stride` pixels, rounded up.
# (Unlike Keras's pooling layers, whose stride defaults to the pool size, the stride
# here is always given or 1.) Return an int.
# ```

# %%
def output_size(size: int, kernel: int, stride: int = 1, padding: str = "valid") -> int:
    # YOUR CODE HERE
    raise NotImplementedError()


# %% points=2
checks.check_output_size(output_size)

# %% [markdown]
# The report's six convolutions, each followed by a max pooling, at 150 and at 64
# pixels (`report_pools` says where the network pools):

# %%
for start in (150, 64):
    sizes, side = [start], start
    for kernel, pool in zip(REPORT_KERNELS, report_pools(start), strict=True):
        side = output_size(side, kernel)
        side = output_size(side, pool, stride=pool)
        sizes.append(side)
    print(" -> ".join(map(str, sizes)))


# %% [markdown]
# ```{exercise} Counting parameters
# :label: ex-4-2
#
# Write `conv2d_params(kernel, channels_in, filters, use_bias=True)`, the number of
# weights of a `Conv2D` layer with `filters` square kernels of side `kernel` on a map with
# `channels_in` channels, and `dense_params(n_in, n_out, use_bias=True)`, that of a
# `Dense` layer with `n_out` units on `n_in` inputs. Both return an int.
# ```

# %%
def conv2d_params(kernel: int, channels_in: int, filters: int, use_bias: bool = True) -> int:
    # YOUR CODE HERE
    raise NotImplementedError()


def dense_params(n_in: int, n_out: int, use_bias: bool = True) -> int:
    # YOUR CODE HERE
    raise NotImplementedError()


# %% points=2
checks.check_param_counts(conv2d_params, dense_params)

# %% [markdown]
# With them, the report's network by hand — each batch normalisation adds 4 numbers per
# channel (a scale, an offset, and the moving mean and variance) — against Keras's count:

# %%
filters = (32, 32, 64, 64, 128, 256)
channels = (1, *filters[:-1])
total = sum(
    conv2d_params(k, c, f) + 4 * f
    for k, c, f in zip(REPORT_KERNELS, channels, filters, strict=True)
)
total += dense_params(256, 512) + dense_params(512, 256) + dense_params(256, 37)
print(f"by hand: {total:,}; Keras: {report_cnn((150, 150, 1)).count_params():,}")


# %% [markdown]
# ```{exercise} A CNN on a budget
# :label: ex-4-3
#
# The report's network has 849,285 parameters. Write `build_cnn(input_shape)` that
# returns a Keras model for `input_shape = (64, 64, 1)` grey images (`uint8`, 0–255:
# scale them to [0, 1] in the first layer) with
#
# - at least two `Conv2D` layers,
# - between 20,000 and 100,000 parameters in all,
# - an output of shape `(None, 37)` from a final layer with a **sigmoid** activation, so
#   that every output is a fraction.
#
# A dense layer has one weight for each of its inputs and each of its units: flatten a
# large map into it and that one layer can use up the whole budget. Think about the size
# of the map you hand it.
# ```

# %%
def build_cnn(input_shape: tuple[int, int, int]) -> keras.Model:
    # YOUR CODE HERE
    raise NotImplementedError()


# %% points=3
checks.check_cnn_budget(build_cnn)

# %%
print(f"your network: {build_cnn((64, 64, 1)).count_params():,} parameters")


# %% [markdown]
# ```{exercise} An output that obeys the tree
# :label: ex-4-4
#
# Sigmoids give 37 fractions, but nothing makes them obey the decision tree. Write
# `tree_normalise(values)` (NumPy; `values` has shape (n, 37), any real numbers) that
# returns fractions that do, by construction:
#
# - make every value positive with a function that keeps their order, such as softplus
#   `log(1 + exp(v))`;
# - for each question, divide its answers' values by their sum, then multiply them by
#   the *output* of the parent answer (Q1 and Q6 have none);
# - a larger value must give a larger share within its question.
#
# Walk `QUESTIONS` in order: every parent comes before its children.
# ```

# %%
def tree_normalise(values: np.ndarray) -> np.ndarray:
    # YOUR CODE HERE
    raise NotImplementedError()


# %% points=3
checks.check_tree_output(tree_normalise)

# %% [markdown]
# This is what `galaxylib.models.DecisionTree`, the improved network's last layer, does
# (it adds a tiny constant before dividing, so that no question divides 0 by 0):

# %%
values = np.random.default_rng(4).normal(0, 3, (5, 37)).astype("float32")
layer = np.asarray(DecisionTree()(values))
print(f"largest difference from the layer: {np.abs(tree_normalise(values) - layer).max():.1e}")


# %% [markdown]
# ```{exercise} Reading the network's summary
# :label: ex-4-5
#
# Chapter 4 prints the summary of the report's network at 150 pixels; it is below. In its
# *Param #* column, find the layer with the most parameters. Set `largest_params` to that
# number and `largest_kind` to its kind, `"conv"` or `"dense"`.
# ```

# %%
report_cnn((150, 150, 1)).summary()

# %%
largest_params = largest_kind = None  # your answers, set below
# YOUR CODE HERE
raise NotImplementedError()

# %% points=1
checks.check_summary_reading(largest_params, largest_kind)

# %% [markdown]
# ```{exercise} Where to spend the budget
# :label: ex-4-6
#
# Two networks of about the same size: yours, from exercise 4.3, and `flat_cnn` below,
# which spends most of its parameters on one dense layer after `Flatten`. Which would you
# train? Find out: compile each with `compile_for_galaxies`, train it for five epochs on
# the first 768 galaxies of `images` and validate it on the other 256 (`fit`'s
# `validation_data`, batches of 32), starting each with `keras.utils.set_random_seed(0)`.
# `fit` returns a `History`: its `history["val_root_mean_squared_error"]` lists the
# validation RMSE after each epoch (chapter 5 shows `fit` at work). Set `val_rmse` to a
# dict `{"yours": ..., "flat": ...}` of each run's lowest validation RMSE, `choice` to
# the name of the one you would train further, and `skill` to your choice's skill
# against predicting the training galaxies' mean answers: 1 − RMSE / RMSE of the mean, on
# the same 256 galaxies. To pass, your choice must beat the mean (a skill above 0).
#
# Then, in the Markdown cell under your code, defend your choice with your numbers:
# where do each network's parameters sit, and what does that do?
# ```

# %%
from galaxylib.course import course_data
from galaxylib.data import load_catalog
from galaxylib.pipeline import targets_of
from galaxylib.preprocess import preprocess_catalog

DATA = course_data()
cache = preprocess_catalog(DATA, size=64, progress=False)
images = cache.images[:1024, ..., None]  # uint8, (1024, 64, 64, 1)
targets = targets_of(load_catalog(DATA), cache.ids[:1024])


def flat_cnn(input_shape: tuple[int, int, int]) -> keras.Model:
    """One small convolution, then most of the parameters in a dense layer."""
    layers = keras.layers
    net = keras.Sequential([keras.Input(input_shape, dtype="uint8"), layers.Rescaling(1 / 255)])
    net.add(layers.Conv2D(8, 5, strides=2, activation="relu"))  # 30 x 30 x 8
    net.add(layers.MaxPooling2D(4))  # 7 x 7 x 8
    net.add(layers.Flatten())  # 392 numbers, each tied to a place in the image
    net.add(layers.Dense(128, "relu"))
    net.add(layers.Dense(37, "sigmoid"))
    return net


def compile_for_galaxies(net: keras.Model) -> keras.Model:
    """Adam (learning rate 0.01) and the mean squared error, with the RMSE as a metric."""
    net.compile(
        optimizer=keras.optimizers.Adam(0.01),
        loss="mse",
        metrics=[keras.metrics.RootMeanSquaredError()],
    )
    return net


print(f"yours: {build_cnn((64, 64, 1)).count_params():,} parameters; ", end="")
print(f"flat: {flat_cnn((64, 64, 1)).count_params():,}")

# %%
val_rmse = choice = skill = None  # your answers, set below
# YOUR CODE HERE
raise NotImplementedError()
print({name: round(v, 4) for name, v in val_rmse.items()}, "->", choice, f"skill {skill:.3f}")

# %% [markdown] points=1 tags=["written"]
# YOUR ANSWER HERE

# %% points=2
checks.check_budget_choice(val_rmse, choice, skill, targets[:768], targets[768:])
