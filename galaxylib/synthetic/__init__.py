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

One module per part; each imports only those above it in this list:

- :mod:`~galaxylib.synthetic.skyfile` -- the sky's files beside the Kaggle catalog:
  ``truth.csv``, ``sky.json``, the ``expected_`` prefix, the noise floor;
- :mod:`~galaxylib.synthetic.truth` -- the true parameters of each galaxy, and the
  clearest example of each morphology (:func:`typical_galaxies`);
- :mod:`~galaxylib.synthetic.volunteers` -- the votes, and the catalog they make;
- :mod:`~galaxylib.synthetic.render` -- the images;
- :mod:`~galaxylib.synthetic.dataset` -- :func:`make_sky`, :func:`default_sky` and
  :func:`bench_synth`, which write a sky to disk.

Code that only reads a sky -- :mod:`galaxylib.evaluation`, :mod:`galaxylib.course.checks` --
imports :mod:`galaxylib.synthetic.skyfile`, never the renderer. Importing a submodule runs
this file first, so this file stays as light: it imports the names of the skyfile, truth
and volunteers modules (NumPy and pandas, no OpenCV drawing), and those of the renderer and
of :mod:`~galaxylib.synthetic.dataset` only when first asked for, through a module-level
``__getattr__`` (PEP 562): ``from galaxylib.synthetic import make_sky`` works as ever.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from galaxylib.synthetic.skyfile import EXPECTED_PREFIX, noise_floor

# Left out of __all__ but imported from here by older code; `X as X` re-exports them.
from galaxylib.synthetic.skyfile import SCHEMA_VERSION as SCHEMA_VERSION
from galaxylib.synthetic.skyfile import SKY_FILE as SKY_FILE
from galaxylib.synthetic.skyfile import TRUTH_FILE as TRUTH_FILE
from galaxylib.synthetic.truth import KINDS, ODD_FEATURES, typical_galaxies, visibility
from galaxylib.synthetic.volunteers import sample_catalog, vote_probabilities

if TYPE_CHECKING:  # what the lazy names below are, for type checkers and editors
    from galaxylib.synthetic.dataset import SkyReport, bench_synth, default_sky, make_sky
    from galaxylib.synthetic.render import render_galaxy

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
    "visibility",
    "vote_probabilities",
]

# The names that need the renderer, and the submodule that defines each.
_LAZY = {
    "render_galaxy": "render",
    "SkyReport": "dataset",
    "bench_synth": "dataset",
    "default_sky": "dataset",
    "make_sky": "dataset",
}


def __getattr__(name: str) -> Any:
    """Import a name of :data:`_LAZY` from its submodule when it is first asked for."""
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{_LAZY[name]}"), name)
    globals()[name] = value  # asked for once: later lookups no longer come here
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
