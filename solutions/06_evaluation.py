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

# %% [markdown]
# ```{solution-start} ex-6-1
# :class: dropdown
# ```


# %%
def per_question_rmse(pred: np.ndarray, truth: np.ndarray) -> pd.Series:
    ### BEGIN SOLUTION
    squared = (np.asarray(pred, dtype=float) - np.asarray(truth, dtype=float)) ** 2
    scores = {}
    for question in QUESTIONS:
        answers = [COLUMNS.index(a) for a in question.answers]
        scores[question.name] = float(np.sqrt(squared[:, answers].mean()))
    return pd.Series(scores)
    ### END SOLUTION


# %% [markdown]
# ```{solution-end}
# ```

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

# %% [markdown]
# ```{solution-start} ex-6-2
# :class: dropdown
# ```


# %%
def worst(galaxy_ids: np.ndarray, pred: np.ndarray, truth: np.ndarray, k: int = 12) -> np.ndarray:
    ### BEGIN SOLUTION
    per_galaxy = np.sqrt(np.mean((np.asarray(pred) - np.asarray(truth)) ** 2, axis=1))
    return np.asarray(galaxy_ids)[np.argsort(per_galaxy)[::-1][:k]]
    ### END SOLUTION


# %% [markdown]
# ```{solution-end}
# ```

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

# %% [markdown]
# ```{solution-start} ex-6-3
# :class: dropdown
# ```


# %%
def noise_floor_of(labels: pd.DataFrame, truth: pd.DataFrame) -> float:
    ### BEGIN SOLUTION
    matched = truth.set_index("GalaxyID").loc[labels["GalaxyID"]]
    expected = matched[[f"expected_{answer}" for answer in COLUMNS]].to_numpy(dtype=float)
    votes = labels[list(COLUMNS)].to_numpy(dtype=float)
    return float(np.sqrt(np.mean((votes - expected) ** 2)))
    ### END SOLUTION


# %% [markdown]
# ```{solution-end}
# ```

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

# %% [markdown]
# ```{solution-start} ex-6-4
# :class: dropdown
# ```

# %%
largest_rmse = least_skill = None  # your answers, set below
### BEGIN SOLUTION
model_rmse = per_question_rmse(pred, truth)
mean_rmse = per_question_rmse(np.tile(baseline, (len(truth), 1)), truth)
largest_rmse, least_skill = model_rmse.idxmax(), (1 - model_rmse / mean_rmse).idxmin()
### END SOLUTION

# %% [markdown]
# ```{solution-end}
# ```

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

# %% [markdown]
# ```{solution-start} ex-6-5
# :class: dropdown
# ```

# %%
val_rmse = alpha = test_rmse = None  # your answers, set below
### BEGIN SOLUTION
train_x, train_y = pixels(parts.train), catalog.subset(parts.train).targets
val_x, val_y = pixels(parts.val), catalog.subset(parts.val).targets


def val_score(a):
    fitted = Ridge(alpha=a).fit(train_x, train_y)
    return float(np.sqrt(np.mean((np.clip(fitted.predict(val_x), 0, 1) - val_y) ** 2)))


val_rmse = {a: val_score(a) for a in ALPHAS}
alpha = min(val_rmse, key=val_rmse.get)
chosen = Ridge(alpha=alpha).fit(train_x, train_y)
test_rmse = float(np.sqrt(np.mean((np.clip(chosen.predict(pixels(test_ids)), 0, 1) - truth) ** 2)))
# what the written answer below says of these numbers: overfitting at the smallest alpha
# (a larger gap between training and validation than the chosen one's), and at the
# largest more than half the gain over the mean prediction lost
train_rmse = {
    a: float(
        np.sqrt(
            np.mean(
                (np.clip(Ridge(alpha=a).fit(train_x, train_y).predict(train_x), 0, 1) - train_y)
                ** 2
            )
        )
    )
    for a in (ALPHAS[0], alpha)
}
mean_val = float(np.sqrt(np.mean((train_y.mean(axis=0) - val_y) ** 2)))
assert alpha == 10.0
assert val_rmse[0.001] - train_rmse[0.001] > 2 * (val_rmse[alpha] - train_rmse[alpha])
assert val_rmse[1000.0] - val_rmse[alpha] > (mean_val - val_rmse[alpha]) / 2
print(
    "training RMSE",
    {a: round(v, 5) for a, v in train_rmse.items()},
    f"; predicting the mean, validation RMSE {mean_val:.5f}",
)
### END SOLUTION
print(
    {a: round(v, 5) for a, v in val_rmse.items()}, "-> alpha", alpha, f"test RMSE {test_rmse:.5f}"
)

# %% [markdown] tags=["written"] points=1
# 10: its validation RMSE is the lowest of the four (printed above). At 0.001 the ridge
# fits the training galaxies much better than the validation ones, a gap more than twice
# as wide as at 10 (the training RMSEs printed above): it learns the training galaxies'
# noise, which no other galaxy shares (overfitting). At 1000 it has lost more than half
# of its gain over predicting the average galaxy (the mean's RMSE, printed above): its
# weights are pulled so close to zero that it predicts little more than the mean
# (underfitting). The guess of 1.0 lay between; the data chose 10.

# %% [markdown]
# ```{solution-end}
# ```

# %% points=2
checks.check_alpha_choice(val_rmse, alpha, test_rmse, pixels, catalog, parts, ALPHAS)
