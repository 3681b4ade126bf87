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
# # Exercises 2: benchmarks
#
# These exercises go with {doc}`chapter 2 <../chapters/02_benchmarks>`.
# Each asks you to write a few lines and ends with a
# check cell that prints **Correct!** or tells you, in one sentence, what is still wrong.
# Run the cells from the top.
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

PROFILE = setup_notebook(makes=["sky"])

# %%
import math

import numpy as np

from galaxylib.baselines import image_features
from galaxylib.course import checks, course_data
from galaxylib.data import load_catalog

catalog = load_catalog(course_data())
targets = catalog.targets

# %% [markdown]
# ```{exercise} The competition's score
# :label: ex-2-1
#
# Write `rmse(pred, truth)`: the root-mean-square error over every galaxy and every
# answer at once, as Kaggle scored it. `truth` has shape (N, 37); `pred` has the same
# shape, or is one row of 37 predictions used for every galaxy. Return a float.
# ```

# %% [markdown]
# ```{solution-start} ex-2-1
# :class: dropdown
# ```


# %%
def rmse(pred: np.ndarray, truth: np.ndarray) -> float:
    ### BEGIN SOLUTION
    errors = np.asarray(pred, dtype=float) - np.asarray(truth, dtype=float)
    return float(np.sqrt(np.mean(errors**2)))
    ### END SOLUTION


# %% [markdown]
# ```{solution-end}
# ```

# %% points=2
checks.check_rmse(rmse)

# %%
print(f"predicting the mean of every answer: RMSE {rmse(targets.mean(axis=0), targets):.4f}")

# %% [markdown]
# ```{exercise} The central-pixel benchmark
# :label: ex-2-2
#
# Write `central_pixel_predict(train_rgb, train_y, test_rgb, levels=8)`, Kaggle's
# central-pixel benchmark. `train_rgb` and `test_rgb` hold one row (R, G, B), values 0 to
# 255, per galaxy; `train_y` the training galaxies' 37 fractions. Quantise each channel
# into `levels` equal steps (a value `v` falls in step `v * levels // 256`), so that a
# colour falls into one of `levels ** 3` cells. Predict for each test galaxy the mean
# fractions of the training galaxies in its cell, or, where no training galaxy falls in
# that cell, the mean of all training galaxies. Return an array of shape
# (len(test_rgb), 37).
# ```

# %% [markdown]
# ```{solution-start} ex-2-2
# :class: dropdown
# ```


# %%
def central_pixel_predict(
    train_rgb: np.ndarray, train_y: np.ndarray, test_rgb: np.ndarray, levels: int = 8
) -> np.ndarray:
    ### BEGIN SOLUTION
    def cell_of(rgb):
        steps = np.asarray(rgb, dtype=int) * levels // 256
        return (steps[:, 0] * levels + steps[:, 1]) * levels + steps[:, 2]

    train_y = np.asarray(train_y, dtype=float)
    train_cells = cell_of(train_rgb)
    overall = train_y.mean(axis=0)
    pred = np.empty((len(test_rgb), train_y.shape[1]))
    for i, cell in enumerate(cell_of(test_rgb)):
        members = train_cells == cell
        pred[i] = train_y[members].mean(axis=0) if members.any() else overall
    return pred
    ### END SOLUTION


# %% [markdown]
# ```{solution-end}
# ```

# %% points=3
checks.check_central_pixel(central_pixel_predict)

# %% [markdown]
# On 800 galaxies of our sky (the first 600 to fit, the other 200 to score), your
# benchmark's RMSE (the figure given for the real catalog, 0.16194, from secondary
# sources, belongs to another sky: not one to compare with):

# %%
features = image_features(catalog, catalog.ids[:800], progress=False)
centre = features[["center_r", "center_g", "center_b"]].to_numpy()
pred = central_pixel_predict(centre[:600], targets[:600], centre[600:])
print(f"central-pixel benchmark on 200 galaxies: RMSE {rmse(pred, targets[600:800]):.4f}")

# %% [markdown]
# ```{exercise} A split you can reproduce
# :label: ex-2-3
#
# The report passed `random_state=random.seed(42)` to `train_test_split`, but
# `random.seed` returns `None`, so every run drew another split. Write
# `make_split(galaxy_ids, seed)` that returns a tuple `(train, val, test)` of arrays of
# GalaxyIDs:
#
# - validation takes 20 % of the galaxies and test 16 %, each rounded **up** to a whole
#   galaxy; training takes the rest;
# - every galaxy lands in exactly one part;
# - the same IDs and seed always give the same split, **whatever order the IDs come in**;
# - another seed gives another split.
#
# Use NumPy's `np.random.default_rng(seed)`, not the `random` module.
# ```

# %% [markdown]
# ```{solution-start} ex-2-3
# :class: dropdown
# ```


# %%
def make_split(galaxy_ids: np.ndarray, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    ### BEGIN SOLUTION
    ordered = np.sort(np.asarray(galaxy_ids))
    n_val, n_test = math.ceil(0.2 * len(ordered)), math.ceil(0.16 * len(ordered))
    shuffled = np.random.default_rng(seed).permutation(ordered)
    return shuffled[n_val + n_test :], shuffled[:n_val], shuffled[n_val : n_val + n_test]
    ### END SOLUTION


# %% [markdown]
# ```{solution-end}
# ```

# %% points=3
checks.check_split(make_split)

# %%
train, val, test = make_split(catalog.ids, seed=42)
print(f"{len(train):,} / {len(val):,} / {len(test):,} galaxies")
print("61,578 galaxies:", [len(part) for part in make_split(np.arange(61578), seed=42)])


# %% [markdown]
# ```{exercise} Reading the mean prediction's table
# :label: ex-2-4
#
# Chapter 2 ends on a table, redrawn below: the RMSE per question when every test galaxy
# gets the training galaxies' mean answers. Set `worst_question` to the question with the
# largest RMSE (`"Q1"` to `"Q11"`), and `why` to the letter of the reason:
#
# - `"a"`: its answers vary most from galaxy to galaxy, so a constant prediction misses most;
# - `"b"`: it has the most answers;
# - `"c"`: few galaxies reach it, so it has few votes.
# ```

# %%
from galaxylib.data import split
from galaxylib.metrics import rmse_per_question

parts = split(catalog.ids, seed=42)
train_y, test_y = catalog.subset(parts.train).targets, catalog.subset(parts.test).targets
rmse_per_question(train_y.mean(axis=0), test_y).to_frame("RMSE of the mean").T.round(3)

# %% [markdown]
# ```{solution-start} ex-2-4
# :class: dropdown
# ```

# %%
worst_question = why = None  # your answers, set below
### BEGIN SOLUTION
worst_question = rmse_per_question(train_y.mean(axis=0), test_y).idxmax()
why = "a"
### END SOLUTION

# %% [markdown]
# ```{solution-end}
# ```

# %% points=2
checks.check_mean_baseline_reading(worst_question, why, train_y, test_y)

# %% [markdown]
# ```{exercise} How many colour levels?
# :label: ex-2-5
#
# Kaggle's benchmark cut each channel into 8 levels. Fewer levels put more galaxies in
# each colour cell, so each cell's mean is steadier; more levels keep only galaxies of
# closer colours together. Choose the number of levels from the data, without touching
# the 200 galaxies that score the benchmark: for each of `LEVELS`, fit on the first 400
# of the 800 galaxies after exercise 2.2 (`centre`, `targets`) and measure the RMSE on
# the next 200 (400 to 599), the *validation* galaxies. Set `val_rmse` to a dict
# `{levels: RMSE}`, `levels` to your choice — the levels with the lowest validation
# RMSE — and `test_rmse` to the RMSE of your choice on the last 200 (600 to 799) when
# fitted on the first 600, as in exercise 2.2.
#
# Then, in the Markdown cell under your code, defend your choice with your numbers: and
# why not choose the levels by the last 200 galaxies' RMSE instead?
# ```

# %%
LEVELS = (2, 4, 8, 16, 32)

# %% [markdown]
# ```{solution-start} ex-2-5
# :class: dropdown
# ```

# %%
val_rmse = levels = test_rmse = None  # your answers, set below
### BEGIN SOLUTION
val_rmse = {
    n: rmse(
        central_pixel_predict(centre[:400], targets[:400], centre[400:600], n), targets[400:600]
    )
    for n in LEVELS
}
levels = min(val_rmse, key=val_rmse.get)
test_rmse = rmse(
    central_pixel_predict(centre[:600], targets[:600], centre[600:], levels), targets[600:800]
)
### END SOLUTION
print(
    {n: round(v, 4) for n, v in val_rmse.items()},
    "->",
    levels,
    f"levels, test RMSE {test_rmse:.4f}",
)

# %% [markdown] tags=["written"] points=1
# I chose the number of levels whose validation RMSE is lowest (printed above): it is the
# one that predicted galaxies it had not been fitted on best. Choosing by the last 200
# galaxies instead would tune the benchmark on the galaxies that score it, so their RMSE
# would flatter it, and nothing would be left to score it honestly: that is what a test
# split is for, in the book's chapters as here.

# %% [markdown]
# ```{solution-end}
# ```

# %% points=2
checks.check_levels_choice(val_rmse, levels, test_rmse, centre, targets, LEVELS)
