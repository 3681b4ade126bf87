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
# # 2 Benchmarks: how good is "good"?
#
# An RMSE of 0.09 means nothing on its own. Before training a network, the report sets
# up benchmarks — simple predictors that any model must beat — and so do we. This chapter
# defines the competition's score, makes a train/validation/test split that can be
# reproduced (the report's could not), and computes the report's four benchmarks.

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
import random

import numpy as np
from sklearn.model_selection import train_test_split

from galaxylib.baselines import image_features, run_baselines
from galaxylib.course import course_data
from galaxylib.data import load_catalog, split
from galaxylib.metrics import rmse, rmse_per_question

DATA = course_data()
catalog = load_catalog(DATA)
print(f"Data: {DATA} — {len(catalog):,} galaxies")

# %% [markdown]
# ## The score: element-wise RMSE
#
# Kaggle scored a submission by the root-mean-square error over all $N$ galaxies and all
# 37 answers at once:
#
# $$\mathrm{RMSE} = \sqrt{\frac{1}{37N}\sum_{i=1}^{N}\sum_{j=1}^{37}(p_{ij} - a_{ij})^2}$$
#
# where $p_{ij}$ is the predicted and $a_{ij}$ the actual fraction of answer $j$ for
# galaxy $i$. Every answer counts the same, so the big, common fractions of Q1 and Q6
# weigh most. `galaxylib.metrics.rmse` computes it; predicting 0.5 everywhere for a
# galaxy whose fractions are all 0 scores exactly 0.5:

# %%
print(rmse(np.full(37, 0.5), np.zeros((1, 37))))

# %% [markdown]
# ## A split you can reproduce
#
# The report split its catalog with
# `train_test_split(..., random_state=random.seed(42))`. That looks seeded, but
# `random.seed` *returns* nothing: the call seeds Python's `random` module, which
# scikit-learn does not use, and passes `None`. With `random_state=None`, every run draws
# a new split:

# %%
print("random.seed(42) returns", random.seed(42))
ids = catalog.ids
first = train_test_split(ids, test_size=0.2, random_state=random.seed(42))[1]
second = train_test_split(ids, test_size=0.2, random_state=random.seed(42))[1]
print(
    f"two 'seeded' splits share {len(np.intersect1d(first, second))} of {len(first)} test galaxies"
)

# %% [markdown]
# So nobody — not even its author — could recompute the report's benchmark numbers on the
# same galaxies. `galaxylib.data.split` takes a real integer seed, sorts the IDs first so
# the order of the file does not matter, and keeps the report's proportions: 20 % for
# validation, 16 % for testing and the remaining 64 % for training — on the real
# catalog exactly the report's 39,409 / 12,316 / 9,853 galaxies.

# %%
parts = split(catalog.ids, seed=42)
print("this sky:", parts.sizes())
print("61,578 galaxies:", split(np.arange(61578), seed=42).sizes())
assert np.array_equal(split(catalog.ids, seed=42).test, parts.test)  # same seed, same split

# %% [markdown]
# ## Four benchmarks
#
# The competition shipped a *central-pixel benchmark*: predict for each galaxy the
# average answers of the training galaxies whose central pixel has the same colour
# (we group colours into 8 × 8 × 8 cells so each holds enough galaxies). It scored
# 0.16194. The report added three of its own:
#
# - **mean confidence**: predict the training set's average fractions for every galaxy;
# - **linear regression on the central pixel**: fit the 37 fractions as a linear function
#   of the centre's red, green and blue;
# - **linear regression on the average colour** of the whole image.
#
# All four look at tiny summaries of each image. `image_features` streams over the
# images, a few at a time, so even the 61,578 real ones never sit in memory together —
# the report loaded 3,000 full images per batch.

# %%
features = image_features(catalog, np.concatenate([parts.train, parts.test]))
features.head()

# %%
table = run_baselines(catalog, parts, features=features)
table.style.format({"rmse": "{:.4f}", "report_rmse": "{:.4f}"}).hide(axis="index")

# %% [markdown]
# Our sky tells the report's story: every benchmark lands in the same band, around 0.15
# to 0.16, and the two linear regressions and the central-pixel benchmark only just beat
# predicting the mean. One difference in method is worth knowing. The report computed
# its mean-confidence figure, 0.1639, by predicting the mean of *all* galaxies for all
# galaxies — the test galaxies helped make the prediction they were scored on. Fitted on
# the training set and scored on the test set, as here, is the honest version; on our sky
# the two differ only in the fourth decimal:

# %%
everything = catalog.targets
print(f"in-sample mean confidence: {rmse(everything.mean(axis=0), everything):.4f}")

# %% [markdown]
# ## Where does the error come from?
#
# Splitting the mean-confidence error by question shows what a model has to learn first:
# Q1 (smooth or disc?) and Q6 (anything odd?), where every galaxy has large fractions,
# carry most of it.

# %%
test = catalog.subset(parts.test).targets
per_question = rmse_per_question(catalog.subset(parts.train).targets.mean(axis=0), test)
per_question.to_frame("RMSE of the mean").T.round(3)

# %% [markdown]
# "Looks like we'll have to use deep learning after all," the report concludes. The next
# chapter prepares the images for it.
