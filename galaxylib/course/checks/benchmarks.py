"""Exercises 2 (chapter 2, benchmarks)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from galaxylib.course.checks.common import as_2d, choice, correct, exercise, fail, number, one_each

__all__ = [
    "check_central_pixel",
    "check_levels_choice",
    "check_mean_baseline_reading",
    "check_rmse",
    "check_split",
]


@exercise("2.1", forbid=("galaxylib.metrics:rmse",))
def check_rmse(rmse: Callable[[np.ndarray, np.ndarray], float]) -> None:
    """Exercise 2.1: ``rmse(pred, truth)``, the competition's element-wise score.

    Hidden cases: a full prediction, one row of 37 used for every galaxy, and galaxies
    whose errors differ in size (so that averaging per-galaxy RMSEs is caught).
    """
    rng = np.random.default_rng(21)
    truth = rng.random((6, 37))
    pred = truth + rng.normal(0, 0.1, truth.shape) * np.arange(1, 7)[:, None]
    expected = float(np.sqrt(np.mean((pred - truth) ** 2)))
    found = number(rmse(pred, truth), "rmse(pred, truth)")
    if np.isclose(found, expected**2):
        fail("You return the mean squared error: take its square root.")
    per_galaxy = np.sqrt(np.mean((pred - truth) ** 2, axis=1)).mean()
    if np.isclose(found, per_galaxy):
        fail("Average the squared errors over all galaxies and answers before the square root.")
    if not np.isclose(found, expected):
        fail("rmse gives a wrong value on a hidden case: average over all 37 x N squared errors.")
    row = truth.mean(axis=0)
    found = number(rmse(row, truth), "rmse(pred, truth)")
    if not np.isclose(found, np.sqrt(np.mean((row - truth) ** 2))):
        fail("A single row of 37 predictions must be used for every galaxy (broadcast it).")
    correct()


@exercise(
    "2.2",
    forbid=(
        "galaxylib.baselines:CentralPixelBenchmark.fit",
        "galaxylib.baselines:CentralPixelBenchmark.predict",
    ),
)
def check_central_pixel(central_pixel_predict: Callable[..., np.ndarray]) -> None:
    """Exercise 2.2: the central-pixel benchmark, against Kaggle's rule on hidden colours.

    Hidden cases: training colours crowded into a few cells, test colours in those cells
    and in cells no training galaxy has; ``levels`` of 8 and 4.
    """
    from galaxylib.baselines import CentralPixelBenchmark

    rng = np.random.default_rng(22)
    train_rgb = rng.integers(0, 128, (200, 3))  # the upper half of every channel stays empty
    train_y = rng.random((200, 37))
    test_rgb = np.vstack([train_rgb[::6][:30], rng.integers(128, 256, (10, 3))])
    for levels in (8, 4):
        reference = CentralPixelBenchmark(levels).fit(train_rgb, train_y)
        expected = reference.predict(test_rgb)
        found = central_pixel_predict(train_rgb.copy(), train_y.copy(), test_rgb.copy(), levels)
        found = as_2d(found, "central_pixel_predict", expected.shape)
        seen, unseen = slice(0, 30), slice(30, 40)
        if not np.allclose(found[seen], expected[seen], atol=1e-9):
            fail(
                f"With levels={levels} some predictions for colours seen in training are wrong: "
                "a channel value v falls in cell v * levels // 256."
            )
        if not np.allclose(found[unseen], expected[unseen], atol=1e-9):
            fail(
                "For a colour cell no training galaxy falls in, predict the training set's "
                "mean answers."
            )
    correct()


@exercise("2.5")
def check_levels_choice(
    val_rmse: object,
    levels: object,
    test_rmse: object,
    centre: np.ndarray,
    targets: np.ndarray,
    choices: tuple,
) -> None:
    """Exercise 2.5: the central-pixel benchmark's levels, chosen on validation galaxies.

    ``val_rmse`` maps each number of levels of ``choices`` to the RMSE on galaxies 400
    to 599 of a benchmark fitted on the first 400; ``levels`` is the lowest of them, and
    ``test_rmse`` the RMSE of that choice on galaxies 600 to 799, fitted on the first 600.
    """
    from galaxylib.baselines import CentralPixelBenchmark

    def score(n: int, fit: slice, scored: slice) -> float:
        pred = CentralPixelBenchmark(n).fit(centre[fit], targets[fit]).predict(centre[scored])
        return float(np.sqrt(np.mean((pred - targets[scored]) ** 2)))

    val_rmse = one_each(val_rmse, "val_rmse", "RMSE", "number of levels", choices)
    right = {n: score(n, slice(0, 400), slice(400, 600)) for n in choices}
    for n in choices:
        if not np.isclose(number(val_rmse[n], f"The RMSE at {n} levels"), right[n], atol=1e-6):
            fail(
                f"At {n} levels the validation RMSE is wrong: fit on galaxies 0 to 399 and "
                "score galaxies 400 to 599."
            )
    best = min(right, key=right.get)  # type: ignore[arg-type]
    if levels != best:
        fail(f"{levels!r} levels is not the choice with the lowest validation RMSE.")
    if not np.isclose(number(test_rmse, "test_rmse"), score(best, slice(0, 600), slice(600, 800))):
        fail(
            "test_rmse should be your choice's RMSE on galaxies 600 to 799, fitted on the "
            "first 600."
        )
    correct()


@exercise("2.3", forbid=("galaxylib.data:split",))
def check_split(make_split: Callable[[np.ndarray, int], tuple]) -> None:
    """Exercise 2.3: ``make_split(galaxy_ids, seed)`` -> (train, val, test), reproducibly.

    Hidden cases: 1,003 IDs given in two orders and with two seeds.
    """
    rng = np.random.default_rng(23)
    ids = rng.choice(np.arange(100_000, 999_999), 1003, replace=False)

    def parts(galaxy_ids: np.ndarray, seed: int) -> list[np.ndarray]:
        found: Any = make_split(galaxy_ids.copy(), seed)  # a student's answer: any type
        if hasattr(found, "train"):
            found = (found.train, found.val, found.test)
        if not isinstance(found, tuple | list) or len(found) != 3:
            fail("make_split should return a tuple of three arrays: (train, val, test).")
        return [np.asarray(part) for part in found]

    train, val, test = parts(ids, 7)
    sizes = (len(train), len(val), len(test))
    if sizes != (1003 - 201 - 161, 201, 161):
        fail(
            f"For 1,003 galaxies you return {sizes[0]} / {sizes[1]} / {sizes[2]}; "
            "validation takes 20 % and test 16 %, each rounded up, and training the rest."
        )
    together = np.concatenate([train, val, test])
    if len(np.unique(together)) != len(ids) or not np.isin(together, ids).all():
        fail("Every galaxy must land in exactly one of the three parts.")
    again = parts(ids, 7)
    if not all(np.array_equal(a, b) for a, b in zip(again, (train, val, test), strict=True)):
        fail("Two calls with the same seed gave different splits: the split is not reproducible.")
    shuffled = parts(rng.permutation(ids), 7)
    if not all(
        np.array_equal(np.sort(a), np.sort(b))
        for a, b in zip(shuffled, (train, val, test), strict=True)
    ):
        fail("The same galaxies in another order gave another split: sort them first.")
    other = parts(ids, 8)
    if np.array_equal(np.sort(other[2]), np.sort(test)):
        fail("Two different seeds gave the same test set: shuffle with the seed.")
    correct()


MEAN_REASONS = {
    "a": "its answers vary most from galaxy to galaxy, so a constant prediction misses most",
    "b": "it has the most answers",
    "c": "few galaxies reach it, so it has few votes",
}
"""The choices of exercise 2.4 (the right one is checked, not stated here)."""


@exercise("2.4")
def check_mean_baseline_reading(
    worst_question: object, why: object, train: np.ndarray, test: np.ndarray
) -> None:
    """Exercise 2.4: read chapter 2's table of the mean prediction's RMSE per question.

    ``worst_question`` names the question (``"Q1"`` ... ``"Q11"``) with the largest RMSE when
    every test galaxy gets the training mean; ``why`` picks why (:data:`MEAN_REASONS`).
    """
    from galaxylib.metrics import rmse_per_question

    table = rmse_per_question(np.asarray(train, dtype=float).mean(axis=0), test)
    if worst_question not in table.index:
        fail(f"Name the question as the table does, 'Q1' to 'Q11', not {worst_question!r}.")
    if worst_question != table.idxmax():
        fail(f"In the table another question has a larger RMSE than {worst_question}.")
    reason = choice(why, "The reason", tuple(MEAN_REASONS))
    if reason == "b":
        fail(
            "A per-question RMSE averages over the question's answers: their number does "
            "not make it larger."
        )
    if reason == "c":
        fail(
            "A question few galaxies reach has small fractions, and so small errors: that "
            "would make its RMSE small, not large."
        )
    correct()
