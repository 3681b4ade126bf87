"""Where a galaxy is in an image, and cutting that square out (see :mod:`galaxylib.preprocess`)."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

__all__ = [
    "CROPS",
    "REPORT_SIZE",
    "Box",
    "crop",
    "improved_box",
    "report_box",
    "whole",
]

REPORT_SIZE = 150
"""Side of the report's crops in pixels: the default size of every crop."""

PADDING = 0.1
"""The report's padding: 10 % of the longer side of the region of interest."""

BLUR_SIGMA = 1.0
"""Width, in pixels, of the light blur the improved crop applies before it finds objects."""


@dataclass(frozen=True)
class Box:
    """A square region of an image, in the image's pixels.

    ``x`` and ``y`` are the top-left corner (they may be negative, or the square may
    reach past the far edge, for crops that pad), ``side`` its length.
    """

    x: float
    y: float
    side: float

    @property
    def center(self) -> tuple[float, float]:
        """Centre ``(x, y)`` of the square."""
        return self.x + self.side / 2, self.y + self.side / 2

    def scaled(self, factor: float) -> Box:
        """The same box in an image ``factor`` times larger."""
        return Box(self.x * factor, self.y * factor, self.side * factor)


def report_box(image: np.ndarray, *, threshold: int = 10) -> Box:
    """The report's region of interest, exactly as its notebook computed it.

    Pixels brighter than ``threshold`` form objects; the box is the square, padded by
    :data:`PADDING`, at the top-left corner of the largest object's bounding box, or the
    whole image when that square would leave the frame or nothing is found.

    The report read images in blue, green, red order (``cv2.imread``) but converted them
    with ``COLOR_RGB2GRAY``, so its grey level weighs blue as if it were red. This function
    does the same, to reproduce its crops; :func:`improved_box` does not.
    """
    gray = image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    height, width = gray.shape
    _, thresh = cv2.threshold(gray, threshold, 255, cv2.THRESH_BINARY)
    contours, _ = cv2.findContours(thresh, cv2.RETR_LIST, cv2.CHAIN_APPROX_SIMPLE)
    best, best_area = (0, 0, 0, 0), 0
    for contour in contours:
        x, y, w, h = cv2.boundingRect(contour)
        if w * h > best_area:
            best, best_area = (x, y, w, h), w * h
    x, y, w, h = best
    longer = max(w, h)
    pad = int(longer * PADDING)
    inside = (
        y - pad >= 0 and x - pad >= 0 and y + longer + pad < width and x + longer + pad < height
    )
    if not inside or longer == 0:  # the report crashed on an empty box; we keep the image
        return whole(gray)
    return Box(x - pad, y - pad, longer + 2 * pad)


def improved_box(
    image: np.ndarray, *, nsigma: float = 3.0, min_level: float = 6.0, padding: float = 0.15
) -> Box:
    """A square around the whole galaxy nearest the centre, centred on it.

    The sky's level and noise are estimated from the image's border; pixels more than
    ``nsigma`` noise levels above the sky, after a light blur, form objects (and at least
    ``min_level`` grey levels: JPEG noise is not Gaussian). The object that covers the
    centre -- or else the nearest one to it -- is the galaxy; stars and neighbours
    elsewhere are ignored. The square is centred on the galaxy's peak of light (where
    Galaxy Zoo centred it, even when the galaxy runs off the frame) and reaches its
    farthest pixel, plus ``padding`` times its radius. It may extend past the image's
    edges; :func:`crop` pads those parts with black.
    """
    gray = image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)
    gray = cv2.GaussianBlur(gray, (0, 0), BLUR_SIGMA).astype(np.float32)
    sky, noise = _sky(gray)
    mask = (gray > sky + max(nsigma * noise, min_level)).astype(np.uint8)
    n, labels, stats, centroids = cv2.connectedComponentsWithStats(mask, connectivity=8)
    height, width = gray.shape
    cx, cy = width / 2, height / 2
    if n <= 1:  # nothing above the sky: keep the whole frame
        return whole(gray)
    label = labels[int(cy), int(cx)]
    if label == 0:  # the object whose centre is nearest
        label = 1 + int(np.argmin(np.hypot(centroids[1:, 0] - cx, centroids[1:, 1] - cy)))
    gx, gy = _peak(gray - sky, labels == label)
    left, top, across, down = stats[label, :4].tolist()  # the farthest pixel lies on this frame
    right, bottom = left + across - 1, top + down - 1
    radius = max(gx - left, right - gx, gy - top, bottom - gy) + 1.0
    half = min(max(radius * (1 + padding), 8.0), max(height, width) / 2)  # at most the frame
    return Box(float(gx + 0.5 - half), float(gy + 0.5 - half), float(2 * half))


def _peak(light: np.ndarray, inside: np.ndarray) -> tuple[float, float]:
    """The light-weighted centre of the object's pixels within 2 of its brightest pixel."""
    py, px = divmod(int(np.argmax(np.where(inside, light, -np.inf))), light.shape[1])
    y0, x0 = max(py - 2, 0), max(px - 2, 0)
    near = inside[y0 : py + 3, x0 : px + 3]
    ys, xs = np.nonzero(near)
    weight = np.maximum(light[y0 : py + 3, x0 : px + 3][near], 1e-6).astype(np.float64)
    total = weight.sum()
    return float(((xs + x0) * weight).sum() / total), float(((ys + y0) * weight).sum() / total)


def _sky(gray: np.ndarray) -> tuple[float, float]:
    """Sky level and noise (median, scaled MAD) of a border 1/16 of the image wide."""
    band = max(gray.shape[0] // 16, 2)
    border = np.concatenate([gray[:band], gray[-band:], gray[:, :band], gray[:, -band:]], None)
    sky = _median(border)
    return sky, 1.4826 * _median(np.abs(border - sky))


def _median(values: np.ndarray) -> float:
    """``np.median`` of a 1-D array, to the bit, without its overhead on a few hundred values."""
    ordered = np.sort(values)
    return float((ordered[(values.size - 1) // 2] + ordered[values.size // 2]) / 2)


def whole(image: np.ndarray) -> Box:
    """The box of the whole image: what a crop keeps when it finds no galaxy."""
    return Box(0, 0, max(image.shape[:2]))


def crop(
    image: np.ndarray, box: Box, *, size: int = REPORT_SIZE, color: bool = False
) -> np.ndarray:
    """Cut ``box`` out of ``image`` and resize it to ``size`` x ``size``.

    Parts of the box outside the image are black. Shrinking uses area averaging
    (``INTER_AREA``), as the report did.

    Returns
    -------
    ndarray
        ``uint8``, shape ``(size, size)`` in grey or ``(size, size, 3)`` in colour.

    Examples
    --------
    A 100-pixel box whose right half leaves a 150-pixel image, shrunk to 64 pixels:

    >>> image = np.full((150, 150, 3), 200, np.uint8)
    >>> square = crop(image, Box(x=100, y=25, side=100), size=64)
    >>> square.shape, square[32, 10], square[32, 50]
    ((64, 64), np.uint8(200), np.uint8(0))
    """
    source = image if color or image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)
    if color and source.ndim == 2:
        source = cv2.cvtColor(source, cv2.COLOR_GRAY2RGB)
    height, width = source.shape[:2]
    x0, y0 = int(round(box.x)), int(round(box.y))
    side = max(int(round(box.side)), 1)
    top, left = max(-y0, 0), max(-x0, 0)
    bottom, right = max(y0 + side - height, 0), max(x0 + side - width, 0)
    if top or left or bottom or right:
        source = cv2.copyMakeBorder(source, top, bottom, left, right, cv2.BORDER_CONSTANT, value=0)
        x0, y0 = x0 + left, y0 + top
    square = source[y0 : y0 + side, x0 : x0 + side]
    interpolation = cv2.INTER_AREA if side >= size else cv2.INTER_LINEAR
    return cv2.resize(square, (size, size), interpolation=interpolation)


CROPS = {"report": report_box, "improved": improved_box}
"""Crop name to the function that finds its box."""
