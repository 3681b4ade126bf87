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
# # Exercises 1: exploratory data analysis
#
# These exercises go with {doc}`chapter 1 <../chapters/01_eda>`.
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
import numpy as np
import pandas as pd

from galaxylib.course import checks, course_data
from galaxylib.data import load_catalog
from galaxylib.taxonomy import COLUMNS, QUESTIONS

labels = load_catalog(course_data()).labels

# %% [markdown]
# ```{exercise} Does a catalog obey the decision tree?
# :label: ex-1-1
#
# Write `tree_violations(labels)`: given a table with `GalaxyID` and the 37 answer
# columns, return the **set** of GalaxyIDs whose fractions break the tree. A question's
# answers must sum to the value of its parent answer (`question.parent`), and Q1's and
# Q6's answers must sum to 1. The real catalog is rounded to 6 decimals, so allow a
# small tolerance; a missing value breaks the tree. `QUESTIONS` holds each question's
# `answers` and `parent`.
# ```

# %% [markdown]
# ```{solution-start} ex-1-1
# :class: dropdown
# ```


# %%
def tree_violations(labels: pd.DataFrame, tol: float = 1e-4) -> set:
    ### BEGIN SOLUTION
    broken = np.zeros(len(labels), dtype=bool)
    for question in QUESTIONS:
        total = labels[list(question.answers)].sum(axis=1, skipna=False)
        parent = 1.0 if question.parent is None else labels[question.parent]
        broken |= ~((total - parent).abs() <= tol)
    return set(labels.loc[broken, "GalaxyID"])
    ### END SOLUTION


# %% [markdown]
# ```{solution-end}
# ```

# %% points=3
checks.check_tree_violations(tree_violations)
print(f"{len(tree_violations(labels))} of {len(labels):,} galaxies break the tree")

# %% [markdown]
# ```{exercise} From cumulative to per-question fractions
# :label: ex-1-2
#
# The catalog's fractions are *cumulative*: each answer is multiplied by the fraction of
# the answer that led to its question. Write `per_question(labels)`: return a copy of the
# table in which every answer of a question with a parent is divided by the parent
# answer's value, so that each question's answers sum to 1 again. Leave Q1 and Q6 (no
# parent) as they are. Where the parent answer is 0, nobody was asked the question: put
# NaN there. Careful: divide by the parent's value in the *original* table.
#
# Then use it: which pair of Q8 answers correlates most *negatively* once the shared
# factor `Class6.1` is divided out?
# ```

# %% [markdown]
# ```{solution-start} ex-1-2
# :class: dropdown
# ```


# %%
def per_question(labels: pd.DataFrame) -> pd.DataFrame:
    ### BEGIN SOLUTION
    fractions = labels.copy()
    for question in QUESTIONS:
        if question.parent is None:
            continue
        parent = labels[question.parent]
        for answer in question.answers:
            fractions[answer] = (labels[answer] / parent).where(parent > 0)
    return fractions
    ### END SOLUTION


# %% [markdown]
# ```{solution-end}
# ```

# %% points=3
checks.check_per_question(per_question)

# %%
q8 = [answer for question in QUESTIONS if question.number == 8 for answer in question.answers]
correlations = per_question(labels)[q8].corr().stack()
correlations = correlations[[a < b for a, b in correlations.index]]
print("most negative pair:", correlations.idxmin(), round(correlations.min(), 2))

# %% [markdown]
# ```{exercise} Which answer wins the most majorities?
# :label: ex-1-3
#
# The report counted, for each answer, the galaxies where *at least* half the volunteers
# gave it (a fraction of 0.5 or more), to decide whether the loss needed class weights.
# Write `majority_summary(labels)` that returns a tuple of three:
#
# 1. the answer column (a string such as `"Class2.2"`) with the most such galaxies,
# 2. how many galaxies that is (an int),
# 3. the share of all galaxies (a fraction between 0 and 1) where `Class1.3`, star or
#    artifact, wins such a majority.
#
# Look only at the 37 answer columns: the table also holds `GalaxyID`.
# ```

# %% [markdown]
# ```{solution-start} ex-1-3
# :class: dropdown
# ```


# %%
def majority_summary(labels: pd.DataFrame) -> tuple[str, int, float]:
    ### BEGIN SOLUTION
    wins = (labels[list(COLUMNS)] >= 0.5).sum()
    leader = wins.idxmax()
    return leader, int(wins[leader]), float(wins["Class1.3"] / len(labels))
    ### END SOLUTION


# %% [markdown]
# ```{solution-end}
# ```

# %% points=2
checks.check_majority_summary(majority_summary)

# %%
answer, galaxies, stars = majority_summary(labels)
print(f"{answer} wins {galaxies:,} of {len(labels):,} galaxies; Class1.3 wins {stars:.2%}")


# %% [markdown]
# ```{exercise} Reading the mean confidence per answer
# :label: ex-1-4
#
# Chapter 1's bar chart of the mean confidence per answer is redrawn below. Read it:
# outside Q1 and Q6, the two questions whose answers sum to 1, which answer has the
# tallest bar? Set `tallest` to its column name (such as `"Class9.3"`) and `height` to the
# height of its
# bar, to two decimals.
# ```

# %%
from galaxylib.course import plots

means = labels[list(COLUMNS)].mean()
plots.plot_class_bars(
    means, "Mean confidence level for all 37 morphology classes", ylabel="mean vote fraction"
)

# %% [markdown]
# ```{solution-start} ex-1-4
# :class: dropdown
# ```

# %%
tallest = height = None  # your answers, set below
### BEGIN SOLUTION
deeper = means.drop([a for q in QUESTIONS if q.parent is None for a in q.answers])
tallest, height = deeper.idxmax(), round(float(deeper.max()), 2)
### END SOLUTION

# %% [markdown]
# ```{solution-end}
# ```

# %% points=2
checks.check_mean_confidence_reading(tallest, height, labels)

# %% [markdown]
# ```{exercise} A clean sample of ellipticals
# :label: ex-1-5
#
# Astronomers often keep only the galaxies the volunteers agree on: a "clean" sample of
# ellipticals is the galaxies whose smooth fraction, `Class1.1`, reaches a threshold.
# Our synthetic sky knows what each galaxy really is (`truth`'s column `kind` below). Set
# a target: **at least 95 % of the sample must be true ellipticals**. For each threshold
# of `THRESHOLDS`, compute the sample's purity (the share of its galaxies whose `kind`
# is `"elliptical"`) and its size. Set `purity` and `size` to dicts
# `{threshold: value}`, and `threshold` to the lowest threshold that meets the target.
#
# Then, in the Markdown cell under your code, defend your choice with your numbers:
# what does your threshold cost, and what would 0.8 have cost?
# ```

# %%
THRESHOLDS = (0.5, 0.6, 0.7, 0.8, 0.9)
truth = pd.read_csv(course_data() / "truth.csv").set_index("GalaxyID")

# %% [markdown]
# ```{solution-start} ex-1-5
# :class: dropdown
# ```

# %%
purity = size = threshold = None  # your answers, set below
### BEGIN SOLUTION
kinds = truth.loc[labels["GalaxyID"], "kind"].to_numpy()
purity, size = {}, {}
for t in THRESHOLDS:
    sample = (labels["Class1.1"] >= t).to_numpy()
    size[t] = int(sample.sum())
    purity[t] = float((kinds[sample] == "elliptical").mean())
threshold = min(t for t in THRESHOLDS if purity[t] >= 0.95)
ellipticals = int((kinds == "elliptical").sum())
kept = {
    t: int(((labels["Class1.1"] >= t).to_numpy() & (kinds == "elliptical")).sum())
    for t in THRESHOLDS
}
# what the written answer below says of these numbers
assert threshold == 0.7 and purity[0.6] < 0.95 and kept[0.8] < ellipticals / 2 < kept[0.7]
### END SOLUTION
print(pd.DataFrame({"purity": purity, "size": size}).round(3))

# %% [markdown] tags=["written"] points=1
# 0.7 is the lowest threshold whose sample is at least 95 % ellipticals; at 0.6 too many
# discs slip in. It costs the ellipticals the volunteers were less sure of, but the
# sample still holds most of the sky's ellipticals. At 0.8 the sample is purer still,
# yet holds fewer than half of them: a sample of only the ellipticals the volunteers
# found most obvious is no longer a fair sample of ellipticals.

# %% [markdown]
# ```{solution-end}
# ```

# %% points=2
checks.check_clean_sample(purity, size, threshold, labels, truth, THRESHOLDS)
