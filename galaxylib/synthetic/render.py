"""The renderer of a synthetic sky: each galaxy of the truth drawn as a Galaxy Zoo JPEG.

:func:`render_galaxy` draws Sérsic bulges and ellipticals, inclined exponential discs,
logarithmic spiral arms with star-forming clumps, bars, rings, dust lanes, mergers,
foreground stars and background galaxies, in three bands (g, r, i), blurred by the
seeing, with sky noise, composited with the asinh stretch of the SDSS colour images
(Lupton et al. 2004). As in Galaxy Zoo 2, each cutout is scaled to its galaxy, whose 90 %
light radius lands near 50 pixels. Each is drawn on the SDSS pixels it was observed with
(2.75 cutout pixels at the median); its composite is enlarged to the cutout's 424 pixels.

A change that alters the images must bump :data:`galaxylib.synthetic.skyfile.SCHEMA_VERSION`.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from galaxylib.data import IMAGE_SIZE
from galaxylib.errors import GalaxyLibError
from galaxylib.synthetic.truth import RENDER_STREAM

__all__ = ["SDSS_PIXEL", "SKY_NOISE", "render_chunk", "render_galaxy"]

SDSS_PIXEL = 0.396
"""Side of an SDSS pixel in arcseconds."""
_ZERO_POINT = 26.7  # magnitude of one count; the sky noise is 1 count per SDSS pixel
_SKY_VARIANCE = 30.0  # counts of galaxy light that add as much variance as the sky
SKY_NOISE = 0.585
"""Sky noise of one SDSS pixel in the composite's units: in the cutout, most sky pixels
stay below grey level 10 and one in ten reaches it (the report's threshold relies on it)."""
_JPEG_QUALITY = 88

# Flux ratios (g, r, i) of stellar populations, r = 1.
_OLD = np.array([0.5, 1.0, 1.3], np.float32)
_DISC = np.array([0.72, 1.0, 1.15], np.float32)
_YOUNG = np.array([1.3, 1.0, 0.82], np.float32)


class _Stamp:
    """Pixel coordinates of a square cut of the frame around the galaxy's centre."""

    def __init__(self, cx: float, cy: float, half: int, side: int):
        self.x0, self.y0 = max(0, int(cx) - half), max(0, int(cy) - half)
        self.x1, self.y1 = min(side, int(cx) + half), min(side, int(cy) + half)
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
    return light * np.float32(_counts(g["mag"], g))


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
        lane = np.exp(-0.5 * (w / np.float32(0.025 * r90 + 0.6 / g["enlarge"])) ** 2)
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
        ring_r = np.float32(rng.uniform(0.45, 0.8) * r90)
        ring = np.exp(-0.5 * ((radius - ring_r) / np.float32(3.0 / g["enlarge"])) ** 2)
        light += (_YOUNG * 0.35 * strength)[:, None, None] * _normalised(ring)
    elif odd == "lens":
        radius = np.sqrt(stamp.x**2 + stamp.y**2)
        angle = np.arctan2(stamp.y, stamp.x) - np.float32(rng.uniform(-np.pi, np.pi))
        angle = (angle + np.pi) % (2 * np.pi) - np.pi
        arc_r = np.float32(rng.uniform(0.5, 0.9) * r90)
        arc = np.exp(-0.5 * ((radius - arc_r) / np.float32(1.5 / g["enlarge"])) ** 2)
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


def _counts(mag, g: dict):
    """Counts of magnitude ``mag`` (a number or an array) per SDSS pixel's worth of pixels."""
    native = SDSS_PIXEL / g["pixel_scale"]  # image pixels per SDSS pixel
    return 10 ** (-0.4 * (mag - _ZERO_POINT)) * native**2


def _stars(frame: np.ndarray, g: dict, rng: np.random.Generator) -> None:
    """Add foreground stars (points; the seeing gives them their shape) to the frame."""
    side = frame.shape[1]
    area = (side * g["pixel_scale"] / 60) ** 2  # square arcminutes
    count = rng.poisson(0.4 + 0.5 * area)
    mags = 14.5 + 8.0 * rng.power(3.0, count)
    xy = rng.uniform(0, side - 1, (count, 2))
    if g["odd"] == "other":  # a star superposed on the galaxy
        offset = g["r90_px"] * rng.uniform(0.15, 0.5) * np.exp(1j * rng.uniform(0, 2 * np.pi))
        xy = np.vstack([xy, [g["x"] + offset.real, g["y"] + offset.imag]])
        mags = np.append(mags, g["mag"] + rng.uniform(-0.5, 1.5))
    if g["kind"] == "star":
        xy = np.vstack([xy, [g["x"], g["y"]]])
        mags = np.append(mags, g["mag"] - 1.0)
    gr = rng.uniform(0.2, 1.3, len(mags))
    colours = np.stack([10 ** (-0.4 * gr), np.ones_like(gr), 10 ** (0.4 * 0.45 * gr)], axis=1)
    flux = _counts(mags, g)
    for (x, y), f, c in zip(xy, flux, colours, strict=True):
        x0, y0 = int(x), int(y)
        for dy, dx in ((0, 0), (0, 1), (1, 0), (1, 1)):  # shared bilinearly among 4 pixels
            share = (1 - abs(x - x0 - dx)) * (1 - abs(y - y0 - dy))
            if 0 <= y0 + dy < side and 0 <= x0 + dx < side:
                frame[:, y0 + dy, x0 + dx] += np.float32(f * share) * c.astype(np.float32)


def _background_galaxies(frame: np.ndarray, g: dict, rng: np.random.Generator) -> None:
    """Add small, faint galaxies far behind, each on its own little stamp."""
    side = frame.shape[1]
    area = (side * g["pixel_scale"] / 60) ** 2
    for _ in range(rng.poisson(1.0 + 2.5 * area)):
        r_e = rng.uniform(0.4, 1.8) / g["pixel_scale"]
        cx, cy = rng.uniform(0, side, 2)
        stamp = _Stamp(cx, cy, int(min(60, 6 * r_e + 3)), side)
        u, w = stamp.rotated(rng.uniform(0, 180))
        image = _sersic(u, w, r_e, rng.choice([1.0, 4.0]), rng.uniform(0.3, 1.0))
        counts = _counts(rng.uniform(18.0, 21.5), g)
        colour = _OLD if rng.random() < 0.5 else _DISC
        scale = np.float32(counts) * colour
        frame[:, stamp.y0 : stamp.y1, stamp.x0 : stamp.x1] += scale[:, None, None] * image[None]


def _satellite_trail(frame: np.ndarray, g: dict, rng: np.random.Generator) -> None:
    """A satellite crossing the field: three parallel lines, one per band, as in SDSS."""
    angle = rng.uniform(0, np.pi)
    direction = np.array([np.cos(angle), np.sin(angle)])
    normal = np.array([-direction[1], direction[0]])
    centre = frame.shape[1] / 2 + rng.normal(0, 3, 2)
    brightness = rng.uniform(20, 80)
    width = max(1, round(2 / g["enlarge"]))
    for band, shift in enumerate((-6.0, 0.0, 6.0)):
        a = centre + shift / g["enlarge"] * normal - 400 * direction
        b = centre + shift / g["enlarge"] * normal + 400 * direction
        layer = np.ascontiguousarray(frame[band])
        cv2.line(layer, tuple(map(int, a)), tuple(map(int, b)), float(brightness), width)
        frame[band] = layer


def _sky_noise(frame: np.ndarray, g: dict, rng: np.random.Generator) -> None:
    """Add sky and photon noise, one draw per pixel of the frame."""
    native = SDSS_PIXEL / g["pixel_scale"] * g["enlarge"]  # cutout pixels per SDSS pixel
    sigma = np.float32(SKY_NOISE * min(1.0, native))
    for band in range(3):
        noise = rng.standard_normal(frame.shape[1:], dtype=np.float32)
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
    # Light beyond what the brightest channel can show spills into the other two, so a
    # bright core or star saturates to a flat white disc, as in the SDSS JPEGs.
    overflow = np.maximum(np.maximum(channels[0], channels[1]), channels[2])
    overflow -= np.float32(255)
    np.maximum(overflow, np.float32(0), out=overflow)
    return cv2.merge([cv2.convertScaleAbs(c + overflow) for c in channels])


def render_galaxy(galaxy: dict, seed: int = 0) -> np.ndarray:
    """Render one galaxy of the truth table as a Galaxy Zoo cutout.

    Parameters
    ----------
    galaxy : dict
        A row of the truth table with its ``index``, which keys the image's random numbers.
    seed : int, default 0
        The sky's seed.

    Returns
    -------
    ndarray
        The RGB image, (424, 424, 3) ``uint8``, before JPEG compression.
    """
    rng = np.random.default_rng([seed, RENDER_STREAM, int(galaxy["index"])])
    side = int(np.clip(round(IMAGE_SIZE * galaxy["pixel_scale"] / SDSS_PIXEL), 8, IMAGE_SIZE))
    enlarge = IMAGE_SIZE / side
    drawn = {key: galaxy[key] / enlarge for key in ("r90_px", "psf_fwhm_px")}
    drawn |= {key: (galaxy[key] + 0.5) / enlarge - 0.5 for key in ("x", "y")}  # pixel centres
    drawn |= {"pixel_scale": galaxy["pixel_scale"] * enlarge, "enlarge": enlarge}
    galaxy = {**galaxy, **drawn}
    frame = np.zeros((3, side, side), np.float32)
    if galaxy["kind"] != "star":
        half = int(min(side // 2, 2.6 * galaxy["r90_px"] + 10 / enlarge))
        stamp = _Stamp(galaxy["x"], galaxy["y"], half, side)
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
        _satellite_trail(frame, galaxy, rng)
    psf_sigma = galaxy["psf_fwhm_px"] / 2.355
    for band in range(3):
        frame[band] = cv2.GaussianBlur(frame[band], (0, 0), psf_sigma * (1.05 - 0.05 * band))
    _sky_noise(frame, galaxy, rng)
    return cv2.resize(_asinh_rgb(frame), (IMAGE_SIZE,) * 2, interpolation=cv2.INTER_LINEAR)


def _jpeg(rgb: np.ndarray) -> bytes:
    ok, encoded = cv2.imencode(
        ".jpg", cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, _JPEG_QUALITY]
    )
    if not ok:  # pragma: no cover - OpenCV encodes any uint8 image
        raise GalaxyLibError("OpenCV could not encode a JPEG; reinstall opencv-python-headless.")
    return encoded.tobytes()


def render_chunk(job: tuple[int, str, list[dict]]) -> int:
    """Render and write the images of a chunk of galaxies; return how many."""
    seed, folder, galaxies = job
    for galaxy in galaxies:
        path = Path(folder) / f"{int(galaxy['GalaxyID'])}.jpg"
        path.write_bytes(_jpeg(render_galaxy(galaxy, seed)))
    return len(galaxies)
