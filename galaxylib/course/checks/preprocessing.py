"""Exercises 3 (chapter 3, preprocessing)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from galaxylib.course.checks.common import correct, exercise, fail, number, one_each

__all__ = [
    "check_centred_crop",
    "check_largest_box",
    "check_offset",
    "check_report_square",
    "check_threshold_choice",
]


def _box_tuple(found: object, name: str, length: int) -> tuple[float, ...]:
    if not isinstance(found, tuple | list | np.ndarray) or len(found) != length:
        what = "(x, y, w, h)" if length == 4 else "(x, y, side)"
        fail(f"{name} should return a tuple {what}, not {found!r}.")
    return tuple(float(v) for v in found)


@exercise("3.1", forbid=("galaxylib.preprocess:report_box",))
def check_largest_box(largest_box: Callable[[np.ndarray], tuple]) -> None:
    """Exercise 3.1: ``largest_box(mask)`` -> (x, y, w, h) of the largest bounding box.

    Hidden cases: a wide rectangle outline (large box, few pixels) beside a filled square
    (more pixels, smaller box) and a dot, on a mask that is not square; an empty mask.
    """
    mask = np.zeros((90, 160), np.uint8)
    mask[10:40, 100:150] = 1  # a filled square: 1,500 pixels, box 50 x 30
    mask[50:85, 20:90] = 1  # the outline of a box 70 x 35 ...
    mask[52:83, 22:88] = 0  # ... only two pixels thick: 400 pixels
    mask[5, 5] = 1
    found = _box_tuple(largest_box(mask.copy()), "largest_box", 4)
    if found == (50, 20, 35, 70):
        fail("x is the column and y the row: you swapped them.")
    if found == (100, 10, 50, 30):
        fail("You picked the region with the most pixels; pick the one whose box is largest.")
    if found != (20, 50, 70, 35):
        fail("On a hidden mask your box is not the largest region's bounding box.")
    if _box_tuple(largest_box(mask * np.uint8(255)), "largest_box", 4) != (20, 50, 70, 35):
        fail("Your function must work on 0/255 masks too, as cv2.threshold makes them.")
    empty = _box_tuple(largest_box(np.zeros((40, 60), np.uint8)), "largest_box", 4)
    if empty != (0, 0, 0, 0):
        fail("An empty mask has no region: return (0, 0, 0, 0).")
    correct()


def _report_square(box: tuple[int, int, int, int], size: int) -> tuple[int, int, int]:
    x, y, w, h = box
    longer = max(w, h)
    pad = int(longer * 0.1)
    inside = x - pad >= 0 and y - pad >= 0 and x + longer + pad < size and y + longer + pad < size
    if not inside or longer == 0:
        return (0, 0, size)
    return (x - pad, y - pad, longer + 2 * pad)


@exercise("3.2")
def check_report_square(report_square: Callable[..., tuple]) -> None:
    """Exercise 3.2: the report's padding rule, on hidden boxes.

    Hidden cases: tall and wide boxes, a padding that must be rounded down, squares that
    leave the frame at each side or just touch its far edge, and an empty box.
    """
    cases = [
        ((100, 120, 60, 45), 424),
        ((200, 50, 33, 87), 424),
        ((30, 40, 19, 12), 100),
        ((2, 150, 50, 50), 424),  # leaves at the left
        ((150, 400, 20, 25), 424),  # leaves at the bottom
        ((380, 100, 40, 30), 424),  # x + longer + pad = 424: touches the far edge
        ((0, 0, 0, 0), 424),
    ]
    for box, size in cases:
        expected = _report_square(box, size)
        found = _box_tuple(report_square(box, size), "report_square", 3)
        if found == expected:
            continue
        x, y, w, h = box
        longer = max(w, h)
        if expected == (0, 0, size):
            if box == (0, 0, 0, 0):
                fail("An empty box (0 x 0) gives nothing to crop: keep the whole image.")
            fail(
                f"For the box {box} in an image of {size} pixels the square leaves the frame "
                "(touching the far edge counts): keep the whole image."
            )
        if found[2] == longer + int(0.1 * longer):
            fail("Pad on both sides: the square's side is the longer side plus two paddings.")
        if found[2] in (min(w, h) + 2 * int(0.1 * min(w, h)), min(w, h)):
            fail("Take the padding and the square from the box's longer side.")
        if found[2] != expected[2]:
            fail(
                f"For the box {box} your square's side is wrong: the padding is 10 % of the "
                "longer side, rounded down to whole pixels."
            )
        fail(f"For the box {box} your square starts at the wrong corner.")
    correct()


@exercise("3.3")
def check_offset(offset: Callable[..., float]) -> None:
    """Exercise 3.3: ``offset(box, x, y)``, the distance from a box's centre to a point."""
    cases = [((100, 120, 200), 190, 230), ((10.5, 20, 80), 30, 90), ((-40, 300, 150), 10, 400)]
    for box, x, y in cases:
        bx, by, side = box
        expected = float(np.hypot(bx + side / 2 - x, by + side / 2 - y))
        found = number(offset(box, x, y), "offset(box, x, y)")
        if np.isclose(found, np.hypot(bx - x, by - y)):
            fail("You measured from the box's top-left corner; measure from its centre.")
        if np.isclose(found, abs(bx + side / 2 - x) + abs(by + side / 2 - y)):
            fail("Measure the straight-line distance, not the sum of the two differences.")
        if not np.isclose(found, expected):
            fail(f"For the box {box} and the point ({x}, {y}) your offset is wrong.")
    correct()


def _centred(image: np.ndarray, cx: int, cy: int, side: int) -> np.ndarray:
    out = np.zeros((side, side, *image.shape[2:]), image.dtype)
    top, left = cy - side // 2, cx - side // 2
    h, w = image.shape[:2]
    r0, c0 = max(top, 0), max(left, 0)
    r1, c1 = min(top + side, h), min(left + side, w)
    if r1 > r0 and c1 > c0:
        out[r0 - top : r1 - top, c0 - left : c1 - left] = image[r0:r1, c0:c1]
    return out


@exercise("3.4", forbid=("galaxylib.preprocess:crop",))
def check_centred_crop(centred_crop: Callable[..., np.ndarray]) -> None:
    """Exercise 3.4: ``centred_crop(image, cx, cy, side)`` with black where the frame ends.

    Hidden cases: a non-square grey image and a colour one, with squares inside the
    frame, over each edge and corner, and larger than the image.
    """
    rng = np.random.default_rng(34)
    grey = rng.integers(1, 256, (60, 80), dtype=np.uint8)  # no black pixel of its own
    colour = rng.integers(1, 256, (50, 50, 3), dtype=np.uint8)
    cases = [
        (grey, 40, 30, 20),
        (grey, 5, 30, 24),
        (grey, 75, 55, 30),
        (grey, 40, 2, 16),
        (grey, 40, 30, 100),
        (colour, 10, 45, 21),
    ]
    for image, cx, cy, side in cases:
        expected = _centred(image, cx, cy, side)
        found = np.asarray(centred_crop(image.copy(), cx, cy, side))
        if found.shape != expected.shape:
            if found.shape[:2] != (side, side):
                fail(
                    f"For a side of {side} the crop must be {side} x {side} pixels, even where "
                    f"it leaves the frame; you return {found.shape}."
                )
            fail(f"Keep the image's channels: expected shape {expected.shape}, got {found.shape}.")
        if found.dtype != image.dtype:
            fail(
                f"The crop should keep the image's type, {image.dtype}; you return {found.dtype} "
                "(np.zeros makes float64 unless you give it a dtype)."
            )
        if np.array_equal(found, expected):
            continue
        if np.array_equal(found, _centred(image, cy, cx, side)):
            fail("x is the column and y the row of the image: you swapped them.")
        outside = expected == 0
        if not np.array_equal(found[~outside], expected[~outside]):
            fail(
                f"Centred on ({cx}, {cy}) with side {side}, your crop shows the wrong part of "
                "the image: its top-left pixel is (cx - side // 2, cy - side // 2)."
            )
        fail("Where the square leaves the image, fill it with black (0).")
    correct()


def _failed_crop(box: object, image_side: int, x: float, y: float, r90: float) -> bool:
    """Whether the report's square ``box`` failed: the whole image, or cutting the galaxy.

    It cuts the galaxy when the circle of radius ``r90`` (its 90 %-light radius) around
    its true centre ``(x, y)`` does not lie inside the square.
    """
    x0, y0, side = box.x, box.y, box.side  # type: ignore[attr-defined]
    inside = x0 <= x - r90 and y0 <= y - r90 and x0 + side >= x + r90 and y0 + side >= y + r90
    return side == image_side or not inside


@exercise("3.5")
def check_threshold_choice(
    failed: object, threshold: object, images: dict, truth: pd.DataFrame, thresholds: tuple
) -> None:
    """Exercise 3.5: the share of failed crops per threshold, and the threshold to use.

    ``failed`` maps each threshold to the share of ``images`` (GalaxyID to image) whose
    report square fails (``_failed_crop``); ``threshold`` is the one with the
    smallest share. The shares are recomputed here, from the same images.
    """
    from galaxylib.preprocess import report_box

    failed = one_each(failed, "failed", "share", "threshold", thresholds)
    right = {}
    for t in thresholds:
        flags = [
            _failed_crop(
                report_box(image, threshold=t),
                image.shape[0],
                *truth.loc[galaxy, ["x", "y", "r90_px"]],
            )
            for galaxy, image in images.items()
        ]
        right[t] = float(np.mean(flags))
        share = number(failed[t], f"The share at threshold {t}")
        if share > 1:
            fail(f"The share at threshold {t} is above 1: give a share, not a percentage.")
        if abs(share - right[t]) > 0.01:
            fail(
                f"The share of failed crops at threshold {t} is not {share:.3f}: count a crop "
                "as failed when it is the whole image or its square cuts the 90 %-light circle."
            )
    best = min(right, key=right.get)  # type: ignore[arg-type]
    if threshold != best:
        fail(f"Threshold {threshold!r} is not the one whose crops fail least, by your shares.")
    correct()
