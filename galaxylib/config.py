"""Where the data lives and which scale profile is in force.

Two environment variables steer the whole course:

``GALAXYLIB_DATA``
    The data root (default ``./data``). Every data set sits in a folder below it.
``GALAXYLIB_PROFILE``
    ``small`` (default): what the book and CI execute on two CPU cores in minutes.
    ``full``: the report's scale, for a GPU: all 61,578 galaxies at 150x150, 50 epochs.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from galaxylib.errors import GalaxyLibError

__all__ = ["PROFILES", "Profile", "data_root", "profile"]


@dataclass(frozen=True)
class Profile:
    """The scale of one run of the course.

    Attributes
    ----------
    name : str
        ``'small'`` or ``'full'``.
    n_galaxies : int
        How many galaxies the synthetic sky holds.
    image_size : int
        Side of the square network input, in pixels.
    epochs : int
        Training epochs.
    batch_size : int
        Training batch size.
    """

    name: str
    n_galaxies: int
    image_size: int
    epochs: int
    batch_size: int


PROFILES: dict[str, Profile] = {
    "small": Profile("small", n_galaxies=12000, image_size=64, epochs=20, batch_size=64),
    "full": Profile("full", n_galaxies=61578, image_size=150, epochs=50, batch_size=64),
}


def profile(name: str | None = None) -> Profile:
    """Return the profile named ``name``, or the one ``GALAXYLIB_PROFILE`` selects."""
    name = name or os.environ.get("GALAXYLIB_PROFILE", "small")
    try:
        return PROFILES[name]
    except KeyError:
        raise GalaxyLibError(
            f"GALAXYLIB_PROFILE is {name!r}, but the profiles are {', '.join(PROFILES)}; "
            "set it to one of those."
        ) from None


def data_root() -> Path:
    """The data root: ``GALAXYLIB_DATA`` if set, else ``./data``.

    Raises
    ------
    GalaxyLibError
        If it names a file.
    """
    root = Path(os.environ.get("GALAXYLIB_DATA", "data"))
    if root.exists() and not root.is_dir():
        raise GalaxyLibError(
            f"GALAXYLIB_DATA is {str(root)!r}, a file, not a folder; set it to the folder "
            "that holds (or will hold) the data."
        )
    return root
