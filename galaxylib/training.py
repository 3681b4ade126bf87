"""Training a network: Adam, mean squared error, and the report's callbacks made right.

:func:`compile_model` and :func:`fit` are the Keras calls you would write yourself
(``galaxylib train`` runs them on a whole data set, resumably).

The report defined four callbacks and trained with none of them (``callbacksInUse =
[]``). Here they are used, and repaired:

- its ``ModelCheckpoint`` monitored ``val_accuracy``, which a regression never has;
  here ``EarlyStopping`` watches ``val_loss`` and restores the weights of its best epoch
  (``galaxylib train`` also keeps them on disk after every epoch);
- instead of ``ReduceLROnPlateau``, a cosine schedule fixed in advance
  (:func:`cosine_schedule`): with a known budget of epochs the rate falls smoothly to a
  hundredth of its start, so the run ends on small, careful steps.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import keras

__all__ = ["RMSE", "compile_model", "cosine_schedule", "fit", "recipe_callbacks"]

RMSE = "root_mean_squared_error"
"""The name Keras gives the RMSE metric, as in the report's history."""


def compile_model(
    net: keras.Model, learning_rate: float = 1e-3, *, votes: bool = False
) -> keras.Model:
    """Compile with Adam, mean squared error and the RMSE metric, as the report did.

    With ``votes``, a network ending in concentrations learns from the votes instead
    (:mod:`galaxylib.votes`), still watched by the RMSE of its fractions.
    """
    if votes:
        from galaxylib.votes import VoteRMSE, dirichlet_multinomial

        loss, metric = dirichlet_multinomial, VoteRMSE(name=RMSE)
    else:
        loss, metric = "mse", keras.metrics.RootMeanSquaredError(name=RMSE)
    net.compile(
        optimizer=keras.optimizers.Adam(learning_rate=learning_rate), loss=loss, metrics=[metric]
    )
    return net


def recipe_callbacks(
    epochs: int, learning_rate: float = 1e-3, patience: int = 7
) -> list[keras.callbacks.Callback]:
    """The callbacks every network of the course trains with.

    The learning rate follows :func:`cosine_schedule`; training stops after ``patience``
    epochs without a better validation loss, with the best epoch's weights restored.
    """
    return [
        keras.callbacks.LearningRateScheduler(cosine_schedule(epochs, learning_rate)),
        keras.callbacks.EarlyStopping(
            monitor="val_loss", mode="min", patience=patience, restore_best_weights=True
        ),
    ]


def fit(
    net: keras.Model,
    train_data,
    val_data,
    *,
    epochs: int,
    learning_rate: float = 1e-3,
    patience: int = 7,
    callbacks: Sequence[keras.callbacks.Callback] = (),
    verbose: str | int = "auto",
) -> keras.callbacks.History:
    """Fit a compiled network with :func:`recipe_callbacks`, then ``callbacks``.

    The schedule sets every epoch's rate, from ``learning_rate`` down: pass the rate you
    compiled with.
    """
    return net.fit(
        train_data,
        validation_data=val_data,
        epochs=epochs,
        callbacks=[*recipe_callbacks(epochs, learning_rate, patience), *callbacks],
        shuffle=False,  # the dataset shuffles itself
        verbose=verbose,
    )


def cosine_schedule(
    epochs: int, learning_rate: float = 1e-3, final: float = 0.01
) -> Callable[[int], float]:
    """The learning rate of each epoch: a half cosine from ``learning_rate`` down.

    The last epoch (``epochs - 1``), and any past it, gets ``final * learning_rate``.
    Returns a function of the epoch (from 0) for ``keras.callbacks.LearningRateScheduler``.

    Examples
    --------
    >>> rate = cosine_schedule(5, learning_rate=1e-3)
    >>> [round(rate(epoch), 6) for epoch in range(5)]
    [0.001, 0.000855, 0.000505, 0.000155, 1e-05]
    """
    if epochs < 1:
        raise ValueError(f"epochs must be at least 1, not {epochs}")
    if not 0 < final <= 1:
        raise ValueError(f"final must lie in (0, 1], not {final}")

    def rate(epoch: int, current: float | None = None) -> float:
        progress = min(epoch, epochs - 1) / max(1, epochs - 1)
        return learning_rate * (final + (1 - final) * 0.5 * (1 + math.cos(math.pi * progress)))

    return rate
