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
# # Setup: the questions the volunteers answer
#
# Every chapter of this course starts with the same cell. On Colab it installs the
# course's helper package, `galaxylib`, from the repository; on your own machine, where
# `make book` has installed it already, it does nothing but import it.

# %% tags=["hide-output"]
import importlib.util
import subprocess
import sys

REPOSITORY = "https://github.com/galaxy-morphology-course/galaxy-cnn-course"
IN_COLAB = "google.colab" in sys.modules
if IN_COLAB and importlib.util.find_spec("galaxylib") is None:
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", f"git+{REPOSITORY}"], check=True
    )

import galaxylib  # noqa: E402
from galaxylib.config import profile  # noqa: E402

print(f"galaxylib {galaxylib.__version__}, profile {profile().name!r}")

# %% [markdown]
# ## A decision tree, not a list of labels
#
# Galaxy Zoo does not ask "what kind of galaxy is this?". It asks up to eleven short
# questions, and which question comes next depends on the answer just given: only a
# volunteer who said the galaxy has *features or a disc* is asked whether it is seen
# edge-on, and only one who saw spiral arms is asked how many there are. The Kaggle
# catalog records, for each galaxy, the fraction of volunteers who gave each of the 37
# answers, multiplied down this tree. Here are the questions, the answer that leads to
# each, and their answers:

# %%
import pandas as pd  # noqa: E402

from galaxylib.taxonomy import QUESTIONS  # noqa: E402

pd.DataFrame(
    {
        "question": [q.text for q in QUESTIONS],
        "asked after": [q.parent or "(everyone)" for q in QUESTIONS],
        "answers": [", ".join(q.descriptions) for q in QUESTIONS],
    },
    index=[q.name for q in QUESTIONS],
)

# %% [markdown]
# Because the fractions are multiplied down the tree, the answers to a question add up
# to the fraction of the answer that led to it: if 80 % of the volunteers call a galaxy
# smooth and half of those call it completely round, the catalog stores
# `Class7.1 = 0.8 × 0.5 = 0.4`. `galaxylib.taxonomy.check_tree` checks exactly this
# rule, and the next chapters rely on it.
