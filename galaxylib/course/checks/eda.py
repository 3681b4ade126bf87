"""Exercises 1 (chapter 1, exploratory data analysis)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from galaxylib.course.checks.common import (
    as_2d,
    catalog_table,
    correct,
    exercise,
    fail,
    hidden_catalog,
    number,
    one_each,
    random_per_question,
)
from galaxylib.taxonomy import COLUMNS, QUESTIONS, question_of, to_cumulative

__all__ = [
    "check_clean_sample",
    "check_majority_summary",
    "check_mean_confidence_reading",
    "check_per_question",
    "check_tree_violations",
]


@exercise("1.1", forbid=("galaxylib.taxonomy:check_tree",))
def check_tree_violations(tree_violations: Callable[[pd.DataFrame], set]) -> None:
    """Exercise 1.1: ``tree_violations(labels)`` returns the GalaxyIDs that break the tree.

    Hidden cases: a clean table (the 6-decimal rounding must be tolerated), a child
    answer pushed above its parent and one pulled below it, a root that does not sum to
    one, and a NaN.
    """
    table = hidden_catalog(40, seed=11)
    found = tree_violations(table.copy())
    if not isinstance(found, set | frozenset | list | tuple | np.ndarray | pd.Index | pd.Series):
        fail(f"tree_violations should return a set of GalaxyIDs, not {type(found).__name__}.")
    if len(set(found)):
        fail(
            "On a table that obeys the tree you report some galaxies: allow a tolerance "
            "for the 6-decimal rounding of the catalog."
        )
    broken = table.copy()
    broken.loc[3, "Class10.2"] += 0.05  # Q10 no longer sums to Class4.1
    broken.loc[7, "Class1.3"] += 0.02  # Q1 no longer sums to one; no child question shows it
    broken.loc[9, "Class8.5"] += broken.loc[9, "Class8.4"]  # Q8 still sums to Class6.1 ...
    broken.loc[9, "Class8.4"] = np.nan  # ... unless the missing value is noticed
    largest = broken.loc[5, ["Class7.1", "Class7.2", "Class7.3"]].astype(float).idxmax()
    broken.loc[5, largest] -= 0.05  # Q7 now sums to less than Class1.1
    expected = set(broken.loc[[3, 5, 7, 9], "GalaxyID"])
    found = {int(g) for g in tree_violations(broken.copy())}
    if found != expected:
        missed = expected - found
        if broken.loc[9, "GalaxyID"] in missed:
            fail("A missing value (NaN) must count as breaking the tree.")
        if missed:
            fail(
                f"You missed {len(missed)} of the {len(expected)} broken galaxies: check "
                "every question, including the two whose answers sum to one."
            )
        fail(f"You report {len(found - expected)} galaxies that obey the tree.")
    correct()


@exercise("1.2", forbid=("galaxylib.taxonomy:to_per_question",))
def check_per_question(per_question: Callable[[pd.DataFrame], pd.DataFrame]) -> None:
    """Exercise 1.2: ``per_question(labels)`` divides each answer by its parent answer.

    Hidden cases: a catalog in which some galaxies never reach Q2-Q5 or Q10-Q11 (a
    parent of 0), compared with :func:`galaxylib.taxonomy.to_per_question`.
    """
    from galaxylib.taxonomy import to_per_question

    fractions = random_per_question(30, np.random.default_rng(12))
    q1, q4 = question_of("Class1.1").columns, question_of("Class4.1").columns
    fractions[[2, 5], q1] = [0.7, 0.0, 0.3]  # nobody sees a disc: Q2 and below unseen
    fractions[[8, 13], q4] = [0.0, 1.0]  # nobody sees arms: Q10 and Q11 unseen
    table = catalog_table(to_cumulative(fractions), seed=12)
    expected = to_per_question(table)[list(COLUMNS)].to_numpy()
    found = as_2d(per_question(table.copy()), "per_question", expected.shape)
    nan_expected, nan_found = np.isnan(expected), np.isnan(found)
    if np.any(nan_expected & ~nan_found):
        fail(
            "Where the parent answer is 0 nobody was asked the question: its fractions are "
            "undefined and must be NaN."
        )
    if np.any(nan_found & ~nan_expected):
        fail("You return NaN for answers whose question some volunteers did answer.")
    roots = [COLUMNS.index(a) for q in QUESTIONS if q.parent is None for a in q.answers]
    if not np.allclose(found[:, roots], expected[:, roots], atol=1e-9):
        fail("Q1 and Q6 have no parent: every volunteer answers them, so leave them as they are.")
    if not np.allclose(found[~nan_expected], expected[~nan_expected], atol=1e-6):
        fail(
            "Some fractions are wrong on a hidden catalog: divide every answer by its parent's "
            "value in the original cumulative table, not by one you have already divided."
        )
    correct()


@exercise("1.3")
def check_majority_summary(majority_summary: Callable[[pd.DataFrame], tuple]) -> None:
    """Exercise 1.3: ``majority_summary(labels)`` -> (answer, galaxies, share of Class1.3).

    Hidden case: a catalog where several galaxies have exactly 0.5 for the leading
    answer, so that ``>`` and ``>=`` disagree, and a few that win a majority of stars.
    """
    fractions = random_per_question(60, np.random.default_rng(13))
    q1, q6 = question_of("Class1.1").columns, question_of("Class6.1").columns
    fractions[:25, q6] = [0.5, 0.5]  # Q6: a tie, exactly 0.5, for 25 galaxies
    fractions[25:60, q6] = [0.3, 0.7]
    fractions[:3, q1] = [0.2, 0.2, 0.6]  # three galaxies that most call a star
    table = catalog_table(to_cumulative(fractions), seed=13)
    answers = table[list(COLUMNS)]
    counts = (answers >= 0.5).sum()
    expected = (counts.idxmax(), int(counts.max()), counts["Class1.3"] / len(table))
    found = majority_summary(table.copy())
    if not isinstance(found, tuple | list) or len(found) != 3:
        fail("majority_summary should return a tuple of three: (answer, galaxies, share).")
    answer, galaxies, share = found
    if not isinstance(answer, str):
        fail(f"The answer should be a column name such as 'Class2.2', not {answer!r}.")
    if answer == "GalaxyID":
        fail("GalaxyID is not an answer: count only the 37 answer columns.")
    strict = (answers > 0.5).sum()
    galaxies, share = number(galaxies, "The number of galaxies"), number(share, "The share")
    if answer != expected[0] or galaxies != expected[1]:
        if answer == strict.idxmax() and galaxies == strict.max():
            fail("A fraction of exactly 0.5 is a majority too: count it.")
        if answer != expected[0]:
            fail(f"On a hidden catalog another answer than {answer} has the most majorities.")
        fail(f"On a hidden catalog {answer} wins {galaxies:g} majorities, which is not right.")
    if np.isclose(share, 100 * expected[2]):
        fail("Give the share of Class1.3 as a fraction between 0 and 1, not a percentage.")
    if not np.isclose(share, expected[2]):
        fail(
            "The share of Class1.3 is wrong on a hidden catalog: divide the galaxies where it "
            "wins a majority by all galaxies."
        )
    correct()


@exercise("1.4")
def check_mean_confidence_reading(tallest: object, height: object, labels: pd.DataFrame) -> None:
    """Exercise 1.4: read chapter 1's bar chart of the mean confidence per answer.

    ``tallest`` is the column, outside Q1 and Q6, with the tallest bar of ``labels``;
    ``height`` its height, read to within 0.02.
    """
    roots = {a for q in QUESTIONS if q.parent is None for a in q.answers}
    means = labels[list(COLUMNS)].mean()
    deeper = means.drop(sorted(roots))
    if not isinstance(tallest, str) or tallest not in COLUMNS:
        fail(f"Name the answer by its column, such as 'Class9.3', not {tallest!r}.")
    if tallest in roots:
        fail(f"{tallest} belongs to Q1 or Q6, which every volunteer answers: look past them.")
    if tallest != deeper.idxmax():
        fail(f"Outside Q1 and Q6 another answer has a taller bar than {tallest}.")
    read = number(height, "The mean fraction")
    if abs(read - deeper.max()) > 0.02:
        fail(
            f"The bar of {tallest} is not at {read:.2f}: read its height on the y axis "
            "(a fraction between 0 and 1)."
        )
    correct()


@exercise("1.5")
def check_clean_sample(
    purity: object,
    size: object,
    threshold: object,
    labels: pd.DataFrame,
    truth: pd.DataFrame,
    thresholds: tuple,
) -> None:
    """Exercise 1.5: the purity and size of a clean sample of ellipticals per threshold.

    The sample at threshold ``t`` is the galaxies of ``labels`` whose ``Class1.1`` is at
    least ``t``; its purity is the share whose ``kind`` in ``truth`` (indexed by
    GalaxyID) is ``"elliptical"``. ``threshold`` is the lowest with a purity of 0.95.
    """
    purity = one_each(purity, "purity", "value", "threshold", thresholds)
    size = one_each(size, "size", "value", "threshold", thresholds)
    kinds = truth.loc[labels["GalaxyID"], "kind"].to_numpy()
    right_purity = {}
    for t in thresholds:
        sample = (labels["Class1.1"] >= t).to_numpy()
        if number(size[t], f"The size at {t}") != sample.sum():
            fail(
                f"At threshold {t} the sample does not hold {size[t]} galaxies: count those "
                "whose Class1.1 is at least the threshold."
            )
        right_purity[t] = float((kinds[sample] == "elliptical").mean()) if sample.any() else 0.0
        found = number(purity[t], f"The purity at {t}")
        if found > 1:
            fail(f"The purity at {t} is above 1: give a share, not a percentage.")
        if abs(found - right_purity[t]) > 1e-3:
            fail(
                f"At threshold {t} the purity is not {found:.3f}: the share of the sample's "
                "galaxies whose kind is elliptical."
            )
    meets = [t for t in sorted(thresholds) if right_purity[t] >= 0.95]
    if not meets:
        fail("No threshold reaches a purity of 0.95 here.")
    if threshold != meets[0]:
        fail(f"{threshold!r} is not the lowest threshold whose purity reaches 0.95.")
    correct()
