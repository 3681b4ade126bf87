"""Measure the remedies for the gap between the synthetic sky and photographs (``make remedies``).

``python -m build_tools.remedies WORK`` reads the networks of each remedy of
:data:`REMEDIES` from ``WORK/models`` -- ``make networks``' folder, whose sky (seed 1, 24,000
galaxies) they all learn from -- training any that is missing with the project's own
command, then scores each network two ways, with one protocol for every row:

- on the synthetic sky: the test RMSE on the book's sky (seed 0, the ``small`` profile's),
  as chapter 6 scores it, and the share of the gap from the mean benchmark to the noise
  floor that it closes;
- on the open photographs of chapter 8: the AUC of each label, through
  :func:`galaxylib.evaluation.predict_files` as ``galaxylib predict`` runs, with 95 %
  bootstrap intervals (:func:`galaxylib.realsky.auc_intervals`) and, for every remedy,
  the change from the network trained without one, with its paired interval;

and writes the figures to ``galaxylib/course/remedies.json`` for chapter 8 to read.
"""

from __future__ import annotations

import argparse
import shlex
import warnings
from pathlib import Path

from build_tools import networks
from build_tools.networks import readable_json, run_missing, sha256
from galaxylib.course import REMEDY_RECORD
from galaxylib.models import NETWORKS

__all__ = ["REMEDIES", "command", "main", "measure"]


REMEDIES = {
    "none": {"flags": [], "says": "the sky as rendered"},
    "photographic": {
        "flags": ["--photographic"],
        "says": "brightness, stretch, colour balance and noise varied in training",
    },
}
"""Each remedy tried in training: its ``galaxylib train`` flags and what it does, in words."""


def command(remedy: str, name: str) -> list[str]:
    """The command that trains network ``name`` with ``remedy``, run in ``WORK``.

    The remedy the stored networks were trained with is ``make networks``' own command,
    so that its networks are not trained twice.
    """
    if REMEDIES[remedy]["flags"] == networks.FLAGS:
        return networks.commands()[1 + list(NETWORKS).index(name)]
    return [
        *["galaxylib", "train", "sky", "--model", name, "--epochs", str(networks.EPOCHS)],
        *REMEDIES[remedy]["flags"],
        *["--out", f"models/{remedy}/{name}.keras"],
    ]


def measure(work: Path) -> dict:
    """Score every remedy's networks in ``work`` on the book's sky and the photographs."""
    import numpy as np
    import pandas as pd

    from galaxylib.baselines import mean_rmse
    from galaxylib.course import course_data
    from galaxylib.data import load_catalog
    from galaxylib.evaluation import evaluate, load_model, predict_files, predict_images
    from galaxylib.metrics import gap_closed
    from galaxylib.preprocess import crop_file
    from galaxylib.realsky import (
        LABELS,
        answer_scores,
        auc_intervals,
        label_table,
        photograph_paths,
    )
    from galaxylib.synthetic import sky_noise_floor
    from galaxylib.taxonomy import COLUMNS
    from galaxylib.tools.catalog_checks import FrameWarning

    sky = course_data()
    catalog = load_catalog(sky)
    parts = catalog.split()
    mean = mean_rmse(catalog, parts)
    floor = sky_noise_floor(sky, parts.test)  # as chapter 6 and bench quality
    paths, labels = photograph_paths(), label_table()
    known = labels[list(LABELS)]
    scores, rows = {}, []
    for remedy in REMEDIES:
        for name in NETWORKS:
            path = work / command(remedy, name)[-1]
            trained = load_model(path)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", FrameWarning)
                scores[remedy, name] = answer_scores(predict_files(trained, paths))
            test = evaluate(trained, sky, tta=True)
            history = pd.read_csv(trained.files.history)
            row = {
                "remedy": remedy,
                "network": name,
                "command": shlex.join(command(remedy, name)),
                "weights_sha256": sha256(path),
                "epochs": len(history),
                "train_s": round(float(history["seconds"].sum()), 1),
                "sky_rmse": round(test.rmse, 5),
                "sky_gap": round(gap_closed(test.rmse, mean, floor), 4),
            }
            if trained.preprocessing.color:  # the same photographs, in grey
                crops = np.stack([crop_file(p, trained.preprocessing)[0] for p in paths])
                grey = np.repeat(crops.mean(axis=-1, keepdims=True).round(), 3, axis=-1)
                table = pd.DataFrame(
                    predict_images(trained, grey.astype(np.uint8)), columns=list(COLUMNS)
                )
                probe = {"colour": scores[remedy, name], "grey": answer_scores(table)}
                row["grey_photographs"] = _aucs(auc_intervals(probe, known, baseline="colour"))
            rows.append(row)
    for row in rows:
        network = row["network"]
        pair = {"this": scores[row["remedy"], network], "none": scores["none", network]}
        row["auc"] = _aucs(auc_intervals(pair, known, baseline="none"), name="this")
    return {
        "made_by": "make remedies (python -m build_tools.remedies)",
        "sky_test": {"data": sky.name, "mean_rmse": mean, "floor_rmse": floor},
        "photographs": len(labels),
        "interval": "95 % bootstrap over the photographs, 2,000 draws, paired between rows",
        "remedies": {key: value["says"] for key, value in REMEDIES.items()},
        "rows": rows,
    }


def _aucs(table, name: str | None = None) -> dict:
    """``auc_intervals``' rows for one name (default: the last), as a plain dict by label."""
    name = name or table.index.get_level_values("name")[-1]
    return {
        label: {key: round(float(value), 4) for key, value in table.loc[(label, name)].items()}
        for label in table.index.get_level_values("label").unique()
    }


def main(argv: list[str] | None = None) -> None:
    """``python -m build_tools.remedies WORK [--score-only]``."""
    parser = argparse.ArgumentParser(prog="python -m build_tools.remedies", description=__doc__)
    parser.add_argument("work", type=Path, help="make networks' folder (its sky/ and models/)")
    parser.add_argument(
        "--score-only", action="store_true", help="do not train; score what WORK holds"
    )
    args = parser.parse_args(argv)
    if not args.score_only:
        run = [command(remedy, name) for remedy in REMEDIES for name in NETWORKS]
        run_missing(args.work, run)
    from galaxylib.tools.files import write_text

    record = measure(args.work)
    write_text(REMEDY_RECORD, readable_json(record))
    for row in record["rows"]:
        aucs = ", ".join(f"{k} {v['auc']:.2f}" for k, v in row["auc"].items())
        print(f"{row['remedy']:>13} {row['network']:>8}: sky RMSE {row['sky_rmse']:.4f}; {aucs}")
    print(f"Wrote {REMEDY_RECORD}.")


if __name__ == "__main__":
    main()
