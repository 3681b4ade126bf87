"""What every chapter does first: find the machine, pick the profile, get the data.

The first cell of each chapter installs ``galaxylib`` on Colab and then calls
:func:`setup_notebook`; the chapters get their data set from :func:`course_data`.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from galaxylib.config import Profile, data_root, profile

__all__ = ["course_data", "course_model", "gpu_name", "setup_notebook"]

GPU_HELP = (
    "No GPU found. On Colab choose Runtime > Change runtime type > T4 GPU (or better), "
    "then Runtime > Restart session and run the notebook again; the small profile also "
    "runs on a CPU, slowly."
)


def gpu_name() -> str | None:
    """The name of the first NVIDIA GPU, from ``nvidia-smi``; ``None`` when there is none.

    Asking ``nvidia-smi`` rather than TensorFlow keeps chapters that need no TensorFlow
    fast to start.
    """
    if shutil.which("nvidia-smi") is None:
        return None
    try:
        listing = subprocess.run(
            ["nvidia-smi", "--query-gpu=name", "--format=csv,noheader"],
            capture_output=True,
            text=True,
            timeout=20,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return listing.splitlines()[0] if listing else None


def setup_notebook() -> Profile:
    """Choose the profile for this session and say where the chapter runs.

    On Colab with a GPU, and no ``GALAXYLIB_PROFILE`` set, the ``full`` profile is
    chosen; without a GPU, it says how to switch one on. Elsewhere the profile is the
    one ``GALAXYLIB_PROFILE`` names (``small`` by default). Prints one line per fact,
    and in a notebook shows figures inline.

    Returns
    -------
    Profile
    """
    on_colab = "google.colab" in sys.modules
    gpu = gpu_name()
    if on_colab and gpu and "GALAXYLIB_PROFILE" not in os.environ:
        os.environ["GALAXYLIB_PROFILE"] = "full"
    chosen = profile()
    where = "Colab" if on_colab else "a local machine"
    print(f"Running on {where}, {'GPU: ' + gpu if gpu else 'no GPU'}.")
    if on_colab and not gpu:
        print(GPU_HELP)
    print(
        f"Profile {chosen.name!r}: {chosen.n_galaxies:,} galaxies at "
        f"{chosen.image_size}x{chosen.image_size} pixels, {chosen.epochs} epochs."
    )
    print(f"Data root: {data_root().resolve()}")
    _show_figures_inline()
    return chosen


def _show_figures_inline() -> None:
    """Let a notebook show the Figure objects that :mod:`galaxylib.plots` returns."""
    try:
        from IPython import get_ipython
    except ImportError:
        return
    shell = get_ipython()
    if shell is not None and hasattr(shell, "kernel"):
        shell.run_line_magic("matplotlib", "inline")


def course_data() -> Path:
    """The data set the chapters run on.

    The synthetic sky of the profile (see :func:`galaxylib.synthetic.default_sky`),
    made on first use, unless ``GALAXYLIB_DATASET`` names another data directory --
    for instance the real Kaggle data that ``galaxylib download`` put in
    ``$GALAXYLIB_DATA/galaxyzoo``.
    """
    chosen = os.environ.get("GALAXYLIB_DATASET")
    if chosen:
        return Path(chosen)
    from galaxylib.synthetic import default_sky

    return default_sky()


def course_model(name: str, *, retrain: bool = False) -> Path:
    """The trained model the chapters evaluate, trained on first use.

    ``$GALAXYLIB_DATA/models/<profile>/<name>.keras``, trained on :func:`course_data`
    with the profile's settings (see :func:`galaxylib.training.train`).

    Parameters
    ----------
    name : {'report', 'improved'}
    retrain : bool, default False
        Train again even if the model exists.

    Returns
    -------
    Path
    """
    path = data_root() / "models" / profile().name / f"{name}.keras"
    if retrain or not path.exists():
        from galaxylib.training import train

        path.parent.mkdir(parents=True, exist_ok=True)
        train(course_data(), model=name, out=path, force=True, verbose=2)
    return path
