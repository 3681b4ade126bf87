"""Exercises 6 (chapter 6, evaluation)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from galaxylib.course.checks.common import correct, exercise, fail, hidden_catalog, number, one_each
from galaxylib.taxonomy import COLUMNS, QUESTIONS

__all__ = [
    "check_alpha_choice",
    "check_noise_floor",
    "check_rmse_per_question",
    "check_skill_reading",
    "check_worst_galaxies",
]


def _hidden_predictions(n: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    table = hidden_catalog(n, seed)
    truth = table[list(COLUMNS)].to_numpy()
    rng = np.random.default_rng(seed)
    pred = np.clip(truth + rng.normal(0, 0.05, truth.shape) * rng.uniform(0.2, 3, (n, 1)), 0, 1)
    return table["GalaxyID"].to_numpy(), pred, truth


@exercise(
    "6.1",
    forbid=(
        "galaxylib.metrics:rmse_per_question",
        "galaxylib.metrics:rmse_per_answer",
    ),
)
def check_rmse_per_question(per_question_rmse: Callable[..., pd.Series]) -> None:
    """Exercise 6.1: ``per_question_rmse(pred, truth)``, a Series indexed Q1 ... Q11."""
    from galaxylib.metrics import rmse_per_question

    _, pred, truth = _hidden_predictions(25, seed=61)
    expected = rmse_per_question(pred, truth)
    found = per_question_rmse(pred.copy(), truth.copy())
    if not isinstance(found, pd.Series):
        fail(f"per_question_rmse should return a pandas Series, not {type(found).__name__}.")
    if list(found.index) != list(expected.index):
        fail("Index the Series by the questions' names, 'Q1' to 'Q11', in order.")
    answers = np.sqrt(np.mean((pred - truth) ** 2, axis=0))
    sqrt_first = [answers[q.columns].mean() for q in QUESTIONS]
    if np.allclose(found.to_numpy(float), sqrt_first):
        fail("Average the squared errors of a question's answers first, then take the root.")
    if not np.allclose(found.to_numpy(float), expected.to_numpy()):
        fail("Some questions' RMSEs are wrong on a hidden case.")
    correct()


@exercise("6.2", forbid=("galaxylib.evaluation:worst_galaxies",))
def check_worst_galaxies(worst: Callable[..., np.ndarray]) -> None:
    """Exercise 6.2: ``worst(galaxy_ids, pred, truth, k)``, the k worst GalaxyIDs first.

    Hidden case: galaxies whose single largest error and whose RMSE rank them differently.
    """
    ids, pred, truth = _hidden_predictions(30, seed=62)
    pred[4] = truth[4]
    pred[4, 0] = np.clip(truth[4, 0] + 0.9, 0, 1) if truth[4, 0] < 0.1 else truth[4, 0] - 0.9
    error = np.sqrt(np.mean((pred - truth) ** 2, axis=1))
    k = 5
    expected = ids[np.argsort(error)[::-1][:k]]
    found = np.asarray(worst(ids.copy(), pred.copy(), truth.copy(), k))
    if found.shape != (k,):
        fail(f"worst should return {k} GalaxyIDs for k={k}, not an array of shape {found.shape}.")
    if np.array_equal(found, expected):
        correct()
        return
    if np.isin(found, np.arange(len(ids))).all() and not np.isin(found, ids).any():
        fail("Return the galaxies' IDs, not their row numbers.")
    if set(found) == set(ids[np.argsort(error)[:k]]):
        fail("These are the galaxies the model gets most right; you want the worst.")
    if set(found) == set(expected):
        fail("You found the right galaxies; put the worst one first.")
    largest = np.abs(pred - truth).max(axis=1)
    if set(found) == set(ids[np.argsort(largest)[::-1][:k]]):
        fail("Rank galaxies by their RMSE over all 37 answers, not by their largest error.")
    fail("On a hidden case these are not the galaxies with the largest RMSE.")


@exercise("6.3", forbid=("galaxylib.synthetic.skyfile:noise_floor",))
def check_noise_floor(noise_floor_of: Callable[[pd.DataFrame, pd.DataFrame], float]) -> None:
    """Exercise 6.3: the noise floor, RMSE of the votes against the expected fractions.

    Hidden case: a truth table that has more galaxies than the labels, in another order.
    """
    from galaxylib.synthetic.skyfile import EXPECTED_PREFIX
    from galaxylib.synthetic.skyfile import noise_floor as reference

    labels = hidden_catalog(40, seed=63)
    rng = np.random.default_rng(63)
    votes = labels[list(COLUMNS)].to_numpy()
    expected = np.clip(votes + rng.normal(0, 0.04, votes.shape), 0, 1)
    extra = rng.random((15, 37))
    truth = pd.DataFrame(
        np.vstack([expected, extra]), columns=[EXPECTED_PREFIX + c for c in COLUMNS]
    )
    truth.insert(0, "GalaxyID", np.concatenate([labels["GalaxyID"], np.arange(1, 16)]))
    truth.insert(1, "x", rng.uniform(200, 224, len(truth)))
    truth = truth.sample(frac=1, random_state=63).reset_index(drop=True)
    answer = reference(labels, truth)
    found = number(noise_floor_of(labels.copy(), truth.copy()), "noise_floor_of")
    if np.isclose(found, answer**2):
        fail("You return a mean squared error: take its square root.")
    if not np.isclose(found, answer):
        fail(
            "On a hidden case your noise floor is wrong: match each galaxy's votes with its own "
            "expected fractions by GalaxyID, as the tables are in different orders."
        )
    correct()


SKILL_TIE = 0.002
"""Skills closer than this to the lowest tie with it in exercise 6.4 (a near-zero skill of a
stand-in model can differ from another's by less than its test split can tell)."""


@exercise("6.4")
def check_skill_reading(
    largest_rmse: object,
    least_skill: object,
    pred: np.ndarray,
    truth: np.ndarray,
    baseline: np.ndarray,
) -> None:
    """Exercise 6.4: the question with the largest RMSE is not the one the model does worst.

    ``largest_rmse`` names the question with the largest RMSE per question;
    ``least_skill`` the one with the lowest skill ``1 - RMSE / RMSE of the mean``, where
    the mean is ``baseline`` (the training set's mean answers); a question within
    :data:`SKILL_TIE` of the lowest ties with it and is accepted.
    """
    from galaxylib.metrics import rmse_per_question

    model = rmse_per_question(pred, truth)
    mean = rmse_per_question(np.asarray(baseline, dtype=float), truth)
    skill = 1 - model / mean
    for name, answer in (("largest_rmse", largest_rmse), ("least_skill", least_skill)):
        if answer not in model.index:
            fail(f"Name {name} as the table does, 'Q1' to 'Q11', not {answer!r}.")
    if largest_rmse != model.idxmax():
        fail(f"In the table of RMSE per question another question is above {largest_rmse}.")
    lowest = skill[skill <= skill.min() + SKILL_TIE].index
    if least_skill == model.idxmax() and least_skill not in lowest:
        fail(
            f"{least_skill} has the largest RMSE, but also the largest RMSE of the mean: "
            "divide by it before you compare."
        )
    if least_skill not in lowest:
        fail(f"{least_skill} is not the question with the lowest skill over the mean.")
    correct()


@exercise("6.5")
def check_alpha_choice(
    val_rmse: object,
    alpha: object,
    test_rmse: object,
    pixels: Callable[[np.ndarray], np.ndarray],
    catalog: Any,
    parts: Any,
    choices: tuple,
) -> None:
    """Exercise 6.5: the ridge stand-in's ``alpha``, chosen on the validation split.

    ``val_rmse`` maps each ``alpha`` of ``choices`` to the RMSE on ``parts.val`` of a
    ridge fitted on ``pixels(parts.train)``, its predictions clipped to [0, 1];
    ``alpha`` is the lowest, and ``test_rmse`` its RMSE on ``parts.test``.
    """
    from sklearn.linear_model import Ridge

    train_x, train_y = pixels(parts.train), catalog.subset(parts.train).targets

    def score(a: float, ids: np.ndarray) -> float:
        pred = np.clip(Ridge(alpha=a).fit(train_x, train_y).predict(pixels(ids)), 0, 1)
        return float(np.sqrt(np.mean((pred - catalog.subset(ids).targets) ** 2)))

    val_rmse = one_each(val_rmse, "val_rmse", "RMSE", "alpha", choices)
    right = {a: score(a, parts.val) for a in choices}
    for a in choices:
        found = number(val_rmse[a], f"The RMSE at alpha {a:g}")
        if not np.isclose(found, right[a], rtol=0, atol=1e-5):
            fail(
                f"At alpha {a:g} the validation RMSE is not {found:.5f}: fit on the training "
                "split, clip the predictions to [0, 1] and score the validation split."
            )
    best = min(right, key=right.get)  # type: ignore[arg-type]
    if alpha != best:
        fail(f"alpha {alpha!r} is not the choice with the lowest validation RMSE.")
    if not np.isclose(number(test_rmse, "test_rmse"), score(best, parts.test), rtol=0, atol=1e-5):
        fail(
            "test_rmse should be your choice's RMSE on the test split, fitted on the "
            "training split."
        )
    correct()
