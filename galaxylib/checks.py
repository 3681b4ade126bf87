"""The checks that close every exercise.

Each ``check_...`` function takes the student's answer (a value, or a function it then
calls on hidden cases), prints ``Correct!`` when it is right, and otherwise raises
:class:`CheckFailed` with one sentence that says what is wrong -- a shape, a value on a
hidden case, a broken constraint -- without giving the answer away.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from galaxylib.taxonomy import COLUMNS, QUESTIONS, to_cumulative

__all__ = ["CheckFailed", "check_tree_violations"]


class CheckFailed(AssertionError):
    """The answer is not right yet; the message says why in one sentence."""


def _correct() -> None:
    print("Correct!")


def _fail(message: str) -> None:
    raise CheckFailed(message)


def _hidden_catalog(n: int, seed: int) -> pd.DataFrame:
    """Vote fractions that obey the tree, with GalaxyIDs, for hidden cases."""
    rng = np.random.default_rng(seed)
    per_question = np.concatenate(
        [rng.dirichlet(np.ones(len(q.answers)), size=n) for q in QUESTIONS], axis=1
    )
    table = pd.DataFrame(np.round(to_cumulative(per_question), 6), columns=list(COLUMNS))
    table.insert(0, "GalaxyID", rng.choice(np.arange(100_000, 999_999), n, replace=False))
    return table


# --------------------------------------------------------------------------- chapter 1


def check_tree_violations(tree_violations: Callable[[pd.DataFrame], set]) -> None:
    """Exercise 1.1: ``tree_violations(labels)`` returns the GalaxyIDs that break the tree.

    Hidden cases: a clean table (the 6-decimal rounding must be tolerated), a child
    answer pushed off its parent, a root that does not sum to one, and a NaN.
    """
    table = _hidden_catalog(40, seed=11)
    found = tree_violations(table.copy())
    if not isinstance(found, set | frozenset | list | tuple | np.ndarray | pd.Index | pd.Series):
        _fail(f"tree_violations should return a set of GalaxyIDs, not {type(found).__name__}.")
    if len(set(found)):
        _fail(
            "On a table that obeys the tree you report some galaxies: allow a tolerance "
            "for the 6-decimal rounding of the catalog."
        )
    broken = table.copy()
    broken.loc[3, "Class10.2"] += 0.05  # Q10 no longer sums to Class4.1
    broken.loc[7, "Class1.3"] += 0.02  # Q1 no longer sums to one; no child question shows it
    broken.loc[9, "Class8.5"] += broken.loc[9, "Class8.4"]  # Q8 still sums to Class6.1 ...
    broken.loc[9, "Class8.4"] = np.nan  # ... unless the missing value is noticed
    expected = set(broken.loc[[3, 7, 9], "GalaxyID"])
    found = {int(g) for g in tree_violations(broken.copy())}
    if found != expected:
        missed = expected - found
        if broken.loc[9, "GalaxyID"] in missed:
            _fail("A missing value (NaN) must count as breaking the tree.")
        if missed:
            _fail(
                f"You missed {len(missed)} of the {len(expected)} broken galaxies: check "
                "every question, including the two whose answers sum to one."
            )
        _fail(f"You report {len(found - expected)} galaxies that obey the tree.")
    _correct()
