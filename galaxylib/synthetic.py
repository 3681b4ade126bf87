"""A synthetic Galaxy Zoo: realistic galaxies, simulated volunteers and the known truth.

No machine that builds this course can reach the real Galaxy Zoo images, so the book runs
on a synthetic sky written in exactly the Kaggle format (see :mod:`galaxylib.data`). It is
made in three steps:

1. **Truth** (:func:`sample_catalog`): each galaxy's kind (elliptical, disc, irregular, or
   a rare star or artifact), size, brightness, inclination, bulge, bar, spiral arms and
   odd feature, drawn from distributions that mimic the Galaxy Zoo 2 sample.
2. **Volunteers** (:func:`vote_probabilities`): how likely a volunteer is to give each
   answer, given the true morphology and how *visible* it is -- small galaxies are
   blurred by the atmosphere and faint ones drown in noise, so both look smooth. The
   infinite-volunteer answer is the **expected** fraction; about 40 simulated volunteers
   per galaxy walk the decision tree and their votes give the **sampled** fractions the
   catalog holds. The RMSE between the two is the **noise floor**: no model can do better
   on average.
3. **Images** (:func:`render_galaxy`): Sérsic bulges and ellipticals, inclined exponential
   discs, logarithmic spiral arms with star-forming clumps, bars, rings, dust lanes,
   mergers, foreground stars and background galaxies, in three bands (g, r, i), blurred by
   the seeing, with sky noise, composited with the asinh stretch of the SDSS colour images
   (Lupton et al. 2004) and saved as JPEGs. As in Galaxy Zoo 2, each cutout is scaled to
   its galaxy, whose 90 % light radius lands near 50 pixels.

:func:`make_sky` runs all three on every core and writes the data set; the same seed
gives the same bytes, whatever the number of processes.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import pandas as pd

from galaxylib._files import disk_errors, replace, staging_dir
from galaxylib._progress import progress_bar
from galaxylib._workers import resolve_workers, worker_pool
from galaxylib.config import data_root, profile
from galaxylib.data import IMAGE_SIZE, LAYOUTS
from galaxylib.errors import GalaxyLibError
from galaxylib.taxonomy import COLUMNS, QUESTIONS, to_cumulative

__all__ = [
    "EXPECTED_PREFIX",
    "KINDS",
    "ODD_FEATURES",
    "SkyReport",
    "bench_synth",
    "default_sky",
    "make_sky",
    "noise_floor",
    "render_galaxy",
    "sample_catalog",
    "typical_galaxies",
    "vote_probabilities",
]

SCHEMA_VERSION = 4
"""Bumped whenever the same seed would give different data."""

KINDS = ("elliptical", "disc", "irregular", "star", "artifact")
_KIND_WEIGHTS = (0.405, 0.562, 0.031, 0.001, 0.001)

ODD_FEATURES = ("none", "ring", "lens", "disturbed", "irregular", "other", "merger", "dust_lane")
"""Values of the truth's ``odd`` column; all but ``none`` follow the answers of Q8."""

_ODD_WEIGHTS = {  # chance of each odd feature, by kind
    "elliptical": (0.885, 0.010, 0.008, 0.020, 0.0, 0.022, 0.045, 0.010),
    "disc": (0.860, 0.035, 0.002, 0.035, 0.0, 0.020, 0.040, 0.008),
}

EXPECTED_PREFIX = "expected_"
"""Prefix of the expected vote fractions in ``truth.csv`` (``expected_Class1.1`` ...)."""

TRUTH_FILE = "truth.csv"
SKY_FILE = "sky.json"

SDSS_PIXEL = 0.396
"""Side of an SDSS pixel in arcseconds."""
_ZERO_POINT = 26.7  # magnitude of one count; the sky noise is 1 count per SDSS pixel
_SKY_VARIANCE = 30.0  # counts of galaxy light that add as much variance as the sky
SKY_NOISE = 0.45
"""Sky noise in the composite's units: most sky pixels stay below grey level 10, as in the
SDSS cutouts (the report's threshold of 10 relies on it)."""
_MIN_ID, _MAX_ID = 100_000, 999_999
_JPEG_QUALITY = 88
_TRUTH_STREAM, _VOTE_STREAM, _RENDER_STREAM = 1, 2, 3

# Flux ratios (g, r, i) of stellar populations, r = 1.
_OLD = np.array([0.5, 1.0, 1.3], np.float32)
_DISC = np.array([0.72, 1.0, 1.15], np.float32)
_YOUNG = np.array([1.3, 1.0, 0.82], np.float32)


# --------------------------------------------------------------------------- truth


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def _sample_truth(n: int, rng: np.random.Generator) -> pd.DataFrame:
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
    sky noise.

    Parameters
    ----------
    truth : DataFrame
        With the columns ``r90_arcsec``, ``psf_arcsec`` and ``mag``.

    Returns
    -------
    ndarray of float
    """
    resolution = truth["r90_arcsec"].to_numpy() / truth["psf_arcsec"].to_numpy()
    surface_brightness = truth["mag"].to_numpy() + 2.5 * np.log10(
        np.pi * truth["r90_arcsec"].to_numpy() ** 2
    )
    return _sigmoid(2.5 * (np.log(resolution) - np.log(4.5))) * _sigmoid(
        (23.6 - surface_brightness) / 0.5
    )


# --------------------------------------------------------------------------- volunteers


def _ordinal(latent: np.ndarray, cuts: list[float], spread: np.ndarray | float) -> np.ndarray:
    """Probabilities of ordered answers for a latent value (cumulative logistic model)."""
    below = [_sigmoid((c - latent) / spread) for c in cuts]
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

    Parameters
    ----------
    truth : DataFrame
        The true parameters, as :func:`sample_catalog` makes them.

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
    edge_on = disc * _sigmoid((incl - 78) / 3.5)
    face_on = 1 - _sigmoid((incl - 65) / 7)
    odd_strength = t["odd_strength"] * (odd != "none")

    structure = disc * (
        1.7 * t["arm_strength"] * face_on
        + 0.9 * t["bar"] * face_on
        + 0.5 * (1 - bt) * face_on
        + 0.4 * (1 - q)
    )
    structure = structure + 1.9 * edge_on / np.sqrt(v + 0.05) * v + 1.6 * irr + 0.25 * ell * (1 - q)
    structure = structure + 0.6 * odd_strength * np.isin(odd, ["merger", "disturbed", "ring"])
    features = 0.03 + 0.94 * _sigmoid(6.5 * (structure * v - 0.27))
    star = np.select([kind == "star", kind == "artifact"], [0.85, 0.65], 0.01 + 0.07 * (1 - v) ** 2)
    q1 = np.stack([(1 - star) * (1 - features), (1 - star) * features, star], axis=1)

    cigar = 0.5 * _sigmoid((0.35 - q) / 0.06)
    q2 = _two(np.select([disc, ell], [0.02 + 0.94 * _sigmoid((incl - 77) / 3.5), cigar], 0.03))
    q3 = _two(0.05 + 0.85 * _sigmoid(7 * (t["bar"] * face_on * v - 0.3)))
    q4 = _two(0.12 + 0.85 * _sigmoid(8 * (t["arm_strength"] * face_on * v - 0.12)))
    seen_bulge = np.clip(bt, 0.005, 0.8)
    bulge_logit = 0.7 * np.log(seen_bulge / (1 - seen_bulge)) - 0.2
    q5 = _ordinal(bulge_logit, [-2.9, -0.4, 1.6], 0.5 + 0.8 * (1 - v))

    flagged = 0.85 * _sigmoid(6 * (odd_strength * np.sqrt(v) - 0.3)) * (odd != "none")
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
    clear = 0.8 * _sigmoid(6 * (t["arm_strength"] * face_on * v - 0.25)) * (t["arms"] > 0)
    q11 = _mix(clear, arm_onehot, [0.04, 0.30, 0.08, 0.05, 0.05, 0.48])
    return np.concatenate([q1, q2, q3, q4, q5, q6, q7, q8, q9, q10, q11], axis=1)


def _question_slices() -> list[tuple[slice, int | None]]:
    """Each question's columns and the column index of its parent answer."""
    out, start = [], 0
    for question in QUESTIONS:
        k = len(question.answers)
        parent = None if question.parent is None else COLUMNS.index(question.parent)
        out.append((slice(start, start + k), parent))
        start += k
    return out


def _sample_votes(
    probabilities: np.ndarray, volunteers: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """Let each galaxy's volunteers walk the tree; return the cumulative vote fractions.

    A question is asked of the volunteers who gave its parent answer. Q6 is asked of
    everyone who did not call the object a star or artifact (of everyone, if all did) and
    renormalised to sum to 1, as in the Kaggle catalog.
    """
    counts = np.zeros_like(probabilities, dtype=np.int64)
    per_question = np.full_like(probabilities, np.nan)
    star = COLUMNS.index("Class1.3")
    for (columns, parent), question in zip(_question_slices(), QUESTIONS, strict=True):
        if parent is not None:
            asked = counts[:, parent]
        elif question.number == 6:
            asked = np.where(volunteers > counts[:, star], volunteers - counts[:, star], volunteers)
        else:
            asked = volunteers
        counts[:, columns] = rng.multinomial(asked, probabilities[:, columns])
        with np.errstate(invalid="ignore", divide="ignore"):
            per_question[:, columns] = counts[:, columns] / asked[:, None]
    return to_cumulative(per_question)


def sample_catalog(n: int, seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Draw the truth and the volunteers' votes of a synthetic sky, without images.

    This is what :func:`make_sky` writes beside the images; it is cheap (a fraction of
    a second for ten thousand galaxies), so statistics can be studied without rendering.

    Parameters
    ----------
    n : int
        Number of galaxies.
    seed : int, default 0

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
    rng = np.random.default_rng([seed, _TRUTH_STREAM])
    ids = np.sort(rng.choice(_MAX_ID - _MIN_ID + 1, size=n, replace=False) + _MIN_ID)
    truth = _sample_truth(n, rng)
    truth.insert(0, "GalaxyID", ids)
    probabilities = vote_probabilities(truth)
    expected = np.round(to_cumulative(probabilities), 6)
    sampled = _sample_votes(
        probabilities, truth["n_volunteers"].to_numpy(), np.random.default_rng([seed, _VOTE_STREAM])
    )
    labels = pd.DataFrame(np.round(sampled, 6), columns=list(COLUMNS))
    labels.insert(0, "GalaxyID", ids)
    expected_table = pd.DataFrame(expected, columns=[EXPECTED_PREFIX + c for c in COLUMNS])
    return labels, pd.concat([truth, expected_table], axis=1)


def noise_floor(labels: pd.DataFrame, truth: pd.DataFrame) -> float:
    """RMSE between the sampled vote fractions and the expected ones.

    A model that knew every galaxy's expected fractions exactly would score this; no model
    can do better on average, because the rest is the luck of which volunteers came by.

    Parameters
    ----------
    labels : DataFrame
        The catalog (``GalaxyID`` and the 37 answers).
    truth : DataFrame
        ``truth.csv``: ``GalaxyID`` and the ``expected_`` columns.

    Returns
    -------
    float
    """
    expected = truth.set_index("GalaxyID").loc[labels["GalaxyID"]]
    difference = labels.loc[:, list(COLUMNS)].to_numpy(float) - expected.loc[
        :, [EXPECTED_PREFIX + c for c in COLUMNS]
    ].to_numpy(float)
    return float(np.sqrt(np.mean(difference**2)))


# --------------------------------------------------------------------------- rendering


class _Stamp:
    """Pixel coordinates of a square cut of the frame around the galaxy's centre."""

    def __init__(self, cx: float, cy: float, half: int):
        self.x0, self.y0 = max(0, int(cx) - half), max(0, int(cy) - half)
        self.x1 = min(IMAGE_SIZE, int(cx) + half)
        self.y1 = min(IMAGE_SIZE, int(cy) + half)
        ys = np.arange(self.y0, self.y1, dtype=np.float32) - np.float32(cy)
        xs = np.arange(self.x0, self.x1, dtype=np.float32) - np.float32(cx)
        self.x, self.y = np.meshgrid(xs, ys)
        self.shape = self.x.shape

    def rotated(self, angle_deg: float, dx: float = 0.0, dy: float = 0.0):
        """Coordinates along and across a direction, about an offset centre."""
        a = np.radians(angle_deg)
        x, y = self.x - np.float32(dx), self.y - np.float32(dy)
        c, s = np.float32(np.cos(a)), np.float32(np.sin(a))
        return x * c + y * s, -x * s + y * c

    def to_pixels(self, u: np.ndarray, w: np.ndarray, angle_deg: float):
        """Stamp pixel indices (rows, cols) of points given along/across ``angle_deg``."""
        a = np.radians(angle_deg)
        x = u * np.cos(a) - w * np.sin(a) - self.x[0, 0]
        y = u * np.sin(a) + w * np.cos(a) - self.y[0, 0]
        return np.round(y).astype(int), np.round(x).astype(int)

    def deposit(self, rows: np.ndarray, cols: np.ndarray, weights: np.ndarray) -> np.ndarray:
        """An image of point sources (outside points dropped), normalised to sum 1."""
        image = np.zeros(self.shape, np.float32)
        inside = (rows >= 0) & (rows < self.shape[0]) & (cols >= 0) & (cols < self.shape[1])
        np.add.at(image, (rows[inside], cols[inside]), weights[inside])
        return image / max(float(weights.sum()), 1e-12)


def _normalised(image: np.ndarray) -> np.ndarray:
    return image / max(float(image.sum()), 1e-12)


def _sersic(u: np.ndarray, w: np.ndarray, r_e: float, n: float, q: float, c: float = 2.0):
    """Sérsic profile (``c`` > 2 makes it boxy), normalised to sum 1 on the stamp."""
    r = (np.abs(u) ** c + np.abs(w / np.float32(q)) ** c) ** np.float32(1 / c)
    b = 2 * n - 1 / 3 + 0.009876 / n
    return _normalised(np.exp(-np.float32(b) * (r / np.float32(r_e)) ** np.float32(1 / n)))


def _patchy(shape: tuple[int, int], cells: int, contrast: float, rng: np.random.Generator):
    """A smooth random field, mean near 1, with structure ``cells`` across the stamp."""
    field = rng.standard_normal((cells, cells), dtype=np.float32)
    return np.exp(contrast * cv2.resize(field, shape[::-1], interpolation=cv2.INTER_CUBIC))


def _tail(stamp: _Stamp, g: dict, rng: np.random.Generator, start_angle: float) -> np.ndarray:
    """A curved tidal tail leaving the galaxy, normalised to sum 1."""
    t = rng.uniform(0, 1, 400)
    r90 = g["r90_px"]
    radius = r90 * (0.3 + rng.uniform(0.9, 1.5) * t)
    theta = np.radians(start_angle) + rng.choice([-1, 1]) * rng.uniform(0.8, 1.8) * t
    u = radius * np.cos(theta) + rng.normal(0, 0.05 * r90, t.size)
    w = radius * np.sin(theta) + rng.normal(0, 0.05 * r90, t.size)
    rows, cols = stamp.to_pixels(u, w, 0.0)
    points = stamp.deposit(rows, cols, np.exp(-2.5 * t))
    return cv2.GaussianBlur(points, (0, 0), 0.04 * r90)


def _spiral(stamp: _Stamp, ud, wd, g: dict, h: float, rng: np.random.Generator):
    """Spiral-arm light and star-forming clumps in the disc plane, each summing to 1."""
    m, pitch = int(g["arms"]), np.radians(g["pitch"]) * g["winding"]  # S- or Z-shaped
    phase0 = rng.uniform(0, 2 * np.pi)
    radius = np.sqrt(ud**2 + wd**2) + np.float32(1e-3)
    theta = np.arctan2(wd, ud)
    phase = m * (theta - np.log(radius / np.float32(h)) / np.float32(np.tan(pitch))) + phase0
    sharpness = np.float32(3.0 if m <= 2 else 2.0)
    arms = ((1 + np.cos(phase)) / 2) ** sharpness
    inner = 1 - np.exp(-((radius / np.float32(0.8 * h)) ** 2))
    light = arms * inner * np.exp(-radius / np.float32(1.2 * h))
    light *= _patchy(stamp.shape, 12, 0.35, rng)

    k = int(8 + 50 * g["arm_strength"])
    r = rng.gamma(2.5, 0.8 * h, k) + 0.5 * h
    arm = rng.integers(0, m, k)
    along = (2 * np.pi * arm - phase0) / m + np.log(r / h) / np.tan(pitch) + rng.normal(0, 0.12, k)
    q = g["axis_ratio"]
    rows, cols = stamp.to_pixels(r * np.cos(along), r * np.sin(along) * q, g["position_angle"])
    clumps = stamp.deposit(rows, cols, rng.exponential(1.0, k))
    return _normalised(light), clumps


def _galaxy_light(stamp: _Stamp, g: dict, rng: np.random.Generator) -> np.ndarray:
    """The galaxy's light in the g, r, i bands (counts), before the seeing, on the stamp."""
    r90, q, pa = g["r90_px"], g["axis_ratio"], g["position_angle"]
    u, w = stamp.rotated(pa)
    if g["odd"] == "disturbed":  # bend the whole galaxy like a banana
        u = u + np.float32(rng.uniform(0.15, 0.4) * g["odd_strength"]) * w**2 / np.float32(r90)
    parts: list[tuple[float, np.ndarray, np.ndarray]] = []  # (flux share, colour, image)
    colour = np.exp(rng.normal(0, 0.06, 3)).astype(np.float32)
    kind = g["kind"]
    if kind == "elliptical":
        n = g["sersic_n"]
        parts.append((1.0, _OLD * colour, _sersic(u, w, r90 / (1.5 + 0.75 * n), n, q)))
    elif kind == "irregular":
        h = r90 / 3.5
        disc = _sersic(u, w, 1.68 * h, 1.0, q) * _patchy(stamp.shape, 8, 0.8, rng)
        k = int(rng.integers(6, 20))
        rows, cols = stamp.to_pixels(rng.normal(0, 0.9 * h, k), rng.normal(0, 0.9 * h * q, k), pa)
        parts.append((0.6, _YOUNG * colour, _normalised(disc)))
        parts.append((0.4, _YOUNG * colour, stamp.deposit(rows, cols, rng.exponential(1, k))))
    elif kind == "disc":
        parts.extend(_disc_parts(stamp, u, w, g, rng, colour))
    light = np.zeros((3, *stamp.shape), np.float32)
    for share, col, image in parts:
        light += (np.float32(share) * col)[:, None, None] * image[None]
    light += _odd_light(stamp, g, rng, u, w)
    return light * np.float32(_flux_counts(g))


def _disc_parts(stamp: _Stamp, u, w, g: dict, rng: np.random.Generator, colour: np.ndarray):
    """Bulge, disc, bar and spiral arms of a disc galaxy: (flux share, colour, image)."""
    r90, q = g["r90_px"], g["axis_ratio"]
    h = r90 / 3.6
    bt, bar, arms = g["bulge_fraction"], g["bar"], g["arms"]
    wd = w / np.float32(q)  # the disc plane
    parts = []
    if bt > 0:
        boxiness = 3.0 if g["bulge_shape"] == "boxy" else 2.0
        bulge_q = max(q, 0.55 + 0.3 * bt)
        r_e = r90 * rng.uniform(0.08, 0.14) * (1 + bt)
        parts.append((bt, _OLD * colour, _sersic(u, w, r_e, g["sersic_n"], bulge_q, boxiness)))
    rest = 1 - bt
    if bar > 0:
        angle = np.radians(rng.uniform(0, 180))
        bu = u * np.float32(np.cos(angle)) + wd * np.float32(np.sin(angle))
        bw = -u * np.float32(np.sin(angle)) + wd * np.float32(np.cos(angle))
        length = h * rng.uniform(1.0, 1.8)
        image = np.exp(-(((bu / length) ** 2 + (bw / (0.2 * length)) ** 2) ** 1.5))
        parts.append((0.4 * bar * rest, _OLD * 0.5 + _DISC * 0.5, _normalised(image)))
        rest -= 0.4 * bar * rest
    if arms > 0:
        spiral, clumps = _spiral(stamp, u, wd, g, h, rng)
        share = 0.55 * g["arm_strength"] * rest
        parts.append((0.8 * share, _DISC * 0.4 + _YOUNG * 0.6, spiral))
        parts.append((0.2 * share, _YOUNG * 1.1, clumps))
        rest -= share
    disc = np.exp(-np.sqrt(u**2 + wd**2) / np.float32(h))
    if g["dust"] > 0.3 and g["inclination"] > 70:  # a dust lane along the mid-plane
        lane = np.exp(-0.5 * (w / np.float32(0.025 * r90 + 0.6)) ** 2)
        disc *= 1 - np.float32(0.8 * g["dust"]) * lane
    parts.append((rest, _DISC * colour, _normalised(disc)))
    return parts


def _odd_light(stamp: _Stamp, g: dict, rng: np.random.Generator, u, w) -> np.ndarray:
    """Light of a ring, lensed arc, merging companion or tidal tail (g, r, i; share of 1)."""
    odd, strength, r90 = g["odd"], g["odd_strength"], g["r90_px"]
    light = np.zeros((3, *stamp.shape), np.float32)
    if odd == "ring":
        wd = w / np.float32(g["axis_ratio"])
        radius = np.sqrt(u**2 + wd**2)
        ring = np.exp(-0.5 * ((radius - np.float32(rng.uniform(0.45, 0.8) * r90)) / 3.0) ** 2)
        light += (_YOUNG * 0.35 * strength)[:, None, None] * _normalised(ring)
    elif odd == "lens":
        radius = np.sqrt(stamp.x**2 + stamp.y**2)
        angle = np.arctan2(stamp.y, stamp.x) - np.float32(rng.uniform(-np.pi, np.pi))
        angle = (angle + np.pi) % (2 * np.pi) - np.pi
        arc = np.exp(-0.5 * ((radius - np.float32(rng.uniform(0.5, 0.9) * r90)) / 1.5) ** 2)
        arc *= np.exp(-0.5 * (angle / np.float32(rng.uniform(0.3, 0.7))) ** 2)
        light += (_YOUNG * 1.2 * 0.12 * strength)[:, None, None] * _normalised(arc)
    elif odd == "merger":
        angle = rng.uniform(0, 360)
        d = r90 * rng.uniform(0.45, 1.0)
        dx, dy = d * np.cos(np.radians(angle)), d * np.sin(np.radians(angle))
        cu, cw = stamp.rotated(rng.uniform(0, 180), dx, dy)
        n = rng.uniform(1.0, 4.0)
        companion = _sersic(cu, cw, r90 / rng.uniform(4, 7), n, rng.uniform(0.4, 1.0))
        colour = _OLD if rng.random() < 0.5 else _DISC
        light += (colour * rng.uniform(0.3, 1.0))[:, None, None] * companion
        tails = _tail(stamp, g, rng, angle + 180) + _tail(stamp, g, rng, angle)
        light += (_DISC * 0.15 * strength)[:, None, None] * tails
    elif odd == "disturbed":
        tail = _tail(stamp, g, rng, rng.uniform(0, 360))
        light += (_DISC * 0.12 * strength)[:, None, None] * tail
    return light


def _dust_lane_across(stamp: _Stamp, g: dict, rng: np.random.Generator) -> np.ndarray:
    """Transmission of a dust lane across an elliptical (Centaurus A), shape of the stamp."""
    _, w = stamp.rotated(rng.uniform(0, 180))
    width = np.float32(g["r90_px"] * rng.uniform(0.06, 0.1))
    return 1 - np.float32(0.5 + 0.45 * g["odd_strength"]) * np.exp(-0.5 * (w / width) ** 2)


def _flux_counts(g: dict) -> float:
    """Total counts of the galaxy per SDSS pixel's worth of image pixels."""
    native = SDSS_PIXEL / g["pixel_scale"]  # image pixels per SDSS pixel
    return 10 ** (-0.4 * (g["mag"] - _ZERO_POINT)) * native**2


def _stars(frame: np.ndarray, g: dict, rng: np.random.Generator) -> None:
    """Add foreground stars (points; the seeing gives them their shape) to the frame."""
    area = (IMAGE_SIZE * g["pixel_scale"] / 60) ** 2  # square arcminutes
    count = rng.poisson(0.4 + 0.5 * area)
    mags = 14.5 + 8.0 * rng.power(3.0, count)
    xy = rng.uniform(0, IMAGE_SIZE - 1, (count, 2))
    if g["odd"] == "other":  # a star superposed on the galaxy
        offset = g["r90_px"] * rng.uniform(0.15, 0.5) * np.exp(1j * rng.uniform(0, 2 * np.pi))
        xy = np.vstack([xy, [g["x"] + offset.real, g["y"] + offset.imag]])
        mags = np.append(mags, g["mag"] + rng.uniform(-0.5, 1.5))
    if g["kind"] == "star":
        xy = np.vstack([xy, [g["x"], g["y"]]])
        mags = np.append(mags, g["mag"] - 1.0)
    gr = rng.uniform(0.2, 1.3, len(mags))
    colours = np.stack([10 ** (-0.4 * gr), np.ones_like(gr), 10 ** (0.4 * 0.45 * gr)], axis=1)
    flux = 10 ** (-0.4 * (mags - _ZERO_POINT)) * (SDSS_PIXEL / g["pixel_scale"]) ** 2
    for (x, y), f, c in zip(xy, flux, colours, strict=True):
        x0, y0 = int(x), int(y)
        fx, fy = x - x0, y - y0
        for dy, dx, share in (
            (0, 0, (1 - fx) * (1 - fy)),
            (0, 1, fx * (1 - fy)),
            (1, 0, (1 - fx) * fy),
            (1, 1, fx * fy),
        ):
            if 0 <= y0 + dy < IMAGE_SIZE and 0 <= x0 + dx < IMAGE_SIZE:
                frame[:, y0 + dy, x0 + dx] += np.float32(f * share) * c.astype(np.float32)


def _background_galaxies(frame: np.ndarray, g: dict, rng: np.random.Generator) -> None:
    """Add small, faint galaxies far behind, each on its own little stamp."""
    area = (IMAGE_SIZE * g["pixel_scale"] / 60) ** 2
    for _ in range(rng.poisson(1.0 + 2.5 * area)):
        r_e = rng.uniform(0.4, 1.8) / g["pixel_scale"]
        cx, cy = rng.uniform(0, IMAGE_SIZE, 2)
        stamp = _Stamp(cx, cy, int(min(60, 6 * r_e + 3)))
        u, w = stamp.rotated(rng.uniform(0, 180))
        image = _sersic(u, w, r_e, rng.choice([1.0, 4.0]), rng.uniform(0.3, 1.0))
        flux = 10 ** (-0.4 * (rng.uniform(18.0, 21.5) - _ZERO_POINT))
        colour = _OLD if rng.random() < 0.5 else _DISC
        scale = np.float32(flux * (SDSS_PIXEL / g["pixel_scale"]) ** 2) * colour
        frame[:, stamp.y0 : stamp.y1, stamp.x0 : stamp.x1] += scale[:, None, None] * image[None]


def _satellite_trail(frame: np.ndarray, rng: np.random.Generator) -> None:
    """A satellite crossing the field: three parallel lines, one per band, as in SDSS."""
    angle = rng.uniform(0, np.pi)
    direction = np.array([np.cos(angle), np.sin(angle)])
    normal = np.array([-direction[1], direction[0]])
    centre = IMAGE_SIZE / 2 + rng.normal(0, 3, 2)
    brightness = rng.uniform(20, 80)
    for band, shift in enumerate((-6.0, 0.0, 6.0)):
        a = centre + shift * normal - 400 * direction
        b = centre + shift * normal + 400 * direction
        layer = np.ascontiguousarray(frame[band])
        cv2.line(layer, tuple(map(int, a)), tuple(map(int, b)), float(brightness), 2)
        frame[band] = layer


def _sky_noise(frame: np.ndarray, g: dict, rng: np.random.Generator) -> None:
    """Add sky and photon noise, correlated over one SDSS pixel as in a resampled image."""
    native = SDSS_PIXEL / g["pixel_scale"]
    cells = int(np.clip(round(IMAGE_SIZE / native), 8, IMAGE_SIZE))
    sigma = np.float32(SKY_NOISE * min(1.0, native) * (1.5 if cells < IMAGE_SIZE else 1.0))
    for band in range(3):
        noise = rng.standard_normal((cells, cells), dtype=np.float32)
        if cells < IMAGE_SIZE:
            noise = cv2.resize(noise, (IMAGE_SIZE, IMAGE_SIZE), interpolation=cv2.INTER_LINEAR)
        gain = np.sqrt(1 + np.maximum(frame[band], 0) / np.float32(_SKY_VARIANCE))
        frame[band] += sigma * noise * gain


def _asinh_rgb(frame: np.ndarray) -> np.ndarray:
    """SDSS-like colour composite: i, r, g to red, green, blue with an asinh stretch."""
    softening, stretch = np.float32(8.0), np.float32(12.0)
    red, green, blue = frame[2] * np.float32(0.95), frame[1] * np.float32(1.05), frame[0]
    blue *= np.float32(1.25)
    intensity = red + green + blue
    intensity *= np.float32(1 / 3)
    np.maximum(intensity, np.float32(1e-6), out=intensity)
    factor = np.arcsinh(intensity * (softening / stretch))
    factor /= intensity
    factor *= np.float32(255) / softening
    channels = [np.maximum(c * factor, np.float32(0)) for c in (red, green, blue)]
    # Light beyond what the brightest channel can show spills into the other two, so
    # that a bright core or star saturates to a flat white disc, as in the SDSS JPEGs.
    # (Scaling all three down by the brightest one would keep the colour but leave the
    # core redder, and so darker in grey, than its rim.)
    overflow = np.maximum(np.maximum(channels[0], channels[1]), channels[2])
    overflow -= np.float32(255)
    np.maximum(overflow, np.float32(0), out=overflow)
    return cv2.merge([cv2.convertScaleAbs(c + overflow) for c in channels])


def render_galaxy(galaxy: dict, seed: int = 0) -> np.ndarray:
    """Render one galaxy of the truth table as a Galaxy Zoo cutout.

    Parameters
    ----------
    galaxy : dict
        One row of the truth table (see :func:`sample_catalog`) with its position
        ``index`` in the table, which keys the random numbers of its image.
    seed : int, default 0
        The sky's seed.

    Returns
    -------
    ndarray of shape (424, 424, 3), dtype uint8
        The RGB image before JPEG compression.
    """
    rng = np.random.default_rng([seed, _RENDER_STREAM, int(galaxy["index"])])
    frame = np.zeros((3, IMAGE_SIZE, IMAGE_SIZE), np.float32)
    if galaxy["kind"] != "star":
        half = int(min(IMAGE_SIZE // 2, 2.6 * galaxy["r90_px"] + 10))
        stamp = _Stamp(galaxy["x"], galaxy["y"], half)
        light = _galaxy_light(stamp, galaxy, rng)
        if galaxy["odd"] == "dust_lane" and galaxy["kind"] != "disc":
            light *= (
                _dust_lane_across(stamp, galaxy, rng)[None]
                ** np.array([1.3, 1.0, 0.8], np.float32)[:, None, None]
            )
        frame[:, stamp.y0 : stamp.y1, stamp.x0 : stamp.x1] = light
    _stars(frame, galaxy, rng)
    _background_galaxies(frame, galaxy, rng)
    if galaxy["kind"] == "artifact":
        _satellite_trail(frame, rng)
    psf_sigma = galaxy["psf_fwhm_px"] / 2.355
    for band in range(3):
        frame[band] = cv2.GaussianBlur(frame[band], (0, 0), psf_sigma * (1.05 - 0.05 * band))
    _sky_noise(frame, galaxy, rng)
    return _asinh_rgb(frame)


def _jpeg(rgb: np.ndarray) -> bytes:
    ok, encoded = cv2.imencode(
        ".jpg", cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, _JPEG_QUALITY]
    )
    if not ok:  # pragma: no cover - OpenCV encodes any uint8 image
        raise GalaxyLibError("OpenCV could not encode a JPEG; reinstall opencv-python-headless.")
    return encoded.tobytes()


def _render_chunk(job: tuple[int, str, list[dict]]) -> int:
    """Render and write the images of a chunk of galaxies; return how many."""
    seed, folder, galaxies = job
    for galaxy in galaxies:
        path = Path(folder) / f"{int(galaxy['GalaxyID'])}.jpg"
        path.write_bytes(_jpeg(render_galaxy(galaxy, seed)))
    return len(galaxies)


# --------------------------------------------------------------------------- the data set


@dataclass(frozen=True)
class SkyReport:
    """What :func:`make_sky` wrote.

    Attributes
    ----------
    out : Path
        The data directory.
    n : int
        Galaxies written.
    seed : int
    seconds : float
        Wall-clock time of the whole run.
    workers : int
        Processes used.
    noise_floor : float
        RMSE between the catalog's sampled fractions and the expected ones.
    """

    out: Path
    n: int
    seed: int
    seconds: float
    workers: int
    noise_floor: float

    @property
    def galaxies_per_s(self) -> float:
        """Throughput of the run."""
        return self.n / max(self.seconds, 1e-9)

    def __str__(self) -> str:
        return (
            f"Wrote {self.n} synthetic galaxies (seed {self.seed}) to {self.out} in "
            f"{self.seconds:.1f} s ({self.galaxies_per_s:.0f} galaxies/s on {self.workers} "
            f"processes); noise floor (RMSE of the votes against the expected fractions) "
            f"{self.noise_floor:.4f}."
        )


def _holds_data_set(out: Path) -> bool:
    if any((out / csv_name).exists() for csv_name, _ in LAYOUTS):
        return True
    images = out / LAYOUTS[0][1]
    return images.is_dir() and any(images.iterdir())


def _render_all(truth: pd.DataFrame, seed: int, folder: Path, workers: int, progress: bool) -> None:
    galaxies = truth.drop(columns=[c for c in truth if c.startswith(EXPECTED_PREFIX)])
    records = galaxies.assign(index=np.arange(len(galaxies))).to_dict("records")
    size = max(1, min(32, len(records) // (4 * workers) or 1))
    jobs = [(seed, str(folder), records[i : i + size]) for i in range(0, len(records), size)]
    with progress_bar(total=len(records), desc="synth", unit="galaxy", enabled=progress) as bar:
        if workers == 1:
            for job in jobs:
                bar.update(_render_chunk(job))
            return
        with worker_pool(workers) as pool:
            for done in pool.imap_unordered(_render_chunk, jobs):
                bar.update(done)


def _publish(staging: Path, out: Path, force: bool) -> None:
    """Move a finished data set from ``staging`` into ``out``, the catalog last."""
    catalog, images = LAYOUTS[0]
    if force:
        for name in (catalog, TRUTH_FILE, SKY_FILE):
            (out / name).unlink(missing_ok=True)
        shutil.rmtree(out / images, ignore_errors=True)
    replace(staging / images, out / images)
    for name in (TRUTH_FILE, SKY_FILE, catalog):
        replace(staging / name, out / name)


def make_sky(
    out: str | Path,
    n: int,
    *,
    seed: int = 0,
    workers: int | None = None,
    force: bool = False,
    progress: bool = True,
) -> SkyReport:
    """Write a synthetic Galaxy Zoo in the Kaggle layout.

    ``out`` receives ``images_training_rev1/<GalaxyID>.jpg`` (424x424 RGB JPEGs),
    ``training_solutions_rev1.csv`` (the sampled vote fractions), ``truth.csv`` (true
    parameters and expected fractions, see :func:`sample_catalog`) and ``sky.json``
    (seed, size and noise floor). Everything is written to a hidden folder inside ``out``
    first and moved into place at the end, the catalog last, so an interrupted run never
    looks like a finished data set; the next run removes a killed run's hidden folder.

    Parameters
    ----------
    out : path
        Data directory; created if needed.
    n : int
        Number of galaxies.
    seed : int, default 0
        Same seed, same bytes -- whatever ``workers`` is.
    workers : int, optional
        Processes that render the images; every core by default.
    force : bool, default False
        Replace a data set already in ``out``.
    progress : bool, default True
        Show a progress bar.

    Returns
    -------
    SkyReport

    Raises
    ------
    GalaxyLibError
        If ``out`` already holds a data set and ``force`` is false, or ``n`` or
        ``workers`` is out of range.
    """
    start = time.perf_counter()
    out = Path(out)
    workers = resolve_workers(workers)
    if out.exists() and not out.is_dir():
        raise GalaxyLibError(f"{out} is a file, not a folder; choose a folder for --out.")
    if _holds_data_set(out) and not force:
        raise GalaxyLibError(
            f"{out} already holds a data set; pass --force (force=True) to replace it, "
            "or choose another --out."
        )
    labels, truth = sample_catalog(n, seed)
    floor = noise_floor(labels, truth)
    with disk_errors(out, "choose another --out"):
        out.mkdir(parents=True, exist_ok=True)
        with staging_dir(out, "synth") as staging:
            images = staging / LAYOUTS[0][1]
            images.mkdir()
            _render_all(truth, seed, images, workers, progress)
            truth.to_csv(staging / TRUTH_FILE, index=False, float_format="%.6f")
            summary = {
                "generator": "galaxylib.synthetic",
                "schema": SCHEMA_VERSION,
                "seed": seed,
                "n": n,
                "mean_volunteers": round(float(truth["n_volunteers"].mean()), 3),
                "noise_floor": round(floor, 6),
            }
            (staging / SKY_FILE).write_text(json.dumps(summary, indent=2) + "\n")
            labels.to_csv(staging / LAYOUTS[0][0], index=False, float_format="%.6f")
            _publish(staging, out, force)
    return SkyReport(out, n, seed, time.perf_counter() - start, workers, floor)


def bench_synth(n: int = 200, workers: int | None = None) -> dict[str, float]:
    """Time :func:`make_sky` on ``n`` galaxies, images and JPEGs included.

    Parameters
    ----------
    n : int, default 200
    workers : int, optional
        Processes; every core by default.

    Returns
    -------
    dict
        ``galaxies_per_s``, ``seconds``, ``n``, ``workers`` and ``noise_floor``.
    """
    with tempfile.TemporaryDirectory(prefix="galaxylib-bench-") as folder:
        report = make_sky(Path(folder) / "sky", n, workers=workers, progress=False)
    return {
        "galaxies_per_s": report.galaxies_per_s,
        "seconds": report.seconds,
        "n": float(n),
        "workers": float(report.workers),
        "noise_floor": report.noise_floor,
    }


def default_sky(name: str | None = None) -> Path:
    """The synthetic sky the book runs on under a profile; made on first use.

    It lives in ``$GALAXYLIB_DATA/sky-<profile>`` and holds the profile's number of
    galaxies, drawn with seed 0, so every chapter and every reader sees the same sky. A
    sky made by another version of galaxylib or for another size (its ``sky.json`` says
    so) is made again.

    Parameters
    ----------
    name : str, optional
        Profile name; default ``GALAXYLIB_PROFILE`` (see :func:`galaxylib.config.profile`).

    Returns
    -------
    Path
        The data directory, ready for :func:`galaxylib.data.load_catalog`.
    """
    chosen = profile(name)
    out = data_root() / f"sky-{chosen.name}"
    wanted = {"generator": "galaxylib.synthetic", "schema": SCHEMA_VERSION, "seed": 0}
    wanted["n"] = chosen.n_galaxies
    if not _holds_data_set(out):
        print(make_sky(out, chosen.n_galaxies, seed=0))
        return out
    try:
        made = json.loads((out / SKY_FILE).read_text())
    except (OSError, ValueError):
        made = None
    if not isinstance(made, dict) or made.get("generator") != wanted["generator"]:
        raise GalaxyLibError(
            f"{out} holds a data set that galaxylib.synthetic did not make (no {SKY_FILE}); "
            "move it elsewhere, and the book will make its synthetic sky there."
        )
    if {key: made.get(key) for key in wanted} != wanted:
        print(
            f"{out} holds a sky of {made.get('n')} galaxies made by schema "
            f"{made.get('schema')}; making the profile's sky of {chosen.n_galaxies:,} "
            f"(schema {SCHEMA_VERSION}) in its place."
        )
        print(make_sky(out, chosen.n_galaxies, seed=0, force=True))
    return out


# ------------------------------------------------------------------------ examples
# Each morphology: which galaxies of the truth may show it, and the expected vote
# fraction that says how clearly they do.
_MORPHOLOGIES = {
    "elliptical": ("kind == 'elliptical' and odd == 'none'", "Class1.1"),
    "spiral": ("kind == 'disc' and odd == 'none' and bar < 0.2 and arms >= 2", "Class4.1"),
    "barred spiral": ("kind == 'disc' and odd == 'none' and arms >= 2", "Class3.1"),
    "edge-on disc": ("kind == 'disc' and odd == 'none'", "Class2.1"),
    "merger": ("odd == 'merger'", "Class8.6"),
    "irregular": ("kind == 'irregular'", "Class8.4"),
    "star": ("kind == 'star'", "Class1.3"),
}


def typical_galaxies(truth: pd.DataFrame, *, brightest_mag: float = 14.0) -> pd.DataFrame:
    """One clear example of each morphology, chosen from a synthetic sky's truth.

    For each of elliptical, spiral, barred spiral, edge-on disc, merger, irregular and
    star, the galaxy of that kind whose *expected* vote fraction for the answer that
    names it (``Class1.1`` smooth, ``Class4.1`` spiral, ``Class3.1`` bar, ``Class2.1``
    edge-on, ``Class8.6`` merger, ``Class8.4`` irregular, ``Class1.3`` star) is highest:
    the one infinitely many volunteers would call that morphology most surely. Galaxies
    brighter than ``brightest_mag`` are passed over, their cores saturated.

    Parameters
    ----------
    truth : DataFrame
        The sky's ``truth.csv``.
    brightest_mag : float, default 14.0

    Returns
    -------
    DataFrame
        Indexed by morphology: ``GalaxyID``, ``answer`` (the column it was chosen by)
        and ``expected`` (that column's expected fraction).
    """
    missing = {"GalaxyID", "kind", "odd", "bar", "arms", "mag"} - set(truth.columns)
    if missing:
        raise GalaxyLibError(f"The truth table lacks the columns {', '.join(sorted(missing))}.")
    rows = {}
    for morphology, (rule, answer) in _MORPHOLOGIES.items():
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
