"""Exercises 4 (chapter 4, the CNN)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from galaxylib.course.checks.common import as_2d, choice, correct, exercise, fail, number
from galaxylib.taxonomy import COLUMNS, QUESTIONS

__all__ = [
    "check_budget_choice",
    "check_cnn_budget",
    "check_output_size",
    "check_param_counts",
    "check_summary_reading",
    "check_tree_output",
]


@exercise("4.1")
def check_output_size(output_size: Callable[..., int]) -> None:
    """Exercise 4.1: the side of a convolution's or pooling's output map."""
    cases: list[tuple[tuple[int, int], dict[str, Any], int]] = [
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
            fail(f"output_size should return a whole number of pixels, not {found!r}.")
        if found == expected:
            continue
        call = ", ".join([*map(str, args), *(f"{k}={v!r}" for k, v in kwargs.items())])
        if kwargs.get("padding") == "same":
            fail(f"output_size({call}) is wrong: 'same' padding keeps size / stride, rounded up.")
        if found == expected - 1 or found == args[0] - args[1]:
            fail(f"output_size({call}) is one pixel short: count the kernel's first position.")
        fail(f"output_size({call}) is wrong: with stride s the kernel moves s pixels a step.")
    correct()


@exercise("4.2")
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
            fail("Each filter also has a bias, unless use_bias is False.")
        if found == kernel * kernel * filters + bias * filters:
            fail("A filter spans every input channel, not just one.")
        if bias and found == kernel * kernel * channels * filters + channels:
            fail("There is one bias per filter (output channel), not per input channel.")
        fail(f"conv2d_params({kernel}, {channels}, {filters}, use_bias={bias}) is wrong.")
    for (n_in, n_out), bias, expected in [((256, 512), True, 131584), ((512, 37), False, 18944)]:
        found = dense_params(n_in, n_out, use_bias=bias)
        if found == expected:
            continue
        if bias and found == n_in * n_out:
            fail("Each dense unit also has a bias, unless use_bias is False.")
        fail(f"dense_params({n_in}, {n_out}, use_bias={bias}) is wrong.")
    correct()


def _layers_of(model) -> list:
    found = []
    for layer in model.layers:
        found.append(layer)
        if hasattr(layer, "layers"):
            found += _layers_of(layer)
    return found


@exercise("4.3")
def check_cnn_budget(build_cnn: Callable[[tuple[int, int, int]], object]) -> None:
    """Exercise 4.3: a CNN for 64x64 grey images with 37 sigmoid outputs, on a budget.

    Checks the type, at least two Conv2D layers, the output shape, the parameter count
    (20,000 to 100,000), and that a batch of random images gives values in [0, 1] from a
    final sigmoid.
    """
    import keras

    model = build_cnn((64, 64, 1))
    if not isinstance(model, keras.Model):
        fail(f"build_cnn should return a Keras model, not {type(model).__name__}.")
    layers = _layers_of(model)
    convolutions = sum(isinstance(layer, keras.layers.Conv2D) for layer in layers)
    if convolutions < 2:
        fail(f"Your network has {convolutions} Conv2D layers; it needs at least two.")
    if tuple(model.output_shape) != (None, 37):
        fail(
            f"The output should have shape (None, 37), one value per answer, not "
            f"{model.output_shape}."
        )
    params = model.count_params()
    if params > 100_000:
        fail(
            f"Your network has {params:,} parameters, over the budget of 100,000: shrink the "
            "map before the dense layers (more pooling, or global average pooling)."
        )
    if params < 20_000:
        fail(f"Your network has only {params:,} parameters; use at least 20,000.")
    last = layers[-1]
    activation = getattr(getattr(last, "activation", None), "__name__", None)
    if activation != "sigmoid":
        fail("End the network in 37 sigmoids, so that every output is a fraction in [0, 1].")
    images = np.random.default_rng(43).integers(0, 256, (4, 64, 64, 1)).astype("uint8")
    out = np.asarray(model(images, training=False))
    if out.shape != (4, 37) or not np.all((out >= 0) & (out <= 1)):
        fail("On a batch of random images your outputs are not 37 fractions in [0, 1].")
    correct()


@exercise("4.4", forbid=("galaxylib.models:DecisionTree.call",))
def check_tree_output(tree_normalise: Callable[[np.ndarray], np.ndarray]) -> None:
    """Exercise 4.4: ``tree_normalise(values)`` makes any 37 numbers obey the tree.

    Hidden cases: 40 rows of values between -8 and 8. The output must lie in [0, 1], obey
    the tree, and keep the order of each question's values (larger value, larger share).
    """
    values = np.random.default_rng(44).uniform(-8, 8, (40, 37))
    out = as_2d(tree_normalise(values.copy()), "tree_normalise", values.shape)
    if not np.all(np.isfinite(out)):
        fail("Some outputs are not finite numbers.")
    if np.any(out < -1e-9) or np.any(out > 1 + 1e-9):
        fail("Some outputs lie outside [0, 1]: make the values positive before normalising.")
    for question in QUESTIONS:
        columns = question.columns
        total = out[:, columns].sum(axis=1)
        if question.parent is None:
            if not np.allclose(total, 1, atol=1e-6):
                fail(f"{question.name}'s answers must sum to 1.")
        elif not np.allclose(total, out[:, COLUMNS.index(question.parent)], atol=1e-6):
            fail(
                f"{question.name}'s answers must sum to the output of its parent answer "
                f"{question.parent}."
            )
        reached = total > 1e-9
        order_in = np.argsort(values[reached][:, columns], axis=1)
        order_out = np.argsort(out[reached][:, columns], axis=1)
        if not np.array_equal(order_in, order_out):
            fail(f"Within {question.name} a larger value must give a larger share.")
    correct()


@exercise("4.5")
def check_summary_reading(largest_params: object, largest_kind: object) -> None:
    """Exercise 4.5: read the summary of the report's network at 150 pixels (chapter 4).

    ``largest_params`` is the number of parameters of its largest layer,
    ``largest_kind`` that layer's kind, ``"conv"`` or ``"dense"``.
    """
    import keras

    from galaxylib.models import report_cnn

    layers = [layer for layer in report_cnn((150, 150, 1)).layers if layer.count_params()]
    largest = max(layers, key=lambda layer: layer.count_params())
    if number(largest_params, "The number of parameters") != largest.count_params():
        fail("That is not the largest count in the summary's Param # column.")
    expected = "conv" if isinstance(largest, keras.layers.Conv2D) else "dense"
    if choice(largest_kind, "largest_kind", ("conv", "dense")) != expected:
        fail("Read the layer type in the summary's first column again.")
    correct()


@exercise("4.6")
def check_budget_choice(
    val_rmse: object, choice: object, skill: object, train_y: np.ndarray, val_y: np.ndarray
) -> None:
    """Exercise 4.6: two designs trained alike, the better chosen, and its skill.

    ``val_rmse`` holds each run's lowest validation RMSE, ``"yours"`` and ``"flat"``;
    ``choice`` is the lower; ``skill`` is 1 - its RMSE / the RMSE of predicting
    ``train_y``'s mean answers for ``val_y``, and must be above 0.
    """
    if not isinstance(val_rmse, dict) or sorted(val_rmse) != ["flat", "yours"]:
        fail('val_rmse should be a dict with the keys "yours" and "flat".')
    scores = {name: number(value, f"The RMSE of {name}") for name, value in val_rmse.items()}
    if not all(0 < v < 1 for v in scores.values()):
        fail("An RMSE of fractions lies between 0 and 1: give each run's validation RMSE.")
    best = min(scores, key=scores.get)  # type: ignore[arg-type]
    if choice != best:
        fail(f"{choice!r} is not the network with the lower validation RMSE.")
    mean_rmse = float(np.sqrt(np.mean((np.mean(train_y, axis=0) - val_y) ** 2)))
    expected = 1 - scores[best] / mean_rmse
    if not np.isclose(number(skill, "skill"), expected, rtol=0, atol=1e-6):
        fail(
            "skill should be 1 - your choice's RMSE / the RMSE of predicting the training "
            "galaxies' mean answers for the 256 validation galaxies."
        )
    if expected <= 0:
        fail(
            "Your choice does not beat predicting the mean yet: change the design, or "
            "check that the images reach the network scaled to [0, 1]."
        )
    correct()
