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
# # 5 Training on a GPU
#
# The report trained its network for 50 epochs in **6.86 hours**, at about 620 ms per
# step of 64 images — roughly 100 images a second on a GPU that can push thousands. This
# chapter finds out where the time went, fixes it, and trains both networks with the
# report's callbacks made right. On Colab with a GPU, the same cells run the `full`
# profile: all 61,578 galaxies at 150 × 150 for 50 epochs.

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

PROFILE = setup_notebook(makes=["sky", "crops", "report", "improved"])

# %%
import pandas as pd

from galaxylib import plots
from galaxylib.course import course_data, course_model
from galaxylib.pipeline import bench_pipeline, setup
from galaxylib.training import ModelFiles, bench_train, read_history

DATA = course_data()
print(f"Data: {DATA}")

# %% [markdown]
# ## Where the 6.86 hours went
#
# The report's input pipeline turned each image path into a training example with a
# Python function, wrapped in `tf.py_function`:
#
# ```python
# def get_features(image_path):
#     image = tf.io.decode_image(tf.io.read_file(image_path), dtype=tf.float32)
#     galaxyID = int(...)                                    # parse the file name
#     galaxy_row = labels.loc[labels['GalaxyID'] == galaxyID]  # scan all 61,578 rows
#     ...
# ```
#
# For *every image of every epoch* this reads and decodes a PNG file, and compares the
# ID with all 61,578 rows of a pandas table — in Python, holding Python's global lock,
# so TensorFlow's parallel `map` cannot run two of them at once. The GPU waits.
#
# Our pipeline (`galaxylib.pipeline.make_dataset`) does the expensive work once: the
# images were decoded and cropped into one `uint8` array in chapter 3, and the labels are
# put in the same row order once, so a batch is a slice of two arrays. It shuffles,
# batches and prefetches the next batch while the model works on this one, and leaves
# the conversion to floating point and the augmentation to the accelerator, inside the
# model. `bench_pipeline` measures both pipelines on the same galaxies, with no model
# attached, so it shows only how fast each can *feed* a GPU:

# %%
speed = bench_pipeline(DATA, n=1000, size=150)
pd.Series(speed).round(1).to_frame("figure")

# %% [markdown]
# The report's pipeline delivers a hundred or two images a second here — about the
# 103 a second at which the report's GPU trained, which tells us its GPU spent most of
# those 6.86 hours waiting. And its label search grows with the catalog: at 61,578 rows
# each lookup scans twenty times more than on this sky. Ours delivers tens of thousands
# a second, more than a GPU can train on, so the accelerator, not the input, sets the
# pace.
#
# ## The machine, the strategy and the precision
#
# `setup()` looks at the hardware once and decides three things: on several GPUs, a
# `MirroredStrategy` splits every batch between them; on one GPU or none, the default
# strategy. On GPUs with tensor cores (compute capability 7.0 or more: T4, V100, A100,
# H100), **mixed precision**: arithmetic in 16-bit floats, which those cores run many
# times faster, with the weights and the output layer kept in 32 bits so that training
# stays accurate. The same code then runs here, on Colab and on a multi-GPU server.

# %%
hardware = setup()
print(hardware)

# %% [markdown]
# ## Callbacks, made right
#
# The report defined four callbacks — reduce the learning rate on a plateau, decay it
# every ten epochs, stop early, keep the best model — then trained with none of them
# (`callbacksInUse = []`). Its checkpoint would not have worked anyway: it monitored
# `val_accuracy`, which a regression never reports, so the "best model" would never have
# been saved. `galaxylib.training.train` uses them properly:
#
# - `ModelCheckpoint` keeps the weights of the epoch with the lowest **validation loss**;
# - `ReduceLROnPlateau` divides Adam's learning rate by 5 when the validation loss stops
#   improving;
# - `EarlyStopping` ends training after 7 epochs without improvement and restores the
#   best weights;
# - `BackupAndRestore` saves the whole training state after every epoch: interrupt
#   `galaxylib train` (or lose a Colab session) and run it again, and it continues from
#   the last finished epoch instead of epoch 1;
# - a CSV log of every epoch, which `plot_history` draws as the report's learning curves.
#
# ## Training both networks
#
# Both networks train on the training split with Adam at the report's learning rate and
# are checked on the validation split after every epoch, with the profile's number of
# epochs (the book's `small` profile: 8, on 64 × 64 crops of 3,000 galaxies).

# %%
report_path = course_model("report", retrain=True)

# %%
improved_path = course_model("improved", retrain=True)

# %% [markdown]
# ## Learning curves
#
# The report's two panels, RMSE and loss by epoch, training against validation. Note
# that the training curve is measured with augmentation and dropout switched on, the
# validation curve without: early on, validation can be *better* than training.

# %%
history = read_history(ModelFiles(report_path).history)
plots.plot_history(history)

# %%
plots.plot_history(read_history(ModelFiles(improved_path).history))

# %% [markdown]
# ## How fast does each network train?
#
# `bench_train` times a few training steps of each model after warming up, in images
# per second. The report's network at 150 × 150 managed about 103 images a second on its
# GPU, because of its input pipeline; on a modern GPU with our pipeline, run
# `galaxylib bench train` and compare.

# %%
pd.Series(bench_train(DATA, size=PROFILE.image_size)).round(1).to_frame("figure")

# %% [markdown]
# ## The full profile on Colab
#
# To train at the report's scale, open this chapter in Colab (the rocket button above),
# choose *Runtime → Change runtime type → T4 GPU* (or better), and run all cells: the
# first cell sees the GPU and picks the `full` profile, the sky grows to 61,578
# galaxies at 150 × 150, and the networks train for 50 epochs. Set `GALAXYLIB_DATASET` to
# the folder `download_kaggle()` filled (chapter 0) to train on the real images instead.
# From a terminal, the same is
#
# ```bash
# galaxylib preprocess data/galaxyzoo --size 150
# galaxylib train data/galaxyzoo --model report --out report.keras --epochs 50
# ```
#
# and if the session dies, the same `galaxylib train` command resumes where it stopped.
