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
# An RMSE of 0.0926 — the report's network — means nothing on its own. Before training a
# network, the report sets up benchmarks — simple predictors that any model must beat —
# and so do we. This chapter defines the competition's score, makes a
# train/validation/test split that can be reproduced (the report's could not), and
# computes the report's four benchmarks.

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
import pandas as pd
from sklearn.model_selection import train_test_split

from galaxylib import plots
from galaxylib.baselines import image_features, run_baselines
from galaxylib.course import course_data, glue
from galaxylib.data import load_catalog, split
from galaxylib.metrics import rmse, rmse_per_question, skill_words

DATA = course_data()
catalog = load_catalog(DATA)
print(f"Data: {DATA.name} — {len(catalog):,} galaxies")

# %% [markdown]
# ## The score: element-wise RMSE
#
# Kaggle scored a submission by the root-mean-square error over all $N$ galaxies and all
# 37 answers at once:
#
# $$\mathrm{RMSE} = \sqrt{\frac{1}{37N}\sum_{i=1}^{N}\sum_{j=1}^{37}(p_{ij} - a_{ij})^2}$$
#
# where $p_{ij}$ is the predicted and $a_{ij}$ the actual fraction of answer $j$ for
# galaxy $i$. Every answer counts the same, so the answers whose fractions are large and
# vary most from galaxy to galaxy weigh most, whatever question they belong to.
# `galaxylib.metrics.rmse` computes it; predicting $0.5$ everywhere for a galaxy whose
# fractions are all $0$ scores exactly $0.5$:

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

# %% tags=["remove-cell"]
# The prose quotes the report's split sizes as ours on 61,578 galaxies: check them.
assert split(np.arange(61578), seed=42).sizes() == {"train": 39409, "val": 12316, "test": 9853}

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
# The same numbers as bars, ours beside the report's (shorter is better):

# %%
scores = table.set_index("benchmark")["rmse"]
mean_rmse = scores["mean confidence"]
gains = 1 - scores.drop("mean confidence") / mean_rmse  # how much better than the mean
if (gains > 0).all():
    best = skill_words(gains.max()).replace("the average galaxy", "the mean")
    verdict = f"the best of them {best}: the three gain {gains.min():.0%} to {gains.max():.0%}"
else:
    verdict = f"not all of them even beat predicting the mean: {', '.join(gains[gains <= 0].index)}"
below = (table["rmse"] < table["report_rmse"]).sum()
plots.plot_benchmarks(table)

# %% tags=["remove-cell"]
glue("ch2_low", float(scores.min()))
glue("ch2_high", float(scores.max()))
glue("ch2_best", scores.idxmin())
glue("ch2_verdict", verdict)
assert gains.max() <= 0.15, "the prose says the benchmarks do little with their pixels"
glue("ch2_report_gap", float((table["rmse"] - table["report_rmse"]).abs().max()))
glue("ch2_below_report", f"{below} of the {len(table)}")

# %% [markdown]
# Read the pairs of bars. Every benchmark lands in a narrow band, from
# {glue:text}`ch2_low:.4f` to {glue:text}`ch2_high:.4f` on our sky, each within
# {glue:text}`ch2_report_gap:.3f` of the report's figure; {glue:text}`ch2_below_report`
# benchmarks score lower here than in the report. The best is the
# {glue:text}`ch2_best`, and as for the report, the two linear regressions and the
# central-pixel benchmark do little with their pixels:
# {glue:text}`ch2_verdict`. A few numbers per image say almost nothing about a galaxy's
# shape.
#
# One difference in method is worth knowing. The report computed its mean-confidence
# figure, 0.1639, by predicting the mean of *all* galaxies for all galaxies — the test
# galaxies helped make the prediction they were scored on. Fitted on the training set and
# scored on the test set, as here, is the honest version. How far apart are the two on
# our sky?

# %%
everything = catalog.targets
in_sample = rmse(everything.mean(axis=0), everything)
print(f"in-sample mean confidence: {in_sample:.4f}")
print(f"honest mean confidence:    {mean_rmse:.4f}")

# %% tags=["remove-cell"]
glue("ch2_in_sample", float(in_sample))
glue("ch2_honest", float(mean_rmse))
glue("ch2_in_sample_gap", float(abs(mean_rmse - in_sample)))
glue("ch2_in_sample_side", "lower" if in_sample < mean_rmse else "higher")

# %% [markdown]
# The in-sample figure, {glue:text}`ch2_in_sample:.4f`, is {glue:text}`ch2_in_sample_side`
# than the honest {glue:text}`ch2_honest:.4f` by {glue:text}`ch2_in_sample_gap:.4f`. Part
# of the gap is the leak, part the luck of which galaxies landed in the test split. The
# honest version is the one to compare with, because a model never sees the galaxies it
# is scored on.

# %% [markdown]
# ## Where does the error come from?
#
# Splitting the mean-confidence error by question shows what a model has to learn first.
# Two numbers matter for each question: its RMSE, the typical error of one of its
# answers; and its share of the total squared error — what the score adds up — which
# also grows with its number of answers.

# %%
from galaxylib.taxonomy import QUESTIONS

test = catalog.subset(parts.test).targets
per_question = rmse_per_question(catalog.subset(parts.train).targets.mean(axis=0), test)
n_answers = pd.Series({q.name: len(q.answers) for q in QUESTIONS})
squared = per_question**2 * n_answers
share = squared / squared.sum()
by_question = pd.DataFrame({"RMSE of the mean": per_question, "share of squared error": share})
top = share.sort_values(ascending=False)
by_question.T.round(3)

# %% tags=["remove-cell"]
glue("ch2_worst_q", per_question.idxmax())
glue("ch2_worst_q_rmse", float(per_question.max()))
glue("ch2_top_two", f"{top.index[0]} and {top.index[1]}")
glue("ch2_top_two_share", float(top.iloc[:2].sum()))
glue("ch2_q1_q6_share", float(share[["Q1", "Q6"]].sum()))

# %% [markdown]
# The largest per-answer error is in {glue:text}`ch2_worst_q` (RMSE
# {glue:text}`ch2_worst_q_rmse:.3f`): questions whose answers are often large fractions,
# and vary from galaxy to galaxy, are where the mean is most wrong. The two largest
# shares of the squared error are those of {glue:text}`ch2_top_two`, together
# {glue:text}`ch2_top_two_share:.0%` of it; the two questions everyone answers, Q1 and Q6,
# hold {glue:text}`ch2_q1_q6_share:.0%`. No single question dominates: a model has to
# get the whole tree right, not just the first answer.

# %% [markdown]
# "Looks like we'll have to use deep learning after all," the report concludes. The next
# chapter prepares the images for it.
#
# ## Summary
#
# - The score is the RMSE over every galaxy and all 37 answers; every answer counts the
#   same.
# - The report's split was not reproducible (`random_state=random.seed(42)` is `None`);
#   `galaxylib.data.split` takes a real seed and keeps the report's proportions.
# - Four benchmarks that look at a few numbers per image score between
#   {glue:text}`ch2_low:.4f` and {glue:text}`ch2_high:.4f`, close to predicting the mean:
#   the bar any network must clear.
# - Scored honestly — fitted on the training split, scored on the test split — the
#   mean-confidence benchmark is the baseline of every later chapter.
#
# Practise with {doc}`Exercises 2: benchmarks <../solutions/02_benchmarks>`.
