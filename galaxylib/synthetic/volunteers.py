"""The volunteers of a synthetic sky: their answers, and the catalog they make.

:func:`vote_probabilities` gives the **expected** fractions of infinitely many volunteers;
:func:`sample_catalog` lets about 40 volunteers per galaxy walk the decision tree, and
their votes are the **sampled** fractions the catalog holds.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from galaxylib.errors import GalaxyLibError
from galaxylib.synthetic.skyfile import EXPECTED_PREFIX
from galaxylib.synthetic.truth import ODD_FEATURES, TRUTH_STREAM, VOTE_STREAM, sample_truth, sigmoid
from galaxylib.taxonomy import COLUMNS, QUESTIONS, to_cumulative

__all__ = ["sample_catalog", "vote_probabilities"]

_MIN_ID, _MAX_ID = 100_000, 999_999


def _ordinal(latent: np.ndarray, cuts: list[float], spread: np.ndarray | float) -> np.ndarray:
    """Probabilities of ordered answers for a latent value (cumulative logistic model)."""
    below = [sigmoid((c - latent) / spread) for c in cuts]
    edges = [np.zeros_like(latent), *below, np.ones_like(latent)]
    return np.stack([hi - lo for lo, hi in zip(edges[:-1], edges[1:], strict=True)], axis=1)


def _mix(weight: np.ndarray, certain: np.ndarray, background: list[float]) -> np.ndarray:
    """``weight`` of the answers in ``certain`` (rows), the rest spread as ``background``."""
    w = weight[:, None]
    return w * certain + (1 - w) * np.asarray(background)[None, :]


def _two(p: np.ndarray) -> np.ndarray:
    return np.stack([p, 1 - p], axis=1)


def vote_probabilities(truth: pd.DataFrame) -> np.ndarray:
    """Chance that a volunteer gives each answer, question by question.

    Returns
    -------
    ndarray of shape (n, 37)
        Per-question probabilities: each question's answers sum to 1. Push them
        through :func:`galaxylib.taxonomy.to_cumulative` for the expected fractions.
    """
    t = {c: truth[c].to_numpy() for c in truth.columns}
    kind, v, odd = t["kind"], t["visibility"], t["odd"]
    ell, disc, irr = kind == "elliptical", kind == "disc", kind == "irregular"
    incl, q, bt = t["inclination"], t["axis_ratio"], t["bulge_fraction"]
    edge_on = disc * sigmoid((incl - 78) / 3.5)
    face_on = 1 - sigmoid((incl - 65) / 7)
    odd_strength = t["odd_strength"] * (odd != "none")

    structure = disc * (
        1.7 * t["arm_strength"] * face_on
        + 0.9 * t["bar"] * face_on
        + 0.5 * (1 - bt) * face_on
        + 0.4 * (1 - q)
    )
    structure = structure + 1.9 * edge_on / np.sqrt(v + 0.05) * v + 1.6 * irr + 0.25 * ell * (1 - q)
    structure = structure + 0.6 * odd_strength * np.isin(odd, ["merger", "disturbed", "ring"])
    features = 0.03 + 0.94 * sigmoid(6.5 * (structure * v - 0.27))
    star = np.select([kind == "star", kind == "artifact"], [0.85, 0.65], 0.01 + 0.07 * (1 - v) ** 2)
    q1 = np.stack([(1 - star) * (1 - features), (1 - star) * features, star], axis=1)

    cigar = 0.5 * sigmoid((0.35 - q) / 0.06)
    q2 = _two(np.select([disc, ell], [0.02 + 0.94 * sigmoid((incl - 77) / 3.5), cigar], 0.03))
    q3 = _two(0.05 + 0.85 * sigmoid(7 * (t["bar"] * face_on * v - 0.3)))
    q4 = _two(0.12 + 0.85 * sigmoid(8 * (t["arm_strength"] * face_on * v - 0.12)))
    seen_bulge = np.clip(bt, 0.005, 0.8)
    bulge_logit = 0.7 * np.log(seen_bulge / (1 - seen_bulge)) - 0.2
    q5 = _ordinal(bulge_logit, [-2.9, -0.4, 1.6], 0.5 + 0.8 * (1 - v))

    flagged = 0.85 * sigmoid(6 * (odd_strength * np.sqrt(v) - 0.3)) * (odd != "none")
    q6 = _two(0.06 + 0.06 * (1 - v) + flagged)
    q7 = _ordinal(1 - q, [0.22, 0.65], 0.07 + 0.05 * (1 - v))

    odd_onehot = (odd[:, None] == np.array(ODD_FEATURES[1:])[None, :]).astype(float)
    q8 = _mix(flagged / 0.85 * 0.8, odd_onehot, [0.08, 0.03, 0.17, 0.16, 0.33, 0.17, 0.06])
    shapes = np.array(["rounded", "boxy", "none"])
    shape_onehot = (t["bulge_shape"][:, None] == shapes[None, :]).astype(float)
    q9 = _mix(0.5 + 0.35 * v, shape_onehot, [0.55, 0.15, 0.30])
    q10 = _mix(
        (t["arms"] > 0).astype(float),
        _ordinal(t["pitch"], [15.0, 30.0], 3 + 5 * (1 - v)),
        [0.35, 0.40, 0.25],
    )
    arm_index = np.clip(t["arms"], 1, 5) - 1
    arm_onehot = np.zeros((len(kind), 6))
    arm_onehot[np.arange(len(kind)), arm_index] = 1.0
    clear = 0.8 * sigmoid(6 * (t["arm_strength"] * face_on * v - 0.25)) * (t["arms"] > 0)
    q11 = _mix(clear, arm_onehot, [0.04, 0.30, 0.08, 0.05, 0.05, 0.48])
    return np.concatenate([q1, q2, q3, q4, q5, q6, q7, q8, q9, q10, q11], axis=1)


def _sample_votes(
    probabilities: np.ndarray, volunteers: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """Let each galaxy's volunteers walk the tree; return the cumulative vote fractions.

    A question is asked of those who gave its parent answer; Q6, as in the Kaggle catalog,
    of everyone who did not answer star or artifact (everyone, if all did).
    """
    counts = np.zeros_like(probabilities, dtype=np.int64)
    per_question = np.full_like(probabilities, np.nan)
    star = COLUMNS.index("Class1.3")
    for question in QUESTIONS:
        columns = question.columns
        if question.parent is not None:
            asked = counts[:, COLUMNS.index(question.parent)]
        elif question.number == 6:
            asked = np.where(volunteers > counts[:, star], volunteers - counts[:, star], volunteers)
        else:
            asked = volunteers
        counts[:, columns] = rng.multinomial(asked, probabilities[:, columns])
        with np.errstate(invalid="ignore", divide="ignore"):
            per_question[:, columns] = counts[:, columns] / asked[:, None]
    return to_cumulative(per_question)


def sample_catalog(n: int, seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Draw the truth and the volunteers' votes of ``n`` galaxies, without images.

    Cheap (a fraction of a second for ten thousand galaxies), so statistics can be
    studied without rendering.

    Returns
    -------
    labels : DataFrame
        ``GalaxyID`` and the 37 sampled cumulative vote fractions, rounded to 6 decimals
        like Kaggle's: the catalog.
    truth : DataFrame
        ``GalaxyID``, the true parameters (``kind``, centre ``x``/``y`` in pixels,
        ``r90_px`` and ``r90_arcsec`` -- the 90 % light radius --, ``psf_arcsec``,
        ``psf_fwhm_px``, ``pixel_scale``, ``mag`` (r band), ``axis_ratio``, ``inclination``
        and ``position_angle`` in degrees, ``sersic_n``, ``bulge_fraction``,
        ``bulge_shape``, ``bar`` strength, ``arms``, ``arm_strength``, ``pitch`` in
        degrees, ``dust``, ``odd``, ``odd_strength``, ``n_volunteers``, ``visibility``,
        ``winding``: 1 or -1, the way the arms turn as seen, 0 without arms)
        and the 37 expected fractions, named ``expected_Class1.1`` and so on.
    """
    if not 1 <= n <= _MAX_ID - _MIN_ID + 1:
        raise GalaxyLibError(
            f"The number of galaxies (--n) is {n}; choose one between 1 and "
            f"{_MAX_ID - _MIN_ID + 1}."
        )
    rng = np.random.default_rng([seed, TRUTH_STREAM])
    ids = np.sort(rng.choice(_MAX_ID - _MIN_ID + 1, size=n, replace=False) + _MIN_ID)
    truth = sample_truth(n, rng)
    truth.insert(0, "GalaxyID", ids)
    probabilities = vote_probabilities(truth)
    expected = np.round(to_cumulative(probabilities), 6)
    sampled = _sample_votes(
        probabilities, truth["n_volunteers"].to_numpy(), np.random.default_rng([seed, VOTE_STREAM])
    )
    labels = pd.DataFrame(np.round(sampled, 6), columns=list(COLUMNS))
    labels.insert(0, "GalaxyID", ids)
    expected_table = pd.DataFrame(expected, columns=[EXPECTED_PREFIX + c for c in COLUMNS])
    return labels, pd.concat([truth, expected_table], axis=1)
