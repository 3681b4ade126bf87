"""Hidden tests of set 1: nbgrader adds each block to its exercise's check cell.

They run when nbgrader grades a submission, never in the students' notebooks, and
compute every expected value here, with NumPy and pandas, not with galaxylib's checks.
See ``build_tools/nbgrader.py``.
"""

# %% ex-1-1
_h = labels.head(60).copy()
_h.loc[_h.index[3], "Class1.1"] += 0.2
_h.loc[_h.index[7], "Class2.1"] = np.nan
_h.loc[_h.index[5], "Class1.2"] -= 0.2  # a sum short of its parent breaks the tree too
_bad = np.zeros(len(_h), dtype=bool)
for _q in QUESTIONS:
    _want = 1.0 if _q.parent is None else _h[_q.parent]
    _bad |= ~((_h[list(_q.answers)].sum(axis=1, skipna=False) - _want).abs() <= 1e-4)
assert set(tree_violations(_h)) == set(_h["GalaxyID"][_bad]), "hidden test of exercise 1.1"

# %% ex-1-2
_h = labels.head(50)
_want = _h[list(COLUMNS)].astype(float)
for _q in QUESTIONS:
    if _q.parent is not None:
        _parent = _h[_q.parent].where(_h[_q.parent] > 0)
        _want[list(_q.answers)] = _h[list(_q.answers)].div(_parent, axis=0)
_got = per_question(_h)[list(COLUMNS)].to_numpy(dtype=float)
assert np.allclose(_got, _want.to_numpy(), equal_nan=True), "hidden test of exercise 1.2"

# %% ex-1-3
_wins = (labels[list(COLUMNS)] >= 0.5).sum()
_answer, _galaxies, _stars = majority_summary(labels)
assert (_answer, _galaxies) == (_wins.idxmax(), int(_wins.max())), "hidden test of exercise 1.3"
assert np.isclose(_stars, _wins["Class1.3"] / len(labels)), "hidden test of exercise 1.3"

# %% ex-1-4
_roots = [a for q in QUESTIONS if q.parent is None for a in q.answers]
_means = labels[list(COLUMNS)].mean().drop(_roots)
assert tallest == _means.idxmax(), "hidden test of exercise 1.4"
assert abs(height - _means.max()) <= 0.02, "hidden test of exercise 1.4"

# %% ex-1-5
_kinds = truth.loc[labels["GalaxyID"], "kind"].to_numpy()
_purity = {}
for _t in THRESHOLDS:
    _sample = (labels["Class1.1"] >= _t).to_numpy()
    assert size[_t] == _sample.sum(), "hidden test of exercise 1.5"
    _purity[_t] = (_kinds[_sample] == "elliptical").mean()
    assert abs(purity[_t] - _purity[_t]) <= 1e-3, "hidden test of exercise 1.5"
assert threshold == min(t for t in THRESHOLDS if _purity[t] >= 0.95), "hidden test of 1.5"
