"""Hidden tests of set 2: nbgrader adds each block to its exercise's check cell.

They run when nbgrader grades a submission, never in the students' notebooks, and
compute every expected value here, with NumPy, not with galaxylib's checks.
See ``build_tools/nbgrader.py``.
"""

# %% ex-2-1
_p, _t = np.random.default_rng(21).random((2, 9, 37))
assert math.isclose(rmse(_p, _t), np.sqrt(np.mean((_p - _t) ** 2))), "hidden test of exercise 2.1"
assert math.isclose(rmse(_p[0], _t), np.sqrt(np.mean((_p[0] - _t) ** 2))), "hidden test of 2.1"

# %% ex-2-2
_r = np.random.default_rng(22)
_train, _test = _r.integers(0, 256, (200, 3)), _r.integers(0, 256, (40, 3))
_y = _r.random((200, 37))
_cells_train = (_train * 4 // 256 * [16, 4, 1]).sum(axis=1)
_want = np.array(
    [
        _y[_cells_train == c].mean(axis=0) if (_cells_train == c).any() else _y.mean(axis=0)
        for c in (_test * 4 // 256 * [16, 4, 1]).sum(axis=1)
    ]
)
_got = central_pixel_predict(_train, _y, _test, levels=4)
assert np.allclose(_got, _want), "hidden test of exercise 2.2"

# %% ex-2-3
_ids = np.random.default_rng(23).permutation(np.arange(1000, 1503))
_parts = make_split(_ids, 5)
assert [len(p) for p in _parts[1:]] == [math.ceil(0.2 * 503), math.ceil(0.16 * 503)]
assert sorted(np.concatenate(_parts)) == sorted(_ids), "hidden test of exercise 2.3"
_again = make_split(_ids[::-1], 5)
assert all(set(a) == set(b) for a, b in zip(_parts, _again, strict=True)), (
    "hidden test of exercise 2.3"
)
assert set(make_split(_ids, 6)[2]) != set(_parts[2]), "hidden test of exercise 2.3"

# %% ex-2-4
from galaxylib.taxonomy import COLUMNS as _COLUMNS
from galaxylib.taxonomy import QUESTIONS as _QUESTIONS

_errors = (train_y.mean(axis=0) - test_y) ** 2
_per = {
    f"Q{q.number}": np.sqrt(_errors[:, [_COLUMNS.index(a) for a in q.answers]].mean())
    for q in _QUESTIONS
}
_why = why.strip().lower() if isinstance(why, str) else why  # as the visible check reads it
assert (worst_question, _why) == (max(_per, key=_per.get), "a"), "hidden test of exercise 2.4"


# %% ex-2-5
def _score(n, fit, scored):
    cells = [(c * n // 256 * [n * n, n, 1]).sum(axis=1) for c in (centre[fit], centre[scored])]
    y = targets[fit]
    pred = np.array(
        [y[cells[0] == k].mean(0) if (cells[0] == k).any() else y.mean(0) for k in cells[1]]
    )
    return np.sqrt(np.mean((pred - targets[scored]) ** 2))


_right = {n: _score(n, slice(0, 400), slice(400, 600)) for n in LEVELS}
assert all(abs(val_rmse[n] - _right[n]) <= 1e-6 for n in LEVELS), "hidden test of 2.5"
assert levels == min(_right, key=_right.get), "hidden test of exercise 2.5"
assert abs(test_rmse - _score(levels, slice(0, 600), slice(600, 800))) <= 1e-6, "2.5: test"
