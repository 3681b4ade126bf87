"""The truth of a synthetic sky: what each galaxy really is.

:func:`sample_truth` draws each galaxy's kind (elliptical, disc, irregular, or a rare
star or artifact), size, brightness, inclination, bulge, bar, spiral arms and odd
feature from distributions that mimic the Galaxy Zoo 2 sample; :func:`visibility` says how
well a volunteer can see its structure.

Every random number of a sky comes from one of three streams keyed on its seed -- the
truth, the votes and, per galaxy, the images -- so no stage's numbers depend on another's.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from galaxylib.errors import GalaxyLibError
from galaxylib.synthetic.skyfile import EXPECTED_PREFIX

__all__ = [
    "KINDS",
    "ODD_FEATURES",
    "RENDER_STREAM",
    "TRUTH_STREAM",
    "VOTE_STREAM",
    "sample_truth",
    "sigmoid",
    "typical_galaxies",
    "visibility",
]

KINDS = ("elliptical", "disc", "irregular", "star", "artifact")
_KIND_WEIGHTS = (0.405, 0.562, 0.031, 0.001, 0.001)

ODD_FEATURES = ("none", "ring", "lens", "disturbed", "irregular", "other", "merger", "dust_lane")
"""Values of the truth's ``odd`` column; all but ``none`` follow the answers of Q8."""

_ODD_WEIGHTS = {  # chance of each odd feature, by kind
    "elliptical": (0.885, 0.010, 0.008, 0.020, 0.0, 0.022, 0.045, 0.010),
    "disc": (0.860, 0.035, 0.002, 0.035, 0.0, 0.020, 0.040, 0.008),
}

# The random streams of a sky, keyed (seed, stream) or (seed, stream, galaxy index).
TRUTH_STREAM, VOTE_STREAM, RENDER_STREAM = 1, 2, 3


def sigmoid(x: np.ndarray) -> np.ndarray:
    """The logistic function, 1 / (1 + exp(-x))."""
    return 1.0 / (1.0 + np.exp(-x))


def sample_truth(n: int, rng: np.random.Generator) -> pd.DataFrame:
    """Draw the true parameters of ``n`` galaxies (see :func:`sample_catalog`)."""
    kind = rng.choice(np.array(KINDS), size=n, p=_KIND_WEIGHTS)
    ell, disc, irr = kind == "elliptical", kind == "disc", kind == "irregular"
    r90_arcsec = np.clip(rng.lognormal(np.log(8.5), 0.45, n), 3.0, 60.0)
    mag = np.clip(17.4 - rng.exponential(0.9, n) - 2.5 * np.log10(r90_arcsec / 8.5), 11.0, 17.7)

    inclination = np.where(disc, np.degrees(np.arccos(rng.uniform(0, 1, n))), 0.0)
    cos_i = np.cos(np.radians(inclination))
    disc_q = np.sqrt(cos_i**2 + 0.12**2 * (1 - cos_i**2))
    ell_q = np.clip(1 - 0.8 * rng.beta(1.3, 2.6, n), 0.2, 1.0)
    axis_ratio = np.select([disc, ell, irr], [disc_q, ell_q, rng.uniform(0.4, 0.9, n)], 1.0)

    bulge = np.where(rng.random(n) < 0.06, 0.0, rng.beta(1.4, 3.0, n))
    bulge_fraction = np.select([ell, disc], [1.0, bulge], 0.0)
    boxy = rng.random(n) < 0.25
    bulge_shape = np.select(
        [ell, disc & (bulge_fraction < 0.03), disc & boxy, disc],
        ["rounded", "none", "boxy", "rounded"],
        "none",
    )
    spiral = disc & (rng.random(n) < 0.72)
    arms = np.where(
        spiral, rng.choice(np.arange(1, 7), size=n, p=[0.05, 0.5, 0.18, 0.12, 0.08, 0.07]), 0
    )
    barred = disc & (rng.random(n) < 0.35)
    dust = np.where(disc, rng.uniform(0, 1, n), 0.0)

    odd = np.full(n, "none", dtype=object)
    for name, weights in _ODD_WEIGHTS.items():
        rows = kind == name
        odd[rows] = rng.choice(np.array(ODD_FEATURES), size=rows.sum(), p=weights)
    odd[irr] = "irregular"
    odd[disc & (inclination > 82) & (dust > 0.7) & (odd == "none")] = "dust_lane"

    counts = rng.negative_binomial(20, 1 / 3, n)  # mean 40, standard deviation 11
    table = pd.DataFrame(
        {
            "kind": kind,
            "x": 211.5 + rng.normal(0, 1.0, n),
            "y": 211.5 + rng.normal(0, 1.0, n),
            "r90_px": np.clip(rng.lognormal(np.log(60), 0.12, n), 36, 95),
            "r90_arcsec": r90_arcsec,
            "psf_arcsec": np.clip(rng.normal(1.4, 0.2, n), 0.9, 2.2),
            "mag": mag,
            "axis_ratio": axis_ratio,
            "inclination": inclination,
            "position_angle": rng.uniform(0, 180, n),
            "sersic_n": np.where(ell, rng.uniform(2.5, 5.5, n), rng.uniform(1.5, 4.0, n)),
            "bulge_fraction": bulge_fraction,
            "bulge_shape": bulge_shape,
            "bar": np.where(barred, rng.uniform(0.3, 1.0, n), 0.0),
            "arms": arms,
            "arm_strength": np.where(spiral, rng.uniform(0.25, 1.0, n), 0.0),
            "pitch": np.where(spiral, rng.uniform(7, 40, n), 0.0),
            "dust": dust,
            "odd": odd.astype(str),
            "odd_strength": np.where(odd != "none", rng.uniform(0.3, 1.0, n), 0.0),
            "n_volunteers": np.maximum(counts, 10),
        }
    )
    table["pixel_scale"] = table["r90_arcsec"] / table["r90_px"]
    table["psf_fwhm_px"] = table["psf_arcsec"] / table["pixel_scale"]
    table["visibility"] = visibility(table)
    # Drawn last, so that the parameters above do not depend on it: spiral arms trail
    # clockwise or anticlockwise as seen, in equal numbers, as in the real sky.
    table["winding"] = np.where(arms > 0, rng.choice(np.array([1, -1]), n), 0)
    return table


def visibility(truth: pd.DataFrame) -> np.ndarray:
    """How well a volunteer can see a galaxy's structure, from 0 (not at all) to 1.

    Two things hide structure: the seeing, which blurs a galaxy that spans only a few
    point-spread-function widths, and a low surface brightness, which sinks it into the
    sky noise. ``truth`` needs the columns ``r90_arcsec``, ``psf_arcsec`` and ``mag``.
    """
    resolution = truth["r90_arcsec"].to_numpy() / truth["psf_arcsec"].to_numpy()
    surface_brightness = truth["mag"].to_numpy() + 2.5 * np.log10(
        np.pi * truth["r90_arcsec"].to_numpy() ** 2
    )
    return sigmoid(2.5 * (np.log(resolution) - np.log(4.5))) * sigmoid(
        (23.6 - surface_brightness) / 0.5
    )


# Each morphology: which galaxies may show it, and the answer whose expected fraction
# says how clearly they do.
_MORPHOLOGIES = {
    "elliptical": ("kind == 'elliptical' and odd == 'none'", "Class1.1"),
    "spiral": ("kind == 'disc' and odd == 'none' and bar < 0.2 and arms >= 2", "Class4.1"),
    "barred spiral": ("kind == 'disc' and odd == 'none' and arms >= 2", "Class3.1"),
    "edge-on disc": ("kind == 'disc' and odd == 'none'", "Class2.1"),
    "merger": ("odd == 'merger'", "Class8.6"),
    "irregular": ("kind == 'irregular'", "Class8.4"),
    "star": ("kind == 'star'", "Class1.3"),
}


def typical_galaxies(
    truth: pd.DataFrame,
    *,
    brightest_mag: float = 14.0,
    morphologies: Sequence[str] | None = None,
) -> pd.DataFrame:
    """One clear example of each morphology, chosen from a synthetic sky's truth.

    For each of elliptical, spiral, barred spiral, edge-on disc, merger, irregular and
    star, the galaxy whose *expected* vote fraction for the answer that names it is
    highest: the one infinitely many volunteers would call that morphology most surely.
    Galaxies brighter than ``brightest_mag`` are passed over, their cores saturated.

    Parameters
    ----------
    truth : DataFrame
        The sky's ``truth.csv``.
    morphologies : sequence of str, optional
        Which of the seven, in this order; default all.

    Returns
    -------
    DataFrame
        Indexed by morphology: ``GalaxyID``, ``answer`` (the column it was chosen by)
        and ``expected`` (that column's expected fraction).
    """
    missing = {"GalaxyID", "kind", "odd", "bar", "arms", "mag"} - set(truth.columns)
    if missing:
        raise GalaxyLibError(f"The truth table lacks the columns {', '.join(sorted(missing))}.")
    unknown = set(morphologies or ()) - set(_MORPHOLOGIES)
    if unknown:
        raise GalaxyLibError(
            f"No morphology {sorted(unknown)[0]!r}; choose among {', '.join(_MORPHOLOGIES)}."
        )
    rows = {}
    for morphology in morphologies or list(_MORPHOLOGIES):
        rule, answer = _MORPHOLOGIES[morphology]
        pool = truth.query(rule).query("mag >= @brightest_mag")
        if pool.empty:
            raise GalaxyLibError(f"The sky holds no {morphology} fainter than mag {brightest_mag}.")
        best = pool.loc[pool[EXPECTED_PREFIX + answer].idxmax()]
        expected = float(best[EXPECTED_PREFIX + answer])
        rows[morphology] = {
            "GalaxyID": int(best["GalaxyID"]),
            "answer": answer,
            "expected": expected,
        }
    return pd.DataFrame.from_dict(rows, orient="index")
