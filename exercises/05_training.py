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
# # Exercises 5: training on a GPU
#
# These exercises go with {doc}`chapter 5 <../chapters/05_training>`.
# Each asks you to write a few lines and ends with a
# check cell that prints **Correct!** or tells you, in one sentence, what is still wrong.
# Run the cells from the top; they run on a CPU too, on small slices of the sky.
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
import math
import tempfile
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf

from galaxylib.course import checks, course_data
from galaxylib.data import load_catalog
from galaxylib.pipeline import targets_of
from galaxylib.preprocess import preprocess_catalog

DATA = course_data()
catalog = load_catalog(DATA)
cache = preprocess_catalog(DATA, size=64, progress=False)
images = cache.images[:1024, ..., None]  # uint8, (1024, 64, 64, 1)
targets = targets_of(catalog, cache.ids[:1024])
keras.utils.set_random_seed(0)


# %% [markdown]
# ```{exercise} What the report's training cost
# :label: ex-5-1
#
# The report trained on 49,262 galaxies (its training and test splits together, as
# chapter 2 found) in batches of 64, at 623 ms a step, for 50
# epochs. Write `training_time(n_train, batch_size, ms_per_step, epochs)` that returns a
# tuple of three: the number of steps per epoch (the last batch may be smaller: it is a
# step too), the hours that many steps take over all epochs, and the images trained on
# per second.
# ```

# %%
def training_time(
    n_train: int, batch_size: int, ms_per_step: float, epochs: int
) -> tuple[int, float, float]:
    # YOUR CODE HERE
    raise NotImplementedError()


# %% points=2
checks.check_training_time(training_time)

# %%
steps, hours, rate = training_time(49262, 64, 623, 50)
print(f"{steps} steps an epoch, {hours:.2f} h of training steps, {rate:.0f} images/s")


# %% [markdown]
# The report's log said 6.86 hours; the rest of it went on what the steps leave out,
# such as the validation pass after each epoch (193 batches). At about a hundred images a
# second, the GPU may have spent much of its time waiting for the input pipeline (chapter
# 5 measures whether a pipeline like the report's could feed more; the network's own speed
# on that GPU was never measured). A pipeline that cannot keep a GPU waiting is what the
# next exercise is about.
#
# ```{exercise} A pipeline that keeps the GPU busy
# :label: ex-5-2
#
# Write `make_pipeline(images, targets, batch_size=64, seed=0)` that returns a
# `tf.data.Dataset` of `(images, targets)` batches made from two NumPy arrays. It must
#
# - keep every image with its own targets;
# - **cache** the examples, so that nothing before the cache runs again after the first
#   epoch;
# - shuffle the examples — over the whole data set, with `seed`, anew every epoch —
#   *before* putting them into batches of `batch_size` (the last batch may be smaller);
# - end with **prefetch**, so that the next batch is prepared while the model trains.
# ```

# %%
def make_pipeline(
    images: np.ndarray, targets: np.ndarray, batch_size: int = 64, seed: int = 0
) -> tf.data.Dataset:
    # YOUR CODE HERE
    raise NotImplementedError()


# %% points=3
checks.check_pipeline(make_pipeline)


# %% [markdown]
# ```{exercise} The report's callbacks, made right
# :label: ex-5-3
#
# The report defined four callbacks and passed none of them to `fit`
# (`callbacksInUse = []`). Had it passed them, its `ModelCheckpoint`, watching
# `val_accuracy` with `mode='max'`, would never have saved a model, since a regression
# has no accuracy, and its `EarlyStopping` would have left the model with the weights of
# the last epoch rather than the best one. Write
# `make_callbacks(path, patience=7)` that returns a list with
#
# - a `ModelCheckpoint` that saves the whole model to `path` (a `.keras` file), only
#   when the validation loss is the lowest so far;
# - an `EarlyStopping` on the validation loss with `patience` epochs, that restores the
#   weights of the best epoch when it stops;
# - a `ReduceLROnPlateau` on the validation loss, dividing the learning rate by 5 after
#   3 epochs without progress, down to 1e-5.
# ```

# %%
def make_callbacks(path: str, patience: int = 7) -> list[keras.callbacks.Callback]:
    # YOUR CODE HERE
    raise NotImplementedError()


# %% points=2
checks.check_callbacks(make_callbacks)

# %% [markdown]
# Your pipeline and callbacks at work: a tiny network, three epochs on 768 galaxies,
# validated on 256 others.


# %%
def tiny_network(learning_rate: float = 0.01) -> keras.Model:
    """A tiny CNN, compiled: one convolution, then the 37 answers."""
    net = keras.Sequential(
        [
            keras.Input(shape=(64, 64, 1), dtype="uint8"),
            keras.layers.Rescaling(1 / 255),
            keras.layers.Conv2D(8, 5, strides=2, activation="relu"),
            keras.layers.GlobalAveragePooling2D(),
            keras.layers.Dense(37, activation="sigmoid"),
        ]
    )
    net.compile(
        optimizer=keras.optimizers.Adam(learning_rate),
        loss="mse",
        metrics=[keras.metrics.RootMeanSquaredError()],
    )
    return net


net = tiny_network()
with tempfile.TemporaryDirectory() as folder:
    best = Path(folder) / "best.keras"
    history = net.fit(
        make_pipeline(images[:768], targets[:768], seed=1),
        validation_data=make_pipeline(images[768:], targets[768:], seed=2),
        epochs=3,
        callbacks=make_callbacks(str(best), patience=2),
        verbose=0,
    )
    print("checkpoint saved:", best.exists())
print("validation RMSE per epoch:", np.round(history.history["val_root_mean_squared_error"], 4))


# %% [markdown]
# ```{exercise} Choose the learning rate
# :label: ex-5-4
#
# The run above used Adam with a learning rate of 0.01. Would another rate have done
# better? Train a fresh `tiny_network(rate)` for each rate of `RATES`, three epochs each,
# on the same galaxies with the same pipelines as above (call
# `keras.utils.set_random_seed(0)` before building each, so that all three start alike).
# Set `histories` to a dict `{rate: history.history}`, `rate` to the learning rate you
# would train with, and `best_val_rmse` to the lowest validation RMSE that rate reached.
#
# Then, in the Markdown cell under your code, defend your choice with your numbers: what
# did the other two rates do, and what would you try next?
# ```

# %%
RATES = (0.1, 0.01, 0.001)

# %%
histories = rate = best_val_rmse = None  # your answers, set below
# YOUR CODE HERE
raise NotImplementedError()
print({lr: np.round(h["val_root_mean_squared_error"], 4).tolist() for lr, h in histories.items()})

# %% [markdown] points=1 tags=["written"]
# YOUR ANSWER HERE

# %% points=2
checks.check_rate_choice(histories, rate, best_val_rmse, RATES)

# %% [markdown]
# Your three runs, validation RMSE by epoch:

# %%
from matplotlib.figure import Figure

fig = Figure(figsize=(5, 3), layout="constrained")
ax = fig.subplots()
for lr, h in histories.items():
    epochs = range(1, len(h["val_root_mean_squared_error"]) + 1)
    ax.plot(epochs, h["val_root_mean_squared_error"], marker="o", label=f"learning rate {lr}")
ax.set(xlabel="epoch", ylabel="validation RMSE", xticks=list(epochs))
ax.legend()
fig
