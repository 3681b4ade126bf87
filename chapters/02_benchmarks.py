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
#
# **In this chapter you will learn to**
#
# - compute the competition's element-wise RMSE for a simple prediction by hand.
# - explain why train_test_split(..., random_state=random.seed(42)) does not give a
#   reproducible split, and what galaxylib.data.split does instead.
# - read the benchmark figure, and explain why benchmarks that look at a few numbers
#   per image stay close to predicting the mean.
# - explain why the report's in-sample mean-confidence figure is not an honest
#   benchmark.
# - compute a question's share of the total squared error from its RMSE and its
#   number of answers.
#
# **Before it:** chapters 0 and 1 (the 37 cumulative fractions and how the tree ties
# them together). You need NumPy arrays, the idea of a training and a test set with
# scikit-learn's train_test_split and linear regression, and means, squares and
# square roots.
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

PROFILE = setup_notebook(makes=["sky"])

# %%
import random

import numpy as np
import pandas as pd
from sklearn.model_selection import train_test_split

from galaxylib.baselines import image_features, run_baselines
from galaxylib.course import course_data, glue, plots, reading
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
#
# The report's own log shows one more slip. Its network did not use that split at all:
# its training pipeline listed all 61,578 cropped images, shuffled them with TensorFlow
# (seed 54) and cut them 80/20, 49,262 for training (770 batches of 64) and 12,316 for
# validation: the same count as the benchmarks' validation split, but other galaxies. So
# the network had no test set. The figure the report gives as its "Test RMSE", 0.0926,
# was computed on those 12,316 validation galaxies, and about four in five of the
# benchmarks' test galaxies were among those the network trained on.

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
# (we group colours into 8 × 8 × 8 cells so each holds enough galaxies). Secondary
# sources give its score as 0.16194. The report added three of its own:
#
# - **mean confidence**: predict the training set's average fractions for every galaxy;
# - **linear regression on the central pixel**: fit the 37 fractions as a linear function
#   of the centre's red, green and blue;
# - **linear regression on the average colour** of the whole image.
#
# All but the mean look at tiny summaries of each image; the mean looks at none.
# `image_features` streams over the images, a few at a time, so even the 61,578 real ones
# never sit in memory together — the report loaded 3,000 full images per batch.

# %%
features = image_features(catalog, np.concatenate([parts.train, parts.test]))
features.head()

# %%
table = run_baselines(catalog, parts, features=features)
table.style.format({"rmse": "{:.4f}", "report_rmse": "{:.4f}"}).hide(axis="index")

# %% [markdown]
# The same numbers as bars, ours beside the report's (shorter is better):

# %%
plots.plot_benchmarks(table)

# %% tags=["remove-cell"]
scores = table.set_index("benchmark")["rmse"]
mean_rmse = scores["mean confidence"]
gains = 1 - scores.drop("mean confidence") / mean_rmse  # how much better than the mean
if (gains > 0).all():
    best = skill_words(gains.max()).replace("the average galaxy", "the mean")
    verdict = f"the best of them {best}: the three gain {gains.min():.0%} to {gains.max():.0%}"
else:
    verdict = f"not all of them even beat predicting the mean: {', '.join(gains[gains <= 0].index)}"
below = (table["rmse"] < table["report_rmse"]).sum()
theirs = table.set_index("benchmark")["report_rmse"]
their_gains = 1 - theirs.drop("mean confidence") / theirs["mean confidence"]
glue("ch2_their_gains", f"{their_gains.min():.0%} to {their_gains.max():.0%}")
reading(
    "ch2_rank_reading",
    {
        "the report's best too": scores.idxmin() == theirs.idxmin(),
        f"in the report the best was the {theirs.idxmin()}": scores.idxmin() != theirs.idxmin(),
    },
)
glue("ch2_low", float(scores.min()))
glue("ch2_high", float(scores.max()))
glue("ch2_best", scores.idxmin())
glue("ch2_verdict", verdict)
assert gains.max() <= 0.15, "the prose says the benchmarks do little with their pixels"
glue("ch2_report_gap", float((table["rmse"] - table["report_rmse"]).abs().max()))
glue("ch2_below_report", f"{below} of the {len(table)}")

# %% [markdown]
# Read the pairs of bars. Every benchmark lands in a narrow band, from
# {glue:text}`ch2_low:.4f` to {glue:text}`ch2_high:.4f` on our sky;
# {glue:text}`ch2_below_report` benchmarks score lower here than in the report, and the
# largest difference either way is {glue:text}`ch2_report_gap:.3f`: our sky is not the
# real one, and its numbers are to be compared with each other. The best here is the
# {glue:text}`ch2_best`, {glue:text}`ch2_rank_reading`. The two linear regressions and
# the central-pixel benchmark do little with their pixels: {glue:text}`ch2_verdict`,
# against {glue:text}`ch2_their_gains` in the report. A few numbers per image say almost
# nothing about a galaxy's shape.
#
# One difference in method is worth knowing. The report computed its mean-confidence
# figure, 0.1639, by predicting the mean of *all* galaxies for all galaxies — the test
# galaxies helped make the prediction they were scored on. Fitted on the training set and
# scored on the test set, as here, is the honest version. How far apart are the two on
# our sky?

# %%
everything = catalog.targets
mean_of_all = everything.mean(axis=0)
in_sample = rmse(mean_of_all, everything)  # the report's: every galaxy
leaky = rmse(mean_of_all, catalog.subset(parts.test).targets)  # on the test galaxies only
print(f"in-sample mean confidence, all galaxies: {in_sample:.4f}")
print(f"the same mean, on the test galaxies:     {leaky:.4f}")
print(f"honest mean confidence, test galaxies:   {mean_rmse:.4f}")

# %% tags=["remove-cell"]
glue("ch2_in_sample", float(in_sample))
glue("ch2_leaky", float(leaky))
glue("ch2_honest", float(mean_rmse))
glue("ch2_n_all", len(everything))
glue("ch2_n_test", len(parts.test))
reading("ch2_in_sample_side", {"lower": in_sample < mean_rmse, "higher": in_sample > mean_rmse})
reading(
    "ch2_leak_reading",
    {
        f"lower than the honest figure by {mean_rmse - leaky:.5f}: that is the leak, the "
        "test galaxies helping to make their own prediction": leaky < mean_rmse,
        "no lower than the honest figure: on this sky the leak is too small to see": (
            leaky >= mean_rmse
        ),
    },
)

# %% [markdown]
# The in-sample figure, {glue:text}`ch2_in_sample:.4f`, is {glue:text}`ch2_in_sample_side`
# than the honest {glue:text}`ch2_honest:.4f`, but the two score different galaxies: all
# {glue:text}`ch2_n_all:,` of them, and the {glue:text}`ch2_n_test:,` of the test split.
# Scored on the same test galaxies, the mean of all galaxies gives
# {glue:text}`ch2_leaky:.4f`, {glue:text}`ch2_leak_reading`. The rest of the difference is
# which galaxies are scored: some sets of galaxies are simply harder to guess than others.
# The honest version is the one to compare with, because a model never sees the galaxies
# it is scored on.

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
glue("ch2_largest_share", float(top.iloc[0]))
assert top.iloc[0] < 0.5, "the text says no question holds half of the squared error"

# %% [markdown]
# The largest per-answer error is in {glue:text}`ch2_worst_q` (RMSE
# {glue:text}`ch2_worst_q_rmse:.3f`): questions whose answers are often large fractions,
# and vary from galaxy to galaxy, are where the mean is most wrong. The two largest
# shares of the squared error are those of {glue:text}`ch2_top_two`, together
# {glue:text}`ch2_top_two_share:.0%` of it; Q1 and Q6, which (nearly) everyone answers,
# hold {glue:text}`ch2_q1_q6_share:.0%`. No question holds half of it (the largest share
# is {glue:text}`ch2_largest_share:.0%`): a model has to get the whole tree right, not
# just the first answer.

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
# - Four benchmarks, three of them looking at a few numbers per image, score between
#   {glue:text}`ch2_low:.4f` and {glue:text}`ch2_high:.4f`, close to predicting the mean:
#   the bar any network must clear.
# - Scored honestly — fitted on the training split, scored on the test split — the
#   mean-confidence benchmark is the baseline of every later chapter.
#
# Practise with {doc}`Exercises 2: benchmarks <../solutions/02_benchmarks>`.

# %% [markdown]
# ## Check yourself
#
# 6 questions on this chapter. Choose an answer before you open the explanation
# under it.
#
# **1.** Before running the cell rmse(np.full(37, 0.5), np.zeros((1, 37))), predict
# what it prints: the score of predicting 0.5 for all 37 answers of one galaxy whose
# fractions are all 0.
#
# - (a) 0.5
# - (b) 0.25
# - (c) 18.5
# - (d) about 0.71
#
# <details class="quiz"><summary>Answer</summary>
# (a) Every one of the 37 errors is 0.5, so every squared error is 0.25, their mean
# is 0.25, and the root of the mean is 0.5, as the chapter states. The tempting 0.25
# is the mean squared error, with the square root forgotten; 18.5 adds up the 37
# errors instead of averaging squares; 0.71 is the root of 0.5, which takes the root
# of the error rather than of its square.
# </details>
#
# **2.** The report split its catalog with train_test_split(ids, test_size=0.2,
# random_state=random.seed(42)). What does that call really do?
#
# - (a) It draws a different split on every run, because random.seed returns None, so
#   scikit-learn receives random_state=None.
# - (b) It draws the same split on every run, seeded with 42.
# - (c) It draws the same split within one Python session, because Python's random
#   module has been seeded, and a new one after a restart.
# - (d) It raises an error, because random_state must be an integer.
#
# <details class="quiz"><summary>Answer</summary>
# (a) random.seed(42) seeds Python's random module and returns nothing, so the
# argument passed is None, and scikit-learn, which does not use Python's random
# module, then draws a fresh split each time; the chapter shows two such "seeded"
# splits sharing only part of their test galaxies. Option (c) is tempting because the
# random module really has been seeded, but scikit-learn never reads it. None is an
# accepted value, so there is no error. galaxylib.data.split fixes this by taking a
# real integer seed and by sorting the IDs first, so that the order of the file does
# not matter.
# </details>
#
# **3.** Look at the figure "The four benchmarks: this data against the report". How
# should you read a benchmark's bar in it?
#
# - (a) Shorter is better, and the mean-confidence bar is the mark to beat: a
#   benchmark is worth only as much as its bar falls short of that one, since
#   predicting the mean needs no image at all.
# - (b) Longer is better, because each bar shows how much of the answers a benchmark
#   explains.
# - (c) A benchmark is good when its bar is as long as the report's beside it,
#   whatever the mean-confidence bar shows.
# - (d) Only the central-pixel bar matters, because it is the one Kaggle published.
#
# <details class="quiz"><summary>Answer</summary>
# (a) The bars are RMSEs, errors, so shorter is better; and the mean-confidence
# benchmark predicts the same fractions for every galaxy without looking at it, so
# any benchmark that uses the image has to come in below it to show it learnt
# something from the pixels. Option (c) is tempting because the figure pairs each of
# our bars with the report's, but that pairing checks that we reproduced the report,
# not that a benchmark is good. Option (b) reads the bars as a score where more is
# better, which RMSE is not.
# </details>
#
# **4.** The report's mean-confidence benchmark, 0.1639, predicted the mean of all
# galaxies for all galaxies. Why does the chapter fit the mean on the training split
# and score it on the test split instead?
#
# - (a) Because in the report's version the test galaxies helped make the prediction
#   they were scored on, and a real model never sees the galaxies it is scored on.
# - (b) Because the mean of all galaxies is pulled too far by the rare stars and
#   artifacts.
# - (c) It makes no difference: a mean is too simple to overfit, so both versions
#   always give the same number.
# - (d) Because the report computed its mean on the training split only, which left
#   the test galaxies out.
#
# <details class="quiz"><summary>Answer</summary>
# (a) Scoring a prediction on the same galaxies that made it leaks information from
# the test set into the prediction, so the figure is not comparable with a model that
# is fitted on training galaxies and scored on unseen ones; the honest version is the
# baseline of every later chapter. Option (c) is the tempting misconception: the mean
# has only 37 numbers, so the leak may be small, but the report's figure is still not
# comparable with a model's; and as the chapter shows, the two figures also differ
# because they score different galaxies. Option (d) describes the honest version, the
# opposite of what the report did.
# </details>
#
# **5.** Under the mean-confidence benchmark, suppose Q1 (3 answers) has an RMSE of
# 0.20 and Q8 (7 answers) an RMSE of 0.10. Which question adds more to the total
# squared error that the score sums up?
#
# - (a) Q1: 3 × 0.20² = 0.12 against 7 × 0.10² = 0.07.
# - (b) Q8, because it has more than twice as many answers.
# - (c) Neither: every answer counts the same, so every question adds the same.
# - (d) Q1, exactly twice as much as Q8, because its RMSE is twice as large.
#
# <details class="quiz"><summary>Answer</summary>
# (a) A question's RMSE is the typical error of one of its answers, so its part of
# the total squared error is its RMSE squared times its number of answers, as the
# chapter's share column computes: 3 × 0.04 = 0.12 for Q1 and 7 × 0.01 = 0.07 for Q8.
# Option (d) forgets the number of answers and the square; option (b) forgets that
# the error enters squared, so halving it divides the contribution by four. Every
# answer counts the same in the score, which is exactly why a question with more
# answers, or larger errors, weighs more, so (c) draws the wrong conclusion from a
# true fact.
# </details>
#
# **6.** Which statement about the competition's score, the element-wise RMSE over
# all N galaxies and 37 answers, is true?
#
# - (a) Every answer counts the same, so the answers a model gets most wrong weigh
#   most, whatever question they belong to; for a simple model those are the answers
#   whose fractions are large and vary from galaxy to galaxy.
# - (b) Each of the 11 questions counts the same, so a deep question such as Q11
#   weighs as much as Q1.
# - (c) Rare answers are up-weighted, so a model must get the number of spiral arms
#   right to score well.
# - (d) Only the most popular answer of each galaxy is scored, as in a
#   classification.
#
# <details class="quiz"><summary>Answer</summary>
# (a) The formula takes the mean of all 37N squared errors with one common weight, so
# every galaxy and every answer counts the same; answers with large fractions that
# vary from galaxy to galaxy can be wrong by more, and so they weigh most. Option (b)
# is tempting because this chapter splits the error by question, but the score itself
# does not average over questions: a question with more answers and larger errors
# adds more. Nothing up-weights rare answers, as chapter 1 stressed when it kept the
# plain loss, and all 37 fractions are scored, because the task is a regression, not
# a classification.
# </details>
