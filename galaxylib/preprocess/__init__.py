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

One module per step, each importable here:

- :mod:`~galaxylib.preprocess.boxes` -- finding the box in an image, and cutting it out;
- :mod:`~galaxylib.preprocess.image_file` -- :class:`Settings` and :func:`crop_file`, the
  one crop of an image file that the cache and prediction share;
- :mod:`~galaxylib.preprocess.cache` -- :func:`preprocess_catalog` and the cache it writes;
- :mod:`~galaxylib.preprocess.quality` -- :func:`crop_quality`, the crops against a
  synthetic sky's truth.
"""

from galaxylib.preprocess.boxes import (
    CROPS,
    REPORT_SIZE,
    Box,
    crop,
    improved_box,
    improved_crop,
    report_box,
    report_crop,
)
from galaxylib.preprocess.cache import (
    CACHE_ENV,
    Cache,
    cache_root,
    open_cache,
    preprocess_catalog,
)
from galaxylib.preprocess.image_file import MIN_SIZE, Settings, crop_box, crop_file
from galaxylib.preprocess.quality import crop_quality

__all__ = [
    "CACHE_ENV",
    "CROPS",
    "REPORT_SIZE",
    "MIN_SIZE",
    "Box",
    "Settings",
    "crop_quality",
    "Cache",
    "cache_root",
    "crop",
    "crop_box",
    "crop_file",
    "improved_box",
    "improved_crop",
    "open_cache",
    "preprocess_catalog",
    "report_box",
    "report_crop",
]
