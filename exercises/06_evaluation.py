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
# # Exercises 6: evaluation
#
# These exercises go with {doc}`chapter 6 <../chapters/06_evaluation>`.
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

PROFILE = setup_notebook(makes=["sky", "crops"])

# %%
import numpy as np
import pandas as pd
from sklearn.linear_model import Ridge

from galaxylib.course import checks, course_data
from galaxylib.data import load_catalog
from galaxylib.preprocess import preprocess_catalog
from galaxylib.taxonomy import COLUMNS, DESCRIPTIONS, QUESTIONS

DATA = course_data()
catalog = load_catalog(DATA)
cache = preprocess_catalog(DATA, size=64, progress=False)
parts = catalog.split()


def pixels(galaxy_ids: np.ndarray) -> np.ndarray:
    """The cached images shrunk to 16 x 16 by averaging, one row of 256 per galaxy."""
    grey = cache.images[cache.rows_of(galaxy_ids)].astype(np.float32) / 255
    return grey.reshape(len(galaxy_ids), 16, 4, 16, 4).mean(axis=(2, 4)).reshape(-1, 256)


# A stand-in for a trained CNN, so that these exercises run in seconds: a ridge
# regression on the pixels. Everything below works the same on a CNN's predictions.
stand_in = Ridge(alpha=1.0).fit(pixels(parts.train), catalog.subset(parts.train).targets)
test_ids = parts.test
pred = np.clip(stand_in.predict(pixels(test_ids)), 0, 1)
truth = catalog.subset(test_ids).targets
print(f"stand-in model on {len(test_ids)} test galaxies")


# %% [markdown]
# ```{exercise} RMSE per question
# :label: ex-6-1
#
# One number hides where a model errs. Write `per_question_rmse(pred, truth)` (both of
# shape (n, 37)) that returns a pandas Series indexed `"Q1"` to `"Q11"`: for each
# question, the RMSE over all galaxies and all of that question's answers.
# ```

# %%
def per_question_rmse(pred: np.ndarray, truth: np.ndarray) -> pd.Series:
    # YOUR CODE HERE
    raise NotImplementedError()


# %% points=2
checks.check_rmse_per_question(per_question_rmse)

# %%
per_question_rmse(pred, truth).to_frame("RMSE").T.round(3)


# %% [markdown]
# ```{exercise} The galaxies the model gets most wrong
# :label: ex-6-2
#
# Write `worst(galaxy_ids, pred, truth, k=12)`: the GalaxyIDs of the `k` galaxies with
# the largest RMSE over their own 37 answers, the worst first, as an array.
# ```

# %%
def worst(galaxy_ids: np.ndarray, pred: np.ndarray, truth: np.ndarray, k: int = 12) -> np.ndarray:
    # YOUR CODE HERE
    raise NotImplementedError()


# %% points=2
checks.check_worst_galaxies(worst)

# %% [markdown]
# The stand-in's five worst test galaxies, with their own RMSE and what most volunteers
# answered to Q1 (smooth, features or disc, star or artifact):

# %%
rows = catalog.subset(worst(test_ids, pred, truth, k=5)).labels.set_index("GalaxyID")
position = {galaxy_id: i for i, galaxy_id in enumerate(test_ids)}
for galaxy_id, votes in rows.iterrows():
    i = position[galaxy_id]
    q1 = votes[["Class1.1", "Class1.2", "Class1.3"]].astype(float).idxmax()
    error = np.sqrt(np.mean((pred[i] - truth[i]) ** 2))
    print(f"{galaxy_id}: RMSE {error:.3f}, Q1 {DESCRIPTIONS[q1].lower()} ({votes[q1]:.2f})")


# %% [markdown]
# ```{exercise} The noise floor
# :label: ex-6-3
#
# A galaxy's vote fractions come from a few dozen volunteers, so they are noisy: even a
# model that knew each galaxy's *expected* fractions (with infinitely many volunteers)
# would not score 0. Our synthetic sky knows them: `truth.csv` holds a `GalaxyID` and the
# columns `expected_Class1.1` … `expected_Class11.6`, among others. Write
# `noise_floor_of(labels, truth)`: the RMSE between the catalog's fractions in `labels`
# and the expected ones, over the galaxies of `labels`. The two tables hold different
# galaxies, in different orders.
# ```

# %%
def noise_floor_of(labels: pd.DataFrame, truth: pd.DataFrame) -> float:
    # YOUR CODE HERE
    raise NotImplementedError()


# %% points=3
checks.check_noise_floor(noise_floor_of)

# %%
floor = noise_floor_of(catalog.subset(test_ids).labels, pd.read_csv(DATA / "truth.csv"))
model = np.sqrt(np.mean((pred - truth) ** 2))
own = np.sqrt(model**2 - floor**2)  # errors add in quadrature, as chapter 6 explains
print(f"stand-in model {model:.4f}, noise floor {floor:.4f}: its own error {own:.4f}")


# %% [markdown]
# ```{exercise} The largest error is not the hardest question
# :label: ex-6-4
#
# The table under exercise 6.1 gives the stand-in's RMSE per question, as chapter 6's figure
# does for the CNN. Set `largest_rmse` to the question with the largest RMSE. Is it the
# question the model does worst? A question whose fractions hardly vary is easy to score
# well on just by predicting the mean. Compute each question's *skill*,
# 1 − RMSE / RMSE of the mean, where the mean is `baseline` below (the training galaxies'
# mean answers), and set `least_skill` to the question with the lowest skill.
# ```

# %%
baseline = catalog.subset(parts.train).targets.mean(axis=0)

# %%
largest_rmse = least_skill = None  # your answers, set below
# YOUR CODE HERE
raise NotImplementedError()

# %% points=2
checks.check_skill_reading(largest_rmse, least_skill, pred, truth, baseline)

# %% [markdown]
# ```{exercise} How much regularisation?
# :label: ex-6-5
#
# The stand-in's `alpha=1.0` was a guess: `alpha` is how strongly ridge regression pulls
# its weights toward zero. Choose it from the data. For each of `ALPHAS`, fit
# `Ridge(alpha=...)` on the training split's `pixels`, and score its predictions,
# clipped to [0, 1] as above, on the **validation** split (`parts.val`) with the RMSE.
# Set `val_rmse` to a dict `{alpha: RMSE}`, `alpha` to your choice, and `test_rmse` to
# your choice's RMSE on the test split, fitted on the training split.
#
# Then, in the Markdown cell under your code, defend your choice with your numbers:
# what went wrong at the smallest and the largest `alpha`?
# ```

# %%
ALPHAS = (0.001, 0.1, 10.0, 1000.0)

# %%
val_rmse = alpha = test_rmse = None  # your answers, set below
# YOUR CODE HERE
raise NotImplementedError()
print(
    {a: round(v, 5) for a, v in val_rmse.items()}, "-> alpha", alpha, f"test RMSE {test_rmse:.5f}"
)

# %% [markdown] points=1 tags=["written"]
# YOUR ANSWER HERE

# %% points=2
checks.check_alpha_choice(val_rmse, alpha, test_rmse, pixels, catalog, parts, ALPHAS)
