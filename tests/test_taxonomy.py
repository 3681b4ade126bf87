import numpy as np
import pandas as pd
import pytest

from galaxylib.course.checks.common import random_fractions, random_per_question
from galaxylib.taxonomy import (
    COLUMNS,
    DESCRIPTIONS,
    QUESTIONS,
    check_tree,
    question_of,
    to_cumulative,
    to_per_question,
    winning_share,
)


def test_columns_are_kaggles_37_in_order():
    counts = [3, 2, 2, 2, 4, 2, 3, 7, 3, 3, 6]
    expected = [f"Class{q}.{a}" for q, k in enumerate(counts, 1) for a in range(1, k + 1)]
    assert list(COLUMNS) == expected
    assert len(COLUMNS) == 37


def test_tree_parents_match_galaxy_zoo():
    parents = {q.number: q.parent for q in QUESTIONS}
    assert parents == {
        1: None,
        2: "Class1.2",
        3: "Class2.2",
        4: "Class2.2",
        5: "Class2.2",
        6: None,
        7: "Class1.1",
        8: "Class6.1",
        9: "Class2.1",
        10: "Class4.1",
        11: "Class4.1",
    }
    for q in QUESTIONS:
        assert q.parent is None or question_of(q.parent).number < q.number


def test_every_answer_is_described_and_every_question_worded():
    assert set(DESCRIPTIONS) == set(COLUMNS)
    assert all(d.strip() for d in DESCRIPTIONS.values())
    assert DESCRIPTIONS["Class1.3"] == "Star or artifact"
    assert all(q.text.endswith("?") for q in QUESTIONS)
    assert question_of("Class7.1").text == "How rounded is it?"
    with pytest.raises(KeyError, match="Class12.1"):
        question_of("Class12.1")


def test_each_question_knows_where_its_answers_sit():
    for q in QUESTIONS:
        assert COLUMNS[q.columns] == q.answers
    assert QUESTIONS[6].columns == slice(15, 18)


def test_random_fractions_obey_the_tree_and_repeat_with_the_seed():
    per_question = random_per_question(30, np.random.default_rng(8))
    for q in QUESTIONS:
        np.testing.assert_allclose(per_question[:, q.columns].sum(axis=1), 1)
    cumulative = random_fractions(30, np.random.default_rng(8))
    assert cumulative.shape == (30, 37) and check_tree(cumulative).empty
    np.testing.assert_array_equal(cumulative, np.round(to_cumulative(per_question), 6))
    np.testing.assert_array_equal(cumulative, random_fractions(30, np.random.default_rng(8)))


def test_cumulative_example_from_the_field_notes():
    per_q = np.full((1, 37), np.nan)
    per_q[0, :3] = [0.8, 0.2, 0.0]
    per_q[0, 3:5] = [0.0, 1.0]
    per_q[0, COLUMNS.index("Class7.1") : COLUMNS.index("Class7.3") + 1] = [0.5, 0.5, 0.0]
    per_q[0, COLUMNS.index("Class6.1") : COLUMNS.index("Class6.2") + 1] = [0.0, 1.0]
    cum = to_cumulative(per_q)
    assert cum[0, COLUMNS.index("Class7.1")] == pytest.approx(0.40)
    # questions below a parent of 0 (Q9 under Class2.1 = 0, Q8 under Class6.1 = 0) are 0
    assert cum[0, COLUMNS.index("Class9.1")] == 0
    assert not np.isnan(cum).any()


def test_round_trip_between_per_question_and_cumulative():
    cum = random_fractions(50, np.random.default_rng(3))
    per_q = to_per_question(cum)
    for q in QUESTIONS:
        parent = 1.0 if q.parent is None else cum[:, COLUMNS.index(q.parent)]
        # the 6-decimal rounding is magnified where few volunteers reached the question
        np.testing.assert_allclose(per_q[:, q.columns].sum(axis=1), 1, atol=2e-6 / np.min(parent))
    np.testing.assert_allclose(to_cumulative(per_q), cum, atol=1e-9)


def test_per_question_is_undefined_where_nobody_was_asked():
    cum = np.zeros((1, 37))
    cum[0, COLUMNS.index("Class1.1")] = 1
    cum[0, COLUMNS.index("Class6.2")] = 1
    cum[0, COLUMNS.index("Class7.2")] = 1
    per_q = to_per_question(cum)
    assert np.isnan(per_q[0, COLUMNS.index("Class2.1")])
    assert per_q[0, COLUMNS.index("Class7.2")] == 1
    assert check_tree(cum).empty


def test_dataframes_keep_their_ids():
    table = pd.DataFrame(random_fractions(4, np.random.default_rng(0)), columns=list(COLUMNS))
    table.insert(0, "GalaxyID", [11, 12, 13, 14])
    per_q = to_per_question(table)
    assert isinstance(per_q, pd.DataFrame)
    assert list(per_q["GalaxyID"]) == [11, 12, 13, 14]
    assert list(table.columns) == list(per_q.columns)


def test_check_tree_accepts_six_decimal_rounding_and_reports_breaks():
    table = pd.DataFrame(random_fractions(20, np.random.default_rng(1)), columns=list(COLUMNS))
    table.insert(0, "GalaxyID", np.arange(100, 120))
    assert check_tree(table).empty
    table.loc[5, "Class3.1"] += 0.02  # Q3 no longer sums to Class2.2
    table.loc[9, "Class6.1"] = np.nan
    report = check_tree(table)
    assert list(report["GalaxyID"]) == [105, 109, 109]
    assert list(report["question"]) == ["Q3", "Q6", "Q8"]  # Q8 hangs below Class6.1
    assert report["total"].iloc[0] == pytest.approx(report["expected"].iloc[0] + 0.02)


def test_check_tree_flags_a_broken_parent_and_its_children():
    cum = random_fractions(1, np.random.default_rng(2))
    cum[0, COLUMNS.index("Class2.1")] += 0.1
    report = check_tree(cum)
    assert set(report["question"]) == {"Q2", "Q9"}
    assert check_tree(cum, tol=0.2).empty


def test_winning_share_is_the_top_answer_among_those_asked_and_skips_the_unasked():
    per_question = np.full((2, len(COLUMNS)), np.nan)
    for q in QUESTIONS:  # an even split everywhere ...
        per_question[:, q.columns] = 1 / len(q.answers)
    per_question[0, :3] = [0.7, 0.2, 0.1]  # ... but Q1 of galaxy 0: 70 % smooth
    per_question[1, :3] = [0.1, 0.3, 0.6]  # galaxy 1: 30 % disc, so Q2 reached by 0.3
    table = pd.DataFrame(to_cumulative(per_question), columns=list(COLUMNS))
    shares = winning_share(table, min_asked=0.5)
    assert list(shares.columns) == [q.name for q in QUESTIONS]
    np.testing.assert_allclose(shares["Q1"], [0.7, 0.6])
    np.testing.assert_allclose(shares["Q6"], [0.5, 0.5])
    assert np.isnan(shares.at[1, "Q2"]) and np.isnan(shares.at[0, "Q2"])  # disc 0.2, 0.3
    np.testing.assert_allclose(shares.at[0, "Q7"], 1 / 3)  # smooth 0.7 >= 0.5
    assert winning_share(table, min_asked=0.2)["Q2"].notna().all()
    with pytest.raises(ValueError, match="min_asked"):
        winning_share(table, min_asked=2)
