"""The competition's score: root-mean-square error over every galaxy and answer.

It weighs every answer alike, so a question with more answers, or with larger and more
varied fractions (Q1 and Q6), weighs more in it; RMSE per question and per answer shows
where a model really errs.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from galaxylib.taxonomy import COLUMNS, QUESTIONS

__all__ = [
    "CLEAR_CASES",
    "SKILL_WORDS",
    "clear_cases",
    "gap_closed",
    "margin_interval",
    "rmse",
    "rmse_per_answer",
    "rmse_per_question",
    "skill_words",
]

SKILL_WORDS = (
    (0.0, "does no better than predicting the average galaxy"),
    (0.15, "barely beats predicting the average galaxy"),
    (0.4, "beats predicting the average galaxy by a modest margin"),
    (0.7, "clearly beats predicting the average galaxy"),
    (float("inf"), "far beats predicting the average galaxy"),
)
"""Words for a skill, 1 - RMSE / RMSE of the mean: each holds for skills up to its bound."""


def _squared_errors(
    pred: np.ndarray | pd.DataFrame, truth: np.ndarray | pd.DataFrame
) -> np.ndarray:
    pred = np.asarray(pred.loc[:, list(COLUMNS)] if isinstance(pred, pd.DataFrame) else pred)
    truth = np.asarray(truth.loc[:, list(COLUMNS)] if isinstance(truth, pd.DataFrame) else truth)
    if truth.ndim != 2 or truth.shape[1] != len(COLUMNS):
        raise ValueError(f"expected vote fractions of shape (n, 37), got {truth.shape}")
    try:
        pred = np.broadcast_to(pred.astype(float), truth.shape)
    except ValueError:
        raise ValueError(
            f"expected predictions of shape {truth.shape} or (37,), like the vote fractions, "
            f"got {pred.shape}"
        ) from None
    return np.square(pred - truth.astype(float))


def rmse(pred: np.ndarray | pd.DataFrame, truth: np.ndarray | pd.DataFrame) -> float:
    """Element-wise RMSE, the competition's score.

    Parameters
    ----------
    pred : array-like of shape (n, 37) or (37,)
        Predicted vote fractions; a single row of 37 is used for every galaxy.
    truth : array-like of shape (n, 37)
        The catalog's vote fractions. DataFrames are matched by column name.

    Examples
    --------
    >>> import numpy as np
    >>> round(rmse(np.full(37, 0.5), np.zeros((2, 37))), 3)
    0.5
    """
    return float(np.sqrt(_squared_errors(pred, truth).mean()))


def rmse_per_answer(pred: np.ndarray | pd.DataFrame, truth: np.ndarray | pd.DataFrame) -> pd.Series:
    """RMSE of each of the 37 answers, indexed by column name."""
    return pd.Series(np.sqrt(_squared_errors(pred, truth).mean(axis=0)), index=list(COLUMNS))


def rmse_per_question(
    pred: np.ndarray | pd.DataFrame, truth: np.ndarray | pd.DataFrame
) -> pd.Series:
    """RMSE over the answers of each question, indexed ``Q1`` ... ``Q11``.

    The mean of the squared per-question RMSEs, weighted by each question's number of
    answers, is the squared overall RMSE.
    """
    mse = _squared_errors(pred, truth).mean(axis=0)
    return pd.Series(
        [np.sqrt(mse[q.columns].mean()) for q in QUESTIONS], index=[q.name for q in QUESTIONS]
    )


def skill_words(skill: float) -> str:
    """How a model with this skill compares with predicting the average, in words.

    One scale, :data:`SKILL_WORDS`, so that "barely" means the same on every page.

    Examples
    --------
    >>> skill_words(0.08)
    'barely beats predicting the average galaxy'
    >>> skill_words(0.25)
    'beats predicting the average galaxy by a modest margin'
    """
    return next(words for bound, words in SKILL_WORDS if skill <= bound)


def gap_closed(model_rmse: float, mean_rmse: float, floor_rmse: float) -> float:
    """The share of the distance from the mean benchmark to the noise floor a model covers.

    0 for a model no better than predicting the average galaxy, 1 for one at the noise
    floor (which no model can beat on average). All three RMSEs are on the same galaxies.

    Examples
    --------
    >>> gap_closed(0.10, mean_rmse=0.16, floor_rmse=0.04)
    0.5
    """
    if not mean_rmse > floor_rmse:
        raise ValueError(
            f"the mean benchmark's RMSE ({mean_rmse}) must lie above the noise floor ({floor_rmse})"
        )
    return (mean_rmse - model_rmse) / (mean_rmse - floor_rmse)


def margin_interval(
    pred_a: np.ndarray, pred_b: np.ndarray, truth: np.ndarray, *, draws: int = 1000, seed: int = 0
) -> tuple[float, float]:
    """How much of a margin between two models could be the luck of the test galaxies.

    A paired bootstrap: redraw the test galaxies with replacement ``draws`` times, score
    both models on each draw, and return the 2.5th and 97.5th percentiles of the margins
    RMSE(b) - RMSE(a). When the range holds zero, the test split cannot tell the two
    models apart. ``pred_a``, ``pred_b`` and ``truth`` list the same galaxies in one order.
    """
    truth = np.asarray(truth, float)
    errors_a = ((np.asarray(pred_a, float) - truth) ** 2).mean(axis=1)
    errors_b = ((np.asarray(pred_b, float) - truth) ** 2).mean(axis=1)
    picks = np.random.default_rng(seed).integers(0, len(truth), size=(draws, len(truth)))
    margins = np.sqrt(errors_b[picks].mean(axis=1)) - np.sqrt(errors_a[picks].mean(axis=1))
    low, high = np.percentile(margins, [2.5, 97.5])
    return float(low), float(high)


CLEAR_CASES = {
    "edge_on": ("Class2.1", 0.6, 0.5),
    "bar": ("Class3.1", 0.5, 0.3),
}
"""For each kind of clear galaxy: the answer, the catalog fraction from which a galaxy is
clearly of that kind, and the prediction from which the network is taken to have seen it."""


def clear_cases(pred: np.ndarray, truth: np.ndarray) -> pd.DataFrame:
    """How often a network commits on galaxies whose catalog is clear (see :data:`CLEAR_CASES`).

    Returns
    -------
    DataFrame
        One row per kind: ``answer``, ``clear_from``, ``seen_from``, ``galaxies`` (how
        many are clear), ``seen`` (how many of those are predicted at ``seen_from`` or
        above), ``share`` (``seen / galaxies``, NaN when none) and ``largest`` (the largest
        prediction of that answer over all the galaxies).
    """
    pred, truth = np.asarray(pred, float), np.asarray(truth, float)
    rows = []
    for kind, (answer, clear_from, seen_from) in CLEAR_CASES.items():
        column = COLUMNS.index(answer)
        clear = truth[:, column] >= clear_from
        seen = int(np.sum(pred[clear, column] >= seen_from))
        rows.append(
            {
                "kind": kind,
                "answer": answer,
                "clear_from": clear_from,
                "seen_from": seen_from,
                "galaxies": int(clear.sum()),
                "seen": seen,
                "share": seen / clear.sum() if clear.any() else np.nan,
                "largest": float(pred[:, column].max()) if len(pred) else np.nan,
            }
        )
    return pd.DataFrame(rows).set_index("kind")
