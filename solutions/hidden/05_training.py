"""Hidden tests of set 5: nbgrader adds each block to its exercise's check cell.

They run when nbgrader grades a submission, never in the students' notebooks, and
compute every expected value here, not with galaxylib's checks.
See ``build_tools/nbgrader.py``.
"""

# %% ex-5-1
_steps, _hours, _rate = training_time(1000, 64, 500, 3)
assert _steps == 16, "hidden test of exercise 5.1"  # 15 full batches and one of 40
assert math.isclose(_hours, 16 * 0.5 * 3 / 3600), "hidden test of exercise 5.1"
assert math.isclose(_rate, 64 / 0.5), "hidden test of exercise 5.1"

# %% ex-5-2
_x = np.arange(10, dtype="float32").reshape(10, 1)
_batches = list(make_pipeline(_x, 2 * _x, batch_size=4, seed=3))
assert [len(b[0]) for b in _batches] == [4, 4, 2], "hidden test of exercise 5.2"
_seen = np.concatenate([b[0].numpy() for b in _batches])
assert sorted(_seen.ravel()) == list(range(10)), "hidden test of exercise 5.2"
assert np.allclose(np.concatenate([b[1].numpy() for b in _batches]), 2 * _seen), "5.2: pairs"

# %% ex-5-3
_path = str(Path(tempfile.mkdtemp()) / "m.keras")
_kinds = {type(c).__name__: c for c in make_callbacks(_path, 5)}
assert _kinds["ModelCheckpoint"].monitor == "val_loss", "hidden test of exercise 5.3"
assert _kinds["ModelCheckpoint"].save_best_only, "hidden test of exercise 5.3"
assert _kinds["EarlyStopping"].patience == 5, "hidden test of exercise 5.3"
assert _kinds["EarlyStopping"].restore_best_weights, "hidden test of exercise 5.3"
assert math.isclose(_kinds["ReduceLROnPlateau"].factor, 0.2), "hidden test of exercise 5.3"

# %% ex-5-4
_lowest = {lr: min(h["val_root_mean_squared_error"]) for lr, h in histories.items()}
assert sorted(_lowest) == sorted(RATES), "hidden test of exercise 5.4"
assert all(len(h["val_root_mean_squared_error"]) >= 3 for h in histories.values()), "5.4"
assert rate == min(_lowest, key=_lowest.get), "hidden test of exercise 5.4"
assert abs(best_val_rmse - _lowest[rate]) <= 1e-6, "hidden test of exercise 5.4"
