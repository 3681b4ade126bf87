"""The competition's score: root-mean-square error over every galaxy and answer.

Kaggle scored a submission by one number, the RMSE over all galaxies x 37 answers.
Because it weighs every answer alike, the common, large fractions of Q1 and Q6 dominate
it; RMSE per question and per answer shows where a model really errs.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from galaxylib.taxonomy import COLUMNS, QUESTIONS

__all__ = ["rmse", "rmse_per_answer", "rmse_per_question"]


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

    Returns
    -------
    float

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
