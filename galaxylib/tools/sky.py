"""A synthetic sky on disk: :func:`make_sky` (``galaxylib synth``) and the book's sky.

:func:`default_sky` is the sky of a profile, made on first use.

:func:`make_sky` draws the catalog (:mod:`~galaxylib.synthetic.volunteers`), renders the
images on every core (:mod:`~galaxylib.synthetic.render`) and writes the data set -- the
Kaggle layout plus ``truth.csv`` and ``sky.json`` (:mod:`~galaxylib.synthetic.skyfile`) --
through a hidden staging folder; the same seed gives the same bytes, whatever the number
of processes.
"""

from __future__ import annotations

import json
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from galaxylib.config import data_root, profile
from galaxylib.data import LAYOUTS
from galaxylib.errors import GalaxyLibError
from galaxylib.synthetic.render import render_chunk
from galaxylib.synthetic.skyfile import (
    EXPECTED_PREFIX,
    SCHEMA_VERSION,
    SKY_FILE,
    TRUTH_FILE,
    noise_floor,
)
from galaxylib.synthetic.volunteers import sample_catalog
from galaxylib.tools.files import disk_errors, replace, shown_path, staging_dir
from galaxylib.tools.progress import progress_bar
from galaxylib.tools.workers import resolve_workers, worker_pool

__all__ = ["GENERATOR", "SkyReport", "default_sky", "make_sky", "sky_identity"]

GENERATOR = "galaxylib.synthetic"
"""The ``generator`` that ``sky.json`` names: what tells our sky from somebody's data."""


def write_truth(folder: Path, truth: pd.DataFrame) -> None:
    """Write ``truth.csv`` into ``folder``: the truth table, floats to 6 decimals."""
    truth.to_csv(folder / TRUTH_FILE, index=False, float_format="%.6f")


def write_summary(folder: Path, *, seed: int, n: int, mean_volunteers: float, floor: float) -> None:
    """Write ``sky.json`` into ``folder``: generator, schema, seed, size and noise floor."""
    summary = {
        "generator": GENERATOR,
        "schema": SCHEMA_VERSION,
        "seed": seed,
        "n": n,
        "mean_volunteers": round(float(mean_volunteers), 3),
        "noise_floor": round(floor, 6),
    }
    (folder / SKY_FILE).write_text(json.dumps(summary, indent=2) + "\n")


def read_summary(folder: Path) -> dict | None:
    """The ``sky.json`` in ``folder``, or ``None`` when it is missing or unreadable."""
    try:
        summary = json.loads((folder / SKY_FILE).read_text())
    except (OSError, ValueError):
        return None
    return summary if isinstance(summary, dict) else None


def sky_identity(folder: Path) -> dict | None:
    """What makes a synthetic sky the one it is: generator, schema, seed and size.

    Two skies with the same identity hold the same galaxies. ``None`` for a data set
    without a readable ``sky.json``: the real catalog, or somebody's own.
    """
    summary = read_summary(folder)
    if summary is None or summary.get("generator") != GENERATOR:
        return None
    return {key: summary.get(key) for key in ("generator", "schema", "seed", "n")}


@dataclass(frozen=True)
class SkyReport:
    """What :func:`make_sky` wrote.

    Attributes
    ----------
    out : Path
        The data directory.
    n : int
        Galaxies written.
    seed : int
    seconds : float
        Wall-clock time of the whole run.
    workers : int
        Processes used.
    noise_floor : float
        RMSE between the catalog's sampled fractions and the expected ones.
    """

    out: Path
    n: int
    seed: int
    seconds: float
    workers: int
    noise_floor: float

    @property
    def galaxies_per_s(self) -> float:
        """Throughput of the run."""
        return self.n / max(self.seconds, 1e-9)

    def __str__(self) -> str:
        return (
            f"Wrote {self.n} synthetic galaxies (seed {self.seed}) to {shown_path(self.out)} in "
            f"{self.seconds:.1f} s ({self.galaxies_per_s:.0f} galaxies/s on {self.workers} "
            f"processes); noise floor (RMSE of the votes against the expected fractions) "
            f"{self.noise_floor:.4f}."
        )


def _holds_data_set(out: Path) -> bool:
    if any((out / csv_name).exists() for csv_name, _ in LAYOUTS):
        return True
    images = out / LAYOUTS[0][1]
    return images.is_dir() and any(images.iterdir())


def _render_all(truth: pd.DataFrame, seed: int, folder: Path, workers: int, progress: bool) -> None:
    galaxies = truth.drop(columns=[c for c in truth if str(c).startswith(EXPECTED_PREFIX)])
    records = galaxies.assign(index=np.arange(len(galaxies))).to_dict("records")
    size = max(1, min(32, len(records) // (4 * workers) or 1))
    jobs = [(seed, str(folder), records[i : i + size]) for i in range(0, len(records), size)]
    with progress_bar(total=len(records), desc="synth", unit="galaxy", enabled=progress) as bar:
        if workers == 1:
            for job in jobs:
                bar.update(render_chunk(job))
            return
        with worker_pool(workers, runs=render_chunk) as pool:
            for done in pool.imap_unordered(render_chunk, jobs):
                bar.update(done)


def _publish(staging: Path, out: Path, force: bool) -> None:
    """Move a finished data set from ``staging`` into ``out``, the catalog last."""
    catalog, images = LAYOUTS[0]
    if force:
        for name in (catalog, TRUTH_FILE, SKY_FILE):
            (out / name).unlink(missing_ok=True)
        shutil.rmtree(out / images, ignore_errors=True)
    replace(staging / images, out / images)
    for name in (TRUTH_FILE, SKY_FILE, catalog):
        replace(staging / name, out / name)


def make_sky(
    out: str | Path,
    n: int,
    *,
    seed: int = 0,
    workers: int | None = None,
    force: bool = False,
    progress: bool = True,
) -> SkyReport:
    """Write a synthetic Galaxy Zoo in the Kaggle layout.

    ``out`` receives ``images_training_rev1/<GalaxyID>.jpg`` (424x424 RGB JPEGs),
    ``training_solutions_rev1.csv`` (the sampled vote fractions), ``truth.csv`` (true
    parameters and expected fractions, see :func:`sample_catalog`) and ``sky.json``
    (seed, size and noise floor). Everything is written to a hidden folder inside ``out``
    first and moved into place at the end, the catalog last, so an interrupted run never
    looks like a finished data set; the next run removes a killed run's hidden folder.

    Parameters
    ----------
    out : path
        Data directory; created if needed.
    n : int
        Number of galaxies.
    seed : int, default 0
        Same seed, same bytes -- whatever ``workers`` is.
    workers : int, optional
        Processes that render the images; every core by default.
    force : bool, default False
        Replace a data set already in ``out``.
    progress : bool, default True
        Show a progress bar.

    Returns
    -------
    SkyReport

    Raises
    ------
    GalaxyLibError
        If ``out`` already holds a data set and ``force`` is false, or ``n`` or
        ``workers`` is out of range.
    """
    start = time.perf_counter()
    out = Path(out)
    workers = resolve_workers(workers)
    if out.exists() and not out.is_dir():
        raise GalaxyLibError(f"{out} is a file, not a folder; choose a folder for --out.")
    if _holds_data_set(out) and not force:
        raise GalaxyLibError(
            f"{out} already holds a data set; pass --force (force=True) to replace it, "
            "or choose another --out."
        )
    labels, truth = sample_catalog(n, seed)
    floor = noise_floor(labels, truth)
    with disk_errors(out, "choose another --out"):
        out.mkdir(parents=True, exist_ok=True)
        with staging_dir(out, "synth") as staging:
            images = staging / LAYOUTS[0][1]
            images.mkdir()
            _render_all(truth, seed, images, workers, progress)
            write_truth(staging, truth)
            mean_volunteers = truth["n_volunteers"].mean()
            write_summary(staging, seed=seed, n=n, mean_volunteers=mean_volunteers, floor=floor)
            labels.to_csv(staging / LAYOUTS[0][0], index=False, float_format="%.6f")
            _publish(staging, out, force)
    return SkyReport(out, n, seed, time.perf_counter() - start, workers, floor)


def default_sky(name: str) -> Path:
    """The synthetic sky the book runs on under a profile; made on first use.

    It lives in ``$GALAXYLIB_DATA/sky-<profile>`` and holds the profile's number of
    galaxies, drawn with seed 0, so every chapter and every reader sees the same sky. A
    sky made by another version of galaxylib or for another size (its ``sky.json`` says
    so) is made again.

    Parameters
    ----------
    name : str
        A profile's name (see :data:`galaxylib.config.PROFILES`).

    Returns
    -------
    Path
        The data directory, ready for :func:`galaxylib.data.load_catalog`.
    """
    chosen = profile(name)
    out = data_root() / f"sky-{chosen.name}"
    wanted = {"generator": GENERATOR, "schema": SCHEMA_VERSION, "seed": 0}
    wanted["n"] = chosen.n_galaxies
    if not _holds_data_set(out):
        print(make_sky(out, chosen.n_galaxies, seed=0))
        return out
    made = read_summary(out)
    if made is None or made.get("generator") != GENERATOR:
        raise GalaxyLibError(
            f"{out} holds a data set that {GENERATOR} did not make (no {SKY_FILE}); "
            "move it elsewhere, and the book will make its synthetic sky there."
        )
    if {key: made.get(key) for key in wanted} != wanted:
        print(
            f"{out} holds a sky of {made.get('n')} galaxies made by schema "
            f"{made.get('schema')}; making the profile's sky of {chosen.n_galaxies:,} "
            f"(schema {SCHEMA_VERSION}) in its place."
        )
        print(make_sky(out, chosen.n_galaxies, seed=0, force=True))
    return out
