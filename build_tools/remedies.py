"""Measure the remedies for the gap between the synthetic sky and photographs (``make remedies``).

``python -m build_tools.remedies WORK`` reads the networks of each remedy of
:data:`REMEDIES` from ``WORK/models`` -- ``make networks``' folder, whose sky (seed 1, 24,000
galaxies) they all learn from -- training any that is missing with the project's own
command, then scores each network two ways, with one protocol for every row:

- on the synthetic sky: the test RMSE on the book's sky (seed 0, the ``small`` profile's),
  as chapter 6 scores it, the share of the gap from the mean benchmark to the noise
  floor that it closes, and the AUC of its bar answer on the sky's face-on test discs
  (:mod:`galaxylib.course.bars`, as chapter 8 scores it);
- on the open photographs of chapter 8: the AUC of each label, through
  :func:`galaxylib.evaluation.predict_files` as ``galaxylib predict`` runs, with 95 %
  bootstrap intervals (:func:`galaxylib.course.bootstrap.auc_intervals`) and the change from the
  row the remedy adds to (the remedy of its flags but the last, :func:`adds_to`), with its paired
  interval; and two probes at prediction time, paired with the photographs as they are:
  the same crops in grey (colour networks only) and with their levels set to the sky's
  (:func:`sky_levels`);

and writes the figures to ``galaxylib/course/remedies.json`` for chapter 8 to read, with each
scored row's answers on the photographs. With ``--keep``, a row whose network is no longer in
``WORK`` is kept from the record as it was scored, so that adding a remedy does not mean
training every row again. A row whose network is scored is paired with the row it adds to
through that row's network, or, where it is gone, the answers the record keeps of it (checked
against its AUCs), or for a stored network the book's own
(:func:`galaxylib.course.networks.install`); where none is at hand (a row scored before the
record kept answers, whose network is gone), the row's change is kept as it was last scored.

It also trains each stored network a second time with its own command, and the rows of
:data:`TRAININGS` as often as it says (:func:`again_command`), and scores each the same way,
with its change from the stored network: how far the luck of training alone moves a row.
"""

from __future__ import annotations

import argparse
import json
import shlex
import tempfile
import warnings
from pathlib import Path
from typing import TYPE_CHECKING

from build_tools import networks
from build_tools.networks import readable_json, run_missing
from galaxylib.config import PROFILES, SMALL
from galaxylib.course import REMEDY_RECORD
from galaxylib.models import NETWORKS
from galaxylib.tools.files import sha256

if TYPE_CHECKING:  # for the annotations; the functions import pandas where they use it
    import pandas as pd

__all__ = [
    "AGAIN",
    "REMEDIES",
    "TRAININGS",
    "adds_to",
    "again_command",
    "again_runs",
    "applies",
    "command",
    "flags",
    "kept_answers",
    "main",
    "measure",
    "runs",
]


REMEDIES = {
    "none": {"flags": [], "says": "the sky as rendered"},
    "photographic": {
        "flags": ["--photographic"],
        "says": "brightness, black point, stretch, colour balance, saturation and noise varied "
        "in training",
    },
    "framing": {
        "flags": ["--photographic", "--framing"],
        "says": "photographic, and each galaxy framed as photographs frame it in training: "
        "smaller or larger, off-centre, among stars, softer",
    },
    "greyscale": {
        "flags": ["--photographic", "--greyscale"],
        "says": "photographic, and half the training images turned grey (for a grey network, "
        "photographic trained again)",
    },
    "parts": {
        "flags": ["--photographic", "--parts"],
        "says": "photographic, and the convolutions run on four turned corners of each image, "
        "as the Kaggle winner's did (the improved network only)",
        "networks": ["improved"],
    },
    "parts_framing": {
        "flags": ["--framing"],
        "after_stored": True,
        "says": "the improved network's stored remedies, and each galaxy framed as photographs "
        "frame it in training",
        "networks": ["improved"],
    },
    "parts_grey": {
        "flags": ["--greyscale"],
        "after_stored": True,
        "says": "the improved network's stored remedies, and half the training images turned grey",
        "networks": ["improved"],
    },
    "size150": {
        "flags": [f"--size={PROFILES['full'].image_size}"],
        "after_stored": True,
        "says": f"each network's stored remedies, on crops of {PROFILES['full'].image_size} "
        f"pixels, the full profile's (a Colab learner's), instead of {SMALL.image_size}",
    },
    "epochs50": {
        "flags": [f"--epochs={PROFILES['full'].epochs}"],
        "after_stored": True,
        "says": f"each network's stored remedies, trained for {PROFILES['full'].epochs} epochs, "
        f"the full profile's, instead of {SMALL.epochs}",
    },
    "standardise": {
        "flags": ["--standardise"],
        "after_stored": True,
        "says": "each network's stored remedies, and each image's channels standardised (mean "
        "0, standard deviation 1) in the network's first layers, in training and prediction",
    },
    "standardise_not_parts": {
        "flags": ["--standardise"],
        "after_stored": True,
        "instead_of": "--parts",
        "says": "the improved network's stored remedies with each image's channels standardised "
        "in place of Dieleman's parts",
        "networks": ["improved"],
    },
    "grey_standardise": {
        "flags": ["--greyscale", "--standardise"],
        "after_stored": True,
        "says": "the improved network's stored remedies, half the training images turned grey, "
        "and each image's channels standardised",
        "networks": ["improved"],
    },
}
"""Each remedy tried in training: its ``galaxylib train`` flags and what it does, in words,
the networks it applies to where not every one (``networks``), and whether its flags follow
each network's stored remedies (``after_stored``, :func:`flags`), less the one it replaces
(``instead_of``). Each adds its last flag to the remedy of the flags before it, and its
change is measured against that one; one that replaces a stored remedy is measured against
the stored recipe (:func:`adds_to`)."""

AGAIN = "again"
"""Where ``WORK/models`` keeps a row's network trained a second time with its own command
(``again3`` a third time, and so on), and the record's list of them: how far another
training moves a row's figures is the yardstick for the rows'."""

TRAININGS = {
    "standardise": {"improved": 4},
    "parts_grey": {"improved": 2},
    "photographic": {"improved": 2},
    "greyscale": {"improved": 3},
}
"""The rows trained more than once besides the stored networks (which are trained twice):
by remedy, each network and its number of trainings in all. Each is a row whose first
training either raised the network's mean AUC on the photographs above its stored recipe's
by more than that recipe's own trainings differ ("standardise", "parts_grey"), or met every
goal on the photographs that the stored row meets, and more ("photographic" and "greyscale",
for the improved network: smooth), which chapter 8's rule for replacing a stored recipe asks
of every training. A training of these rows takes a fraction of the time of the improved
network's "size150" row (the record's ``train_s``, on two CPU cores: 36 to 89 minutes for
the "standardise" row's four, 81 and 140 minutes for the "parts_grey" row's two, the second
slowed in its first four epochs by other work on the machine, 47 and 22 minutes for the
"photographic" row's two and 20, 22 and 21 for the "greyscale" row's three, against 2.5
hours). Chapter 8 reads whether what the first training did repeats, and names the rows
that rose and were not trained again."""

ANSWER_DECIMALS = 6
"""Decimals of the answers on the photographs that each scored row keeps in the record, so
that a row added later is paired with it even when its network is gone."""

SKY_CROPS = 500
"""Crops of the book's sky whose median levels :func:`sky_levels` matches."""

BRIGHT_PERCENTILE = 99.5
"""The percentile of a crop's grey levels that :func:`sky_levels` takes for its brightest light."""


def flags(remedy: str, name: str) -> list[str]:
    """The ``galaxylib train`` flags that train network ``name`` with ``remedy``."""
    value = REMEDIES[remedy]
    stored = networks.FLAGS[name] if value.get("after_stored") else []
    return [*(f for f in stored if f != value.get("instead_of")), *value["flags"]]


def stored_remedy(name: str) -> str:
    """The remedy that the book's stored network ``name`` is trained with (``make networks``)."""
    return next(r for r in REMEDIES if flags(r, name) == networks.FLAGS[name])


def adds_to(remedy: str, name: str) -> str | None:
    """The remedy that ``remedy`` adds its last flag to for network ``name``, or ``None`` for
    the one with none; for a remedy that replaces one of the stored remedies
    (``instead_of``), the stored recipe, which its change is measured against."""
    trained = flags(remedy, name)
    if not trained:
        return None
    if REMEDIES[remedy].get("instead_of"):
        return stored_remedy(name)
    return next(r for r in REMEDIES if name in applies(r) and flags(r, name) == trained[:-1])


def applies(remedy: str) -> list[str]:
    """The networks of :data:`~galaxylib.models.NETWORKS` that ``remedy`` is tried on."""
    return list(REMEDIES[remedy].get("networks", NETWORKS))


def again_command(remedy: str, name: str, training: int = 2) -> list[str]:
    """The command of network ``name``'s ``remedy`` row, writing its ``training``-th training
    (2: the second) to ``models/again/`` (``models/again3/`` for the third, and so on):
    ``<name>.keras`` there for the stored recipe, else ``<remedy>/<name>.keras`` (as
    :func:`command` places the first)."""
    folder = AGAIN if training == 2 else f"{AGAIN}{training}"
    if remedy != stored_remedy(name):
        folder += f"/{remedy}"
    return networks.train_command(name, flags(remedy, name), f"models/{folder}/{name}.keras")


def runs() -> dict[tuple[str, str], list[str]]:
    """Every row ``make remedies`` scores, by (remedy, network), with the command that
    trains its network."""
    return {
        (remedy, name): command(remedy, name) for remedy in REMEDIES for name in applies(remedy)
    }


def again_runs() -> dict[tuple[str, str, int], list[str]]:
    """Every training after a row's first that ``make remedies`` scores, by (remedy,
    network, training): each stored network's second, then those of :data:`TRAININGS`, with
    the command that trains it."""
    counts = {(stored_remedy(name), name): 2 for name in NETWORKS}
    counts |= {(r, name): n for r, each in TRAININGS.items() for name, n in each.items()}
    return {
        (remedy, name, training): again_command(remedy, name, training)
        for (remedy, name), count in counts.items()
        for training in range(2, count + 1)
    }


def command(remedy: str, name: str) -> list[str]:
    """The command that trains network ``name`` with ``remedy``, run in ``WORK``.

    The remedy a stored network was trained with is ``make networks``' own command, so
    that the network is not trained twice.
    """
    if flags(remedy, name) == networks.FLAGS[name]:
        return networks.commands()[1 + list(NETWORKS).index(name)]
    return networks.train_command(name, flags(remedy, name), f"models/{remedy}/{name}.keras")


def levels(images):
    """Each image's median grey level (its background) and its :data:`BRIGHT_PERCENTILE`
    (its brightest light); ``images`` is (n, height, width, channels)."""
    import numpy as np

    grey = images.reshape(len(images), -1, images.shape[-1]).astype(float).mean(axis=-1)
    return np.median(grey, axis=1), np.percentile(grey, BRIGHT_PERCENTILE, axis=1)


def sky_levels(images, black: float, white: float):
    """Each image's :func:`levels` set to the sky's, linearly: its background to ``black``
    and its brightest light to ``white``."""
    import numpy as np

    low, high = (level[:, None, None, None] for level in levels(images))
    scaled = (images - low) / np.maximum(high - low, 1.0) * (white - black) + black
    return np.clip(scaled.round(), 0, 255).astype(np.uint8)


def measure(work: Path, kept: dict | None = None) -> dict:
    """Score every remedy's networks in ``work`` on the book's sky and the photographs.

    ``kept``: an earlier record whose rows stand in for networks ``work`` no longer holds.
    """
    import numpy as np
    import pandas as pd
    from sklearn.metrics import roc_auc_score

    from galaxylib.baselines import mean_rmse
    from galaxylib.course import course_data
    from galaxylib.course import networks as stored_networks
    from galaxylib.course.bars import face_on_discs, sky_bar_answers
    from galaxylib.course.bootstrap import auc_intervals
    from galaxylib.data import load_catalog
    from galaxylib.evaluation import evaluate, load_model, predict_files, predict_images
    from galaxylib.metrics import gap_closed
    from galaxylib.preprocess import crop_file, open_cache
    from galaxylib.realsky import (
        LABELS,
        answer_scores,
        label_table,
        photograph_paths,
    )
    from galaxylib.synthetic import sky_noise_floor
    from galaxylib.taxonomy import COLUMNS
    from galaxylib.tools.catalog_checks import FrameWarning
    from galaxylib.tools.sky import sky_identity

    sky = course_data()
    catalog = load_catalog(sky)
    parts = catalog.split()
    mean = mean_rmse(catalog, parts)
    floor = sky_noise_floor(sky, parts.test)  # as chapter 6 and bench quality
    paths, labels = photograph_paths(), label_table()
    files = [path.stem for path in paths]
    known = labels[list(LABELS)]
    discs, barred = face_on_discs(sky)

    def score(run: list[str]) -> tuple[dict, pd.DataFrame]:
        """The row of the network that ``run`` trains, and its answers on the photographs."""
        path = work / run[-1]
        trained = load_model(path)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FrameWarning)
            answers = answer_scores(predict_files(trained, paths))
        test = evaluate(trained, sky, tta=True)
        history = pd.read_csv(trained.files.history)
        row = {
            "command": shlex.join(run),
            "weights_sha256": sha256(path),
            "epochs": len(history),
            "train_s": round(float(history["seconds"].sum()), 1),
            "sky_rmse": round(test.rmse, 5),
            "sky_gap": round(gap_closed(test.rmse, mean, floor), 4),
            "sky_bar_auc": round(roc_auc_score(barred, sky_bar_answers(trained, sky, discs)), 4),
        }
        crops = np.stack([crop_file(p, trained.preprocessing)[0] for p in paths])
        crops = crops.reshape(len(paths), *trained.preprocessing.input_shape)
        probes = {}
        if trained.preprocessing.color:  # the same photographs, in grey
            probes["grey_photographs"] = np.repeat(
                crops.mean(axis=-1, keepdims=True).round(), 3, axis=-1
            )
        sky_crops = open_cache(sky, settings=trained.preprocessing).images[:SKY_CROPS]
        low, high = levels(sky_crops.reshape(-1, *trained.preprocessing.input_shape))
        black, white = float(np.median(low)), float(np.median(high))
        probes["levels_photographs"] = sky_levels(crops, black, white)
        for probe, images in probes.items():
            table = pd.DataFrame(
                predict_images(trained, images.astype(np.uint8)), columns=list(COLUMNS)
            )
            pair = {"as they are": answers, "probe": answer_scores(table)}
            row[probe] = _aucs(auc_intervals(pair, known, baseline="as they are"))
        row["answers"] = {  # in the order of the record's "photograph_files"
            label: [round(float(value), ANSWER_DECIMALS) for value in answers[label]]
            for label in LABELS
        }
        return row, answers

    earlier_rows, earlier_again = _by_key(kept, "rows"), _by_key(kept, AGAIN)
    book = {}  # the book's stored networks' answers, where WORK no longer holds them

    def base(remedy: str, name: str) -> pd.DataFrame | None:
        """The answers of network ``name``'s ``remedy`` row: scored here, else those the record
        keeps of it (:func:`kept_answers`) or, for its stored recipe, the book's stored
        network's (each checked against the record); else ``None``."""
        if (remedy, name) in scores:
            return scores[remedy, name]
        if (remedy, name) not in earlier_rows:
            return None
        if remedy != stored_remedy(name):  # the answers the record keeps, if it keeps them
            return kept_answers(earlier_rows[remedy, name], kept, files, known)
        if name not in book:
            with tempfile.TemporaryDirectory() as folder:
                path = stored_networks.install(name, Path(folder) / f"{name}.keras")
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", FrameWarning)
                    book[name] = answer_scores(predict_files(load_model(path), paths))
            _kept_change(earlier_rows[remedy, name], book[name], known)
        return book[name]

    def scored(runs_of: dict, earlier: dict) -> tuple[list[dict], dict]:
        """The rows of ``runs_of``'s networks, each scored or, where ``work`` lacks it, kept
        from ``earlier``; and the answers of those scored, by :func:`_key`."""
        listing, found = [], {}
        for key, run in runs_of.items():
            if not (work / run[-1]).exists() and key in earlier:
                print(f"Kept the {key[1]} network's {key[0]} row: {run[-1]} is not in {work}.")
                listing.append(earlier[key])
                continue
            row, found[key] = score(run)
            trainings = {"training": key[2]} if len(key) > 2 else {}
            listing.append({"remedy": key[0], "network": key[1], **trainings, **row})
        return listing, found

    def add_aucs(listing: list[dict], found: dict, earlier: dict, before_of) -> None:
        """Each scored row's AUCs, with its change from its network's row ``before_of(remedy,
        network)`` names (none where that is ``None``)."""
        for row in listing:
            remedy, network = row["remedy"], row["network"]
            this = found.get(_key(row))
            if this is None:
                continue  # kept whole
            before = before_of(remedy, network)
            if before is None:
                pair = {"this": this}
            elif (answers := base(before, network)) is not None:
                pair = {"this": this, "before": answers}
            elif _key(row) in earlier:  # the row it adds to is kept: so is this row's change
                row["auc"] = _kept_change(earlier[_key(row)], this, known)
                continue
            else:
                raise SystemExit(
                    f"The {network} network's {remedy} row adds to its {before} row, whose "
                    f"network is not in {work} and whose answers the record does not keep; "
                    "train that row again (make remedies without --keep)."
                )
            baseline = "this" if before is None else "before"
            row["auc"] = _aucs(auc_intervals(pair, known, baseline=baseline), name="this")

    rows, scores = scored(runs(), earlier_rows)
    again, seconds = scored(again_runs(), earlier_again)
    add_aucs(rows, scores, earlier_rows, adds_to)  # each row against the row it adds to
    add_aucs(again, seconds, earlier_again, lambda _, network: stored_remedy(network))
    return {
        "made_by": "make remedies (python -m build_tools.remedies)",
        "sky": sky_identity(work / "sky"),  # the stored networks' sky, where all rows trained
        "sky_test": {"data": sky.name, "mean_rmse": mean, "floor_rmse": floor},
        "photographs": len(labels),
        "photograph_files": files,
        "interval": "95 % bootstrap over the photographs, 2,000 draws, paired between rows",
        "remedies": {
            key: {
                "says": value["says"],
                "adds_to": {name: adds_to(key, name) for name in applies(key)},
                "networks": applies(key),
            }
            for key, value in REMEDIES.items()
        },
        "stored": {name: stored_remedy(name) for name in NETWORKS},
        AGAIN: again,
        "levels_percentile": BRIGHT_PERCENTILE,
        "rows": rows,
    }


def _key(row: dict) -> tuple:
    """A row's (remedy, network), and for a training after its first, which one it is."""
    return (row["remedy"], row["network"], *([row["training"]] if "training" in row else []))


def _by_key(record: dict | None, key: str) -> dict[tuple, dict]:
    """A record's rows (``key`` "rows") or later trainings (:data:`AGAIN`) by :func:`_key`;
    none without a record."""
    return {_key(row): row for row in record[key]} if record else {}


def kept_answers(
    row: dict, record: dict | None, files: list[str], known: pd.DataFrame
) -> pd.DataFrame | None:
    """The answers on the photographs that ``record`` keeps for its ``row``, checked against
    the row's AUCs; ``None`` where it keeps none, or kept them for other photographs than
    ``files`` (the names, without their extension, whose labels ``known`` holds)."""
    import pandas as pd

    if "answers" not in row or (record or {}).get("photograph_files") != files:
        return None
    answers = pd.DataFrame(row["answers"])
    _kept_change(row, answers, known)
    return answers


def _kept_change(earlier: dict, scores, known) -> dict:
    """An earlier row's AUCs and changes, after checking that this network scores the same."""
    from galaxylib.realsky import auc_table

    now = auc_table({"this": scores}, known)["this"]
    for label, auc in now.items():
        if abs(auc - earlier["auc"][label]["auc"]) > 1e-3:
            raise SystemExit(
                f"The {earlier['network']} network of {earlier['remedy']} scores {label} "
                f"{auc:.4f}, not the record's {earlier['auc'][label]['auc']:.4f}; "
                "train the row it adds to again (make remedies without --keep)."
            )
    return earlier["auc"]


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
    parser.add_argument(
        "--keep",
        action="store_true",
        help="keep the record's rows of networks WORK no longer holds, instead of training them",
    )
    args = parser.parse_args(argv)
    kept = json.loads(REMEDY_RECORD.read_text()) if args.keep else None
    if not args.score_only:
        wanted = [(runs(), _by_key(kept, "rows")), (again_runs(), _by_key(kept, AGAIN))]
        run_missing(
            args.work,
            [
                run
                for listing, held in wanted
                for key, run in listing.items()
                if (args.work / run[-1]).exists() or key not in held
            ],
        )
    from galaxylib.tools.files import write_text

    record = measure(args.work, kept)
    write_text(REMEDY_RECORD, readable_json(record))
    for row in record["rows"]:
        aucs = ", ".join(f"{k} {v['auc']:.2f}" for k, v in row["auc"].items())
        print(f"{row['remedy']:>13} {row['network']:>8}: sky RMSE {row['sky_rmse']:.4f}; {aucs}")
    print(f"Wrote {REMEDY_RECORD}.")


if __name__ == "__main__":
    main()
