"""What every chapter does first: find the machine, pick the profile, get the data.

The first cell of each chapter installs ``galaxylib`` on Colab and then calls
:func:`setup_notebook`; the chapters get their data set from :func:`course_data` and
their trained networks from :func:`course_model`. On Colab, :func:`use_drive` keeps all
of it on the learner's Google Drive, so that a new session does not start from zero.
"""

from __future__ import annotations

import functools
import importlib.metadata
import os
import platform
import shutil
import subprocess
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from galaxylib.config import Profile, data_root, profile
from galaxylib.errors import GalaxyLibError
from galaxylib.tools.files import exclusive, path_tag, shown_path

__all__ = [
    "ABLATION_RECORD",
    "DATASET_ENV",
    "POSITIONS_RECORD",
    "REMEDY_RECORD",
    "TESTED_VERSIONS",
    "course_data",
    "course_model",
    "estimate_seconds",
    "glue",
    "gpu_name",
    "machine",
    "reading",
    "save_to_drive",
    "same_network",
    "session_profile",
    "setup_notebook",
    "time_estimate",
    "use_drive",
    "version_report",
]

DATASET_ENV = "GALAXYLIB_DATASET"
"""Names a data directory (the real Galaxy Zoo, or your own) for the chapters to run on
instead of the synthetic sky (:func:`course_data`)."""
REMEDY_RECORD = Path(__file__).with_name("remedies.json")
"""Chapter 8's remedies for the gap to photographs, as ``make remedies`` measured them."""
POSITIONS_RECORD = Path(__file__).with_name("real_positions.csv")
"""Where each galaxy of chapter 8's photographs is in its frame, as ``make positions`` read it
from the ``stellarium-data`` package: one row per galaxy (a pair has two), with ``file``,
``object``, its catalogued ``ra`` and ``dec`` (degrees), and ``x`` and ``y``, its place as
fractions of the photograph's width and height from the top-left corner."""
ABLATION_RECORD = Path(__file__).with_name("ablation.json")
"""Chapter 7's ideas one at a time on one sky, as ``make ablation`` measured them."""

GPU_HELP = (
    "No GPU found. On Colab choose Runtime > Change runtime type > T4 GPU (or better), "
    "then Runtime > Restart session and run the notebook again; the small profile also "
    "runs on a CPU, slowly."
)


@functools.cache
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


def machine() -> str:
    """The machine in a few words, as records of measurements give it."""
    return f"{os.cpu_count()} CPU cores ({platform.machine()}), GPU: {gpu_name() or 'none'}"


# The oldest and newest (major, minor) versions the course was run with: the lowest that
# the ranges of pyproject.toml allow (`make colab-test`: pip pairs TensorFlow 2.16 with the
# newest Keras) and those of `make test`.
TESTED_VERSIONS: dict[str, tuple[tuple[int, int], tuple[int, int]]] = {
    "tensorflow": ((2, 16), (2, 21)),
    "keras": ((3, 15), (3, 15)),
    "numpy": ((1, 26), (2, 4)),
}
_NAMES = {"tensorflow": "TensorFlow", "keras": "Keras", "numpy": "NumPy"}

# Seconds per galaxy of the sky to draw it (`galaxylib bench synth --n 3000`: 3,000
# galaxies in 10.9 s, 275.2 galaxies/s on 2 processes, quiet machine, December 2026) and
# to crop it (`galaxylib bench preprocess --n 600`: 1,038.7 images/s, the middle of three
# runs, quiet machine, December 2026),
# and per galaxy and epoch at 64 x 64 pixels to train each network with its stored
# network's remedies, as `course_model` trains it (the mean `seconds` per epoch of
# `galaxylib train sky-small --epochs 3`, with `--photographic` for the report's network:
# 22.8 s; with `--photographic --parts` for the improved one: 42.8 s; on the 12,000-galaxy
# sky, quiet machine, December 2026), measured on the book's build machine -- 2 CPU cores
# of an Intel Xeon, as many as Colab gives, no GPU. The stored networks' own epoch times
# (provenance.json) were taken in other sessions, on other machines and beside other work,
# and are not these.
SECONDS_PER_GALAXY = {"sky": 1 / 275.2, "crops": 1 / 1038.7}
TRAIN_SECONDS_PER_GALAXY_EPOCH = {"report": 22.8 / 12000, "improved": 42.8 / 12000}
_MAKES = {
    "sky": "draw the sky",
    "crops": "crop it",
    "report": "train the report's network",
    "improved": "train the improved one",
}


def session_profile() -> Profile:
    """The profile of this session: :func:`galaxylib.config.profile`'s.

    On Colab with a GPU it is the ``full`` profile unless the environment names another.
    """
    return profile(colab_gpu="google.colab" in sys.modules and gpu_name() is not None)


def setup_notebook(makes: Sequence[str] = ()) -> Profile:
    """Choose the profile for this session and say where the chapter runs.

    The profile is :func:`session_profile`'s. Prints one line: the machine, the profile
    and where the data live. More only where a learner needs it: on Colab without a GPU,
    how to switch one on; a warning naming any version outside those the course was
    tested with (:func:`version_report`); on Colab or where nothing was made yet, how
    long the chapter takes when nothing is cached; on Colab, how to keep the data on
    Drive. In a notebook, figures are shown inline.

    Parameters
    ----------
    makes : sequence of {'sky', 'crops', 'report', 'improved'}
        What the chapter makes on first use (written into each notebook's first cell by
        ``build_tools/install_cell.py``): the time estimate adds up these steps, less the
        networks where the stored ones apply (:func:`galaxylib.course.networks.applies`).

    Returns
    -------
    Profile
    """
    on_colab = "google.colab" in sys.modules
    gpu = gpu_name()
    chosen = session_profile()
    where = "Colab" if on_colab else "a local machine"
    print(
        f"Running on {where}, {'GPU: ' + gpu if gpu else 'no GPU'}; profile {chosen.name!r} "
        f"({chosen.n_galaxies:,} galaxies at {chosen.image_size}x{chosen.image_size} pixels, "
        f"{chosen.epochs} epochs); data in {shown_path(data_root())} (set GALAXYLIB_DATA to "
        "move it)."
    )
    if on_colab and not gpu:
        print(GPU_HELP)
    versions = version_report().splitlines()
    if len(versions) > 1:  # a version outside those tested: say which
        print("\n".join(versions))
    from galaxylib.course import networks

    if networks.applies():  # the stored networks are written out, not trained
        makes = [step for step in makes if step not in networks.NAMES]
    fresh = not (data_root() / f"sky-{chosen.name}").exists()  # nothing made here yet
    own = os.environ.get(DATASET_ENV)
    if own:  # the estimate and the galaxy count above are the synthetic sky's
        print(
            f"The chapter runs on {own} ({DATASET_ENV}), not on the synthetic sky: all of "
            "its galaxies are used, and the profile sets only the image size and the epochs, "
            "so no time estimate is given."
        )
    elif makes and (on_colab or fresh):
        print(time_estimate(makes, chosen, gpu=gpu is not None))
    if on_colab:
        print(
            "To keep the sky, the crops and the networks between sessions, run "
            "`galaxylib.course.use_drive()` in a new cell: they go to your Google Drive, and "
            "a later session copies them back instead of making them again."
        )
    _show_figures_inline()
    return chosen


def _version(distribution: str) -> str | None:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return None


def version_report() -> str:
    """One line naming the versions in use, and one sentence if any is outside those tested.

    Reads the installed distributions' metadata (see :data:`TESTED_VERSIONS`), without
    importing TensorFlow.
    """
    found = {name: _version(name) for name in TESTED_VERSIONS}
    listed = ", ".join(f"{_NAMES[name]} {found[name] or 'missing'}" for name in found)
    line = f"Versions: Python {platform.python_version()}, {listed}."
    outside = []
    for name, (low, high) in TESTED_VERSIONS.items():
        version = found[name]
        minor = _minor(version) if version else None
        if minor is None or not low <= minor <= high:
            tested = f"{low[0]}.{low[1]}" + ("" if low == high else f" to {high[0]}.{high[1]}")
            outside.append(f"{_NAMES[name]} {version or 'missing'} (tested: {tested})")
    if outside:
        line += (
            f"\nWarning: {'; '.join(outside)} -- outside what this course was tested with, "
            "so if a cell fails, install a tested version and restart the session."
        )
    return line


def estimate_seconds(
    makes: Sequence[str], chosen: Profile, *, gpu: bool = False
) -> dict[str, float | None]:
    """How long each step of ``makes`` takes under ``chosen`` when nothing is cached.

    Scales the rates measured on two CPU cores (:data:`SECONDS_PER_GALAXY`,
    :data:`TRAIN_SECONDS_PER_GALAXY_EPOCH`) by the profile's galaxies, epochs and pixels.

    Parameters
    ----------
    makes : sequence of {'sky', 'crops', 'report', 'improved'}
    chosen : Profile
    gpu : bool, default False
        Whether a GPU trains the networks: no GPU rate has been measured, so their steps
        get ``None``.

    Returns
    -------
    dict
        Seconds per step, in the order of the steps.
    """
    unknown = sorted(set(makes) - set(_MAKES))
    if unknown:
        raise GalaxyLibError(
            f"setup_notebook(makes=...) got {unknown}; name steps among {', '.join(_MAKES)}."
        )
    pixels = (chosen.image_size / 64) ** 2
    seconds: dict[str, float | None] = {}
    for step in (s for s in _MAKES if s in makes):
        if step in SECONDS_PER_GALAXY:
            seconds[step] = SECONDS_PER_GALAXY[step] * chosen.n_galaxies
        else:
            rate = TRAIN_SECONDS_PER_GALAXY_EPOCH[step]
            seconds[step] = None if gpu else rate * chosen.n_galaxies * chosen.epochs * pixels
    return seconds


def time_estimate(makes: Sequence[str], chosen: Profile, *, gpu: bool = False) -> str:
    """One sentence saying :func:`estimate_seconds` to a learner."""
    seconds = estimate_seconds(makes, chosen, gpu=gpu)
    timed = {step: t for step, t in seconds.items() if t is not None}
    untimed = " and ".join(_MAKES[step] for step, t in seconds.items() if t is None)
    if not timed:
        return f"With nothing cached, this chapter first has to {untimed} on this GPU."
    steps = ", ".join(  # each step's share, where there are several
        _MAKES[step] + (f" ({_duration(t)})" if len(timed) > 1 else "") for step, t in timed.items()
    )
    line = (
        f"With nothing cached, this chapter first has to {steps}: about "
        f"{_duration(sum(timed.values()))} on 2 CPU cores"
    )
    return line + (f", plus the time to {untimed} on this GPU." if untimed else ".")


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{max(1, round(seconds))} s"
    if seconds < 90 * 60:
        return f"{round(seconds / 60)} min"
    return f"{seconds / 3600:.1f} h"


def _ipython():
    """The running IPython kernel's shell, or ``None`` outside a notebook."""
    try:
        from IPython import get_ipython
    except ImportError:
        return None
    shell = get_ipython()
    return shell if shell is not None and hasattr(shell, "kernel") else None


CHECK_FIGURES_ENV = "GALAXYLIB_CHECK_FIGURES"
"""Set (``make book`` sets it) to have every figure a chapter shows checked for text the
book would show too small to read (:func:`galaxylib.course.plots.small_text`)."""


def _show_figures_inline() -> None:
    """Let a notebook show the Figure objects that :mod:`galaxylib.course.plots` returns."""
    shell = _ipython()
    if shell is not None:
        shell.run_line_magic("matplotlib", "inline")
        if os.environ.get(CHECK_FIGURES_ENV):
            _check_figures(shell)


def _check_figures(shell) -> None:
    """Warn of every figure shown whose text the book would show too small to read."""
    import warnings

    from matplotlib.figure import Figure

    from galaxylib.course.plots import SmallTextWarning, small_text

    warnings.simplefilter("always", SmallTextWarning)
    formatter = shell.display_formatter.formatters["image/png"]
    show = formatter.lookup_by_type(Figure)

    def checked(fig, *args, **kwargs):
        small = small_text(fig)
        if small:
            title = next((ax.get_title() for ax in fig.axes if ax.get_title()), "untitled")
            warnings.warn(
                f"The figure {title!r} holds text the book would show too small to read: "
                f"{', '.join(small)}; give it fontsize=plots.annotation_size(fig).",
                SmallTextWarning,
                stacklevel=2,
            )
        return show(fig, *args, **kwargs)

    formatter.for_type(Figure, checked)


def course_data() -> Path:
    """The data set the chapters run on.

    The synthetic sky of the profile (see :func:`galaxylib.tools.sky.default_sky`),
    made on first use, unless ``GALAXYLIB_DATASET`` names another data directory --
    for instance the real Kaggle data that ``galaxylib download`` put in
    ``$GALAXYLIB_DATA/galaxyzoo``.
    """
    with _one_at_a_time():
        return _data()


def _data() -> Path:
    chosen = os.environ.get(DATASET_ENV)
    if chosen:
        return Path(chosen)
    from galaxylib.tools.sky import default_sky

    return default_sky(session_profile().name)


@contextmanager
def _one_at_a_time() -> Iterator[None]:
    """Hold the data root's one lock: two notebooks opened at once make its data once.

    The notebook that comes second waits while the first makes the sky or a network, then
    finds them made.
    """
    root = data_root()
    with exclusive(
        root / "course", wait=f"Another notebook is making the data in {root}; waiting for it."
    ):
        yield


def course_model(name: str, *, retrain: bool = False) -> Path:
    """The trained network the chapters evaluate: stored where it applies, else trained.

    Under the ``small`` profile on the book's sky, the network stored with galaxylib (see
    :mod:`galaxylib.course.networks`: trained longer than a build can afford, with its
    provenance), written from its weights to ``$GALAXYLIB_DATA/models/stored/<name>.keras``.
    Everywhere else -- the ``full`` profile, the real catalog -- the network in
    ``$GALAXYLIB_DATA/models/<profile>/<name>.keras`` (another folder for each data set
    ``GALAXYLIB_DATASET`` names), trained on :func:`course_data` on first use with the
    profile's settings and the stored network's remedies
    (:func:`galaxylib.course.networks.recipe`; see :func:`galaxylib.tools.train.train`).

    Parameters
    ----------
    name : {'report', 'improved'}
    retrain : bool, default False
        Train it again even if it exists (where no stored network applies).

    Returns
    -------
    Path
    """
    from galaxylib.course import networks

    with _one_at_a_time():
        if networks.applies() and name in networks.NAMES:
            path = data_root() / "models" / "stored" / f"{name}.keras"
            if not networks.installed(name, path) or _saved_by_newer_keras(path):
                print(
                    f"Using the book's stored {name} network ({networks.describe(name)}); "
                    f"writing it to {shown_path(path)}."
                )
                networks.install(name, path)
            networks.make_crops(name, _data())
            return path
        return _trained(name, _models_folder() / f"{name}.keras", retrain)


def _models_folder() -> Path:
    """Where the chapters' own networks live: one folder per profile and data set.

    ``models/<profile>`` for the book's sky; for the data set ``GALAXYLIB_DATASET``
    names, a folder of its own (its name and a digest of its path), so that a network
    trained on one data set is never handed out for another.
    """
    folder = session_profile().name
    chosen = os.environ.get(DATASET_ENV)
    if chosen:
        folder += f"-{path_tag(chosen)}"
    return data_root() / "models" / folder


def _trained(name: str, path: Path, retrain: bool) -> Path:
    newer = _saved_by_newer_keras(path) if path.exists() and not retrain else None
    if newer:
        print(
            f"{path.name} was saved by Keras {newer}, which this session's Keras "
            f"{_version('keras')} cannot read; training it again."
        )
    stale = path.exists() and not retrain and not newer and _older_than_its_sky(path)
    if stale:
        print(f"{path.name} was trained before the sky it is for was made; training it again.")
    if retrain or newer or stale or not path.exists():
        from galaxylib.course import networks
        from galaxylib.tools.train import train

        scale = session_profile()
        remedies = networks.recipe(name)
        used = [f"--{switch}" for switch, on in remedies.items() if on]
        print(
            f"Training the {name} network for {scale.epochs} epochs on {scale.image_size}-pixel "
            f"crops, with the stored {name} network's remedies ({', '.join(used) or 'none'})."
        )
        path.parent.mkdir(parents=True, exist_ok=True)
        train(
            _data(),
            model=name,
            out=path,
            epochs=scale.epochs,
            batch_size=scale.batch_size,
            size=scale.image_size,
            **remedies,
            force=True,
            verbose=2,
        )
    return path


GLUE_PREFIX = "application/papermill.record/"
"""Where myst-nb looks for a glued value in a cell's outputs (``myst_nb.glue``'s format)."""


def glue(name: str, value: object) -> None:
    """Hand a computed value to the prose: the book's ``{glue:text}`name``` roles show it.

    Writes the output that ``myst_nb.glue(name, value, display=False)`` writes — a hidden
    display record that myst-nb pastes into the page — without needing myst-nb, so the
    chapters run unchanged on Colab. NumPy scalars become Python numbers first, so that a
    format such as ``{glue:text}`name:.4f``` can read them. Colab shows a notebook's
    markdown as it is, roles and all, so there the value is also printed as
    ``name = value``, for the reader to match with the prose.

    Parameters
    ----------
    name : str
        The name the prose uses; unique within the book (a chapter prefix, ``ch2_...``).
    value : object
        A number or a string, usually.
    """
    from IPython.core.formatters import format_display_data
    from IPython.display import display

    if hasattr(value, "item") and getattr(value, "ndim", None) == 0:
        value = value.item()  # np.float64(0.1) -> 0.1
    bundle, metadata = format_display_data(value)
    metadata["scrapbook"] = {"name": name, "mime_prefix": GLUE_PREFIX}
    display({GLUE_PREFIX + k: v for k, v in bundle.items()}, raw=True, metadata=metadata)
    if "google.colab" in sys.modules:
        print(f"{name} = {value}")


def reading(name: str, cases: dict[str, object]) -> str:
    """Glue the one reading of a result that its numbers make true.

    A sentence that says which way a result goes ("lowers", "helps", "above", "met",
    "mostly") is a claim about numbers. ``cases`` gives each wording with the condition
    under which it is true, one for every outcome the sentence around it can speak for,
    ties included; exactly one must hold when the page runs, or the page fails to build
    here, naming the reading. The book's chapters glue every reading this way
    (``tests/test_prose.py`` checks it), so that no ``else`` speaks for an outcome nobody
    wrote words for.

    Parameters
    ----------
    name : str
        The glue name the prose uses, as for :func:`glue`.
    cases : dict of str to bool
        Each wording, with whether it is true of the numbers.

    Returns
    -------
    str
        The wording glued.

    Raises
    ------
    GalaxyLibError
        If not exactly one condition holds, or one is not a bool.
    """
    for text, holds in cases.items():
        if not isinstance(holds, bool | np.bool_):
            raise GalaxyLibError(
                f"The reading {name!r} gives {text!r} the condition {holds!r}, not a bool: "
                "write a comparison of the numbers it reads."
            )
    true = [text for text, holds in cases.items() if holds]
    if len(true) != 1:
        raise GalaxyLibError(
            f"The reading {name!r} has {len(true)} true cases of {len(cases)} "
            f"({', '.join(map(repr, true)) or 'none'}): its cases must cover every outcome "
            "of the numbers, once; add the missing wording or correct a condition."
        )
    glue(name, true[0])
    return true[0]


def _older_than_its_sky(path: Path) -> bool:
    """Whether a course model predates the synthetic sky the chapters now run on.

    A sky made again (a new profile size, a newer schema) makes every model trained on the
    old one meaningless: its test split may hold galaxies it never trained on, or ones it
    did. Real data has no ``sky.json`` and is never judged stale.
    """
    from galaxylib.synthetic.skyfile import SKY_FILE

    summary = _data() / SKY_FILE
    return summary.exists() and path.stat().st_mtime < summary.stat().st_mtime


def _minor(version: str) -> tuple[int, int]:
    major, minor = version.split(".")[:2]
    return int(major), int(minor)


def _saved_by_newer_keras(path: Path) -> str | None:
    """The Keras version that saved ``path`` when it is newer than the installed one.

    A ``.keras`` file written by one Keras 3 release does not load in an older one (one
    saved by 3.15 fails in 3.14 and before), as happens when a Drive archive made on one
    Colab runtime is restored on an older runtime.
    """
    from galaxylib.tools.model_files import keras_version_of

    saved, installed = keras_version_of(path), _version("keras")
    try:
        return saved if saved and installed and _minor(saved) > _minor(installed) else None
    except ValueError:  # not a version number
        return None


# Where Colab mounts Google Drive, and the folder in it that keeps the course's data.
DRIVE_MOUNT = "/content/drive"
DRIVE_FOLDER = "MyDrive/galaxy-cnn-course"
_DRIVE_STORE = "GALAXYLIB_DRIVE_STORE"  # set by use_drive for the session


def use_drive(folder: str = DRIVE_FOLDER, *, mountpoint: str = DRIVE_MOUNT) -> Path:
    """Keep the data root on Google Drive, so that a new Colab session need not start from zero.

    Mounts the learner's Drive (Colab asks for permission), copies into the data root
    whatever an earlier session saved there, and from then on, after each cell, saves to
    Drive what the session has made (the sky, finished crops, trained networks). Drive
    keeps a few large archives (see :mod:`galaxylib.course.store`), not tens of thousands of
    small JPEGs, while the chapters read the fast local disk.

    Parameters
    ----------
    folder : str, default 'MyDrive/galaxy-cnn-course'
        The folder on the Drive, relative to ``mountpoint``.
    mountpoint : str, default '/content/drive'
        Where to mount the Drive.

    Returns
    -------
    Path
        The folder on the Drive.

    Raises
    ------
    GalaxyLibError
        Outside Colab, where there is no Drive to mount.
    """
    if "google.colab" not in sys.modules:
        raise GalaxyLibError(
            "use_drive() mounts Google Drive, which only Colab can do; elsewhere the data "
            "root (GALAXYLIB_DATA) already stays between sessions."
        )
    from google.colab import drive

    from galaxylib.course.store import restore_data

    drive.mount(mountpoint)
    store = Path(mountpoint) / folder
    store.mkdir(parents=True, exist_ok=True)
    added = restore_data(store, data_root())
    os.environ[_DRIVE_STORE] = str(store)
    shell = _ipython()
    if shell is not None and not getattr(shell, "_galaxylib_drive", False):
        shell.events.register("post_run_cell", lambda result: _keep_on_drive())
        shell._galaxylib_drive = True
    restored = sorted({str(path.parent.relative_to(data_root())) for path in added})
    print(
        f"Restored {', '.join(restored)} from {store}; what this session makes is saved there too."
        if restored
        else f"Nothing saved in {store} yet; what this session makes is saved there."
    )
    return store


def save_to_drive() -> list[Path]:
    """Save to Drive now what the data root holds that Drive lacks (after :func:`use_drive`).

    :func:`use_drive` does this after every cell; call it from a script or before a long
    cell of your own.

    Returns
    -------
    list of Path
        The archives written.
    """
    if _DRIVE_STORE not in os.environ:
        raise GalaxyLibError("Call galaxylib.course.use_drive() first, to say where to save.")
    return _keep_on_drive()


def _keep_on_drive() -> list[Path]:
    store = os.environ.get(_DRIVE_STORE)
    if not store:
        return []
    from galaxylib.course.store import save_data

    return save_data(data_root(), store)


def same_network(page, library) -> bool:
    """Whether two Keras networks have the same layers with the same settings.

    Layer names (numbered by Keras as layers are made) are left aside; the layers' types
    and configurations, the input's shape and type and the parameter count must agree.
    Chapter 4 checks with it that the networks it writes out layer by layer are the ones
    :mod:`galaxylib.models` builds for ``galaxylib train`` and ``make networks``.
    """

    def settings(net) -> list:
        return [
            (type(layer).__name__, {k: v for k, v in layer.get_config().items() if k != "name"})
            for layer in net.layers
        ]

    return (
        settings(page) == settings(library)
        and page.input_shape == library.input_shape
        and page.inputs[0].dtype == library.inputs[0].dtype
        and page.count_params() == library.count_params()
    )
