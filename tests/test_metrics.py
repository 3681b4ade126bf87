import numpy as np
import pandas as pd
import pytest

from galaxylib.course.checks.common import random_fractions
from galaxylib.metrics import rmse, rmse_per_answer, rmse_per_question
from galaxylib.taxonomy import COLUMNS, QUESTIONS


def test_rmse_is_elementwise_over_galaxies_and_answers():
    truth = np.zeros((2, 37))
    pred = np.zeros((2, 37))
    pred[0, 0] = 0.74  # one error of 0.74 among 74 cells
    assert rmse(pred, truth) == pytest.approx(np.sqrt(0.74**2 / 74))
    assert rmse(np.full(37, 0.5), truth) == pytest.approx(0.5)


def test_rmse_matches_the_reports_formula_and_matches_dataframes_by_name():
    truth = random_fractions(30, np.random.default_rng(4))
    pred = random_fractions(30, np.random.default_rng(5))
    report_rmse = np.sqrt(np.mean(np.square(pred.flatten() - truth.flatten())))
    assert rmse(pred, truth) == pytest.approx(report_rmse)
    shuffled = pd.DataFrame(pred, columns=list(COLUMNS))[list(reversed(COLUMNS))]
    assert rmse(shuffled, truth) == pytest.approx(report_rmse)


def test_per_question_and_per_answer_add_up_to_the_total():
    truth = random_fractions(40, np.random.default_rng(6))
    pred = random_fractions(40, np.random.default_rng(7))
    per_answer = rmse_per_answer(pred, truth)
    per_question = rmse_per_question(pred, truth)
    assert list(per_answer.index) == list(COLUMNS)
    assert list(per_question.index) == [f"Q{i}" for i in range(1, 12)]
    total = rmse(pred, truth)
    assert np.sqrt((per_answer**2).mean()) == pytest.approx(total)
    weights = np.array([len(q.answers) for q in QUESTIONS])
    assert np.sqrt((per_question**2 * weights).sum() / 37) == pytest.approx(total)
    only_q7 = truth.copy()
    only_q7[:, QUESTIONS[6].columns] += 0.1
    errs = rmse_per_question(only_q7, truth)
    assert errs["Q7"] == pytest.approx(0.1)
    assert (errs.drop("Q7") == 0).all()


def test_wrong_shape_is_refused():
    with pytest.raises(ValueError, match="37"):
        rmse(np.zeros((3, 36)), np.zeros((3, 36)))


@pytest.mark.parametrize(
    ("pred_shape", "truth_shape", "sentence"),
    [
        ((5, 37), (4, 37), r"expected predictions of shape \(4, 37\) or \(37,\)"),
        ((5, 36), (5, 37), r"expected predictions of shape \(5, 37\) or \(37,\)"),
        ((5, 37), (5, 36), r"expected vote fractions of shape \(n, 37\), got \(5, 36\)"),
    ],
)
def test_mismatched_shapes_get_galaxylibs_own_sentence(pred_shape, truth_shape, sentence):
    with pytest.raises(ValueError, match=sentence):
        rmse(np.zeros(pred_shape), np.zeros(truth_shape))
