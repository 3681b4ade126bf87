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
# # 1 Exploratory data analysis
#
# Before building any model, the report asks what the data look like: which answers are
# common and which are rare, whether the classes are balanced enough for a plain loss
# function, and how much the volunteers agree. This chapter redraws every figure of the
# report's exploratory analysis on our sky, reads them as the report did, and checks each
# reading against what the numbers say — correcting two of them.

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
import pandas as pd

from galaxylib import plots
from galaxylib.course import course_data
from galaxylib.data import load_catalog
from galaxylib.taxonomy import COLUMNS, DESCRIPTIONS, to_per_question

DATA = course_data()
catalog = load_catalog(DATA)
labels = catalog.labels
print(f"Data: {DATA} — {len(catalog):,} galaxies")

# %% [markdown]
# ## The most confident galaxy for each answer
#
# The report's first figure shows, for each of the 37 answers, the galaxy with the highest
# vote fraction for it. Keep the tree in mind while reading it: `Class7.1`'s champion is a
# galaxy that nearly everyone called smooth *and* completely round, because the fractions
# are multiplied down the tree; a galaxy's fraction for a deep answer such as "3 spiral
# arms" can never exceed the fraction of people who saw spiral arms at all.

# %%
plots.plot_gallery(catalog)

# %% [markdown]
# ## Mean confidence per answer
#
# Averaging each column over all galaxies gives the report's second figure. The roots,
# Q1 and Q6, dominate: every volunteer answers them, so their fractions are large. Deep
# answers such as the number of spiral arms are small on average because few galaxies
# reach them.

# %%
means = labels[list(COLUMNS)].mean()
plots.plot_class_bars(
    means, "Mean confidence level for all 37 morphology classes", ylabel="mean vote fraction"
)

# %% [markdown]
# ## Which answers win a majority?
#
# The report then counts, for each answer, the galaxies where at least half the
# volunteers gave it, to decide whether the loss function needs class weights.

# %%
counts = (labels[list(COLUMNS)] >= 0.5).sum()
plots.plot_class_bars(counts, "Instances where confidence level is above 0.5", ylabel="galaxies")

# %%
top = counts.sort_values(ascending=False).head(6)
print(
    pd.DataFrame(
        {
            "galaxies": top,
            "share": top / len(labels),
            "answer": [DESCRIPTIONS[c] for c in top.index],
        }
    ).to_string()
)
print(
    f"\nClass1.3 (star or artifact): {counts['Class1.3']} of {len(labels):,} galaxies "
    f"({counts['Class1.3'] / len(labels):.2%}); the real catalog has 44 of 61,578 (0.07%)."
)

# %% [markdown]
# The report found that 6.2 (nothing odd), 1.2 (features or disc), 2.2 (not edge-on) and
# 1.1 (smooth) dominate, and that stars and artifacts are extremely rare. Our sky tells the
# same story. It concluded that it did not need to build a model that filters out
# anomalies — fair — and, implicitly, that an unweighted loss would do. That second point
# deserves a better reason than the one it gave: the competition scores the plain RMSE
# over all answers, so a loss that up-weights rare answers would optimise a different
# number than the one we are judged on. Rare answers are also small fractions, so their
# errors are small too.
#
# ## How do the answers correlate?
#
# The report's heatmaps show the correlation between every pair of answers. One caution
# before reading them: the report's code passed `labels.corr()` to a function that called
# `.corr()` again, so its big heatmap showed the correlations *between the rows of the
# correlation matrix*, not between the answers. Here is the intended figure:

# %%
plots.plot_correlations(labels)

# %% [markdown]
# And here is each question on its own, as in the report's grid of small heatmaps:

# %%
plots.plot_question_correlations(labels)

# %% [markdown]
# ### Reading the heatmaps, and two corrections
#
# **Q6 cannot tell us how much volunteers agree.** The report reads the −1 between 6.1
# and 6.2 as "disagreement over odd features was rare". But `Class6.1 + Class6.2 = 1` for
# every galaxy, so their correlation is exactly −1 whatever the volunteers do — it is
# arithmetic, not agreement:

# %%
print("corr(6.1, 6.2) =", round(labels["Class6.1"].corr(labels["Class6.2"]), 6))
print("max |6.1 + 6.2 - 1| =", float((labels["Class6.1"] + labels["Class6.2"] - 1).abs().max()))

# %% [markdown]
# **Answers under one parent correlate *positively* because they share the parent.** The
# report saw high correlations between 8.3, 8.4 and 8.6 (disturbed, irregular, merger)
# and concluded that volunteers confused them. But every Q8 answer is multiplied by
# `Class6.1`: a galaxy that many people call odd has large values for *all* its Q8
# answers. To see confusion, divide the parent back out — `to_per_question` — and look at
# the answers as proportions of the people who were asked:

# %%
per_question = to_per_question(labels)
q8 = ["Class8.3", "Class8.4", "Class8.6"]
print("cumulative fractions:\n", labels[q8].corr().round(2).to_string())
print("\nper-question fractions:\n", per_question[q8].corr().round(2).to_string())

# %% [markdown]
# The shared factor pushes every cumulative correlation within Q8 upwards. As
# proportions, answers to one question compete for the same volunteers, so they
# correlate negatively; only a positive correlation that survives this division would
# be a sign of real confusion. The per-question heatmaps are the ones to read:

# %%
plots.plot_question_correlations(per_question)

# %% [markdown]
# **Q9 and the bulge.** The report noted that the answers to Q9 (rounded, boxy or no
# bulge, for edge-on discs) are regularly confused. On our sky the per-question
# correlations of Q9 are weaker than those of a clear-cut question such as Q1: only a
# fraction of the volunteers see an edge-on disc's bulge the same way.
#
# **Stars and odd galaxies.** The report saw Class1.3 (star or artifact) correlate with
# smooth, ambiguous shapes and odd features, and guessed that volunteers confuse odd
# galaxies with stars. Check it on ours:

# %%
print(labels[list(COLUMNS)].corr()["Class1.3"].drop("Class1.3").sort_values().tail(5).round(3))

# %% [markdown]
# On our sky these correlations are all small: our simulated volunteers were not built
# to mistake stars for odd galaxies, so this is one reading of the report that the
# synthetic sky cannot test. It is a good question to ask of the real data.

# %% [markdown]
# ## What this means for the model
#
# - The targets are fractions between 0 and 1 that obey the tree: a regression, not a
#   classification, which is why the report ends its network in sigmoids and trains on the
#   mean squared error.
# - The answers are far from balanced, but the score is the plain RMSE, so we keep the
#   plain loss.
# - Within a question the answers are tied together; chapter 4's improved network builds
#   that into its output layer instead of leaving the network to learn it.
