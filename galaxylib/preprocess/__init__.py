"""Region-of-interest crops: the report's, a better one, and a fast resumable batch run.

A Galaxy Zoo image is 424x424 pixels, but the galaxy usually fills only its middle: the
rest is dark sky, foreground stars and neighbours. Cropping to the galaxy and shrinking
the crop gives the network the same information in far fewer pixels.

Both crops find a square :class:`Box`, and :func:`crop` cuts any box out and resizes it:

- :func:`report_box` is the report's algorithm as written. It sometimes keeps a bright
  star instead of the galaxy, cuts off the far side of an elongated galaxy (the square
  starts at the box's corner, not its centre), and gives up on galaxies near the edge.
- :func:`improved_box` keeps the object nearest the centre, thresholds relative to the
  sky's own level and noise, centres the square on the galaxy, and pads with black where
  the square leaves the frame.

:func:`preprocess_catalog` (:mod:`~galaxylib.preprocess.cache`) runs a crop over a whole
catalog on every core and writes one memory-mappable cache per setting;
:func:`crop_file` (:mod:`~galaxylib.preprocess.image_file`) is the one crop of an image
file that the cache and prediction share.
"""

from galaxylib.preprocess.boxes import (
    CROPS,
    REPORT_SIZE,
    Box,
    crop,
    improved_box,
    report_box,
)
from galaxylib.preprocess.cache import Cache, open_cache, preprocess_catalog
from galaxylib.preprocess.image_file import MIN_SIZE, Settings, crop_box, crop_file

__all__ = [
    "CROPS",
    "REPORT_SIZE",
    "MIN_SIZE",
    "Box",
    "Settings",
    "Cache",
    "crop",
    "crop_box",
    "crop_file",
    "improved_box",
    "open_cache",
    "preprocess_catalog",
    "report_box",
]
