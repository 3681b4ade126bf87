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

__all__ = ["PROFILES", "PROFILE_ENV", "SMALL", "Profile", "data_root", "profile"]


@dataclass(frozen=True)
class Profile:
    """The scale of one run of the course.

    ``n_galaxies`` in the synthetic sky, square network inputs of side ``image_size``
    pixels, and the training's ``epochs`` and ``batch_size``.
    """

    name: str
    n_galaxies: int
    image_size: int
    epochs: int
    batch_size: int


PROFILE_ENV = "GALAXYLIB_PROFILE"

SMALL = Profile("small", n_galaxies=12000, image_size=64, epochs=20, batch_size=64)
"""The book's scale, and the library's defaults."""

PROFILES: dict[str, Profile] = {
    "small": SMALL,
    "full": Profile("full", n_galaxies=61578, image_size=150, epochs=50, batch_size=64),
}


def profile(name: str | None = None, *, colab_gpu: bool = False) -> Profile:
    """The profile named ``name``, or the one ``GALAXYLIB_PROFILE`` selects (``small``).

    The chapters and the command line ask once, at their edge, and pass the profile's
    numbers down to the library's functions. With ``colab_gpu`` (a Colab session with
    a GPU), ``full`` is the default instead.

    Examples
    --------
    >>> profile("small").image_size
    64
    """
    name = name or os.environ.get(PROFILE_ENV, "full" if colab_gpu else "small")
    try:
        return PROFILES[name]
    except KeyError:
        raise GalaxyLibError(
            f"{PROFILE_ENV} is {name!r}, but the profiles are {', '.join(PROFILES)}; "
            "set it to one of those."
        ) from None


def data_root() -> Path:
    """The data root: ``GALAXYLIB_DATA`` if set, else ``./data``.

    Raises GalaxyLibError if it names a file, or is set but empty (which would put the
    data wherever the process runs).
    """
    value = os.environ.get("GALAXYLIB_DATA", "data")
    if not value.strip():
        raise GalaxyLibError(
            "GALAXYLIB_DATA is set but empty; set it to the folder that holds (or will hold) "
            "the data, or unset it to use ./data."
        )
    root = Path(value)
    if root.exists() and not root.is_dir():
        raise GalaxyLibError(
            f"GALAXYLIB_DATA is {str(root)!r}, a file, not a folder; set it to the folder "
            "that holds (or will hold) the data."
        )
    return root
