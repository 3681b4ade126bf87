"""Bootstrap intervals on the AUCs of the photographs: how far one galaxy moves a score.

Chapter 8, ``make remedies`` and ``make ablation`` score networks on a few dozen
photographs; :func:`auc_intervals` says how much of a difference between two rows the luck
of which galaxies we have could make.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from galaxylib.realsky import LABELS

__all__ = ["auc_intervals"]


def auc_intervals(
    scores: dict[str, pd.DataFrame],
    labels: pd.DataFrame,
    *,
    baseline: str | None = None,
    n_boot: int = 2000,
    level: float = 0.95,
    seed: int = 0,
) -> pd.DataFrame:
    """Bootstrap intervals on each network's AUC for each label, galaxies resampled.

    With a few dozen photographs, one galaxy moves an AUC by a tenth; the interval says
    how far. The galaxies are drawn with replacement ``n_boot`` times (the same draws for
    every network, so that differences are paired); the AUC of each draw counts every
    pair of a positive and a negative galaxy, ties as one half.

    ``scores`` and ``labels`` are as in :func:`galaxylib.realsky.auc_table`. With
    ``baseline`` (a key of ``scores``), each entry's difference from it is given too, with
    its interval.

    Returns
    -------
    DataFrame
        One row per label and name: ``auc``, ``low``, ``high`` and, with ``baseline``,
        ``change``, ``change_low``, ``change_high``.

    Examples
    --------
    >>> labels = pd.DataFrame({label: [1, 1, 0, 0, 0] for label in LABELS})
    >>> perfect = pd.DataFrame({label: [0.9, 0.8, 0.3, 0.2, 0.1] for label in LABELS})
    >>> auc_intervals({"net": perfect}, labels).loc[("smooth", "net")].tolist()
    [1.0, 1.0, 1.0]
    """
    if baseline is not None and baseline not in scores:
        raise ValueError(f"baseline {baseline!r} is not one of {', '.join(scores)}")
    rng = np.random.default_rng(seed)
    tail = [(1 - level) / 2 * 100, (1 + level) / 2 * 100]
    rows = []
    for label in LABELS:
        known = labels[label].notna().to_numpy()
        truth = labels[label].to_numpy()[known].astype(bool)
        counts = rng.multinomial(len(truth), np.full(len(truth), 1 / len(truth)), size=n_boot)
        pos, neg = counts[:, truth], counts[:, ~truth]
        both = (pos.sum(1) > 0) & (neg.sum(1) > 0)  # a draw needs both kinds of galaxy
        pos, neg = pos[both], neg[both]
        auc, draws = {}, {}
        for name, table in scores.items():
            score = table[label].to_numpy()[known]
            wins = (np.sign(score[truth][:, None] - score[~truth][None, :]) + 1) / 2
            auc[name] = float(wins.mean())
            draws[name] = np.einsum("bi,ij,bj->b", pos, wins, neg) / (pos.sum(1) * neg.sum(1))
        for name in scores:
            row = {"label": label, "name": name, "auc": auc[name]}
            row["low"], row["high"] = np.percentile(draws[name], tail)
            if baseline is not None:
                row["change"] = auc[name] - auc[baseline]
                row["change_low"], row["change_high"] = np.percentile(
                    draws[name] - draws[baseline], tail
                )
            rows.append(row)
    return pd.DataFrame(rows).set_index(["label", "name"])
