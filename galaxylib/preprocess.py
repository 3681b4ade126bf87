"""Region-of-interest crops: the report's, a better one, and a fast resumable batch run.

A Galaxy Zoo image is 424x424 pixels, but the galaxy usually fills only its middle:
the rest is dark sky, foreground stars and neighbours. Cropping to the galaxy and
shrinking the crop gives the network the same information in far fewer pixels.

Two crops are offered. Both find a square :class:`Box` in the image, and :func:`crop`
cuts any box out and resizes it:

- :func:`report_box` is the report's algorithm as written: threshold the grey image at
  10, take the contour with the largest bounding box, pad it by 10 % and cut a square
  from its top-left corner -- or keep the whole image when that square leaves the frame.
  It sometimes keeps a bright star instead of the galaxy, cuts off the far side of an
  elongated galaxy (the square starts at the box's corner, not its centre), and gives up
  on galaxies near the edge.
- :func:`improved_box` keeps the object nearest the centre (where Galaxy Zoo puts the
  galaxy), thresholds relative to the sky's own level and noise rather than at a fixed
  10, centres the square on the galaxy, and pads with black where the square leaves the
  frame instead of giving up.

:func:`preprocess_catalog` runs a crop over a whole catalog on every core and writes one
compact, memory-mappable cache per setting.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

import cv2
import numpy as np
import pandas as pd

from galaxylib._files import atomic_path, disk_errors, require_space, write_text
from galaxylib._progress import progress_bar
from galaxylib._workers import resolve_workers, worker_pool
from galaxylib.data import IMAGE_SIZE, Catalog, decode_image, load_catalog
from galaxylib.errors import DataError

__all__ = [
    "CACHE_ENV",
    "CROPS",
    "MIN_SIZE",
    "Box",
    "Settings",
    "bench_preprocess",
    "crop_quality",
    "Cache",
    "cache_root",
    "crop",
    "crop_file",
    "improved_box",
    "improved_crop",
    "open_cache",
    "preprocess_catalog",
    "report_box",
    "report_crop",
]

PADDING = 0.1
"""The report's padding: 10 % of the longer side of the region of interest."""


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


def _gray(image: np.ndarray) -> np.ndarray:
    return image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)


def report_box(image: np.ndarray, *, threshold: int = 10) -> Box:
    """The report's region of interest, exactly as its notebook computed it.

    Parameters
    ----------
    image : ndarray
        An RGB image (as :func:`galaxylib.data.read_image` returns) or a grey one.
    threshold : int, default 10
        Grey level above which a pixel belongs to an object.

    Returns
    -------
    Box
        The padded square at the top-left corner of the largest contour's bounding box,
        or the whole image when that square would leave the frame or nothing is found.

    Notes
    -----
    The report read images with ``cv2.imread`` (blue, green, red order) and converted
    them with ``COLOR_RGB2GRAY``, so its grey level weighs blue as if it were red. This
    function does the same, to reproduce its crops; :func:`improved_box` does not.
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
        return _whole(gray)
    return Box(x - pad, y - pad, longer + 2 * pad)


def improved_box(
    image: np.ndarray, *, nsigma: float = 3.0, min_level: float = 6.0, padding: float = 0.15
) -> Box:
    """A square around the whole galaxy nearest the centre, centred on it.

    The sky's level and noise are estimated from the image's border (median and median
    absolute deviation); pixels more than ``nsigma`` noise levels (and at least ``min_level`` grey
    levels) above the sky, after a light blur, form objects. The object that covers the
    centre -- or else the nearest one to it -- is the galaxy; stars and neighbours
    elsewhere are ignored. The square is centred on the galaxy's peak of light (where
    Galaxy Zoo centred it, even when the galaxy runs off the frame) and reaches its
    farthest pixel, plus ``padding``.

    Parameters
    ----------
    image : ndarray
        RGB or grey image of any size.
    nsigma : float, default 3
        Detection threshold above the sky, in units of the sky noise.
    min_level : float, default 6
        Smallest threshold above the sky, in grey levels (JPEG noise is not Gaussian).
    padding : float, default 0.15
        Margin added on each side, as a fraction of the galaxy's radius.

    Returns
    -------
    Box
        May extend past the image's edges; :func:`crop` pads those parts with black.
    """
    gray = cv2.GaussianBlur(_gray(image), (0, 0), 1.0).astype(np.float32)
    sky, noise = _sky(gray)
    mask = (gray > sky + max(nsigma * noise, min_level)).astype(np.uint8)
    n, labels, stats, centroids = cv2.connectedComponentsWithStats(mask, connectivity=8)
    height, width = gray.shape
    cx, cy = width / 2, height / 2
    if n <= 1:  # nothing above the sky: keep the whole frame
        return _whole(gray)
    label = labels[int(cy), int(cx)]
    if label == 0:
        distance = np.hypot(centroids[1:, 0] - cx, centroids[1:, 1] - cy)
        label = 1 + int(np.argmin(distance))
    ys, xs = np.nonzero(labels == label)
    gx, gy = _peak(gray - sky, xs, ys)
    radius = max(np.max(np.abs(xs - gx)), np.max(np.abs(ys - gy))) + 1.0
    half = min(max(radius * (1 + padding), 8.0), max(height, width) / 2)  # at most the frame
    return Box(float(gx + 0.5 - half), float(gy + 0.5 - half), float(2 * half))


def _peak(light: np.ndarray, xs: np.ndarray, ys: np.ndarray) -> tuple[float, float]:
    """Where the object's light peaks: the brightest pixel, refined to a fraction of a
    pixel by the light-weighted centre of its 5x5 neighbourhood."""
    brightest = np.argmax(light[ys, xs])
    px, py = xs[brightest], ys[brightest]
    near = (np.abs(xs - px) <= 2) & (np.abs(ys - py) <= 2)
    weight = np.maximum(light[ys[near], xs[near]], 1e-6)
    return float(np.average(xs[near], weights=weight)), float(np.average(ys[near], weights=weight))


def _sky(gray: np.ndarray) -> tuple[float, float]:
    """Sky level and noise from the image's border, where Galaxy Zoo has no galaxy.

    Median and scaled median absolute deviation of a frame one sixteenth of the image
    wide, so that a large galaxy filling the middle does not raise the estimate.
    """
    band = max(gray.shape[0] // 16, 2)
    border = np.concatenate(
        [gray[:band].ravel(), gray[-band:].ravel(), gray[:, :band].ravel(), gray[:, -band:].ravel()]
    )
    sky = float(np.median(border))
    return sky, 1.4826 * float(np.median(np.abs(border - sky)))


def crop(image: np.ndarray, box: Box, *, size: int = 150, color: bool = False) -> np.ndarray:
    """Cut ``box`` out of ``image`` and resize it to ``size`` x ``size``.

    Parts of the box outside the image are black. Shrinking uses area averaging
    (``INTER_AREA``), as the report did.

    Returns
    -------
    ndarray
        ``uint8``, shape ``(size, size)`` in grey or ``(size, size, 3)`` in colour.
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


def report_crop(image: np.ndarray, *, size: int = 150, color: bool = False) -> np.ndarray:
    """The report's crop of one image (see :func:`report_box`)."""
    return crop(image, report_box(image), size=size, color=color)


def improved_crop(image: np.ndarray, *, size: int = 150, color: bool = False) -> np.ndarray:
    """The improved crop of one image (see :func:`improved_box`)."""
    return crop(image, improved_box(image), size=size, color=color)


CROPS = {"report": report_box, "improved": improved_box}
"""Crop name to the function that finds its box."""


# --------------------------------------------------------------------------- one image file

MIN_SIZE = 8
"""Smallest crop side, in pixels."""

LOCATE_SIDE = -(-IMAGE_SIZE // 8)
"""Side in pixels of the small copy of an image on which the improved crop finds its box
(a Galaxy Zoo image decoded at one eighth of its size)."""


@dataclass(frozen=True)
class Settings:
    """How an image is cropped: which crop, at which size, in colour or grey.

    The one description of a crop, used by the cache (:func:`preprocess_catalog`), by
    training and by a saved model (its ``MODEL.json``), so that :func:`crop_file` gives a
    model at prediction exactly the crops it was trained on.

    Raises
    ------
    DataError
        For an unknown crop or a size below :data:`MIN_SIZE`.
    """

    crop: str = "improved"
    size: int = 150
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

    def as_dict(self) -> dict:
        """``{"crop": ..., "size": ..., "color": ...}``, as ``MODEL.json`` stores it."""
        return asdict(self)

    @classmethod
    def from_dict(cls, content: object, source: str | Path) -> Settings:
        """Read settings stored in ``source`` (a ``MODEL.json`` or a cache's ``meta.json``).

        Raises
        ------
        DataError
            If ``content`` is not the three settings, naming ``source``.
        """
        keys = {"crop", "size", "color"}
        if not isinstance(content, dict) or not keys <= set(content):
            raise DataError(
                f"{source} does not say how the images were cropped (it needs crop, size and "
                "color); make it again (`galaxylib train ... --force`)."
            )
        try:
            return cls(content["crop"], content["size"], content["color"])
        except DataError as err:
            raise DataError(f"{source}: {err}") from None

    def describe(self) -> str:
        """``improved crops of 64x64 pixels in grey``."""
        colour = "colour" if self.color else "grey"
        return f"{self.crop} crops of {self.size}x{self.size} pixels in {colour}"


def _read(path: Path) -> bytes:
    """An image file's bytes, or a sentence saying why they cannot be read."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise DataError(f"{path} does not exist; check the file name.") from None
    except IsADirectoryError:
        raise DataError(
            f"{path} is a folder, not an image file; name the images in it ({path}/*.jpg)."
        ) from None
    except PermissionError:
        raise DataError(f"{path} cannot be read (permission denied); check its rights.") from None


def _small_copy(raw: bytes, path: Path) -> tuple[np.ndarray, float]:
    """The grey copy of an image whose longer side is :data:`LOCATE_SIDE` pixels.

    Returns the copy and how many pixels of the original one of its pixels spans. A
    424x424 Galaxy Zoo JPEG is decoded at one eighth of its size (cheap: libjpeg skips
    most of the work) and used as it is; images of other sizes are decoded at the
    largest reduction that keeps enough pixels, then resized, so that the box is found
    relative to the frame whatever its size.
    """
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


def _locate(raw: bytes, path: Path, settings: Settings) -> tuple[np.ndarray, Box, int, str]:
    """Decode one image and find its box, for :func:`crop_file`.

    The improved crop finds its box on :func:`_small_copy`, then decodes again at the
    smallest scale that still gives at least ``size`` pixels across the box. The
    report's crop decodes in full.

    Returns
    -------
    image : ndarray
        Decoded at ``1 / factor`` of its size, in OpenCV's blue-green-red order or grey.
    box : Box
        In the pixels of ``image``.
    factor : int
        The decode's reduction (1, 2, 4 or 8).
    note : str
        Why a fallback was used; empty when none was.
    """
    if settings.crop == "improved":
        small, spans = _small_copy(raw, path)
        box = improved_box(small, min_level=4.0)
        note = "nothing above the sky: whole frame kept" if box == _whole(small) else ""
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

    This is the one crop path of the course: :func:`preprocess_catalog` calls it for
    every galaxy of a catalog and :func:`galaxylib.evaluation.predict_files` for any
    image a learner brings, so a network sees at prediction the crop it trained on.
    Images of any size and shape are accepted: the box is found relative to the frame.

    Parameters
    ----------
    path : path
        A JPEG, PNG or any image OpenCV reads, in colour or grey.
    settings : Settings
        Which crop, at which size, in colour or grey.

    Returns
    -------
    crop : ndarray
        ``uint8``, of shape ``settings.shape``.
    note : str
        Why a fallback was used (nothing above the sky, not a 424x424 image); empty
        when none was.

    Raises
    ------
    DataError
        If the file is missing, a folder, truncated or not an image.
    """
    path = Path(path)
    image, box, _, note = _locate(_read(path), path, settings)
    if settings.color:
        image = cv2.cvtColor(image, cv2.COLOR_BGR2RGB)
    return crop(image, box, size=settings.size, color=settings.color), note


# --------------------------------------------------------------------------- batch run


# Status of each row of a cache.
PENDING, OK, FALLBACK = 0, 1, 2

CACHE_ENV = "GALAXYLIB_CACHE"
"""Environment variable naming a folder for the caches, for data in a read-only folder."""

_ELSEWHERE = f"pass --cache DIR (or set {CACHE_ENV}) to keep the cache in another folder"


def _process_one(path: Path, settings: Settings) -> tuple[np.ndarray, int, str]:
    """Crop one image for the cache; never raises for a bad image.

    Returns the crop, its status and a note on any fallback.
    """
    try:
        out, note = crop_file(path, settings)
    except (OSError, DataError) as err:
        reason = str(err).split(";")[0].replace(f"{path} ", "")
        return np.zeros(settings.shape, np.uint8), FALLBACK, f"{reason}: left black"
    return out, (FALLBACK if note else OK), note


def _whole(image: np.ndarray) -> Box:
    return Box(0, 0, max(image.shape[:2]))


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


def _work(task: tuple[list[int], list[str], Settings]) -> tuple[list[int], np.ndarray, list]:
    rows, paths, settings = task
    results = [_process_one(Path(p), settings) for p in paths]
    images = np.stack([r[0] for r in results])
    return rows, images, [(r[1], r[2]) for r in results]


@dataclass
class Cache:
    """A finished cache of preprocessed images, memory-mapped.

    Attributes
    ----------
    path : Path
        Its folder, ``<data dir>/cache/<crop>-<size>-<gray|rgb>`` (or under ``--cache``).
    images : ndarray
        ``uint8`` array of shape ``(n, size, size)`` or ``(n, size, size, 3)``, read-only
        and memory-mapped: rows are read from disk only when used.
    ids : ndarray
        The GalaxyID of each row, in the catalog's order.
    problems : DataFrame
        ``GalaxyID`` and ``problem`` of every image that got a fallback.
    settings : Settings
        How its images were cropped.
    """

    path: Path
    images: np.ndarray
    ids: np.ndarray
    problems: pd.DataFrame
    settings: Settings

    def __len__(self) -> int:
        return len(self.ids)

    def rows_of(self, galaxy_ids: np.ndarray) -> np.ndarray:
        """Row numbers of the given galaxies in the cache."""
        lookup = pd.Series(np.arange(len(self.ids)), index=self.ids)
        missing = ~np.isin(galaxy_ids, self.ids)
        if missing.any():
            raise DataError(
                f"The cache {self.path} lacks galaxy {np.asarray(galaxy_ids)[missing][0]}; "
                "run `galaxylib preprocess` again."
            )
        return lookup.loc[np.asarray(galaxy_ids)].to_numpy()


def cache_root(root: str | Path, cache: str | Path | None = None) -> Path:
    """The folder that holds a data directory's caches.

    ``<root>/cache`` by default. With ``cache`` (or ``GALAXYLIB_CACHE`` set), a folder
    of that one named after the data directory, so that data in a folder one cannot
    write to (an instructor's shared copy) can still be preprocessed.
    """
    cache = cache or os.environ.get(CACHE_ENV) or None
    if cache is None:
        return Path(root) / "cache"
    resolved = Path(root).resolve()
    digest = hashlib.sha256(str(resolved).encode()).hexdigest()[:8]
    return Path(cache) / f"{resolved.name}-{digest}"


def _fingerprint(catalog: Catalog) -> str:
    """What the crops depend on: the catalog's rows and each image's size and time."""
    digest = hashlib.sha256(catalog.labels.to_csv(index=False).encode())
    for gid in catalog.ids:
        try:
            stat = catalog.image_path(gid).stat()
            digest.update(f"{stat.st_size}:{stat.st_mtime_ns};".encode())
        except OSError:
            digest.update(b"missing;")
    return digest.hexdigest()[:16]


def _read_meta(folder: Path) -> dict:
    """A cache's ``meta.json``, or ``{}`` when it is missing or unreadable."""
    try:
        meta = json.loads((folder / "meta.json").read_text())
    except (OSError, ValueError):
        return {}
    return meta if isinstance(meta, dict) else {}


def _write_json(path: Path, content: dict) -> None:
    write_text(path, json.dumps(content, indent=2))


def _chunks(rows: np.ndarray, paths: list[str], settings: Settings, n: int) -> Iterator[tuple]:
    for start in range(0, len(rows), n):
        part = rows[start : start + n]
        yield part.tolist(), [paths[i] for i in part], settings


def preprocess_catalog(
    root: str | Path,
    *,
    crop: str = "improved",
    size: int = 150,
    color: bool = False,
    workers: int | None = None,
    chunk: int = 64,
    progress: bool = True,
    limit: int | None = None,
    force: bool = False,
    cache: str | Path | None = None,
    skip_bad: bool = False,
) -> Cache:
    """Crop and resize every image of a catalog into one cache; resume if interrupted.

    The cache is a folder ``<root>/cache/<crop>-<size>-<gray|rgb>/`` (see
    :func:`cache_root` for ``cache``) holding ``images.npy`` (all crops in one ``uint8``
    array, memory-mappable), ``ids.npy`` (the GalaxyID of each row, in catalog order),
    ``status.npy`` (per row: 0 pending, 1 done, 2 done with a fallback),
    ``problems.csv`` and ``meta.json``. Rows are written in chunks, images before their
    status, so an interrupted run continues where it stopped; ``meta.json`` says
    ``complete`` only when every row is done, and a finished cache is returned at once.
    A cache is rebuilt when the catalog, or any image's size or modification time, has
    changed since it was made. The space it needs is checked before it starts.

    Bad images never stop the run: a missing, truncated or unreadable file becomes a
    black image, an image with nothing above the sky keeps its whole frame, an image of
    another size is cropped as found; each is listed in ``Cache.problems``. Bad rows of
    the catalog stop it before it starts, unless ``skip_bad``.

    Parameters
    ----------
    root : path
        Data directory (see :func:`galaxylib.data.load_catalog`).
    crop : {'improved', 'report'}
    size : int, default 150
    color : bool, default False
    workers : int, optional
        Processes; default every core.
    chunk : int, default 64
        Images per task and per write.
    progress : bool, default True
    limit : int, optional
        Stop after this many new rows (leaving the cache incomplete); for tests and demos
        of resumption.
    force : bool, default False
        Rebuild the cache even if it is up to date.
    cache : path, optional
        Keep the cache under this folder instead of ``<root>/cache`` (default:
        ``$GALAXYLIB_CACHE`` if set).
    skip_bad : bool, default False
        Leave bad catalog rows out instead of refusing the catalog.

    Returns
    -------
    Cache
        The finished (or, with ``limit``, partial) cache, memory-mapped.

    Raises
    ------
    DataError
        For a bad catalog row (unless ``skip_bad``) or bad settings.
    GalaxyLibError
        If the disk has too little room or the folder cannot be written.
    """
    settings = Settings(crop, size, color)
    workers = resolve_workers(workers)
    catalog = load_catalog(root, skip_bad=skip_bad)
    folder = cache_root(root, cache) / settings.name
    with disk_errors(folder, _ELSEWHERE):
        fingerprint = _fingerprint(catalog)
        meta = _read_meta(folder)
        if (
            force
            or meta.get("fingerprint") != fingerprint
            or meta.get("settings") != asdict(settings)
        ):
            _start_cache(folder, catalog, settings, fingerprint)
            meta = _read_meta(folder)
        if not meta["complete"]:
            _fill_cache(folder, catalog, settings, workers, chunk, progress, limit)
    return open_cache(root, settings=settings, cache=cache, require_complete=limit is None)


def _allocate(path: Path) -> None:
    """Reserve the disk blocks of a file, so that a full disk says so now (ENOSPC), not
    later as a ``Bus error`` when a memory-mapped write finds no block."""
    if hasattr(os, "posix_fallocate"):
        with path.open("rb+") as f:
            os.posix_fallocate(f.fileno(), 0, os.fstat(f.fileno()).st_size)


def _start_cache(folder: Path, catalog: Catalog, settings: Settings, fingerprint: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "meta.json").unlink(missing_ok=True)  # first: a stale cache is never "complete"
    (folder / "images.npy").unlink(missing_ok=True)
    n = len(catalog)
    needed = n * int(np.prod(settings.shape)) + 64 * 1024
    require_space(folder, needed, f"The {settings.name} cache", _ELSEWHERE)
    with atomic_path(folder / "images.npy") as tmp:
        images = np.lib.format.open_memmap(
            tmp, mode="w+", dtype=np.uint8, shape=(n, *settings.shape)
        )
        del images
        _allocate(tmp)
    with atomic_path(folder / "ids.npy") as tmp:
        np.save(tmp, catalog.ids.astype(np.int64))
    _save_status(folder, np.zeros(n, np.uint8), [])
    _write_json(
        folder / "meta.json",
        {"settings": asdict(settings), "fingerprint": fingerprint, "n": n, "complete": False},
    )


def _fill_cache(
    folder: Path,
    catalog: Catalog,
    settings: Settings,
    workers: int,
    chunk: int,
    progress: bool,
    limit: int | None,
) -> None:
    _allocate(folder / "images.npy")  # a cache begun by an older version may be sparse
    images = np.load(folder / "images.npy", mmap_mode="r+")
    status = np.load(folder / "status.npy")
    problems = pd.read_csv(folder / "problems.csv").to_dict("records")
    todo = np.flatnonzero(status == PENDING)
    if limit is not None:
        todo = todo[:limit]
    paths = [str(catalog.image_path(gid)) for gid in catalog.ids]
    bar = progress_bar(
        total=len(status),
        initial=len(status) - len(np.flatnonzero(status == PENDING)),
        desc=f"preprocess {settings.name}",
        unit="img",
        enabled=progress,
    )
    tasks = _chunks(todo, paths, settings, chunk)
    with worker_pool(workers) as pool:
        for rows, crops, outcomes in pool.imap_unordered(_work, tasks):
            images[rows] = crops
            images.flush()
            for row, (state, note) in zip(rows, outcomes, strict=True):
                status[row] = state
                if note:
                    problems.append({"GalaxyID": int(catalog.ids[row]), "problem": note})
            _save_status(folder, status, problems)
            bar.update(len(rows))
    bar.close()
    if (status != PENDING).all():
        meta = json.loads((folder / "meta.json").read_text())
        _write_json(folder / "meta.json", {**meta, "complete": True})


def _save_status(folder: Path, status: np.ndarray, problems: list[dict]) -> None:
    """Write the status and problems atomically, after their images are on disk."""
    with atomic_path(folder / "problems.csv") as tmp:
        pd.DataFrame(problems, columns=["GalaxyID", "problem"]).to_csv(tmp, index=False)
    with atomic_path(folder / "status.npy") as tmp:
        np.save(tmp, status)


def open_cache(
    root: str | Path,
    *,
    crop: str = "improved",
    size: int = 150,
    color: bool = False,
    settings: Settings | None = None,
    cache: str | Path | None = None,
    require_complete: bool = True,
) -> Cache:
    """Open the cache that :func:`preprocess_catalog` wrote, memory-mapped read-only.

    ``settings``, when given, replaces ``crop``, ``size`` and ``color``; ``cache`` is
    :func:`preprocess_catalog`'s.

    Raises
    ------
    DataError
        If there is no such cache, or it is unfinished (``require_complete``), with the
        command that makes it.
    """
    settings = settings or Settings(crop, size, color)
    folder = cache_root(root, cache) / settings.name
    command = (
        f"galaxylib preprocess {root} --crop {settings.crop} --size {settings.size}"
        f"{' --color' if settings.color else ''}{f' --cache {cache}' if cache else ''}"
    )
    meta = _read_meta(folder)
    if not meta:
        raise DataError(f"There is no {settings.name} cache in {folder.parent}; run `{command}`.")
    if require_complete and not meta.get("complete"):
        raise DataError(f"The cache {folder} is unfinished; run `{command}` to complete it.")
    return Cache(
        path=folder,
        images=np.load(folder / "images.npy", mmap_mode="r"),
        ids=np.load(folder / "ids.npy"),
        problems=pd.read_csv(folder / "problems.csv"),
        settings=Settings.from_dict(meta.get("settings"), folder / "meta.json"),
    )


# --------------------------------------------------------------------------- crop quality


def crop_quality(
    root: str | Path, *, crops: tuple[str, ...] = ("report", "improved"), size: int = 150
) -> pd.DataFrame:
    """Measure crops against a synthetic sky's truth: is each galaxy kept whole, and centred?

    Each crop's box is found exactly as :func:`preprocess_catalog` finds it, and
    compared with the true centre and 90 %-light radius in the sky's ``truth.csv``.

    Parameters
    ----------
    root : path
        A data directory made by :func:`galaxylib.synthetic.make_sky`.
    crops : tuple of str
        Which crops to measure.
    size : int, default 150
        Output size; it decides how far the improved crop may reduce its decode.

    Returns
    -------
    DataFrame
        One row per galaxy and crop: ``GalaxyID``, ``crop``, ``whole`` (the disc of the
        90 %-light radius, as far as it lies in the frame, is inside the box),
        ``offset_px`` (distance from the box's centre to the galaxy's, in pixels of the
        424-pixel image), ``offset`` (the same as a fraction of the box's side),
        ``side`` (the box's side in pixels; 424 when the whole frame is kept) and
        ``fill`` (90 %-light diameter over the box's side).
    """
    truth_path = Path(root) / "truth.csv"
    if not truth_path.exists():
        raise DataError(
            f"{truth_path} does not exist: crop quality needs a synthetic sky's truth; "
            "make one with `galaxylib synth`."
        )
    truth = pd.read_csv(truth_path, usecols=["GalaxyID", "x", "y", "r90_px"])
    catalog = load_catalog(root, skip_bad=True)
    truth = truth[truth["GalaxyID"].isin(catalog.ids)]
    rows = []
    for name in crops:
        settings = Settings(name, size, False)
        for gid, x, y, radius in truth.itertuples(index=False):
            path = catalog.image_path(gid)
            _, box, factor, _ = _locate(path.read_bytes(), path, settings)
            rows.append(
                {"GalaxyID": gid, "crop": name, **_compare(box.scaled(factor), x, y, radius)}
            )
    return pd.DataFrame(rows)


def _compare(box: Box, x: float, y: float, radius: float) -> dict[str, float | bool]:
    cx, cy = box.center
    left, top = max(x - radius, 0), max(y - radius, 0)
    right, bottom = min(x + radius, IMAGE_SIZE), min(y + radius, IMAGE_SIZE)
    whole = box.x <= left and box.y <= top and box.x + box.side >= right
    whole = whole and box.y + box.side >= bottom
    offset = float(np.hypot(cx - x, cy - y))
    return {
        "whole": bool(whole),
        "offset_px": offset,
        "offset": offset / box.side,
        "side": box.side,
        "fill": 2 * radius / box.side,
    }


# --------------------------------------------------------------------------- benchmark


def _report_loop(paths: list[Path], out: Path, size: int) -> None:
    """The report's preprocessing loop: one image after another, written as PNGs."""
    for path in paths:
        image = cv2.imread(str(path))  # blue, green, red -- the report then called it RGB
        gray = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)
        square = crop(gray, report_box(gray), size=size)
        cv2.imwrite(str(out / path.with_suffix(".png").name), square)


def bench_preprocess(
    root: str | Path, *, n: int = 500, size: int = 150, workers: int | None = None
) -> dict[str, float]:
    """Time the report's loop and :func:`preprocess_catalog` on the same images.

    Both run on the first ``n`` galaxies of the catalog, after one read of every file so
    that both find them in the operating system's cache. Ours is timed twice: with the
    improved crop (the default) and with the report's crop, to separate what the crop
    costs from what the batch run saves.

    Returns
    -------
    dict
        ``n``, ``workers``, ``report_img_per_s``, ``ours_img_per_s``,
        ``ours_report_crop_img_per_s`` and ``ratio`` (ours over the report's).
    """
    catalog = load_catalog(root)
    if not len(catalog) or n < 1:
        raise DataError(
            f"There are no galaxies to time in {catalog.csv_path} (n={n}); run the "
            "benchmark on a catalog with galaxies and --n of 1 or more."
        )
    ids = catalog.ids[:n]
    paths = [catalog.image_path(gid) for gid in ids]
    workers = resolve_workers(workers)
    for path in paths:
        path.read_bytes()
    with tempfile.TemporaryDirectory() as tmp:
        subset = Path(tmp) / "data"
        _link_subset(catalog, ids, subset)
        pngs = Path(tmp) / "png"
        pngs.mkdir()
        seconds = {}
        start = time.perf_counter()
        _report_loop(paths, pngs, size)
        seconds["report"] = time.perf_counter() - start
        for name in ("improved", "report"):
            start = time.perf_counter()
            preprocess_catalog(subset, crop=name, size=size, workers=workers, progress=False)
            seconds[name + "_batch"] = time.perf_counter() - start
    return {
        "n": len(ids),
        "workers": workers,
        "report_img_per_s": len(ids) / seconds["report"],
        "ours_img_per_s": len(ids) / seconds["improved_batch"],
        "ours_report_crop_img_per_s": len(ids) / seconds["report_batch"],
        "ratio": seconds["report"] / seconds["improved_batch"],
    }


def _link_subset(catalog: Catalog, ids: np.ndarray, dest: Path) -> None:
    """A data directory holding ``ids`` only, its images linked to the originals."""
    images = dest / catalog.images_dir.name
    images.mkdir(parents=True)
    for gid in ids:
        (images / f"{gid}.jpg").symlink_to(catalog.image_path(gid).resolve())
    catalog.subset(ids).labels.to_csv(dest / catalog.csv_path.name, index=False)
