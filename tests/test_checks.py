"""Every check accepts a right answer and rejects typical wrong ones with a sentence."""

import inspect
import re
from pathlib import Path

import cv2
import numpy as np
import pandas as pd
import pytest
from sklearn.model_selection import train_test_split

from galaxylib import metrics
from galaxylib.baselines import CentralPixelBenchmark
from galaxylib.course import checks
from galaxylib.course.checks.common import hidden_catalog
from galaxylib.data import split
from galaxylib.preprocess import Box, crop, report_box
from galaxylib.synthetic import EXPECTED_PREFIX, noise_floor
from galaxylib.taxonomy import COLUMNS, QUESTIONS, check_tree, to_per_question


def rejects(check, answer, *words):
    with pytest.raises(checks.CheckFailed) as failed:
        check(answer)
    message = str(failed.value)
    assert message.endswith(".") and "\n" not in message
    for word in words:
        assert word in message, message


def test_tree_violations(capsys):
    def exact(labels, tol=0.0, *, both_ways=True):  # tol=0: no tolerance for the rounding
        bad = np.zeros(len(labels), bool)
        for q in QUESTIONS:
            total = labels[list(q.answers)].sum(axis=1, skipna=False)
            parent = 1.0 if q.parent is None else labels[q.parent]
            gap = (total - parent).abs() if both_ways else total - parent
            bad |= ~(gap <= tol)
        return set(labels.loc[bad, "GalaxyID"])

    passes(checks.check_tree_violations, lambda t: exact(t, 1e-4), capsys=capsys)
    rejects(checks.check_tree_violations, exact, "tolerance")
    # a sum that falls short of its parent breaks the tree too
    rejects(checks.check_tree_violations, lambda t: exact(t, 1e-4, both_ways=False), "missed")
    library_refused(checks.check_tree_violations, lambda t: set(check_tree(t)["GalaxyID"]))

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


def passes(check, *answers, capsys):
    check(*answers)
    assert capsys.readouterr().out.strip() == "Correct!"


def library_refused(check, *library):
    """galaxylib's own solution, called directly or through a wrapper, does not pass."""
    for function in library:
        rejects(check, function, "calls galaxylib.", "yourself")
        rejects(check, lambda *a, f=function, **k: f(*a, **k), "yourself")


# --------------------------------------------------------------------------- chapter 1


def per_question(labels):
    out = labels.copy()
    for q in QUESTIONS:
        if q.parent is not None:
            for a in q.answers:
                out[a] = (labels[a] / labels[q.parent]).where(labels[q.parent] > 0)
    return out


def test_per_question(capsys):
    passes(checks.check_per_question, per_question, capsys=capsys)
    labels = hidden_catalog(30, seed=1)
    pd.testing.assert_frame_equal(per_question(labels), to_per_question(labels))
    library_refused(checks.check_per_question, to_per_question)

    def in_place(labels):  # divides by parents it has already divided
        out = labels.copy()
        for q in QUESTIONS:
            if q.parent is not None:
                for a in q.answers:
                    out[a] = (out[a] / out[q.parent]).where(out[q.parent] > 0)
        return out

    rejects(checks.check_per_question, in_place, "original")

    def zero_not_nan(labels):
        return per_question(labels).fillna(0.0)

    rejects(checks.check_per_question, zero_not_nan, "NaN")
    rejects(checks.check_per_question, lambda t: t[list(COLUMNS)].to_numpy()[:5], "shape")


def majority(labels, strict=False, percent=False):
    values = labels[list(COLUMNS)]
    counts = (values > 0.5 if strict else values >= 0.5).sum()
    share = counts["Class1.3"] / len(labels) * (100 if percent else 1)
    return counts.idxmax(), int(counts.max()), share


def test_majority_summary(capsys):
    passes(checks.check_majority_summary, majority, capsys=capsys)
    rejects(checks.check_majority_summary, lambda t: majority(t, strict=True), "exactly 0.5")
    rejects(checks.check_majority_summary, lambda t: majority(t, percent=True), "percentage")

    def with_ids(labels):
        counts = (labels >= 0.5).sum()
        return counts.idxmax(), int(counts.max()), 0.0

    rejects(checks.check_majority_summary, with_ids, "GalaxyID")
    rejects(checks.check_majority_summary, lambda t: "Class6.2", "tuple of three")


# --------------------------------------------------------------------------- chapter 2


def test_rmse(capsys):
    passes(checks.check_rmse, lambda p, t: float(np.sqrt(np.mean((p - t) ** 2))), capsys=capsys)
    library_refused(checks.check_rmse, metrics.rmse)
    rejects(checks.check_rmse, lambda p, t: float(np.mean((p - t) ** 2)), "square root")
    per_galaxy = lambda p, t: float(np.sqrt(np.mean((p - t) ** 2, axis=1)).mean())  # noqa: E731
    rejects(checks.check_rmse, per_galaxy, "before the square root")
    rejects(checks.check_rmse, lambda p, t: np.sqrt((p - t) ** 2), "number")


def central_pixel(train_rgb, train_y, test_rgb, levels=8, fallback=None):
    def cell_of(rgb):
        steps = np.asarray(rgb, dtype=int) * levels // 256
        return (steps[:, 0] * levels + steps[:, 1]) * levels + steps[:, 2]

    train_cells = cell_of(train_rgb)
    overall = train_y.mean(axis=0) if fallback is None else np.full(train_y.shape[1], fallback)
    pred = np.empty((len(test_rgb), train_y.shape[1]))
    for i, cell in enumerate(cell_of(test_rgb)):
        members = train_cells == cell
        pred[i] = train_y[members].mean(axis=0) if members.any() else overall
    return pred


def test_central_pixel(capsys):
    passes(checks.check_central_pixel, central_pixel, capsys=capsys)
    rng = np.random.default_rng(0)
    rgb, y = rng.integers(0, 256, (50, 3)), rng.random((50, 37))
    library = CentralPixelBenchmark(8).fit(rgb[:40], y[:40]).predict(rgb[40:])
    np.testing.assert_allclose(central_pixel(rgb[:40], y[:40], rgb[40:]), library)

    def library_benchmark(train_rgb, train_y, test_rgb, levels=8):
        return CentralPixelBenchmark(levels).fit(train_rgb, train_y).predict(test_rgb)

    rejects(checks.check_central_pixel, library_benchmark, "yourself")

    def zero_fallback(train_rgb, train_y, test_rgb, levels=8):
        return central_pixel(train_rgb, train_y, test_rgb, levels, fallback=0.0)

    rejects(checks.check_central_pixel, zero_fallback, "training set's mean")

    def fixed_levels(train_rgb, train_y, test_rgb, levels=8):  # ignores levels
        return central_pixel(train_rgb, train_y, test_rgb)

    rejects(checks.check_central_pixel, fixed_levels, "levels=4")
    rejects(checks.check_central_pixel, lambda a, b, c, d: np.zeros(3), "shape")


def test_split(capsys):
    def reference(ids, seed):
        ordered = np.sort(np.asarray(ids))
        n_val, n_test = -(-len(ids) * 20 // 100), -(-len(ids) * 16 // 100)
        shuffled = np.random.default_rng(seed).permutation(ordered)
        return shuffled[n_val + n_test :], shuffled[:n_val], shuffled[n_val : n_val + n_test]

    passes(checks.check_split, reference, capsys=capsys)
    library = split(np.arange(1003), seed=7)
    assert [len(p) for p in reference(np.arange(1003), 7)] == [
        len(library.train),
        len(library.val),
        len(library.test),
    ]

    def library_split(ids, seed):
        parts = split(ids, seed=seed)
        return parts.train, parts.val, parts.test

    library_refused(checks.check_split, library_split)

    def unsorted(ids, seed):
        order = np.random.default_rng(seed).permutation(np.asarray(ids))
        n_val, n_test = -(-len(ids) * 20 // 100), -(-len(ids) * 16 // 100)
        return order[n_val + n_test :], order[:n_val], order[n_val : n_val + n_test]

    rejects(checks.check_split, unsorted, "sort")

    def unseeded(ids, seed):
        return reference(ids, int(np.random.default_rng().integers(1000)))

    rejects(checks.check_split, unseeded, "reproducible")

    def report(ids, seed):  # the report's random_state=random.seed(42), 20 % test only
        train, test = train_test_split(np.asarray(ids), test_size=0.2, random_state=None)
        return train, test, test

    rejects(checks.check_split, report, "rounded up")

    def unshuffled(ids, seed):
        ids = np.sort(ids)
        return ids[362:], ids[:201], ids[201:362]

    rejects(checks.check_split, unshuffled, "seed")


# --------------------------------------------------------------------------- chapter 3


def largest(mask):
    contours, _ = cv2.findContours(
        (mask > 0).astype(np.uint8), cv2.RETR_LIST, cv2.CHAIN_APPROX_SIMPLE
    )
    boxes = [cv2.boundingRect(c) for c in contours] or [(0, 0, 0, 0)]
    return max(boxes, key=lambda b: b[2] * b[3])


def test_largest_box(capsys):
    passes(checks.check_largest_box, largest, capsys=capsys)

    def most_pixels(mask):
        n, _, stats, _ = cv2.connectedComponentsWithStats((mask > 0).astype(np.uint8))
        if n == 1:
            return (0, 0, 0, 0)
        x, y, w, h, _ = stats[1 + np.argmax(stats[1:, 4])]
        return (x, y, w, h)

    rejects(checks.check_largest_box, most_pixels, "most pixels")

    def swapped(mask):
        x, y, w, h = largest(mask)
        return (y, x, h, w)

    rejects(checks.check_largest_box, swapped, "swapped")
    rejects(checks.check_largest_box, lambda m: largest(m)[:2], "(x, y, w, h)")


def test_report_square(capsys):
    def square(box, size=424):
        image = np.zeros((size, size), np.uint8)
        x, y, w, h = box
        image[y : y + h, x : x + w] = 255
        found = report_box(image)
        return (found.x, found.y, found.side)

    passes(checks.check_report_square, square, capsys=capsys)

    def one_side(box, size=424):
        x, y, w, h = box
        longer = max(w, h)
        pad = int(0.1 * longer)
        if longer == 0 or x < pad or y < pad or x + longer + pad >= size or y + longer >= size:
            return (0, 0, size)
        return (x - pad, y - pad, longer + pad)

    rejects(checks.check_report_square, one_side, "both sides")

    def rounded(box, size=424):
        x, y, w, h = box
        longer = max(w, h)
        pad = round(0.1 * longer)
        inside = x >= pad and y >= pad and x + longer + pad < size and y + longer + pad < size
        return (x - pad, y - pad, longer + 2 * pad) if longer and inside else (0, 0, size)

    rejects(checks.check_report_square, rounded, "rounded down")

    def touching_is_inside(box, size=424):
        x, y, w, h = box
        longer = max(w, h)
        pad = int(0.1 * longer)
        inside = x >= pad and y >= pad and x + longer + pad <= size and y + longer + pad <= size
        return (x - pad, y - pad, longer + 2 * pad) if longer and inside else (0, 0, size)

    rejects(checks.check_report_square, touching_is_inside, "touching the far edge")


def test_offset(capsys):
    passes(
        checks.check_offset,
        lambda b, x, y: float(np.hypot(b[0] + b[2] / 2 - x, b[1] + b[2] / 2 - y)),
        capsys=capsys,
    )
    rejects(checks.check_offset, lambda b, x, y: float(np.hypot(b[0] - x, b[1] - y)), "centre")
    rejects(checks.check_offset, lambda b, x, y: "far", "number")


def test_centred_crop(capsys):
    def reference(image, cx, cy, side):
        square = np.zeros((side, side, *image.shape[2:]), dtype=image.dtype)
        top, left = cy - side // 2, cx - side // 2
        r0, r1 = max(top, 0), min(top + side, image.shape[0])
        c0, c1 = max(left, 0), min(left + side, image.shape[1])
        if r1 > r0 and c1 > c0:
            square[r0 - top : r1 - top, c0 - left : c1 - left] = image[r0:r1, c0:c1]
        return square

    def library(image, cx, cy, side):
        half = side // 2
        return crop(image, Box(cx - half, cy - half, side), size=side, color=image.ndim == 3)

    passes(checks.check_centred_crop, reference, capsys=capsys)
    image = np.random.default_rng(3).integers(1, 256, (40, 50, 3), dtype=np.uint8)
    for cx, cy, side in [(25, 20, 10), (2, 3, 16), (48, 38, 60)]:
        assert np.array_equal(reference(image, cx, cy, side), library(image, cx, cy, side))
    library_refused(checks.check_centred_crop, library)

    def clipped(image, cx, cy, side):  # shrinks at the edge instead of padding
        top, left = cy - side // 2, cx - side // 2
        return image[max(top, 0) : top + side, max(left, 0) : left + side]

    rejects(checks.check_centred_crop, clipped, "leaves the frame")

    def swapped(image, cx, cy, side):
        return reference(image, cy, cx, side)

    rejects(checks.check_centred_crop, swapped, "swapped")
    # the right pixels in float64, as np.zeros gives them: the hidden test wants the type kept
    rejects(
        checks.check_centred_crop,
        lambda image, *a: reference(image, *a).astype(np.float64),
        "keep the image's type",
    )

    def grey_sky(image, cx, cy, side):
        out = reference(image, cx, cy, side)
        out[out == 0] = 7
        return out

    rejects(checks.check_centred_crop, grey_sky, "black")


# --------------------------------------------------------------------------- chapter 4


def test_output_size(capsys):
    def size_of(size, kernel, stride=1, padding="valid"):
        return -(-size // stride) if padding == "same" else (size - kernel) // stride + 1

    passes(checks.check_output_size, size_of, capsys=capsys)
    rejects(checks.check_output_size, lambda n, k, stride=1, padding="valid": n - k, "one pixel")
    rejects(checks.check_output_size, lambda n, k, stride=1, padding="valid": n - k + 1, "stride")
    no_same = lambda n, k, stride=1, padding="valid": (n - k) // stride + 1  # noqa: E731
    rejects(checks.check_output_size, no_same, "'same'")
    rejects(checks.check_output_size, lambda n, k, stride=1, padding="valid": n / 2, "whole")


def test_param_counts(capsys):
    def conv(k, c, f, use_bias=True):
        return k * k * c * f + f * use_bias

    def dense(i, o, use_bias=True):
        return i * o + o * use_bias

    passes(checks.check_param_counts, conv, dense, capsys=capsys)

    def with_dense(conv_params):
        checks.check_param_counts(conv_params, dense)

    rejects(with_dense, lambda k, c, f, use_bias=True: k * k * c * f, "bias")
    rejects(with_dense, lambda k, c, f, use_bias=True: k * k * f + f * use_bias, "input channel")
    no_bias = lambda i, o, use_bias=True: i * o  # noqa: E731
    rejects(lambda d: checks.check_param_counts(conv, d), no_bias, "bias")


def small_cnn(input_shape, last="sigmoid", pool=True):
    import keras

    return keras.Sequential(
        [
            keras.Input(shape=input_shape),
            keras.layers.Rescaling(1 / 255),
            keras.layers.Conv2D(16, 5, activation="relu"),
            keras.layers.MaxPooling2D(2),
            keras.layers.Conv2D(64, 3, activation="relu"),
            keras.layers.GlobalAveragePooling2D() if pool else keras.layers.Flatten(),
            keras.layers.Dense(128, activation="relu"),
            keras.layers.Dense(37, activation=last),
        ]
    )


def test_cnn_budget(capsys):
    passes(checks.check_cnn_budget, small_cnn, capsys=capsys)
    rejects(checks.check_cnn_budget, lambda s: small_cnn(s, last=None), "sigmoid")
    rejects(checks.check_cnn_budget, lambda s: small_cnn(s, pool=False), "budget")
    rejects(checks.check_cnn_budget, lambda s: "model", "Keras model")


def test_tree_output(capsys):
    from galaxylib.models import DecisionTree

    def normalise(values):
        positive = np.logaddexp(0.0, values)
        out = np.zeros_like(positive)
        for q in QUESTIONS:
            cols = q.columns
            out[:, cols] = positive[:, cols] / positive[:, cols].sum(axis=1, keepdims=True)
            if q.parent is not None:
                out[:, cols] *= out[:, [COLUMNS.index(q.parent)]]
        return out

    passes(checks.check_tree_output, normalise, capsys=capsys)
    values = np.random.default_rng(4).normal(0, 3, (5, 37)).astype("float32")
    np.testing.assert_allclose(normalise(values), DecisionTree()(values), atol=1e-5)
    library_refused(checks.check_tree_output, lambda v: np.asarray(DecisionTree()(v)))

    def roots_only(values):  # every question sums to one
        out = np.log1p(np.exp(values))
        for q in QUESTIONS:
            cols = q.columns
            out[:, cols] /= out[:, cols].sum(axis=1, keepdims=True)
        return out

    rejects(checks.check_tree_output, roots_only, "parent answer")

    def raw(values):  # no positive transform: negative shares
        out = values.copy()
        for q in QUESTIONS:
            cols = q.columns
            out[:, cols] /= out[:, cols].sum(axis=1, keepdims=True)
        return out

    rejects(checks.check_tree_output, raw, "outside [0, 1]")

    def reversed_order(values):
        return normalise(-values)

    rejects(checks.check_tree_output, reversed_order, "larger share")


# --------------------------------------------------------------------------- chapter 5


def pipeline(images, targets, batch_size=64, seed=0, *, order="cache shuffle batch prefetch"):
    import tensorflow as tf

    dataset = tf.data.Dataset.from_tensor_slices((images, targets))
    for step in order.split():
        if step == "cache":
            dataset = dataset.cache()
        elif step == "shuffle":
            dataset = dataset.shuffle(len(images), seed=seed)
        elif step == "small-shuffle":
            dataset = dataset.shuffle(8, seed=seed)
        elif step == "third-shuffle":  # a buffer of a third of the set
            dataset = dataset.shuffle(len(images) // 3, seed=seed)
        elif step == "batch":
            dataset = dataset.batch(batch_size)
        elif step == "prefetch":
            dataset = dataset.prefetch(2)
        elif step == "repeat":
            dataset = dataset.repeat()
        elif step == "endless":  # repeats where tf.data cannot tell: a generator
            dataset = tf.data.Dataset.from_generator(
                lambda d=dataset: (element for _ in iter(int, 1) for element in d),
                output_signature=dataset.element_spec,
            )
    return dataset


def test_pipeline(capsys):
    passes(checks.check_pipeline, pipeline, capsys=capsys)
    for order, word in [
        ("cache batch shuffle prefetch", "before batching"),
        ("cache small-shuffle batch prefetch", "whole set"),
        ("cache third-shuffle batch prefetch", "whole set"),
        ("shuffle cache batch prefetch", "every epoch"),
        ("shuffle batch prefetch", "cache"),
        ("cache shuffle batch", "prefetch"),
        ("cache batch prefetch", "original order"),
        ("cache shuffle batch prefetch repeat", "never ends"),
        ("cache shuffle batch prefetch endless", "never ends"),
    ]:
        rejects(checks.check_pipeline, lambda *a, o=order, **k: pipeline(*a, **k, order=o), word)

    def unseeded(images, targets, batch_size=64, seed=0):
        return pipeline(images, targets, batch_size, seed=None)

    rejects(checks.check_pipeline, unseeded, "same seed")


def test_callbacks(capsys):
    import keras

    def right(path, patience=7):
        return [
            keras.callbacks.ModelCheckpoint(path, monitor="val_loss", save_best_only=True),
            keras.callbacks.EarlyStopping(patience=patience, restore_best_weights=True),
            keras.callbacks.ReduceLROnPlateau(factor=0.2, patience=3, min_lr=1e-5),
        ]

    passes(checks.check_callbacks, right, capsys=capsys)

    def the_reports(path, patience=7):
        return [
            keras.callbacks.ModelCheckpoint(
                path, monitor="val_accuracy", mode="max", save_best_only=True
            ),
            keras.callbacks.EarlyStopping(monitor="val_loss", mode="min", patience=patience),
        ]

    rejects(checks.check_callbacks, the_reports, "no accuracy")

    def no_restore(path, patience=7):
        return [right(path)[0], keras.callbacks.EarlyStopping(patience=patience)]

    rejects(checks.check_callbacks, no_restore, "restore")

    def max_mode(path, patience=7):
        checkpoint = keras.callbacks.ModelCheckpoint(path, mode="max", save_best_only=True)
        return [checkpoint, *right(path)[1:]]

    rejects(checks.check_callbacks, max_mode, "mode")
    rejects(checks.check_callbacks, lambda path, patience=7: right(path)[1:], "ModelCheckpoint")
    rejects(checks.check_callbacks, lambda path, patience=7: right(path)[:2], "ReduceLROnPlateau")
    rejects(checks.check_callbacks, lambda path, patience=7: right(path), "pass make_callbacks")

    def plateau(path, stop, **options):
        return [*right(path, stop)[:2], keras.callbacks.ReduceLROnPlateau(**options)]

    rejects(checks.check_callbacks, lambda p, patience=7: plateau(p, patience), "factor")
    rejects(
        checks.check_callbacks,
        lambda p, patience=7: plateau(p, patience, factor=0.2, patience=patience, min_lr=1e-5),
        "3 epochs",
    )
    rejects(
        checks.check_callbacks,
        lambda p, patience=7: plateau(p, patience, factor=0.2, patience=3),
        "1e-5",
    )
    rejects(checks.check_callbacks, lambda path: right(path), "unexpected keyword")


def test_training_time(capsys):
    def right(n, batch, ms, epochs):
        steps = -(-n // batch)
        return steps, steps * ms * epochs / 3.6e6, batch / ms * 1000

    passes(checks.check_training_time, right, capsys=capsys)

    def floor(n, batch, ms, epochs):
        return n // batch, (n // batch) * ms * epochs / 3.6e6, batch / ms * 1000

    rejects(checks.check_training_time, floor, "round the steps up")

    def minutes(n, batch, ms, epochs):
        steps, hours, rate = right(n, batch, ms, epochs)
        return steps, hours * 60, rate

    rejects(checks.check_training_time, minutes, "factor of 60")

    def per_step(n, batch, ms, epochs):
        steps, hours, _ = right(n, batch, ms, epochs)
        return steps, hours, 1000 / ms

    rejects(checks.check_training_time, per_step, "images per second")


# --------------------------------------------------------------------------- chapter 6


def rmse_per_question(pred, truth, sqrt_first=False):
    squared = (pred - truth) ** 2
    scores = {}
    for q in QUESTIONS:
        cols = q.columns
        per_answer = np.sqrt(squared[:, cols].mean(axis=0))
        scores[q.name] = per_answer.mean() if sqrt_first else np.sqrt(squared[:, cols].mean())
    return pd.Series(scores)


def test_rmse_per_question(capsys):
    passes(checks.check_rmse_per_question, rmse_per_question, capsys=capsys)
    pred, truth = np.random.default_rng(5).random((2, 20, 37))
    pd.testing.assert_series_equal(
        rmse_per_question(pred, truth), metrics.rmse_per_question(pred, truth), check_names=False
    )
    library_refused(checks.check_rmse_per_question, metrics.rmse_per_question)
    sqrt_first = lambda p, t: rmse_per_question(p, t, sqrt_first=True)  # noqa: E731
    rejects(checks.check_rmse_per_question, sqrt_first, "first")
    rejects(
        checks.check_rmse_per_question,
        lambda p, t: rmse_per_question(p, t).reset_index(drop=True),
        "Q1",
    )
    rejects(checks.check_rmse_per_question, lambda p, t: metrics.rmse(p, t), "Series")


def test_worst_galaxies(capsys):
    def per_galaxy(pred, truth):
        return np.sqrt(np.mean((pred - truth) ** 2, axis=1))

    def right(ids, pred, truth, k):
        return ids[np.argsort(per_galaxy(pred, truth))[::-1][:k]]

    passes(checks.check_worst_galaxies, right, capsys=capsys)
    rejects(
        checks.check_worst_galaxies,
        lambda i, p, t, k: i[np.argsort(per_galaxy(p, t))[:k]],
        "most right",
    )
    rejects(
        checks.check_worst_galaxies,
        lambda i, p, t, k: np.argsort(per_galaxy(p, t))[::-1][:k],
        "row numbers",
    )
    rejects(
        checks.check_worst_galaxies,
        lambda i, p, t, k: i[np.argsort(np.abs(p - t).max(axis=1))[::-1][:k]],
        "largest error",
    )
    rejects(
        checks.check_worst_galaxies,
        lambda i, p, t, k: i[np.argsort(per_galaxy(p, t))[::-1][:k]][::-1],
        "worst one first",
    )


def noise_floor_of(labels, truth):
    matched = truth.set_index("GalaxyID").loc[labels["GalaxyID"]]
    expected = matched[[EXPECTED_PREFIX + c for c in COLUMNS]].to_numpy(dtype=float)
    return float(np.sqrt(np.mean((labels[list(COLUMNS)].to_numpy(dtype=float) - expected) ** 2)))


def test_noise_floor(capsys):
    passes(checks.check_noise_floor, noise_floor_of, capsys=capsys)
    library_refused(checks.check_noise_floor, noise_floor)

    def by_position(labels, truth):
        expected = truth[[EXPECTED_PREFIX + c for c in COLUMNS]].to_numpy()[: len(labels)]
        return float(np.sqrt(np.mean((labels[list(COLUMNS)].to_numpy() - expected) ** 2)))

    rejects(checks.check_noise_floor, by_position, "GalaxyID")
    rejects(checks.check_noise_floor, lambda lab, tr: noise_floor_of(lab, tr) ** 2, "square root")
    rejects(checks.check_noise_floor, lambda lab, tr: None, "number")


# --------------------------------------------------------------------------- reading exercises


def reads(check, *args, capsys):
    check(*args)
    assert capsys.readouterr().out.strip() == "Correct!"


def refuses(check, args, *words):
    with pytest.raises(checks.CheckFailed) as failed:
        check(*args)
    message = str(failed.value)
    assert message.endswith(".") and "\n" not in message
    for word in words:
        assert word in message, message


def test_mean_confidence_reading(capsys):
    labels = hidden_catalog(200, seed=3)
    means = labels[list(COLUMNS)].mean()
    deeper = means.drop([a for q in QUESTIONS if q.parent is None for a in q.answers])
    top, height = deeper.idxmax(), deeper.max()
    check = checks.check_mean_confidence_reading
    reads(check, top, round(height, 2), labels, capsys=capsys)
    refuses(check, (means.idxmax(), means.max(), labels), "Q1 or Q6")
    refuses(check, (deeper.drop(top).idxmax(), height, labels), "taller bar")
    refuses(check, (top, height + 0.05, labels), "height")
    refuses(check, ("2.2", height, labels), "column")


def test_mean_baseline_reading(capsys):
    rng = np.random.default_rng(8)
    train, test = rng.random((50, 37)), rng.random((30, 37))
    test[:, COLUMNS.index("Class5.1")] = rng.choice([0.0, 1.0], 30)  # Q5 varies most
    check = checks.check_mean_baseline_reading
    reads(check, "Q5", "a", train, test, capsys=capsys)
    refuses(check, ("Q1", "a", train, test), "larger RMSE")
    refuses(check, ("Q5", "b", train, test), "number")
    refuses(check, ("Q5", "c", train, test), "small, not large")
    refuses(check, ("Q5", "d", train, test), "one of")
    refuses(check, ("5", "a", train, test), "'Q1' to 'Q11'")


def test_budget_choice(capsys):
    rng = np.random.default_rng(46)
    train_y, val_y = rng.random((60, 37)), rng.random((20, 37))
    mean_rmse = float(np.sqrt(np.mean((train_y.mean(axis=0) - val_y) ** 2)))
    val = {"yours": 0.8 * mean_rmse, "flat": 0.9 * mean_rmse}
    check = checks.check_budget_choice
    reads(check, val, "yours", 1 - 0.8, train_y, val_y, capsys=capsys)
    refuses(check, (val, "flat", 1 - 0.9, train_y, val_y), "lower validation RMSE")
    refuses(check, (val, "yours", 0.8, train_y, val_y), "mean answers")
    worse = {"yours": 1.1 * mean_rmse, "flat": 1.2 * mean_rmse}
    refuses(check, (worse, "yours", 1 - 1.1, train_y, val_y), "does not beat")
    refuses(check, ({"yours": 80.0, "flat": 90.0}, "yours", 0.2, train_y, val_y), "between 0")
    refuses(check, ({"mine": 0.1}, "mine", 0.2, train_y, val_y), '"yours" and "flat"')


def test_alpha_choice(capsys):
    from types import SimpleNamespace

    from sklearn.linear_model import Ridge

    rng = np.random.default_rng(65)
    features = rng.random((300, 20))
    weights = rng.normal(0, 0.3, (20, 37))
    answers = np.clip(0.5 + (features - 0.5) @ weights + rng.normal(0, 0.2, (300, 37)), 0, 1)
    ids = np.arange(1000, 1300)

    def pixels(galaxy_ids):
        return features[np.asarray(galaxy_ids) - 1000]

    class Catalog:
        def subset(self, galaxy_ids):
            return SimpleNamespace(targets=answers[np.asarray(galaxy_ids) - 1000])

    catalog = Catalog()
    parts = SimpleNamespace(train=ids[:180], val=ids[180:240], test=ids[240:])
    choices = (0.01, 10.0, 10_000.0)

    def score(a, scored):
        fitted = Ridge(alpha=a).fit(pixels(parts.train), catalog.subset(parts.train).targets)
        pred = np.clip(fitted.predict(pixels(scored)), 0, 1)
        return float(np.sqrt(np.mean((pred - catalog.subset(scored).targets) ** 2)))

    val = {a: score(a, parts.val) for a in choices}
    best, worse = min(val, key=val.get), max(val, key=val.get)
    test = score(best, parts.test)
    args = (pixels, catalog, parts, choices)
    check = checks.check_alpha_choice
    reads(check, val, best, test, *args, capsys=capsys)
    on_test = {a: score(a, parts.test) for a in choices}
    refuses(check, (on_test, best, test, *args), "score the validation split")
    refuses(check, (val, worse, test, *args), "lowest validation RMSE")
    refuses(check, (val, best, val[best], *args), "test split")
    refuses(check, ({0.01: 0.2}, best, test, *args), "each alpha")


def test_levels_choice(capsys):
    from galaxylib.baselines import CentralPixelBenchmark

    rng = np.random.default_rng(25)
    centre = rng.integers(0, 256, (800, 3))
    targets = np.clip(centre[:, :1] / 255 + rng.normal(0, 0.2, (800, 37)), 0, 1)
    choices = (2, 4, 8)

    def score(n, fit, scored):
        pred = CentralPixelBenchmark(n).fit(centre[fit], targets[fit]).predict(centre[scored])
        return float(np.sqrt(np.mean((pred - targets[scored]) ** 2)))

    val = {n: score(n, slice(0, 400), slice(400, 600)) for n in choices}
    best = min(val, key=val.get)
    worse = max(val, key=val.get)
    test = score(best, slice(0, 600), slice(600, 800))
    check = checks.check_levels_choice
    reads(check, val, best, test, centre, targets, choices, capsys=capsys)
    on_test = {n: score(n, slice(0, 400), slice(600, 800)) for n in choices}
    refuses(check, (on_test, best, test, centre, targets, choices), "galaxies 400 to 599")
    refuses(check, (val, worse, test, centre, targets, choices), "lowest validation RMSE")
    wrong_test = score(best, slice(0, 400), slice(600, 800))
    refuses(check, (val, best, wrong_test, centre, targets, choices), "first 600")
    refuses(check, ({2: 0.1}, best, test, centre, targets, choices), "each number of levels")


def test_clean_sample(capsys):
    smooth = [0.95, 0.85, 0.75, 0.72, 0.65, 0.55, 0.52, 0.3]
    kinds = ["elliptical"] * 4 + ["disc", "elliptical", "disc", "disc"]
    labels = pd.DataFrame({"GalaxyID": range(100, 108), "Class1.1": smooth})
    truth = pd.DataFrame({"kind": kinds}, index=pd.Index(range(100, 108), name="GalaxyID"))
    thresholds = (0.5, 0.6, 0.7)
    purity = {0.5: 5 / 7, 0.6: 4 / 5, 0.7: 1.0}
    size = {0.5: 7, 0.6: 5, 0.7: 4}
    check = checks.check_clean_sample
    reads(check, purity, size, 0.7, labels, truth, thresholds, capsys=capsys)
    refuses(check, (purity, {**size, 0.6: 4}, 0.7, labels, truth, thresholds), "at least")
    percent = {t: 100 * v for t, v in purity.items()}
    refuses(check, (percent, size, 0.7, labels, truth, thresholds), "not a percentage")
    refuses(check, ({**purity, 0.5: 0.5}, size, 0.7, labels, truth, thresholds), "kind")
    refuses(check, (purity, size, 0.6, labels, truth, thresholds), "lowest threshold")
    refuses(check, ({0.5: 1}, size, 0.7, labels, truth, thresholds), "each threshold")


def test_threshold_choice(capsys):
    from galaxylib.preprocess import report_box

    images, rows = {}, []
    for galaxy, (radius, level, sky) in enumerate(
        [(30, 60, 0), (50, 30, 0), (20, 200, 0), (60, 15, 0), (25, 150, 8), (25, 150, 9)]
    ):
        image = np.full((200, 200, 3), sky, np.uint8)  # a sky of 8 or 9 joins the frame at 5
        cv2.circle(image, (100, 90), radius, (level,) * 3, -1)
        cv2.circle(image, (100, 90), radius // 2, (255,) * 3, -1)
        images[galaxy] = image
        rows.append((galaxy, 100.0, 90.0, 0.9 * radius))
    truth = pd.DataFrame(rows, columns=["GalaxyID", "x", "y", "r90_px"]).set_index("GalaxyID")
    thresholds = (5, 20, 40)
    right = {}
    for t in thresholds:  # the rule of the exercise, written out once more
        failures = 0
        for galaxy, image in images.items():
            box, (x, y, r) = report_box(image, threshold=t), truth.loc[galaxy]
            inside = box.x <= x - r and box.y <= y - r
            inside = inside and box.x + box.side >= x + r and box.y + box.side >= y + r
            failures += box.side == 200 or not inside
        right[t] = failures / len(images)
    assert right == {5: 2 / 6, 20: 1 / 6, 40: 2 / 6}  # low and high both fail more

    check = checks.check_threshold_choice
    reads(check, right, 20, images, truth, thresholds, capsys=capsys)
    refuses(check, ({**right, 5: 0.5}, 20, images, truth, thresholds), "at threshold 5")
    refuses(check, ({t: 100 * v for t, v in right.items()}, 20, images, truth, thresholds), "1")
    refuses(check, (right, 5, images, truth, thresholds), "fail least")
    refuses(check, ({5: 0.3}, 20, images, truth, thresholds), "each threshold")


def test_summary_reading(capsys):
    import keras

    from galaxylib.models import report_cnn

    layers = report_cnn((150, 150, 1)).layers
    largest = max(layers, key=lambda layer: layer.count_params())
    kind = "conv" if isinstance(largest, keras.layers.Conv2D) else "dense"
    check = checks.check_summary_reading
    reads(check, largest.count_params(), kind, capsys=capsys)
    refuses(check, (849_285, kind), "Param #")
    refuses(check, (largest.count_params(), {"conv": "dense"}.get(kind, "conv")), "layer type")


def test_rate_choice(capsys):
    key = "val_root_mean_squared_error"
    rates = (0.1, 0.01, 0.001)
    histories = {
        0.1: {key: [0.19, 0.185, 0.178], "loss": [0.04, 0.03, 0.03]},
        0.01: {key: [0.35, 0.22, 0.175], "loss": [0.1, 0.05, 0.03]},
        0.001: {key: [0.43, 0.42, 0.415], "loss": [0.2, 0.19, 0.18]},
    }
    check = checks.check_rate_choice
    reads(check, histories, 0.01, 0.175, rates, capsys=capsys)
    # chosen by the first epoch
    refuses(check, (histories, 0.1, 0.178, rates), "another rate's run reached 0.1750")
    refuses(check, (histories, 0.01, 0.35, rates), "lowest validation RMSE of your chosen")
    refuses(check, ({0.01: histories[0.01]}, 0.01, 0.175, rates), "each rate")
    short = {**histories, 0.001: {key: [0.43]}}
    refuses(check, (short, 0.01, 0.175, rates), "shorter than three epochs")
    no_metric = {**histories, 0.1: {"loss": [0.04, 0.03, 0.03]}}
    refuses(check, (no_metric, 0.01, 0.175, rates), "RootMeanSquaredError")


def test_skill_reading(capsys):
    rng = np.random.default_rng(9)
    truth = rng.random((40, 37)) * 0.1
    q2 = QUESTIONS[1].columns  # Q2 varies most, model fair
    truth[:, q2] = rng.random(truth[:, q2].shape)
    pred = truth + rng.normal(0, 0.02, truth.shape)
    pred[:, q2] = truth[:, q2] + rng.normal(0, 0.15, truth[:, q2].shape)
    q9 = QUESTIONS[8].columns  # Q9 hardly varies, model poor
    pred[:, q9] = truth[:, q9] + rng.normal(0, 0.08, truth[:, q9].shape)
    baseline = truth.mean(axis=0)
    model = rmse_per_question(pred, truth)
    skill = 1 - model / rmse_per_question(np.tile(baseline, (40, 1)), truth)
    assert model.idxmax() == "Q2" and skill.idxmin() == "Q9"  # the case the exercise is about
    check = checks.check_skill_reading
    reads(check, "Q2", "Q9", pred, truth, baseline, capsys=capsys)
    refuses(check, ("Q9", "Q9", pred, truth, baseline), "above Q9")
    refuses(check, ("Q2", "Q2", pred, truth, baseline), "divide by it")
    refuses(check, ("Q2", "Q1", pred, truth, baseline), "lowest skill")
    refuses(check, ("Q2", 9, pred, truth, baseline), "'Q1' to 'Q11'")


SOLUTIONS = sorted((Path(__file__).resolve().parents[1] / "solutions").glob("*.py"))
UNSET = re.compile(r"^(\w+(?: = \w+)*) = None  # your answers", re.M)
"""A reading exercise's line before its solution: its answers, set to None."""


def unset_answers():
    """Each reading exercise's ``a = b = None`` line and the check its check cell calls."""
    found = []
    for source in SOLUTIONS:
        text = source.read_text()
        for match in UNSET.finditer(text):
            call = re.compile(r"^checks\.(check_\w+)\(", re.M).search(text, match.end())
            found.append((match.group(1).split(" = "), call.group(1)))
    return found


@pytest.mark.parametrize("names, check", unset_answers(), ids=lambda v: str(v))
def test_an_unset_answer_is_named(names, check):
    # the sentence names the student's variable: the check's parameters carry its name
    function = getattr(checks, check)
    parameters = list(inspect.signature(function).parameters)
    assert parameters[: len(names)] == names
    data = [object()] * (len(parameters) - len(names))
    for k in range(len(names)):  # the first answer still None is named
        answers = ["answered"] * k + [None] * (len(names) - k)
        refuses(function, (*answers, *data), f"`{names[k]}` is still None")


def test_every_reading_exercise_starts_unset():
    # a solution at the top level of a cell (not in a function) is a reading exercise
    for source in SOLUTIONS:
        lines = source.read_text().splitlines()
        for i, line in enumerate(lines):
            if line == "### BEGIN SOLUTION":
                before = next(b for b in reversed(lines[:i]) if b.strip())
                assert UNSET.match(before), (
                    f"{source.name}, line {i + 1}: set the answers to None before the solution"
                )
