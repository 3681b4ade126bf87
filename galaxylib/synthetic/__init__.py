"""A synthetic Galaxy Zoo: realistic galaxies, simulated volunteers and the known truth.

The real Galaxy Zoo images are out of reach of the machines that build this course, so the
book runs on a synthetic sky in the Kaggle format (see :mod:`galaxylib.data`), made in three
steps:

1. **Truth** (:func:`sample_catalog`): each galaxy's kind, size, brightness, inclination,
   bulge, bar, spiral arms and odd feature, drawn to mimic the Galaxy Zoo 2 sample.
2. **Volunteers** (:func:`vote_probabilities`): the chance of each answer, given the true
   morphology and how *visible* it is -- small galaxies are blurred by the atmosphere and
   faint ones drown in noise, so both look smooth. The infinite-volunteer answer is the
   **expected** fraction; about 40 simulated volunteers per galaxy give the **sampled**
   fractions of the catalog. The RMSE between the two is the **noise floor**: no model
   can do better on average.
3. **Images** (:func:`render_galaxy`): each galaxy drawn in three bands, blurred by the
   seeing, with sky noise, and saved as an SDSS-like colour JPEG.

``galaxylib synth`` (:func:`galaxylib.tools.sky.make_sky`) runs all three on every core
and writes the data set; the same seed gives the same bytes.
"""

from galaxylib.synthetic.render import render_galaxy
from galaxylib.synthetic.skyfile import (
    EXPECTED_PREFIX,
    SCHEMA_VERSION,
    SKY_FILE,
    TRUTH_FILE,
    noise_floor,
    sky_noise_floor,
)
from galaxylib.synthetic.truth import KINDS, ODD_FEATURES, typical_galaxies, visibility
from galaxylib.synthetic.volunteers import sample_catalog, vote_probabilities

__all__ = [
    "EXPECTED_PREFIX",
    "KINDS",
    "ODD_FEATURES",
    "SCHEMA_VERSION",
    "SKY_FILE",
    "TRUTH_FILE",
    "noise_floor",
    "render_galaxy",
    "sample_catalog",
    "sky_noise_floor",
    "typical_galaxies",
    "visibility",
    "vote_probabilities",
]
