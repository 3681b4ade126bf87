"""Hidden tests of set 4: nbgrader adds each block to its exercise's check cell.

They run when nbgrader grades a submission, never in the students' notebooks, and
compute every expected value here, not with galaxylib's checks.
See ``build_tools/nbgrader.py``.
"""

# %% ex-4-1
_got = [output_size(64, 5, 2, "valid"), output_size(64, 5, 2, "same"), output_size(31, 3)]
assert _got == [(64 - 5) // 2 + 1, -(-64 // 2), 31 - 3 + 1], "hidden test of exercise 4.1"

# %% ex-4-2
assert conv2d_params(3, 16, 32) == 3 * 3 * 16 * 32 + 32, "hidden test of exercise 4.2"
assert conv2d_params(5, 1, 8, use_bias=False) == 5 * 5 * 8, "hidden test of exercise 4.2"
assert dense_params(256, 37) == 256 * 37 + 37, "hidden test of exercise 4.2"

# %% ex-4-3
_net = build_cnn((64, 64, 1))
assert _net.output_shape == (None, 37), "hidden test of exercise 4.3"
assert 20_000 <= _net.count_params() <= 100_000, "hidden test of exercise 4.3"
_out = np.asarray(_net(np.random.default_rng(43).random((2, 64, 64, 1)).astype("float32")))
assert ((_out >= 0) & (_out <= 1)).all(), "hidden test of exercise 4.3"

# %% ex-4-4
_values = np.random.default_rng(44).normal(0, 2, (6, 37))
_out = np.asarray(tree_normalise(_values), dtype=float)
for _q in QUESTIONS:
    _columns = [COLUMNS.index(a) for a in _q.answers]
    _parent = 1.0 if _q.parent is None else _out[:, COLUMNS.index(_q.parent)]
    assert np.allclose(_out[:, _columns].sum(axis=1), _parent, atol=1e-6), f"4.4: Q{_q.number}"
    _order = np.argsort(_values[:, _columns], axis=1)
    assert (_order == np.argsort(_out[:, _columns], axis=1)).all(), "hidden test of 4.4"

# %% ex-4-5
_largest = max(report_cnn((150, 150, 1)).layers, key=lambda layer: layer.count_params())
_kind = "conv" if isinstance(_largest, keras.layers.Conv2D) else "dense"
_kind_given = largest_kind.strip().lower() if isinstance(largest_kind, str) else largest_kind
assert (largest_params, _kind_given) == (_largest.count_params(), _kind), "hidden test of 4.5"

# %% ex-4-6
_mean = np.sqrt(np.mean((targets[:768].mean(axis=0) - targets[768:]) ** 2))
assert sorted(val_rmse) == ["flat", "yours"], "hidden test of exercise 4.6"
assert choice == min(val_rmse, key=val_rmse.get), "hidden test of exercise 4.6"
assert abs(skill - (1 - val_rmse[choice] / _mean)) <= 1e-6 and skill > 0, "hidden test of 4.6"
