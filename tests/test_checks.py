"""Every check accepts a right answer and rejects typical wrong ones with a sentence."""

import numpy as np
import pandas as pd
import pytest

from galaxylib import checks
from galaxylib.taxonomy import QUESTIONS, check_tree


def rejects(check, answer, *words):
    with pytest.raises(checks.CheckFailed) as failed:
        check(answer)
    message = str(failed.value)
    assert message.endswith(".") and "\n" not in message
    for word in words:
        assert word in message, message


def test_tree_violations(capsys):
    checks.check_tree_violations(lambda t: set(check_tree(t)["GalaxyID"]))
    assert capsys.readouterr().out.strip() == "Correct!"

    def exact(labels, tol=0.0):  # no tolerance for the rounding
        bad = np.zeros(len(labels), bool)
        for q in QUESTIONS:
            total = labels[list(q.answers)].sum(axis=1, skipna=False)
            parent = 1.0 if q.parent is None else labels[q.parent]
            bad |= ~((total - parent).abs() <= tol)
        return set(labels.loc[bad, "GalaxyID"])

    rejects(checks.check_tree_violations, exact, "tolerance")

    def children_only(labels):  # forgets Q1 and Q6
        bad = pd.Series(False, index=labels.index)
        for q in QUESTIONS:
            if q.parent is not None:
                total = labels[list(q.answers)].sum(axis=1)
                bad |= (total - labels[q.parent]).abs() > 1e-4
        return set(labels.loc[bad, "GalaxyID"])

    rejects(checks.check_tree_violations, children_only, "missing value")

    def children_only_with_nan(labels):
        bad = pd.Series(False, index=labels.index)
        for q in QUESTIONS:
            if q.parent is not None:
                total = labels[list(q.answers)].sum(axis=1, skipna=False)
                bad |= ~((total - labels[q.parent]).abs() <= 1e-4)
        return set(labels.loc[bad, "GalaxyID"])

    rejects(checks.check_tree_violations, children_only_with_nan, "sum to one")
    rejects(checks.check_tree_violations, lambda t: list(t["GalaxyID"]), "tolerance")
    rejects(checks.check_tree_violations, lambda t: 3, "set of GalaxyIDs")
