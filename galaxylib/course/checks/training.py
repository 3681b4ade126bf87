"""Exercises 5 (chapter 5, training)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from galaxylib.course.checks.common import correct, exercise, fail, number, one_each

__all__ = [
    "check_callbacks",
    "check_pipeline",
    "check_rate_choice",
    "check_training_time",
]


def _stages(dataset) -> list[str]:
    """Class names of a tf.data pipeline's stages, from the last one back to its sources."""
    names, todo = [], [dataset]
    while todo:
        stage = todo.pop()
        names.append(type(stage).__name__.lstrip("_"))
        todo += [stage._input_dataset] if hasattr(stage, "_input_dataset") else []
        todo += list(getattr(stage, "_datasets", ()))
    return names


@exercise("5.2", forbid=("galaxylib.pipeline:make_dataset",))
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
        fail(f"make_pipeline should return a tf.data.Dataset, not {type(dataset).__name__}.")

    never_ends = "The pipeline never ends (it repeats): leave .repeat() out; fit runs the epochs."
    if dataset.cardinality() == tf.data.INFINITE_CARDINALITY:
        fail(never_ends)

    def epoch(ds) -> list[np.ndarray]:
        order = []
        for count, element in enumerate(ds):
            if count >= n:  # more batches than examples: it repeats in a way tf.data cannot tell
                fail(never_ends)
            if not isinstance(element, tuple | list) or len(element) != 2:
                fail("Each element should be a pair (images, labels).")
            x, y = (np.asarray(part) for part in element)
            if x.ndim != 4:
                fail(f"Images should come in batches of shape (batch, 4, 4, 1), not {x.shape}.")
            if not np.array_equal(x[:, 0, 0, 0], y[:, 0]):
                fail("An image arrived with another image's label: keep each pair together.")
            order.append(y[:, 0].astype(int))
        return order

    first = epoch(dataset)
    sizes = [len(b) for b in first]
    if sum(s != batch for s in sizes) > 1 or sum(sizes) != n or max(sizes) > batch:
        fail(f"Batches should hold {batch} examples (the last one fewer), and every example once.")
    order = np.concatenate(first)
    if not np.array_equal(np.sort(order), index):
        fail("Every example must appear exactly once per epoch.")
    if np.array_equal(order, index):
        fail("The examples come in their original order: shuffle them.")
    if all(np.array_equal(np.sort(b), np.arange(b.min(), b.min() + len(b))) for b in first):
        fail("Each batch holds neighbouring examples: shuffle the examples before batching.")
    # shuffled over all 300, the first batch's largest is below 210 once in 10**5 draws;
    # a buffer of a third of the set can reach no further than about 130
    if first[0].max() < 0.7 * n:
        fail("The first batch comes from the first examples only: shuffle over the whole set.")
    if np.array_equal(np.concatenate(epoch(dataset)), order):
        fail("Two epochs came in the same order: shuffle anew every epoch, after any cache.")
    twin = make_pipeline(images.copy(), labels.copy(), batch_size=batch, seed=5)
    if not np.array_equal(np.concatenate(epoch(twin)), order):
        fail("Two pipelines with the same seed gave different orders: pass the seed to shuffle.")
    stages = _stages(dataset)
    if not any("Cache" in s for s in stages):
        fail("The pipeline does not cache: the examples are prepared again every epoch.")
    if "Prefetch" not in stages[0]:
        fail("End the pipeline with prefetch, so the next batch is ready while the model trains.")
    correct()


@exercise("5.3")
def check_callbacks(make_callbacks: Callable[..., list]) -> None:
    """Exercise 5.3: the report's callbacks made right.

    ``make_callbacks(path, patience=7)`` must hold a ``ModelCheckpoint`` to ``path`` that
    keeps only the best validation loss, an ``EarlyStopping`` on the validation loss with
    ``patience`` epochs (called with the default and with ``patience=4``) that restores
    the best weights, and a ``ReduceLROnPlateau`` on the validation loss that divides the
    learning rate by 5 after 3 epochs without progress, down to 1e-5.
    """
    import keras

    path = "hidden/best.keras"
    for patience, found in ((7, make_callbacks(path)), (4, make_callbacks(path, patience=4))):
        if not isinstance(found, list | tuple) or not all(
            isinstance(c, keras.callbacks.Callback) for c in found
        ):
            fail("make_callbacks should return a list of Keras callbacks.")
        _check_callbacks(found, path, patience)
    correct()


def _check_callbacks(found: list, path: str, patience: int) -> None:
    import keras

    def one(kind: type) -> Any:
        chosen = [c for c in found if isinstance(c, kind)]
        if len(chosen) != 1:
            fail(f"The list should hold exactly one {kind.__name__}, not {len(chosen)}.")
        return chosen[0]

    def watches_val_loss(callback: Any, name: str) -> None:
        if callback.monitor != "val_loss":
            reason = "a regression logs no accuracy" if "acc" in callback.monitor else "it"
            fail(
                f"{name} monitors {callback.monitor!r}, but {reason} should watch the "
                "validation loss."
            )
        if getattr(callback, "mode", "auto") not in ("min", "auto"):
            fail(f"A lower loss is better, but {name} has mode {callback.mode!r}.")

    checkpoint = one(keras.callbacks.ModelCheckpoint)
    watches_val_loss(checkpoint, "ModelCheckpoint")
    if not checkpoint.save_best_only:
        fail("ModelCheckpoint should save only the best model, not every epoch's.")
    if str(checkpoint.filepath) != path:
        fail("ModelCheckpoint should save to the path given to make_callbacks.")
    stopping = one(keras.callbacks.EarlyStopping)
    watches_val_loss(stopping, "EarlyStopping")
    if not stopping.restore_best_weights:
        fail("EarlyStopping should restore the best weights, or the model keeps the last ones.")
    if stopping.patience != patience:
        fail(
            f"Called with patience={patience}, your EarlyStopping waits {stopping.patience} "
            "epochs: pass make_callbacks's patience on."
        )
    plateau = one(keras.callbacks.ReduceLROnPlateau)
    watches_val_loss(plateau, "ReduceLROnPlateau")
    if not np.isclose(plateau.factor, 0.2):
        fail(
            f"ReduceLROnPlateau's factor is {plateau.factor:g}: dividing the learning rate by "
            "5 is a factor of 0.2."
        )
    if plateau.patience != 3:
        fail(f"ReduceLROnPlateau should wait 3 epochs without progress, not {plateau.patience}.")
    if not np.isclose(plateau.min_lr, 1e-5):
        fail(f"ReduceLROnPlateau should stop lowering the rate at 1e-5, not {plateau.min_lr:g}.")


@exercise("5.1")
def check_training_time(training_time: Callable[..., tuple]) -> None:
    """Exercise 5.1: ``training_time(n_train, batch_size, ms_per_step, epochs)``.

    Returns ``(steps_per_epoch, hours, images_per_second)``; hidden cases include a
    training set that batches evenly and two that leave a last, smaller batch.
    """
    cases = [(49262, 64, 623.0, 50), (1000, 32, 100.0, 10), (640, 64, 250.0, 4)]
    for n, batch, ms, epochs in cases:
        found = training_time(n, batch, ms, epochs)
        if not isinstance(found, tuple | list) or len(found) != 3:
            fail("training_time should return (steps_per_epoch, hours, images_per_second).")
        steps, hours, rate = (number(v, "Each figure") for v in found)
        expected_steps = -(-n // batch)
        if steps != expected_steps:
            if steps == n // batch:
                fail("The last, smaller batch is a step too: round the steps up.")
            fail(f"For {n:,} images in batches of {batch} the number of steps is wrong.")
        expected_hours = steps * ms * epochs / 3.6e6
        if not np.isclose(hours, expected_hours):
            ratio = hours / expected_hours
            if any(np.isclose(ratio, f) for f in (60, 1 / 60, 1000, 1 / 1000, 3600, 1 / 3600)):
                fail(f"Your hours are off by a factor of {ratio:g}: check the units.")
            fail(f"For {n:,} images, {ms:g} ms a step and {epochs} epochs the hours are wrong.")
        if not np.isclose(rate, batch * 1000 / ms):
            fail(f"At {ms:g} ms a step of {batch} images the images per second are wrong.")
    correct()


@exercise("5.4")
def check_rate_choice(histories: object, rate: object, best_val_rmse: object, rates: tuple) -> None:
    """Exercise 5.4: a run per learning rate, the rate to train with, and its best score.

    ``histories`` maps each rate of ``rates`` to a Keras ``history.history`` of three
    epochs or more; ``rate`` is the one whose lowest validation RMSE is lowest of all,
    and ``best_val_rmse`` that RMSE.
    """
    key = "val_root_mean_squared_error"
    histories = one_each(histories, "histories", "history", "rate", rates)
    lowest = {}
    for lr, history in histories.items():
        if not isinstance(history, dict) or key not in history:
            fail(
                f"The history of rate {lr} has no {key}: give fit's history.history, "
                "with RootMeanSquaredError among the metrics and validation data."
            )
        if len(history[key]) < 3:
            fail(f"The run at rate {lr} is shorter than three epochs.")
        lowest[lr] = float(np.min(history[key]))
    best = min(lowest, key=lowest.get)  # type: ignore[arg-type]
    if rate not in lowest:
        fail(f"rate should be one of {rates}, not {rate!r}.")
    if rate != best:
        fail(
            f"At rate {rate} the lowest validation RMSE is {lowest[rate]:.4f}, but another "
            f"rate's run reached {lowest[best]:.4f}: compare each run's lowest."
        )
    if not np.isclose(number(best_val_rmse, "best_val_rmse"), lowest[best], rtol=0, atol=1e-6):
        fail("best_val_rmse should be the lowest validation RMSE of your chosen rate's run.")
    correct()
