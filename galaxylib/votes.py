"""A loss that knows the labels are votes: zoobot's Dirichlet-multinomial.

Behind each fraction of the catalog stand volunteers: say 40 answered Q1 and 6 of them
reached Q3. Mean squared error weighs a fraction of 6 votes like one of 40. Walmsley et
al. (2022, zoobot) let the network answer each question with the concentrations of a
Dirichlet distribution over its answers (:class:`galaxylib.models.Concentrations`) and
score the votes actually cast by the Dirichlet-multinomial likelihood: a question few
volunteers reached weighs little, and how concentrated the Dirichlet is says how sure
the network is. Its mean fractions (:func:`galaxylib.models.with_fractions`) are what
the competition scores.
"""

from __future__ import annotations

from pathlib import Path

import keras
import pandas as pd
import tensorflow as tf

from galaxylib.errors import DataError
from galaxylib.models import tree_fractions
from galaxylib.taxonomy import COLUMNS, QUESTIONS

__all__ = ["VoteRMSE", "dirichlet_multinomial", "read_volunteers", "vote_counts"]


@keras.saving.register_keras_serializable(package="galaxylib")
def dirichlet_multinomial(counts, concentrations):
    """Negative log-likelihood of each galaxy's votes, summed over the 11 questions.

    ``counts`` are the votes for each of the 37 answers; terms of the counts alone, which
    no weight can change, are left out.
    """
    loss = 0.0
    for question in QUESTIONS:
        c = counts[:, question.columns]
        a = concentrations[:, question.columns]
        total = tf.reduce_sum(a, axis=1)
        answers = tf.reduce_sum(tf.math.lgamma(c + a) - tf.math.lgamma(a), axis=1)
        loss -= tf.math.lgamma(total) - tf.math.lgamma(tf.reduce_sum(c, axis=1) + total) + answers
    return loss


class VoteRMSE(keras.metrics.RootMeanSquaredError):
    """The competition's RMSE, from the votes and the concentrations the network answers."""

    def update_state(self, y_true, y_pred, sample_weight=None):
        """Votes to fractions (over Q1's voters, who are all of them); concentrations too."""
        voters = tf.reduce_sum(y_true[:, QUESTIONS[0].columns], axis=1, keepdims=True)
        fractions = y_true / tf.maximum(voters, 1.0)
        return super().update_state(fractions, tree_fractions(y_pred), sample_weight)


def read_volunteers(path: str | Path) -> pd.Series:
    """How many volunteers classified each galaxy, by ``GalaxyID``.

    From a table with the columns ``GalaxyID`` and ``n_volunteers``, such as a synthetic
    sky's ``truth.csv``.
    """
    try:
        table = pd.read_csv(path, usecols=["GalaxyID", "n_volunteers"])
    except (OSError, ValueError) as err:
        raise DataError(
            f"{path} is not a table of GalaxyID and n_volunteers ({err}); name one, such as a "
            "synthetic sky's truth.csv."
        ) from None
    if (table["n_volunteers"] < 1).any():
        raise DataError(f"{path} gives a galaxy fewer than one volunteer; fix its n_volunteers.")
    return table.set_index("GalaxyID")["n_volunteers"]


def vote_counts(labels: pd.DataFrame, volunteers: pd.Series) -> pd.DataFrame:
    """The votes behind a catalog's fractions: each fraction times the galaxy's volunteers."""
    missing = ~labels["GalaxyID"].isin(volunteers.index)
    if missing.any():
        raise DataError(
            f"No volunteer count for galaxy {labels['GalaxyID'][missing].iloc[0]}; give one "
            "for every galaxy of the catalog."
        )
    counts = labels.copy()
    n = volunteers.loc[labels["GalaxyID"]].to_numpy(float)[:, None]
    counts[list(COLUMNS)] = labels[list(COLUMNS)].to_numpy(float) * n
    return counts
