"""One image file, cropped as the cache and prediction crop it: :func:`crop_file`."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from pathlib import Path

import cv2
import numpy as np

from galaxylib.data import IMAGE_SIZE
from galaxylib.errors import DataError
from galaxylib.preprocess.boxes import (
    CROPS,
    REPORT_SIZE,
    Box,
    crop,
    improved_box,
    report_box,
    whole,
)
from galaxylib.tools.catalog_checks import decode_image, read_bytes

__all__ = [
    "LOCATE_MIN_LEVEL",
    "LOCATE_SIDE",
    "MIN_SIZE",
    "Settings",
    "crop_box",
    "crop_file",
    "locate",
]

MIN_SIZE = 8
"""Smallest crop side, in pixels."""

LOCATE_SIDE = math.ceil(IMAGE_SIZE / 8)
"""Side of the small copy on which the improved crop finds its box (1/8 of 424 pixels)."""

LOCATE_MIN_LEVEL = 4.0
"""The improved crop's smallest threshold above the sky on that small copy, in grey levels."""


@dataclass(frozen=True)
class Settings:
    """How an image is cropped: which crop, at which size, in colour or grey.

    The cache, training and a saved model's ``MODEL.json`` all use it, so that a model
    gets at prediction exactly the crops it was trained on.

    Raises
    ------
    DataError
        For an unknown crop or a size below :data:`MIN_SIZE`.
    """

    crop: str = "improved"
    size: int = REPORT_SIZE
    color: bool = False

    def __post_init__(self) -> None:
        if self.crop not in CROPS:
            raise DataError(f"Unknown crop {self.crop!r}; choose one of {', '.join(CROPS)}.")
        size = self.size
        if isinstance(size, bool) or not isinstance(size, int | np.integer) or size < MIN_SIZE:
            raise DataError(
                f"--size is {size!r}; use a whole number of pixels, at least {MIN_SIZE}."
            )
        object.__setattr__(self, "size", int(size))
        object.__setattr__(self, "color", bool(self.color))

    @property
    def name(self) -> str:
        """``<crop>-<size>-<gray|rgb>``, the cache folder's name."""
        return f"{self.crop}-{self.size}-{'rgb' if self.color else 'gray'}"

    @property
    def shape(self) -> tuple[int, ...]:
        """Shape of one crop: ``(size, size)`` or ``(size, size, 3)``."""
        return (self.size, self.size, 3) if self.color else (self.size, self.size)

    @property
    def input_shape(self) -> tuple[int, int, int]:
        """Shape of one crop as a network takes it: ``(size, size, 1)`` or ``(size, size, 3)``."""
        return (self.size, self.size, 3 if self.color else 1)

    def as_dict(self) -> dict:
        """``{"crop": ..., "size": ..., "color": ...}``, as ``MODEL.json`` stores it."""
        return asdict(self)

    def describe(self) -> str:
        """``improved crops of 64x64 pixels in grey``."""
        colour = "colour" if self.color else "grey"
        return f"{self.crop} crops of {self.size}x{self.size} pixels in {colour}"


def _small_copy(raw: bytes, path: Path) -> tuple[np.ndarray, float]:
    """Grey copy with :data:`LOCATE_SIDE` pixels on its longer side; original pixels per pixel."""
    small = decode_image(raw, path, cv2.IMREAD_REDUCED_GRAYSCALE_8)
    reduction = 8
    if max(small.shape) < LOCATE_SIDE:
        longer = 8 * max(small.shape)
        reduction = next((r for r in (4, 2) if longer // r >= LOCATE_SIDE), 1)
        small = decode_image(raw, path, _flags(False, reduction))
    longer = max(small.shape)
    if longer == LOCATE_SIDE:
        return small, float(reduction)
    scale = LOCATE_SIDE / longer
    width = max(1, round(small.shape[1] * scale))
    height = max(1, round(small.shape[0] * scale))
    interpolation = cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR
    resized = cv2.resize(small, (width, height), interpolation=interpolation)
    return resized, reduction * small.shape[1] / width


def locate(raw: bytes, path: Path, settings: Settings) -> tuple[np.ndarray, Box, int, str]:
    """Decode one image and find its box, for :func:`crop_file`.

    The improved crop finds its box on a small copy, then decodes again at the smallest
    scale that still gives ``size`` pixels across the box; the report's crop decodes in
    full. Returns the image decoded at ``1 / factor`` of its size (OpenCV's BGR or grey),
    the box in its pixels, ``factor`` and a note on any fallback (empty if none).
    """
    if settings.crop == "improved":
        small, spans = _small_copy(raw, path)
        box = improved_box(small, min_level=LOCATE_MIN_LEVEL)
        note = "nothing above the sky: whole frame kept" if box == whole(small) else ""
        factor = _reduction(box.side * spans, settings.size)
        image = decode_image(raw, path, _flags(settings.color, factor))
        box = box.scaled(image.shape[1] / small.shape[1])
    else:
        factor = 1
        image = decode_image(raw, path, _flags(True, 1))
        box = report_box(cv2.cvtColor(image, cv2.COLOR_BGR2RGB))
        note = "no contour above grey level 10: whole frame kept" if image.max() <= 10 else ""
        if not settings.color:
            image = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    expected = -(-IMAGE_SIZE // factor)
    if image.shape[:2] != (expected, expected):
        found = f"{image.shape[1] * factor}x{image.shape[0] * factor}"
        size_note = f"about {found} pixels, not {IMAGE_SIZE}x{IMAGE_SIZE}: cropped as found"
        note = f"{size_note}; {note}" if note else size_note
    return image, box, factor, note


def crop_file(path: str | Path, settings: Settings) -> tuple[np.ndarray, str]:
    """Crop and resize one image file, exactly as the cache and prediction do.

    The one crop path of the course: :func:`preprocess_catalog` calls it for every galaxy
    and :func:`galaxylib.evaluation.predict_files` for any image a learner brings.
    Images of any size are accepted: the box is found relative to the frame. Returns the
    ``uint8`` crop, of shape ``settings.shape``, and why a fallback was used (nothing above
    the sky, not a 424x424 image), or an empty note.

    Raises
    ------
    DataError
        If the file is missing, a folder, truncated or not an image.
    """
    path = Path(path)
    image, box, _, note = locate(read_bytes(path), path, settings)
    if settings.color:
        image = cv2.cvtColor(image, cv2.COLOR_BGR2RGB)
    return crop(image, box, size=settings.size, color=settings.color), note


def crop_box(path: str | Path, settings: Settings) -> Box:
    """The box :func:`crop_file` cuts from an image file, in the file's own pixels.

    It may reach past the frame, where the crop is padded with black.
    """
    path = Path(path)
    _, box, factor, _ = locate(read_bytes(path), path, settings)
    return box.scaled(factor)


def _reduction(side: float, size: int) -> int:
    """Largest JPEG decode reduction (1, 2, 4 or 8) that keeps ``size`` pixels across."""
    for factor in (8, 4, 2):
        if side / factor >= size:
            return factor
    return 1


def _flags(color: bool, factor: int) -> int:
    """OpenCV decode flags for colour or grey at a reduction of 1, 2, 4 or 8."""
    if factor == 1:
        return cv2.IMREAD_COLOR if color else cv2.IMREAD_GRAYSCALE
    kind = "COLOR" if color else "GRAYSCALE"
    return getattr(cv2, f"IMREAD_REDUCED_{kind}_{factor}")
