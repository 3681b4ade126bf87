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
# These exercises go with chapter 1. Each asks you to write a few lines and ends with a
# check cell that prints **Correct!** or tells you, in one sentence, what is still wrong.
# Run the cells from the top.

# %%
# On Colab, install galaxylib from the course's repository (its URL is set in _config.yml).
import importlib.util
import subprocess
import sys

if "google.colab" in sys.modules and importlib.util.find_spec("galaxylib") is None:
    REPOSITORY = "https://github.com/galaxy-morphology-course/galaxy-cnn-course"
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", f"git+{REPOSITORY}"], check=True)

from galaxylib.course import setup_notebook

PROFILE = setup_notebook()

# %%
import numpy as np
import pandas as pd

from galaxylib import checks
from galaxylib.course import course_data
from galaxylib.data import load_catalog
from galaxylib.taxonomy import QUESTIONS

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

# %%
checks.check_tree_violations(tree_violations)
print(f"{len(tree_violations(labels))} of {len(labels):,} galaxies break the tree")
