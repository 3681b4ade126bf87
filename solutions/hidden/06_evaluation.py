"""Hidden tests of set 6: nbgrader adds each block to its exercise's check cell.

They run when nbgrader grades a submission, never in the students' notebooks, and
compute every expected value here, with NumPy and pandas, not with galaxylib's checks.
See ``build_tools/nbgrader.py``.
"""

# %% ex-6-1
_p, _t = np.random.default_rng(61).random((2, 20, 37))
_got = per_question_rmse(_p, _t)
for _q in QUESTIONS:
    _c = [COLUMNS.index(a) for a in _q.answers]
    _want = np.sqrt(np.mean((_p[:, _c] - _t[:, _c]) ** 2))
    assert np.isclose(_got[f"Q{_q.number}"], _want), "hidden test of exercise 6.1"

# %% ex-6-2
_ids = np.arange(500, 520)
_p, _t = np.random.default_rng(62).random((2, 20, 37))
_order = np.argsort(-np.sqrt(np.mean((_p - _t) ** 2, axis=1)))
assert list(worst(_ids, _p, _t, k=3)) == list(_ids[_order[:3]]), "hidden test of exercise 6.2"

# %% ex-6-3
_truth = pd.read_csv(DATA / "truth.csv")
_labels = catalog.labels.sample(40, random_state=63)
_expected = _truth.set_index("GalaxyID").loc[_labels["GalaxyID"]]
_expected = _expected[[f"expected_{a}" for a in COLUMNS]].to_numpy(dtype=float)
_want = np.sqrt(np.mean((_labels[list(COLUMNS)].to_numpy(dtype=float) - _expected) ** 2))
_got = noise_floor_of(_labels, _truth.sample(frac=1, random_state=64))
assert np.isclose(_got, _want), "hidden test of exercise 6.3"

# %% ex-6-4
_mean = np.tile(baseline, (len(truth), 1))
_model, _base = {}, {}
for _q in QUESTIONS:
    _c = [COLUMNS.index(a) for a in _q.answers]
    _model[f"Q{_q.number}"] = np.sqrt(np.mean((pred[:, _c] - truth[:, _c]) ** 2))
    _base[f"Q{_q.number}"] = np.sqrt(np.mean((_mean[:, _c] - truth[:, _c]) ** 2))
_skill = {q: 1 - _model[q] / _base[q] for q in _model}
assert largest_rmse == max(_model, key=_model.get), "hidden test of exercise 6.4"
# a question within 0.002 of the lowest skill ties with it (SKILL_TIE in the visible check)
assert _skill.get(least_skill, 2.0) <= min(_skill.values()) + 0.002, "hidden test of exercise 6.4"

# %% ex-6-5
_tx, _ty = pixels(parts.train), catalog.subset(parts.train).targets


def _score(a, ids):
    _pred = np.clip(Ridge(alpha=a).fit(_tx, _ty).predict(pixels(ids)), 0, 1)
    return np.sqrt(np.mean((_pred - catalog.subset(ids).targets) ** 2))


_right = {a: _score(a, parts.val) for a in ALPHAS}
assert all(abs(val_rmse[a] - _right[a]) <= 1e-5 for a in ALPHAS), "hidden test of 6.5"
assert alpha == min(_right, key=_right.get), "hidden test of exercise 6.5"
assert abs(test_rmse - _score(alpha, parts.test)) <= 1e-5, "hidden test of exercise 6.5"
