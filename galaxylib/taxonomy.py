"""The Galaxy Zoo 2 decision tree: 11 questions, 37 answers, and how they nest.

The Kaggle catalog stores 37 *cumulative* vote fractions per galaxy: each answer's share
among the volunteers who saw its question, times the fraction of the answer that led
there. So a question's answers sum to their parent answer, and the two root questions
(Q1 and Q6, which every volunteer sees) sum to 1. Example: 80 % call a galaxy smooth
(Class1.1 = 0.80) and half of those call it round, so Class7.1 = 0.80 x 0.50 = 0.40.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import overload

import numpy as np
import pandas as pd

from galaxylib.errors import DataError

__all__ = [
    "COLUMNS",
    "DESCRIPTIONS",
    "QUESTIONS",
    "Question",
    "check_tree",
    "question_of",
    "to_cumulative",
    "to_per_question",
    "winning_share",
]


@dataclass(frozen=True)
class Question:
    """One question of the decision tree.

    ``number`` is 1 to 11, as in the columns ``Class<number>.<answer>``; ``text`` is what
    the volunteers read; ``answers`` are its columns in Kaggle order, ``descriptions`` a
    short text of each; ``parent`` is the answer that leads to it (``None`` for Q1 and Q6).
    """

    number: int
    text: str
    answers: tuple[str, ...]
    descriptions: tuple[str, ...]
    parent: str | None

    @property
    def name(self) -> str:
        """Short label, e.g. ``'Q7'``."""
        return f"Q{self.number}"

    @property
    def columns(self) -> slice:
        """Where its answers sit among the 37 :data:`COLUMNS`: ``values[:, q.columns]``.

        >>> QUESTIONS[6].columns
        slice(15, 18, None)
        """
        start = _COLUMN_INDEX[self.answers[0]]
        return slice(start, start + len(self.answers))


def _question(
    number: int, text: str, parent: str | None, descriptions: tuple[str, ...]
) -> Question:
    answers = tuple(f"Class{number}.{i}" for i in range(1, len(descriptions) + 1))
    return Question(number, text, answers, descriptions, parent)


QUESTIONS: tuple[Question, ...] = (
    _question(
        1,
        "Is the galaxy simply smooth and rounded, with no sign of a disk?",
        None,
        ("Smooth", "Features or disk", "Star or artifact"),
    ),
    _question(2, "Could this be a disk viewed edge-on?", "Class1.2", ("Edge-on", "Not edge-on")),
    _question(
        3,
        "Is there a sign of a bar feature through the centre of the galaxy?",
        "Class2.2",
        ("Bar", "No bar"),
    ),
    _question(4, "Is there any sign of a spiral arm pattern?", "Class2.2", ("Spiral", "No spiral")),
    _question(
        5,
        "How prominent is the central bulge, compared with the rest of the galaxy?",
        "Class2.2",
        ("No bulge", "Just noticeable bulge", "Obvious bulge", "Dominant bulge"),
    ),
    _question(6, "Is there anything odd?", None, ("Odd feature", "No odd feature")),
    _question(
        7, "How rounded is it?", "Class1.1", ("Completely round", "In between", "Cigar-shaped")
    ),
    _question(
        8,
        "Is the odd feature a ring, or is the galaxy disturbed or irregular?",
        "Class6.1",
        ("Ring", "Lens or arc", "Disturbed", "Irregular", "Other", "Merger", "Dust lane"),
    ),
    _question(
        9,
        "Does the galaxy have a bulge at its centre? If so, what shape?",
        "Class2.1",
        ("Rounded bulge", "Boxy bulge", "No bulge"),
    ),
    _question(
        10,
        "How tightly wound do the spiral arms appear?",
        "Class4.1",
        ("Tightly wound arms", "Medium wound arms", "Loosely wound arms"),
    ),
    _question(
        11,
        "How many spiral arms are there?",
        "Class4.1",
        (
            "1 spiral arm",
            "2 spiral arms",
            "3 spiral arms",
            "4 spiral arms",
            "More than four spiral arms",
            "Can't tell how many arms",
        ),
    ),
)
"""The 11 questions in Kaggle order: every parent comes before its children."""

COLUMNS: tuple[str, ...] = tuple(a for q in QUESTIONS for a in q.answers)
"""The 37 answer columns, ``Class1.1`` to ``Class11.6``, in the catalog's order."""

DESCRIPTIONS: dict[str, str] = {
    a: d for q in QUESTIONS for a, d in zip(q.answers, q.descriptions, strict=True)
}
"""Plain-English description of each answer column."""

_COLUMN_INDEX = {c: i for i, c in enumerate(COLUMNS)}
_QUESTION_OF = {a: q for q in QUESTIONS for a in q.answers}


def question_of(column: str) -> Question:
    """The question that an answer column belongs to.

    >>> question_of("Class7.1").text
    'How rounded is it?'
    """
    try:
        return _QUESTION_OF[column]
    except KeyError:
        raise KeyError(f"{column!r} is not one of the 37 Galaxy Zoo answer columns") from None


def _as_array(table: pd.DataFrame | np.ndarray) -> np.ndarray:
    """The 37 answer columns of a table, as a float array of shape (n, 37)."""
    if isinstance(table, pd.DataFrame):
        missing = [c for c in COLUMNS if c not in table.columns]
        if missing:
            raise KeyError(f"the table lacks the answer columns {', '.join(missing)}")
        values = table.loc[:, list(COLUMNS)].to_numpy(dtype=float)
    else:
        values = np.asarray(table, dtype=float)
    if values.ndim != 2 or values.shape[1] != len(COLUMNS):
        raise ValueError(f"expected an array of shape (n, 37), got {values.shape}")
    return values


def _like(table: pd.DataFrame | np.ndarray, values: np.ndarray) -> pd.DataFrame | np.ndarray:
    """``values`` in the type of ``table``: a DataFrame keeps its other columns."""
    if isinstance(table, pd.DataFrame):
        out = table.copy()
        out.loc[:, list(COLUMNS)] = values
        return out
    return values


def check_tree(
    table: pd.DataFrame | np.ndarray, *, tol: float = 1e-4, ids: np.ndarray | None = None
) -> pd.DataFrame:
    """Find the galaxies whose vote fractions break the decision tree.

    For every question, the answers must sum to the parent answer (to 1 for Q1 and Q6),
    within ``tol``.

    Parameters
    ----------
    table : DataFrame or ndarray of shape (n, 37)
        Cumulative vote fractions; a ``GalaxyID`` column names the galaxies at fault.
    tol : float, default 1e-4
        Largest accepted gap. The catalog rounds to 6 decimals, so a sum of seven
        rounded values can be off by about 4e-6.
    ids : array-like, optional
        Galaxy IDs for the rows, when ``table`` is an array.

    Returns
    -------
    DataFrame
        One row per broken (galaxy, question): ``row``, ``GalaxyID``, ``question``,
        ``total`` (its answers' sum) and ``expected``. Empty when the tree holds.

    Examples
    --------
    >>> fractions = np.zeros((1, 37))
    >>> fractions[0, COLUMNS.index("Class1.1")] = 1.0  # smooth, but Q7 left unanswered
    >>> fractions[0, COLUMNS.index("Class6.2")] = 1.0
    >>> broken = check_tree(fractions)
    >>> list(broken["question"]), list(broken["total"]), list(broken["expected"])
    (['Q7'], [0.0], [1.0])
    """
    values = _as_array(table)
    if ids is None and isinstance(table, pd.DataFrame) and "GalaxyID" in table.columns:
        ids = table["GalaxyID"].to_numpy()
    ids = np.full(len(values), -1) if ids is None else np.asarray(ids)
    columns = ("row", "GalaxyID", "question", "total", "expected")
    found: dict[str, list] = {column: [] for column in columns}  # question by question
    for q in QUESTIONS:
        total = values[:, q.columns].sum(axis=1)
        expected = np.ones(len(values)) if q.parent is None else values[:, _COLUMN_INDEX[q.parent]]
        rows = np.flatnonzero(~(np.abs(total - expected) <= tol))  # NaN counts as broken
        parts = (rows, ids[rows], np.full(len(rows), q.name), total[rows], expected[rows])
        for column, part in zip(columns, parts, strict=True):
            found[column].append(part)
    report = pd.DataFrame({column: np.concatenate(parts) for column, parts in found.items()})
    return report.sort_values(["row", "question"], key=_question_order, ignore_index=True)


def _question_order(column: pd.Series) -> pd.Series:
    if column.name == "question":
        return column.str[1:].astype(int)
    return column


@overload
def to_cumulative(per_question: pd.DataFrame) -> pd.DataFrame: ...
@overload
def to_cumulative(per_question: np.ndarray) -> np.ndarray: ...
def to_cumulative(per_question: pd.DataFrame | np.ndarray) -> pd.DataFrame | np.ndarray:
    """Turn per-question fractions into the cumulative fractions of the Kaggle catalog.

    Each answer is multiplied down the tree by its parents. ``per_question`` holds, for
    each question, the shares of the volunteers *who were asked it* (summing to 1);
    questions nobody was asked may hold NaN, which become 0. Same type and shape out.
    """
    values = _as_array(per_question)
    out = np.zeros_like(values)
    for q in QUESTIONS:  # parents come first
        weight = 1.0 if q.parent is None else out[:, _COLUMN_INDEX[q.parent], None]
        part = values[:, q.columns] * weight
        out[:, q.columns] = np.where(np.asarray(weight) > 0, np.nan_to_num(part), 0.0)
    return _like(per_question, out)


@overload
def to_per_question(cumulative: pd.DataFrame) -> pd.DataFrame: ...
@overload
def to_per_question(cumulative: np.ndarray) -> np.ndarray: ...
def to_per_question(cumulative: pd.DataFrame | np.ndarray) -> pd.DataFrame | np.ndarray:
    """Turn the catalog's cumulative fractions back into per-question fractions.

    Each answer is divided by the answer that leads to its question, so every question's
    answers sum to 1 again; where nobody reached a question (its parent is 0) its
    answers are NaN. Same type and shape out.
    """
    values = _as_array(cumulative)
    out = values.copy()
    for q in QUESTIONS:
        if q.parent is None:
            continue
        parent = values[:, _COLUMN_INDEX[q.parent], None]
        with np.errstate(divide="ignore", invalid="ignore"):
            out[:, q.columns] = np.where(parent > 0, values[:, q.columns] / parent, np.nan)
    return _like(cumulative, out)


def winning_share(cumulative: pd.DataFrame, *, min_asked: float = 0.5) -> pd.DataFrame:
    """How much the volunteers agree: the share of the most popular answer, per question.

    1 when everyone asked gave the same answer, ``1 / k`` for a question of ``k``
    answers split evenly. A question reached by fewer than ``min_asked`` (0 to 1) of a
    galaxy's volunteers is NaN: a share of a handful of people says little.

    Returns
    -------
    DataFrame
        One row per galaxy (the same index), one column per question (``'Q1'`` ...).
    """
    if not 0 <= min_asked <= 1:
        raise DataError(f"min_asked must lie between 0 and 1, not {min_asked}.")
    values = _as_array(cumulative)
    per_question = _as_array(to_per_question(values))
    shares = {}
    for q in QUESTIONS:
        asked = 1.0 if q.parent is None else values[:, _COLUMN_INDEX[q.parent]]
        share = np.nanmax(np.nan_to_num(per_question[:, q.columns], nan=-1.0), axis=1)
        shares[q.name] = np.where(np.asarray(asked) >= max(min_asked, 1e-12), share, np.nan)
    return pd.DataFrame(shares, index=getattr(cumulative, "index", None))
