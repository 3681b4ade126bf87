"""Hidden tests of set 3: nbgrader adds each block to its exercise's check cell.

They run when nbgrader grades a submission, never in the students' notebooks, and
compute every expected value here, not with galaxylib's checks.
See ``build_tools/nbgrader.py``.
"""

# %% ex-3-1
_mask = np.zeros((60, 80), dtype=np.uint8)
_mask[5:15, 5:15] = 255  # filled: 100 pixels, a 10 x 10 box
_mask[20, 30:70] = _mask[49, 30:70] = _mask[20:50, 30] = _mask[20:50, 69] = 1  # an outline
assert tuple(largest_box(_mask)) == (30, 20, 40, 30), "hidden test of exercise 3.1"
assert tuple(largest_box(np.zeros((9, 9), np.uint8))) == (0, 0, 0, 0), "hidden test of 3.1"

# %% ex-3-2
assert tuple(report_square((100, 120, 50, 80), 424)) == (92, 112, 96), "hidden test of 3.2"
assert tuple(report_square((350, 10, 70, 20), 424)) == (0, 0, 424), "hidden test of 3.2"
assert tuple(report_square((0, 0, 0, 0), 300)) == (0, 0, 300), "hidden test of 3.2"

# %% ex-3-3
assert np.isclose(offset((10, 20, 30), 40, 0), np.hypot(25 - 40, 35 - 0)), "hidden test of 3.3"

# %% ex-3-4
_image = np.arange(5 * 7 * 3, dtype=np.uint8).reshape(5, 7, 3)
_want = np.zeros((4, 4, 3), dtype=np.uint8)
_want[1:, 1:] = _image[0:3, 0:3]  # the square starts one row and one column outside
_got = np.asarray(centred_crop(_image, 1, 1, 4))
assert _got.dtype == np.uint8 and np.array_equal(_got, _want), "hidden test of exercise 3.4"

# %% ex-3-5
_right = {}
for _t in THRESHOLDS:
    _flags = []
    for _g, _im in images.items():
        _b = report_box(_im, threshold=_t)
        _x, _y, _r = truth.loc[_g, ["x", "y", "r90_px"]]
        _in = _b.x <= _x - _r and _b.y <= _y - _r and _b.x + _b.side >= _x + _r
        _in = _in and _b.y + _b.side >= _y + _r
        _flags.append(_b.side == len(_im) or not _in)
    _right[_t] = np.mean(_flags)
assert all(abs(failed[t] - _right[t]) <= 0.01 for t in THRESHOLDS), "hidden test of 3.5"
assert threshold == min(_right, key=_right.get), "hidden test of exercise 3.5"
