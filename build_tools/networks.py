"""Train the book's stored networks and record how (``make networks``).

``python -m build_tools.networks WORK`` runs the project's own commands in ``WORK``:

1. ``galaxylib synth --out sky --n 24000 --seed 1``: a sky of its own, twice the book's,
   so that the book's test galaxies (seed 0) stay unseen;
2. ``galaxylib train sky --model report --epochs 20 --photographic --out
   models/report.keras``, and ``--model improved`` with ``--photographic --parts``: the
   book's recipe (:func:`galaxylib.tools.train.train`'s defaults under the ``small``
   profile: the report's network in grey, the improved one in colour, 64-pixel crops,
   batch 64, 20 epochs on a cosine schedule), with each network's :data:`FLAGS`;

then writes into ``galaxylib/course/networks/`` each network's weights (without the optimizer's
state), its training history, and ``provenance.json``: the commands, the sky, the
versions, the machine, the training times and the fingerprints that
:func:`galaxylib.course.networks.mismatches` checks. A step whose output is complete is skipped
and an interrupted training resumes, so running it again after a kill goes on from there.
On two CPU cores it takes about an hour and a quarter.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shlex
import subprocess
import sys
from datetime import date
from pathlib import Path

from galaxylib.config import PROFILE_ENV, PROFILES
from galaxylib.course.networks import (
    FOLDER,
    PROVENANCE_FILE,
    SWITCHES,
    crop_fingerprint,
    model_fingerprint,
    sky_fingerprint,
)
from galaxylib.models import NETWORKS
from galaxylib.synthetic.skyfile import SKY_FILE
from galaxylib.tools.files import sha256
from galaxylib.tools.model_files import ModelFiles, build_as_trained

__all__ = [
    "EPOCHS",
    "FLAGS",
    "SKY",
    "commands",
    "main",
    "pack",
    "readable_json",
    "run_missing",
    "train_command",
]

SKY = {"seed": 1, "n": 24_000}
"""The sky the stored networks learn from: not the book's (seed 0), and twice its size."""

PROFILE = "small"
"""The profile whose recipe the stored networks are trained with: image size, batch, epochs."""

EPOCHS = PROFILES[PROFILE].epochs
"""Epochs of the stored networks' training, written out in their commands."""

FLAGS = {"report": ["--photographic"], "improved": ["--photographic", "--parts"]}
"""Each stored network's remedy for the gap to photographs, as ``galaxylib train`` flags:
both see the light of their training images varied as photographs vary it
(:func:`galaxylib.augment.photographic`); the improved network also runs its convolutions
on Dieleman's four turned parts of each image (:class:`galaxylib.models.Parts`), which
taught it the sky's bars. ``make remedies`` measures each flag, network by network
(chapter 8, section 8); the report's network keeps the report's layers."""


def train_command(name: str, flags: list[str], out: str) -> list[str]:
    """The command that trains network ``name`` on ``WORK``'s sky with ``flags``, into
    ``out``: for :data:`EPOCHS` epochs, unless ``flags`` set their own (``--epochs=N``)."""
    own = any(flag.startswith("--epochs") for flag in flags)
    epochs = [] if own else ["--epochs", str(EPOCHS)]
    return ["galaxylib", "train", "sky", "--model", name, *epochs, *flags, "--out", out]


def commands() -> list[list[str]]:
    """The commands that make the sky and train both networks, run inside ``WORK``."""
    synth = ["galaxylib", "synth", "--out", "sky", "--n", str(SKY["n"]), "--seed", str(SKY["seed"])]
    trains = [train_command(name, FLAGS[name], f"models/{name}.keras") for name in NETWORKS]
    return [synth, *trains]


def run_missing(work: Path, runs: list[list[str]], profile: str = PROFILE) -> None:
    """Run ``galaxylib`` command lines in ``work`` under ``profile``, each unless its
    ``--out`` (a sky or a model) is already complete, so that a killed run resumes.

    A complete model trained with other :data:`SWITCHES` than its command's (left by an
    older recipe) is refused, not skipped: it would be scored as the command's network."""
    env = {**os.environ, PROFILE_ENV: profile}
    for command in runs:
        target = work / command[command.index("--out") + 1]
        done = (
            (target / SKY_FILE).exists()
            if command[1] == "synth"
            else (target.exists() and ModelFiles(target).settings.exists())
        )
        if done and command[1] == "train":
            made = ModelFiles(target).read_settings()
            other = [f"--{s}" for s in SWITCHES if bool(made.get(s)) != (f"--{s}" in command)]
            if other:
                raise SystemExit(
                    f"{target} was trained with other switches than `{shlex.join(command)}` "
                    f"({', '.join(other)}); move it away and run again to train it."
                )
        if done:
            print(f"{target.relative_to(work)} is complete; skipping `{shlex.join(command)}`.")
            continue
        print(f"$ {shlex.join(command)}", flush=True)
        target.parent.mkdir(parents=True, exist_ok=True)  # models/ on a first run
        galaxylib = [sys.executable, "-m", "galaxylib.tools.cli", *command[1:]]
        subprocess.run(galaxylib, cwd=work, env=env, check=True)


def pack(work: Path, out: Path = FOLDER, *, note: str = "") -> dict:
    """Write the weights, histories and ``provenance.json`` of ``work``'s networks to ``out``.

    ``note`` says anything else a reader of the training times should know (that the two
    trainings shared the machine, say).

    Returns
    -------
    dict
        The provenance written.
    """
    from importlib.metadata import version

    import pandas as pd

    from galaxylib import __version__
    from galaxylib.course import machine
    from galaxylib.evaluation import load_model
    from galaxylib.tools.files import atomic_path, write_text
    from galaxylib.tools.sky import sky_identity

    identity = sky_identity(work / "sky")
    if identity is None or {k: identity[k] for k in SKY} != SKY:
        raise SystemExit(f"{work / 'sky'} is not the sky of {SKY}; run without --pack-only.")
    networks = {}
    for name in NETWORKS:
        files = ModelFiles(work / "models" / f"{name}.keras")
        trained = load_model(files.model)
        bare = build_as_trained(trained.settings)  # without the optimizer's state
        bare.set_weights(trained.net.get_weights())
        with atomic_path(out / f"{name}.weights.h5") as tmp:
            bare.save_weights(tmp)
        history = pd.read_csv(files.history)
        with atomic_path(out / f"{name}.history.csv") as tmp:
            history.to_csv(tmp, index=False)
        settings = {**trained.settings, "sky": identity, "data": "sky"}
        settings.pop("stored", None)  # an installed copy's digest of its stored weights
        networks[name] = {
            "command": shlex.join(commands()[1 + list(NETWORKS).index(name)]),
            "settings": settings,
            "train_s": round(float(history["seconds"].sum()), 1),
            "model_fingerprint": model_fingerprint(settings),
            "crop_fingerprint": crop_fingerprint(SKY["seed"], SKY["n"], settings["preprocessing"]),
            "weights_sha256": sha256(out / f"{name}.weights.h5"),
        }
    record = {
        "made_by": "make networks (python -m build_tools.networks)",
        "profile": PROFILE,
        "sky": {
            **identity,
            "command": shlex.join(commands()[0]),
            "fingerprint": sky_fingerprint(SKY["seed"], SKY["n"]),
        },
        "galaxylib": __version__,
        "versions": {"tensorflow": version("tensorflow"), "keras": version("keras")},
        "machine": machine(),
        "date": date.fromtimestamp(files.history.stat().st_mtime).isoformat(),
        "note": note,
        "networks": networks,
    }
    write_text(out / PROVENANCE_FILE.name, readable_json(record))
    return record


def readable_json(record: dict) -> str:
    """JSON with two-space indents, each innermost list of numbers on one line."""

    def one_line(match: re.Match) -> str:
        return "[" + ", ".join(item.strip() for item in match.group(0)[1:-1].split(",")) + "]"

    return re.sub(r"\[[-0-9.,eE\s]*\]", one_line, json.dumps(record, indent=2)) + "\n"


def main(argv: list[str] | None = None) -> None:
    """``python -m build_tools.networks WORK [--pack-only]``."""
    parser = argparse.ArgumentParser(prog="python -m build_tools.networks", description=__doc__)
    parser.add_argument("work", type=Path, help="folder for the sky and the training runs")
    parser.add_argument(
        "--pack-only", action="store_true", help="do not train; pack what WORK holds"
    )
    parser.add_argument("--note", default="", help="a remark for provenance.json")
    args = parser.parse_args(argv)
    args.work.mkdir(parents=True, exist_ok=True)
    if not args.pack_only:
        run_missing(args.work, commands())
    record = pack(args.work, note=args.note)
    for name, network in record["networks"].items():
        print(
            f"{name}: {network['settings']['val_rmse']:.4f} validation RMSE, "
            f"{network['train_s'] / 60:.0f} min of training"
        )
    print(f"Wrote {FOLDER}: commit the weights, histories and {PROVENANCE_FILE.name}.")


if __name__ == "__main__":
    main()
