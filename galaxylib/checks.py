"""The checks that close every exercise.

Each ``check_...`` function takes the student's answer (a value, or a function it then
calls on hidden cases), prints ``Correct!`` when it is right, and otherwise raises
:class:`CheckFailed` with one sentence that says what is wrong -- a shape, a value on a
hidden case, a broken constraint -- without giving the answer away.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from galaxylib.taxonomy import COLUMNS, QUESTIONS, to_cumulative

__all__ = [
    "CheckFailed",
    "check_callbacks",
    "check_central_pixel",
    "check_centred_crop",
    "check_cnn_budget",
    "check_largest_box",
    "check_majority_summary",
    "check_noise_floor",
    "check_offset",
    "check_output_size",
    "check_param_counts",
    "check_per_question",
    "check_pipeline",
    "check_report_square",
    "check_rmse",
    "check_rmse_per_question",
    "check_split",
    "check_training_time",
    "check_tree_output",
    "check_tree_violations",
    "check_worst_galaxies",
]


class CheckFailed(AssertionError):
    """The answer is not right yet; the message says why in one sentence."""


def _correct() -> None:
    print("Correct!")


def _fail(message: str) -> None:
    raise CheckFailed(message)


def _hidden_catalog(n: int, seed: int) -> pd.DataFrame:
    """Vote fractions that obey the tree, with GalaxyIDs, for hidden cases."""
    rng = np.random.default_rng(seed)
    per_question = np.concatenate(
        [rng.dirichlet(np.ones(len(q.answers)), size=n) for q in QUESTIONS], axis=1
    )
    table = pd.DataFrame(np.round(to_cumulative(per_question), 6), columns=list(COLUMNS))
    table.insert(0, "GalaxyID", rng.choice(np.arange(100_000, 999_999), n, replace=False))
    return table


# --------------------------------------------------------------------------- chapter 1


def check_tree_violations(tree_violations: Callable[[pd.DataFrame], set]) -> None:
    """Exercise 1.1: ``tree_violations(labels)`` returns the GalaxyIDs that break the tree.

    Hidden cases: a clean table (the 6-decimal rounding must be tolerated), a child
    answer pushed off its parent, a root that does not sum to one, and a NaN.
    """
    table = _hidden_catalog(40, seed=11)
    found = tree_violations(table.copy())
    if not isinstance(found, set | frozenset | list | tuple | np.ndarray | pd.Index | pd.Series):
        _fail(f"tree_violations should return a set of GalaxyIDs, not {type(found).__name__}.")
    if len(set(found)):
        _fail(
            "On a table that obeys the tree you report some galaxies: allow a tolerance "
            "for the 6-decimal rounding of the catalog."
        )
    broken = table.copy()
    broken.loc[3, "Class10.2"] += 0.05  # Q10 no longer sums to Class4.1
    broken.loc[7, "Class1.3"] += 0.02  # Q1 no longer sums to one; no child question shows it
    broken.loc[9, "Class8.5"] += broken.loc[9, "Class8.4"]  # Q8 still sums to Class6.1 ...
    broken.loc[9, "Class8.4"] = np.nan  # ... unless the missing value is noticed
    expected = set(broken.loc[[3, 7, 9], "GalaxyID"])
    found = {int(g) for g in tree_violations(broken.copy())}
    if found != expected:
        missed = expected - found
        if broken.loc[9, "GalaxyID"] in missed:
            _fail("A missing value (NaN) must count as breaking the tree.")
        if missed:
            _fail(
                f"You missed {len(missed)} of the {len(expected)} broken galaxies: check "
                "every question, including the two whose answers sum to one."
            )
        _fail(f"You report {len(found - expected)} galaxies that obey the tree.")
    _correct()


def _hidden_per_question(n: int, seed: int) -> np.ndarray:
    """Per-question fractions (each question sums to 1) for hidden cases."""
    rng = np.random.default_rng(seed)
    return np.concatenate([rng.dirichlet(np.ones(len(q.answers)), size=n) for q in QUESTIONS], 1)


def _table(values: np.ndarray, seed: int) -> pd.DataFrame:
    """A catalog table with GalaxyIDs around 37 answer columns."""
    rng = np.random.default_rng(seed)
    table = pd.DataFrame(values, columns=list(COLUMNS))
    table.insert(0, "GalaxyID", rng.choice(np.arange(100_000, 999_999), len(table), replace=False))
    return table


def _as_2d(answer: object, name: str, shape: tuple[int, int]) -> np.ndarray:
    """The answer as a float array of the expected shape, or a sentence saying why not."""
    if isinstance(answer, pd.DataFrame):
        missing = [c for c in COLUMNS if c not in answer.columns]
        if shape[1] == len(COLUMNS) and not missing:
            answer = answer.loc[:, list(COLUMNS)]
    try:
        values = np.asarray(answer, dtype=float)
    except (TypeError, ValueError):
        _fail(
            f"{name} should return numbers in an array or a DataFrame, not {type(answer).__name__}."
        )
    if values.shape != shape:
        _fail(f"{name} returned shape {values.shape}; expected {shape}.")
    return values


def _number(answer: object, name: str) -> float:
    if isinstance(answer, bool) or not isinstance(answer, int | float | np.integer | np.floating):
        _fail(f"{name} should be a number, not {type(answer).__name__}.")
    return float(answer)


# --------------------------------------------------------------------------- chapter 1 (more)


def check_per_question(per_question: Callable[[pd.DataFrame], pd.DataFrame]) -> None:
    """Exercise 1.2: ``per_question(labels)`` divides each answer by its parent answer.

    Hidden cases: a catalog in which some galaxies never reach Q2-Q5 or Q10-Q11 (a
    parent of 0), compared with :func:`galaxylib.taxonomy.to_per_question`.
    """
    from galaxylib.taxonomy import to_per_question

    fractions = _hidden_per_question(30, seed=12)
    q1, q4 = COLUMNS.index("Class1.1"), COLUMNS.index("Class4.1")
    fractions[[2, 5], q1 : q1 + 3] = [0.7, 0.0, 0.3]  # nobody sees a disc: Q2 and below unseen
    fractions[[8, 13], q4 : q4 + 2] = [0.0, 1.0]  # nobody sees arms: Q10 and Q11 unseen
    table = _table(to_cumulative(fractions), seed=12)
    expected = to_per_question(table)[list(COLUMNS)].to_numpy()
    found = _as_2d(per_question(table.copy()), "per_question", expected.shape)
    nan_expected, nan_found = np.isnan(expected), np.isnan(found)
    if np.any(nan_expected & ~nan_found):
        _fail(
            "Where the parent answer is 0 nobody was asked the question: its fractions are "
            "undefined and must be NaN."
        )
    if np.any(nan_found & ~nan_expected):
        _fail("You return NaN for answers whose question some volunteers did answer.")
    roots = [COLUMNS.index(a) for q in QUESTIONS if q.parent is None for a in q.answers]
    if not np.allclose(found[:, roots], expected[:, roots], atol=1e-9):
        _fail("Q1 and Q6 have no parent: every volunteer answers them, so leave them as they are.")
    if not np.allclose(found[~nan_expected], expected[~nan_expected], atol=1e-6):
        _fail(
            "Some fractions are wrong on a hidden catalog: divide every answer by its parent's "
            "value in the original cumulative table, not by one you have already divided."
        )
    _correct()


def check_majority_summary(majority_summary: Callable[[pd.DataFrame], tuple]) -> None:
    """Exercise 1.3: ``majority_summary(labels)`` -> (answer, galaxies, share of Class1.3).

    Hidden case: a catalog where several galaxies have exactly 0.5 for the leading
    answer, so that ``>`` and ``>=`` disagree, and a few that win a majority of stars.
    """
    fractions = _hidden_per_question(60, seed=13)
    q6 = COLUMNS.index("Class6.1")
    fractions[:25, q6 : q6 + 2] = [0.5, 0.5]  # Q6: a tie, exactly 0.5, for 25 galaxies
    fractions[25:60, q6 : q6 + 2] = [0.3, 0.7]
    fractions[:3, 0:3] = [0.2, 0.2, 0.6]  # three galaxies that most call a star
    table = _table(to_cumulative(fractions), seed=13)
    answers = table[list(COLUMNS)]
    counts = (answers >= 0.5).sum()
    expected = (counts.idxmax(), int(counts.max()), counts["Class1.3"] / len(table))
    found = majority_summary(table.copy())
    if not isinstance(found, tuple | list) or len(found) != 3:
        _fail("majority_summary should return a tuple of three: (answer, galaxies, share).")
    answer, galaxies, share = found
    if not isinstance(answer, str):
        _fail(f"The answer should be a column name such as 'Class2.2', not {answer!r}.")
    if answer == "GalaxyID":
        _fail("GalaxyID is not an answer: count only the 37 answer columns.")
    strict = (answers > 0.5).sum()
    galaxies, share = _number(galaxies, "The number of galaxies"), _number(share, "The share")
    if answer != expected[0] or galaxies != expected[1]:
        if answer == strict.idxmax() and galaxies == strict.max():
            _fail("A fraction of exactly 0.5 is a majority too: count it.")
        if answer != expected[0]:
            _fail(f"On a hidden catalog another answer than {answer} has the most majorities.")
        _fail(f"On a hidden catalog {answer} wins {galaxies:g} majorities, which is not right.")
    if np.isclose(share, 100 * expected[2]):
        _fail("Give the share of Class1.3 as a fraction between 0 and 1, not a percentage.")
    if not np.isclose(share, expected[2]):
        _fail(
            "The share of Class1.3 is wrong on a hidden catalog: divide the galaxies where it "
            "wins a majority by all galaxies."
        )
    _correct()


# --------------------------------------------------------------------------- chapter 2


def check_rmse(rmse: Callable[[np.ndarray, np.ndarray], float]) -> None:
    """Exercise 2.1: ``rmse(pred, truth)``, the competition's element-wise score.

    Hidden cases: a full prediction, one row of 37 used for every galaxy, and galaxies
    whose errors differ in size (so that averaging per-galaxy RMSEs is caught).
    """
    rng = np.random.default_rng(21)
    truth = rng.random((6, 37))
    pred = truth + rng.normal(0, 0.1, truth.shape) * np.arange(1, 7)[:, None]
    expected = float(np.sqrt(np.mean((pred - truth) ** 2)))
    found = _number(rmse(pred, truth), "rmse(pred, truth)")
    if np.isclose(found, expected**2):
        _fail("You return the mean squared error: take its square root.")
    per_galaxy = np.sqrt(np.mean((pred - truth) ** 2, axis=1)).mean()
    if np.isclose(found, per_galaxy):
        _fail("Average the squared errors over all galaxies and answers before the square root.")
    if not np.isclose(found, expected):
        _fail("rmse gives a wrong value on a hidden case: average over all 37 x N squared errors.")
    row = truth.mean(axis=0)
    found = _number(rmse(row, truth), "rmse(pred, truth)")
    if not np.isclose(found, np.sqrt(np.mean((row - truth) ** 2))):
        _fail("A single row of 37 predictions must be used for every galaxy (broadcast it).")
    _correct()


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
        found = _as_2d(found, "central_pixel_predict", expected.shape)
        seen, unseen = slice(0, 30), slice(30, 40)
        if not np.allclose(found[seen], expected[seen], atol=1e-9):
            _fail(
                f"With levels={levels} some predictions for colours seen in training are wrong: "
                "a channel value v falls in cell v * levels // 256."
            )
        if not np.allclose(found[unseen], expected[unseen], atol=1e-9):
            _fail(
                "For a colour cell no training galaxy falls in, predict the training set's "
                "mean answers."
            )
    _correct()


def check_split(make_split: Callable[[np.ndarray, int], tuple]) -> None:
    """Exercise 2.3: ``make_split(galaxy_ids, seed)`` -> (train, val, test), reproducibly.

    Hidden cases: 1,003 IDs given in two orders and with two seeds.
    """
    rng = np.random.default_rng(23)
    ids = rng.choice(np.arange(100_000, 999_999), 1003, replace=False)

    def parts(galaxy_ids: np.ndarray, seed: int) -> list[np.ndarray]:
        found = make_split(galaxy_ids.copy(), seed)
        if hasattr(found, "train"):
            found = (found.train, found.val, found.test)
        if not isinstance(found, tuple | list) or len(found) != 3:
            _fail("make_split should return a tuple of three arrays: (train, val, test).")
        return [np.asarray(part) for part in found]

    train, val, test = parts(ids, 7)
    sizes = (len(train), len(val), len(test))
    if sizes != (1003 - 201 - 161, 201, 161):
        _fail(
            f"For 1,003 galaxies you return {sizes[0]} / {sizes[1]} / {sizes[2]}; "
            "validation takes 20 % and test 16 %, each rounded up, and training the rest."
        )
    together = np.concatenate([train, val, test])
    if len(np.unique(together)) != len(ids) or not np.isin(together, ids).all():
        _fail("Every galaxy must land in exactly one of the three parts.")
    again = parts(ids, 7)
    if not all(np.array_equal(a, b) for a, b in zip(again, (train, val, test), strict=True)):
        _fail("Two calls with the same seed gave different splits: the split is not reproducible.")
    shuffled = parts(rng.permutation(ids), 7)
    if not all(
        np.array_equal(np.sort(a), np.sort(b))
        for a, b in zip(shuffled, (train, val, test), strict=True)
    ):
        _fail("The same galaxies in another order gave another split: sort them first.")
    other = parts(ids, 8)
    if np.array_equal(np.sort(other[2]), np.sort(test)):
        _fail("Two different seeds gave the same test set: shuffle with the seed.")
    _correct()


# --------------------------------------------------------------------------- chapter 3


def _box_tuple(found: object, name: str, length: int) -> tuple[float, ...]:
    if not isinstance(found, tuple | list | np.ndarray) or len(found) != length:
        what = "(x, y, w, h)" if length == 4 else "(x, y, side)"
        _fail(f"{name} should return a tuple {what}, not {found!r}.")
    return tuple(float(v) for v in found)


def check_largest_box(largest_box: Callable[[np.ndarray], tuple]) -> None:
    """Exercise 3.1: ``largest_box(mask)`` -> (x, y, w, h) of the largest bounding box.

    Hidden cases: a wide rectangle outline (large box, few pixels) beside a filled square
    (more pixels, smaller box) and a dot, on a mask that is not square; an empty mask.
    """
    mask = np.zeros((90, 160), np.uint8)
    mask[10:40, 100:150] = 1  # a filled square: 1,500 pixels, box 50 x 30
    mask[50:85, 20:90] = 1  # the outline of a box 70 x 35 ...
    mask[52:83, 22:88] = 0  # ... only two pixels thick: 400 pixels
    mask[5, 5] = 1
    found = _box_tuple(largest_box(mask.copy()), "largest_box", 4)
    if found == (50, 20, 35, 70):
        _fail("x is the column and y the row: you swapped them.")
    if found == (100, 10, 50, 30):
        _fail("You picked the region with the most pixels; pick the one whose box is largest.")
    if found != (20, 50, 70, 35):
        _fail("On a hidden mask your box is not the largest region's bounding box.")
    if _box_tuple(largest_box(mask * np.uint8(255)), "largest_box", 4) != (20, 50, 70, 35):
        _fail("Your function must work on 0/255 masks too, as cv2.threshold makes them.")
    empty = _box_tuple(largest_box(np.zeros((40, 60), np.uint8)), "largest_box", 4)
    if empty != (0, 0, 0, 0):
        _fail("An empty mask has no region: return (0, 0, 0, 0).")
    _correct()


def _report_square(box: tuple[int, int, int, int], size: int) -> tuple[int, int, int]:
    x, y, w, h = box
    longer = max(w, h)
    pad = int(longer * 0.1)
    inside = x - pad >= 0 and y - pad >= 0 and x + longer + pad < size and y + longer + pad < size
    if not inside or longer == 0:
        return (0, 0, size)
    return (x - pad, y - pad, longer + 2 * pad)


def check_report_square(report_square: Callable[..., tuple]) -> None:
    """Exercise 3.2: the report's padding rule, on hidden boxes.

    Hidden cases: tall and wide boxes, a padding that must be rounded down, squares that
    leave the frame at each side or just touch its far edge, and an empty box.
    """
    cases = [
        ((100, 120, 60, 45), 424),
        ((200, 50, 33, 87), 424),
        ((30, 40, 19, 12), 100),
        ((2, 150, 50, 50), 424),  # leaves at the left
        ((150, 400, 20, 25), 424),  # leaves at the bottom
        ((380, 100, 40, 30), 424),  # x + longer + pad = 424: touches the far edge
        ((0, 0, 0, 0), 424),
    ]
    for box, size in cases:
        expected = _report_square(box, size)
        found = _box_tuple(report_square(box, size), "report_square", 3)
        if found == expected:
            continue
        x, y, w, h = box
        longer = max(w, h)
        if expected == (0, 0, size):
            if box == (0, 0, 0, 0):
                _fail("An empty box (0 x 0) gives nothing to crop: keep the whole image.")
            _fail(
                f"For the box {box} in an image of {size} pixels the square leaves the frame "
                "(touching the far edge counts): keep the whole image."
            )
        if found[2] == longer + int(0.1 * longer):
            _fail("Pad on both sides: the square's side is the longer side plus two paddings.")
        if found[2] in (min(w, h) + 2 * int(0.1 * min(w, h)), min(w, h)):
            _fail("Take the padding and the square from the box's longer side.")
        if found[2] != expected[2]:
            _fail(
                f"For the box {box} your square's side is wrong: the padding is 10 % of the "
                "longer side, rounded down to whole pixels."
            )
        _fail(f"For the box {box} your square starts at the wrong corner.")
    _correct()


def check_offset(offset: Callable[..., float]) -> None:
    """Exercise 3.3: ``offset(box, x, y)``, the distance from a box's centre to a point."""
    cases = [((100, 120, 200), 190, 230), ((10.5, 20, 80), 30, 90), ((-40, 300, 150), 10, 400)]
    for box, x, y in cases:
        bx, by, side = box
        expected = float(np.hypot(bx + side / 2 - x, by + side / 2 - y))
        found = _number(offset(box, x, y), "offset(box, x, y)")
        if np.isclose(found, np.hypot(bx - x, by - y)):
            _fail("You measured from the box's top-left corner; measure from its centre.")
        if np.isclose(found, abs(bx + side / 2 - x) + abs(by + side / 2 - y)):
            _fail("Measure the straight-line distance, not the sum of the two differences.")
        if not np.isclose(found, expected):
            _fail(f"For the box {box} and the point ({x}, {y}) your offset is wrong.")
    _correct()


def _centred(image: np.ndarray, cx: int, cy: int, side: int) -> np.ndarray:
    out = np.zeros((side, side, *image.shape[2:]), image.dtype)
    top, left = cy - side // 2, cx - side // 2
    h, w = image.shape[:2]
    r0, c0 = max(top, 0), max(left, 0)
    r1, c1 = min(top + side, h), min(left + side, w)
    if r1 > r0 and c1 > c0:
        out[r0 - top : r1 - top, c0 - left : c1 - left] = image[r0:r1, c0:c1]
    return out


def check_centred_crop(centred_crop: Callable[..., np.ndarray]) -> None:
    """Exercise 3.4: ``centred_crop(image, cx, cy, side)`` with black where the frame ends.

    Hidden cases: a non-square grey image and a colour one, with squares inside the
    frame, over each edge and corner, and larger than the image.
    """
    rng = np.random.default_rng(34)
    grey = rng.integers(1, 256, (60, 80), dtype=np.uint8)  # no black pixel of its own
    colour = rng.integers(1, 256, (50, 50, 3), dtype=np.uint8)
    cases = [
        (grey, 40, 30, 20),
        (grey, 5, 30, 24),
        (grey, 75, 55, 30),
        (grey, 40, 2, 16),
        (grey, 40, 30, 100),
        (colour, 10, 45, 21),
    ]
    for image, cx, cy, side in cases:
        expected = _centred(image, cx, cy, side)
        found = np.asarray(centred_crop(image.copy(), cx, cy, side))
        if found.shape != expected.shape:
            if found.shape[:2] != (side, side):
                _fail(
                    f"For a side of {side} the crop must be {side} x {side} pixels, even where "
                    f"it leaves the frame; you return {found.shape}."
                )
            _fail(f"Keep the image's channels: expected shape {expected.shape}, got {found.shape}.")
        if np.array_equal(found, expected):
            continue
        if np.array_equal(found, _centred(image, cy, cx, side)):
            _fail("x is the column and y the row of the image: you swapped them.")
        outside = expected == 0
        if not np.array_equal(found[~outside], expected[~outside]):
            _fail(
                f"Centred on ({cx}, {cy}) with side {side}, your crop shows the wrong part of "
                "the image: its top-left pixel is (cx - side // 2, cy - side // 2)."
            )
        _fail("Where the square leaves the image, fill it with black (0).")
    _correct()


# --------------------------------------------------------------------------- chapter 4


def check_output_size(output_size: Callable[..., int]) -> None:
    """Exercise 4.1: the side of a convolution's or pooling's output map."""
    cases = [
        ((150, 7), {}, 144),
        ((72, 7), {}, 66),
        ((29, 2), {"stride": 2}, 14),
        ((33, 3), {"stride": 2}, 16),
        ((64, 5), {"padding": "same"}, 64),
        ((33, 2), {"stride": 2, "padding": "same"}, 17),
    ]
    for args, kwargs, expected in cases:
        found = output_size(*args, **kwargs)
        if not isinstance(found, int | np.integer):
            _fail(f"output_size should return a whole number of pixels, not {found!r}.")
        if found == expected:
            continue
        call = ", ".join([*map(str, args), *(f"{k}={v!r}" for k, v in kwargs.items())])
        if kwargs.get("padding") == "same":
            _fail(f"output_size({call}) is wrong: 'same' padding keeps size / stride, rounded up.")
        if found == expected - 1 or found == args[0] - args[1]:
            _fail(f"output_size({call}) is one pixel short: count the kernel's first position.")
        _fail(f"output_size({call}) is wrong: with stride s the kernel moves s pixels a step.")
    _correct()


def check_param_counts(conv2d_params: Callable[..., int], dense_params: Callable[..., int]) -> None:
    """Exercise 4.2: parameters of a Conv2D and of a Dense layer, by formula."""
    conv_cases = [
        ((7, 1, 32), True, 1600),
        ((5, 32, 64), True, 51264),
        ((3, 64, 128), False, 73728),
    ]
    for (kernel, channels, filters), bias, expected in conv_cases:
        found = conv2d_params(kernel, channels, filters, use_bias=bias)
        if found == expected:
            continue
        if found == kernel * kernel * channels * filters:
            _fail("Each filter also has a bias, unless use_bias is False.")
        if found == kernel * kernel * filters + bias * filters:
            _fail("A filter spans every input channel, not just one.")
        if bias and found == kernel * kernel * channels * filters + channels:
            _fail("There is one bias per filter (output channel), not per input channel.")
        _fail(f"conv2d_params({kernel}, {channels}, {filters}, use_bias={bias}) is wrong.")
    for (n_in, n_out), bias, expected in [((256, 512), True, 131584), ((512, 37), False, 18944)]:
        found = dense_params(n_in, n_out, use_bias=bias)
        if found == expected:
            continue
        if bias and found == n_in * n_out:
            _fail("Each dense unit also has a bias, unless use_bias is False.")
        _fail(f"dense_params({n_in}, {n_out}, use_bias={bias}) is wrong.")
    _correct()


def _layers_of(model) -> list:
    found = []
    for layer in model.layers:
        found.append(layer)
        if hasattr(layer, "layers"):
            found += _layers_of(layer)
    return found


def check_cnn_budget(build_cnn: Callable[[tuple[int, int, int]], object]) -> None:
    """Exercise 4.3: a CNN for 64x64 grey images with 37 sigmoid outputs, on a budget.

    Checks the type, at least two Conv2D layers, the output shape, the parameter count
    (20,000 to 100,000), and that a batch of random images gives values in [0, 1] from a
    final sigmoid.
    """
    import keras

    model = build_cnn((64, 64, 1))
    if not isinstance(model, keras.Model):
        _fail(f"build_cnn should return a Keras model, not {type(model).__name__}.")
    layers = _layers_of(model)
    convolutions = sum(isinstance(layer, keras.layers.Conv2D) for layer in layers)
    if convolutions < 2:
        _fail(f"Your network has {convolutions} Conv2D layers; it needs at least two.")
    if tuple(model.output_shape) != (None, 37):
        _fail(
            f"The output should have shape (None, 37), one value per answer, not "
            f"{model.output_shape}."
        )
    params = model.count_params()
    if params > 100_000:
        _fail(
            f"Your network has {params:,} parameters, over the budget of 100,000: shrink the "
            "map before the dense layers (more pooling, or global average pooling)."
        )
    if params < 20_000:
        _fail(f"Your network has only {params:,} parameters; use at least 20,000.")
    last = layers[-1]
    activation = getattr(getattr(last, "activation", None), "__name__", None)
    if activation != "sigmoid":
        _fail("End the network in 37 sigmoids, so that every output is a fraction in [0, 1].")
    images = np.random.default_rng(43).integers(0, 256, (4, 64, 64, 1)).astype("uint8")
    out = np.asarray(model(images, training=False))
    if out.shape != (4, 37) or not np.all((out >= 0) & (out <= 1)):
        _fail("On a batch of random images your outputs are not 37 fractions in [0, 1].")
    _correct()


def check_tree_output(tree_normalise: Callable[[np.ndarray], np.ndarray]) -> None:
    """Exercise 4.4: ``tree_normalise(values)`` makes any 37 numbers obey the tree.

    Hidden cases: 40 rows of values between -8 and 8. The output must lie in [0, 1], obey
    the tree, and keep the order of each question's values (larger value, larger share).
    """
    values = np.random.default_rng(44).uniform(-8, 8, (40, 37))
    out = _as_2d(tree_normalise(values.copy()), "tree_normalise", values.shape)
    if not np.all(np.isfinite(out)):
        _fail("Some outputs are not finite numbers.")
    if np.any(out < -1e-9) or np.any(out > 1 + 1e-9):
        _fail("Some outputs lie outside [0, 1]: make the values positive before normalising.")
    for question in QUESTIONS:
        columns = [COLUMNS.index(a) for a in question.answers]
        total = out[:, columns].sum(axis=1)
        if question.parent is None:
            if not np.allclose(total, 1, atol=1e-6):
                _fail(f"{question.name}'s answers must sum to 1.")
        elif not np.allclose(total, out[:, COLUMNS.index(question.parent)], atol=1e-6):
            _fail(
                f"{question.name}'s answers must sum to the output of its parent answer "
                f"{question.parent}."
            )
        reached = total > 1e-9
        order_in = np.argsort(values[reached][:, columns], axis=1)
        order_out = np.argsort(out[reached][:, columns], axis=1)
        if not np.array_equal(order_in, order_out):
            _fail(f"Within {question.name} a larger value must give a larger share.")
    _correct()


# --------------------------------------------------------------------------- chapter 5


def _stages(dataset) -> list[str]:
    """Class names of a tf.data pipeline's stages, from the last one back to its sources."""
    names, todo = [], [dataset]
    while todo:
        stage = todo.pop()
        names.append(type(stage).__name__.lstrip("_"))
        todo += [stage._input_dataset] if hasattr(stage, "_input_dataset") else []
        todo += list(getattr(stage, "_datasets", ()))
    return names


def check_pipeline(make_pipeline: Callable[..., object]) -> None:
    """Exercise 5.2: a ``tf.data`` pipeline that caches, shuffles, batches and prefetches.

    Hidden case: 300 images whose pixels and labels carry their own index, in batches of
    32 with seed 5: every example once per epoch with its own label, batches of 32 but
    the last, shuffled over the whole set before batching and anew each epoch, the same
    order for the same seed, a cache stage, and prefetch at the end.
    """
    import tensorflow as tf

    n, batch = 300, 32
    index = np.arange(n)
    images = np.broadcast_to(index[:, None, None, None], (n, 4, 4, 1)).astype(np.float32)
    labels = np.repeat(index[:, None], 37, axis=1).astype(np.float32)
    dataset = make_pipeline(images.copy(), labels.copy(), batch_size=batch, seed=5)
    if not isinstance(dataset, tf.data.Dataset):
        _fail(f"make_pipeline should return a tf.data.Dataset, not {type(dataset).__name__}.")

    def epoch(ds) -> list[np.ndarray]:
        order = []
        for element in ds:
            if not isinstance(element, tuple | list) or len(element) != 2:
                _fail("Each element should be a pair (images, labels).")
            x, y = (np.asarray(part) for part in element)
            if x.ndim != 4:
                _fail(f"Images should come in batches of shape (batch, 4, 4, 1), not {x.shape}.")
            if not np.array_equal(x[:, 0, 0, 0], y[:, 0]):
                _fail("An image arrived with another image's label: keep each pair together.")
            order.append(y[:, 0].astype(int))
        return order

    first = epoch(dataset)
    sizes = [len(b) for b in first]
    if sum(s != batch for s in sizes) > 1 or sum(sizes) != n or max(sizes) > batch:
        _fail(f"Batches should hold {batch} examples (the last one fewer), and every example once.")
    order = np.concatenate(first)
    if not np.array_equal(np.sort(order), index):
        _fail("Every example must appear exactly once per epoch.")
    if np.array_equal(order, index):
        _fail("The examples come in their original order: shuffle them.")
    if all(np.array_equal(np.sort(b), np.arange(b.min(), b.min() + len(b))) for b in first):
        _fail("Each batch holds neighbouring examples: shuffle the examples before batching.")
    if first[0].max() < 3 * batch:
        _fail("The first batch comes from the first few examples: shuffle over the whole set.")
    if np.array_equal(np.concatenate(epoch(dataset)), order):
        _fail("Two epochs came in the same order: shuffle anew every epoch, after any cache.")
    twin = make_pipeline(images.copy(), labels.copy(), batch_size=batch, seed=5)
    if not np.array_equal(np.concatenate(epoch(twin)), order):
        _fail("Two pipelines with the same seed gave different orders: pass the seed to shuffle.")
    stages = _stages(dataset)
    if not any("Cache" in s for s in stages):
        _fail("The pipeline does not cache: the examples are prepared again every epoch.")
    if "Prefetch" not in stages[0]:
        _fail("End the pipeline with prefetch, so the next batch is ready while the model trains.")
    _correct()


def check_callbacks(make_callbacks: Callable[[str], list]) -> None:
    """Exercise 5.3: the report's callbacks made right.

    ``make_callbacks(path)`` must hold a ``ModelCheckpoint`` to ``path`` that keeps only
    the best validation loss, an ``EarlyStopping`` on the validation loss that restores
    the best weights, and (if any) a ``ReduceLROnPlateau`` on the validation loss.
    """
    import keras

    path = "hidden/best.keras"
    found = make_callbacks(path)
    if not isinstance(found, list | tuple) or not all(
        isinstance(c, keras.callbacks.Callback) for c in found
    ):
        _fail("make_callbacks should return a list of Keras callbacks.")

    def one(kind: type) -> object:
        chosen = [c for c in found if isinstance(c, kind)]
        if len(chosen) != 1:
            _fail(f"The list should hold exactly one {kind.__name__}, not {len(chosen)}.")
        return chosen[0]

    def watches_val_loss(callback, name: str) -> None:
        if callback.monitor != "val_loss":
            reason = "a regression logs no accuracy" if "acc" in callback.monitor else "it"
            _fail(
                f"{name} monitors {callback.monitor!r}, but {reason} should watch the "
                "validation loss."
            )
        if getattr(callback, "mode", "auto") not in ("min", "auto"):
            _fail(f"A lower loss is better, but {name} has mode {callback.mode!r}.")

    checkpoint = one(keras.callbacks.ModelCheckpoint)
    watches_val_loss(checkpoint, "ModelCheckpoint")
    if not checkpoint.save_best_only:
        _fail("ModelCheckpoint should save only the best model, not every epoch's.")
    if str(checkpoint.filepath) != path:
        _fail("ModelCheckpoint should save to the path given to make_callbacks.")
    stopping = one(keras.callbacks.EarlyStopping)
    watches_val_loss(stopping, "EarlyStopping")
    if not stopping.restore_best_weights:
        _fail("EarlyStopping should restore the best weights, or the model keeps the last ones.")
    if stopping.patience < 1:
        _fail("EarlyStopping with patience 0 stops at the first epoch that does not improve.")
    for plateau in [c for c in found if isinstance(c, keras.callbacks.ReduceLROnPlateau)]:
        watches_val_loss(plateau, "ReduceLROnPlateau")
    _correct()


def check_training_time(training_time: Callable[..., tuple]) -> None:
    """Exercise 5.1: ``training_time(n_train, batch_size, ms_per_step, epochs)``.

    Returns ``(steps_per_epoch, hours, images_per_second)``; hidden cases include a
    training set that batches evenly and two that leave a last, smaller batch.
    """
    cases = [(49262, 64, 623.0, 50), (1000, 32, 100.0, 10), (640, 64, 250.0, 4)]
    for n, batch, ms, epochs in cases:
        found = training_time(n, batch, ms, epochs)
        if not isinstance(found, tuple | list) or len(found) != 3:
            _fail("training_time should return (steps_per_epoch, hours, images_per_second).")
        steps, hours, rate = (_number(v, "Each figure") for v in found)
        expected_steps = -(-n // batch)
        if steps != expected_steps:
            if steps == n // batch:
                _fail("The last, smaller batch is a step too: round the steps up.")
            _fail(f"For {n:,} images in batches of {batch} the number of steps is wrong.")
        expected_hours = steps * ms * epochs / 3.6e6
        if not np.isclose(hours, expected_hours):
            ratio = hours / expected_hours
            if any(np.isclose(ratio, f) for f in (60, 1 / 60, 1000, 1 / 1000, 3600, 1 / 3600)):
                _fail(f"Your hours are off by a factor of {ratio:g}: check the units.")
            _fail(f"For {n:,} images, {ms:g} ms a step and {epochs} epochs the hours are wrong.")
        if not np.isclose(rate, batch * 1000 / ms):
            _fail(f"At {ms:g} ms a step of {batch} images the images per second are wrong.")
    _correct()


# --------------------------------------------------------------------------- chapter 6


def _hidden_predictions(n: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    table = _hidden_catalog(n, seed)
    truth = table[list(COLUMNS)].to_numpy()
    rng = np.random.default_rng(seed)
    pred = np.clip(truth + rng.normal(0, 0.05, truth.shape) * rng.uniform(0.2, 3, (n, 1)), 0, 1)
    return table["GalaxyID"].to_numpy(), pred, truth


def check_rmse_per_question(per_question_rmse: Callable[..., pd.Series]) -> None:
    """Exercise 6.1: ``per_question_rmse(pred, truth)``, a Series indexed Q1 ... Q11."""
    from galaxylib.metrics import rmse_per_question

    _, pred, truth = _hidden_predictions(25, seed=61)
    expected = rmse_per_question(pred, truth)
    found = per_question_rmse(pred.copy(), truth.copy())
    if not isinstance(found, pd.Series):
        _fail(f"per_question_rmse should return a pandas Series, not {type(found).__name__}.")
    if list(found.index) != list(expected.index):
        _fail("Index the Series by the questions' names, 'Q1' to 'Q11', in order.")
    answers = np.sqrt(np.mean((pred - truth) ** 2, axis=0))
    sqrt_first = [answers[[COLUMNS.index(a) for a in q.answers]].mean() for q in QUESTIONS]
    if np.allclose(found.to_numpy(float), sqrt_first):
        _fail("Average the squared errors of a question's answers first, then take the root.")
    if not np.allclose(found.to_numpy(float), expected.to_numpy()):
        _fail("Some questions' RMSEs are wrong on a hidden case.")
    _correct()


def check_worst_galaxies(worst: Callable[..., np.ndarray]) -> None:
    """Exercise 6.2: ``worst(galaxy_ids, pred, truth, k)``, the k worst GalaxyIDs first.

    Hidden case: galaxies whose single largest error and whose RMSE rank them differently.
    """
    ids, pred, truth = _hidden_predictions(30, seed=62)
    pred[4] = truth[4]
    pred[4, 0] = np.clip(truth[4, 0] + 0.9, 0, 1) if truth[4, 0] < 0.1 else truth[4, 0] - 0.9
    error = np.sqrt(np.mean((pred - truth) ** 2, axis=1))
    k = 5
    expected = ids[np.argsort(error)[::-1][:k]]
    found = np.asarray(worst(ids.copy(), pred.copy(), truth.copy(), k))
    if found.shape != (k,):
        _fail(f"worst should return {k} GalaxyIDs for k={k}, not an array of shape {found.shape}.")
    if np.array_equal(found, expected):
        _correct()
        return
    if np.isin(found, np.arange(len(ids))).all() and not np.isin(found, ids).any():
        _fail("Return the galaxies' IDs, not their row numbers.")
    if set(found) == set(ids[np.argsort(error)[:k]]):
        _fail("These are the galaxies the model gets most right; you want the worst.")
    if set(found) == set(expected):
        _fail("You found the right galaxies; put the worst one first.")
    largest = np.abs(pred - truth).max(axis=1)
    if set(found) == set(ids[np.argsort(largest)[::-1][:k]]):
        _fail("Rank galaxies by their RMSE over all 37 answers, not by their largest error.")
    _fail("On a hidden case these are not the galaxies with the largest RMSE.")


def check_noise_floor(noise_floor_of: Callable[[pd.DataFrame, pd.DataFrame], float]) -> None:
    """Exercise 6.3: the noise floor, RMSE of the votes against the expected fractions.

    Hidden case: a truth table that has more galaxies than the labels, in another order.
    """
    from galaxylib.synthetic import EXPECTED_PREFIX
    from galaxylib.synthetic import noise_floor as reference

    labels = _hidden_catalog(40, seed=63)
    rng = np.random.default_rng(63)
    votes = labels[list(COLUMNS)].to_numpy()
    expected = np.clip(votes + rng.normal(0, 0.04, votes.shape), 0, 1)
    extra = rng.random((15, 37))
    truth = pd.DataFrame(
        np.vstack([expected, extra]), columns=[EXPECTED_PREFIX + c for c in COLUMNS]
    )
    truth.insert(0, "GalaxyID", np.concatenate([labels["GalaxyID"], np.arange(1, 16)]))
    truth.insert(1, "x", rng.uniform(200, 224, len(truth)))
    truth = truth.sample(frac=1, random_state=63).reset_index(drop=True)
    answer = reference(labels, truth)
    found = _number(noise_floor_of(labels.copy(), truth.copy()), "noise_floor_of")
    if np.isclose(found, answer**2):
        _fail("You return a mean squared error: take its square root.")
    if not np.isclose(found, answer):
        _fail(
            "On a hidden case your noise floor is wrong: match each galaxy's votes with its own "
            "expected fractions by GalaxyID, as the tables are in different orders."
        )
    _correct()
