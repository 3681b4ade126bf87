"""What moved the Galaxy Zoo leaderboard, one idea at a time, on one sky (``make ablation``).

``python -m build_tools.ablation WORK`` makes one sky (``galaxylib synth``: 12,000
galaxies, seed 8, the sky of ``galaxylib bench quality --seed 8``) and trains each row's
network on it with the project's own command and one budget (the ``small`` profile's:
64 pixels, up to 20 epochs, the book's split), skipping any network ``WORK`` already
holds, so that a killed run starts again at the last finished epoch of the network it
was training. It then scores every row with one protocol:

- the test RMSE on the sky and the share of the gap from the mean benchmark to the noise
  floor that it closes, with a 95 % paired bootstrap interval of the change from the row
  it adds to (:func:`galaxylib.metrics.margin_interval`: the same test galaxies redrawn
  for both);
- the AUC of each of chapter 8's labels on the open photographs, with its interval
  (:func:`galaxylib.course.bootstrap.auc_intervals`);
- its training time, from the network's history;

and writes ``galaxylib/course/ablation.json`` for chapter 7 to read.
"""

from __future__ import annotations

import argparse
import os
import shlex
import warnings
from dataclasses import dataclass
from pathlib import Path

from build_tools.networks import readable_json, run_missing
from galaxylib.config import PROFILE_ENV, PROFILES
from galaxylib.tools.files import sha256

__all__ = [
    "ROWS",
    "SKY",
    "SYNTH",
    "Row",
    "calibration",
    "command",
    "commands",
    "main",
    "measure",
    "uncertainty",
]

PROFILE = "small"
"""The profile whose budget every row trains with."""

SKY = {"seed": 8, "n": 12_000}
"""The one sky every row learns from: ``bench quality --seed 8``'s, not the book's (seed 0)."""


@dataclass(frozen=True)
class Row:
    """One idea: the network that has it, how it is scored, and the row it adds to."""

    name: str
    says: str
    flags: tuple[str, ...]
    model: str
    tta: bool
    against: str | None


ROWS = (
    Row("report", "the report's network, in grey", ("--model", "report"), "report", False, None),
    Row(
        "colour",
        "+ colour: the three bands instead of grey",
        ("--model", "report", "--color"),
        "report-colour",
        False,
        "report",
    ),
    Row(
        "eight views",
        "+ eight views of each test galaxy averaged (test-time augmentation)",
        ("--model", "report", "--color"),
        "report-colour",
        True,
        "colour",
    ),
    Row(
        "improved",
        "+ the improved architecture, ending in the decision tree's layer",
        ("--model", "improved"),
        "improved",
        True,
        "eight views",
    ),
    Row(
        "sigmoid",
        "the improved network ending in 37 sigmoids instead of the tree's layer",
        ("--model", "improved", "--output", "sigmoid"),
        "improved-sigmoid",
        True,
        "improved",
    ),
    Row(
        "parts",
        "the improved network with Dieleman's four turned parts inside it, one view at test "
        "time, instead of eight views averaged",
        ("--model", "improved", "--parts"),
        "improved-parts",
        False,
        "improved",
    ),
    Row(
        "votes",
        "the improved network learning from the votes (zoobot's Dirichlet-multinomial) "
        "instead of the fractions' squared error",
        ("--model", "improved", "--output", "votes", "--volunteers", "sky/truth.csv"),
        "improved-votes",
        True,
        "improved",
    ),
)
"""The rows, in the order of the table; each is compared with the row it names."""


SYNTH = ["galaxylib", "synth", "--out", "sky", "--n", str(SKY["n"]), "--seed", str(SKY["seed"])]
"""The command that makes the sky, run inside ``WORK``."""


def command(row: Row) -> list[str]:
    """The command that trains ``row``'s network, run inside ``WORK``."""
    return ["galaxylib", "train", "sky", *row.flags, "--out", _out(row)]


def commands() -> list[list[str]]:
    """The sky's command, then each network's, once (two rows may score one network)."""
    trains = {row.model: command(row) for row in ROWS}
    return [SYNTH, *trains.values()]


def _out(row: Row) -> str:
    return f"models/{row.model}.keras"


def measure(work: Path) -> dict:
    """Score every row's network in ``work`` with one protocol (see the module's docstring)."""
    import numpy as np
    import pandas as pd

    from galaxylib.baselines import mean_rmse
    from galaxylib.course import machine
    from galaxylib.course.bootstrap import auc_intervals
    from galaxylib.data import SPLIT_SEED, load_catalog
    from galaxylib.evaluation import evaluate, load_model, predict_files
    from galaxylib.metrics import gap_closed, margin_interval
    from galaxylib.realsky import (
        LABELS,
        answer_scores,
        label_table,
        photograph_paths,
    )
    from galaxylib.synthetic import sky_noise_floor
    from galaxylib.tools.catalog_checks import FrameWarning
    from galaxylib.tools.sky import sky_identity

    sky, budget = work / "sky", PROFILES[PROFILE]
    catalog = load_catalog(sky)
    parts = catalog.split()
    mean = mean_rmse(catalog, parts)
    floor = sky_noise_floor(sky, parts.test)
    paths, known = photograph_paths(), label_table()[list(LABELS)]
    results, rows = {}, []
    for row in ROWS:
        path = work / _out(row)
        trained = load_model(path)
        results[row.name] = test = evaluate(trained, sky, tta=row.tta)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FrameWarning)
            scores = answer_scores(predict_files(trained, paths, tta=row.tta))
        aucs = auc_intervals({row.name: scores}, known)
        history = pd.read_csv(trained.files.history)
        line = {
            "name": row.name,
            "says": row.says,
            "command": shlex.join(command(row)),
            "views": 8 if row.tta else 1,
            "weights_sha256": sha256(path),
            "epochs": len(history),
            "train_s": round(float(history["seconds"].sum()), 1),
            "sky_rmse": round(test.rmse, 5),
            "sky_gap": round(gap_closed(test.rmse, mean, floor), 4),
            "auc": {
                label: {k: round(float(v), 4) for k, v in aucs.loc[(label, row.name)].items()}
                for label in LABELS
            },
        }
        if row.against is not None:
            before = results[row.against]
            if not np.array_equal(before.ids, test.ids):
                raise RuntimeError(f"rows {row.against} and {row.name} have other test splits")
            low, high = margin_interval(test.pred, before.pred, test.truth)
            line |= {
                "against": row.against,
                "change": round(before.rmse - test.rmse, 5),
                "change_low": round(low, 5),
                "change_high": round(high, 5),
            }
        rows.append(line)
    votes = work / _out(next(row for row in ROWS if row.name == "votes"))
    return {
        "made_by": "make ablation (python -m build_tools.ablation)",
        "sky": {**sky_identity(sky), "command": shlex.join(SYNTH), "split_seed": SPLIT_SEED},
        "budget": f"the {PROFILE} profile's: {budget.image_size} pixels, up to "
        f"{budget.epochs} epochs, batch {budget.batch_size}",
        "sky_test": {"mean_rmse": mean, "floor_rmse": floor, "galaxies": len(parts.test)},
        "change": "RMSE of the row it adds to minus this row's: above 0 where this row is better",
        "interval": "95 % paired bootstrap over the test galaxies, 1,000 draws",
        "photographs": len(known),
        "machine": machine(),
        "rows": rows,
        "calibration": {
            name: calibration(results[name].pred, results[name].truth)
            for name in ("improved", "votes")
        },
        "uncertainty": uncertainty(load_model(votes), sky, results["votes"]),
    }


def calibration(pred, truth, bins: int = 10) -> dict:
    """How each question's predicted proportions compare with the catalog's, in bins.

    Per question (``"Q1"`` ... ``"Q11"``): its answers' columns as the catalog gives them
    (shares of all the volunteers), cut into ``bins`` equal bins of the prediction. A
    calibrated model's galaxies predicted at 0.7 are, on average, at 0.7 in the catalog:
    each bin's two means lie on the diagonal. ``gap`` is the mean distance from it,
    weighted by the answers in each bin.
    """
    import numpy as np

    from galaxylib.taxonomy import QUESTIONS

    curves = {}
    for question in QUESTIONS:
        predicted = np.ravel(pred[:, question.columns])
        observed = np.ravel(truth[:, question.columns])
        which = np.minimum((predicted * bins).astype(int), bins - 1)
        kept = [b for b in range(bins) if (which == b).any()]
        means = [(predicted[which == b].mean(), observed[which == b].mean()) for b in kept]
        counts = [int((which == b).sum()) for b in kept]
        gaps = [abs(p - o) for p, o in means]
        curves[question.name] = {
            "predicted": [round(float(p), 4) for p, _ in means],
            "observed": [round(float(o), 4) for _, o in means],
            "count": counts,
            "gap": round(float(np.average(gaps, weights=counts)), 5),
        }
    return curves


def uncertainty(trained, sky: Path, test) -> dict:
    """Whether the galaxies the votes network is least sure of are those it gets most wrong.

    Its concentrations are averaged over the eight views of each test galaxy; a question's
    spread is the standard deviation of each answer's proportion under its Dirichlet,
    averaged over the answers. Two measures of sureness are set against each galaxy's
    RMSE over the 37 answers: ``"Q1"``, the first question's spread alone, and ``"every
    question"``, each question's spread times the share of the volunteers the network
    expects to reach it (its parent answer's predicted fraction), averaged over the 11.
    """
    import keras
    import numpy as np

    from galaxylib.models import dihedral_views
    from galaxylib.preprocess import open_cache
    from galaxylib.taxonomy import COLUMNS, QUESTIONS

    crops = open_cache(sky, settings=trained.preprocessing)
    images = np.asarray(crops.images[crops.rows_of(test.ids)])
    images = images.reshape(len(images), *trained.net.input_shape[1:])
    inner = keras.Model(trained.net.inputs, trained.net.layers[-2].output)  # concentrations
    alpha = np.mean(
        [inner.predict(view, batch_size=256, verbose=0) for view in dihedral_views(images)],
        axis=0,
    )
    spreads = []
    for question in QUESTIONS:
        a = alpha[:, question.columns]
        total = a.sum(axis=1, keepdims=True)
        spread = np.sqrt(a * (total - a) / (total**2 * (total + 1))).mean(axis=1)
        reach = 1.0 if question.parent is None else test.pred[:, COLUMNS.index(question.parent)]
        spreads.append(spread * reach)
    error = np.sqrt(((test.pred - test.truth) ** 2).mean(axis=1))
    return {
        "galaxies": len(error),
        "Q1": _sureness_against(spreads[0], error),
        "every question": _sureness_against(np.mean(spreads, axis=0), error),
    }


def _sureness_against(spread, error) -> dict:
    """Spearman's correlation of spread and error, the error of the least and most sure
    tenths, and how many of the 12 worst galaxies lie in the least sure quarter."""
    import numpy as np
    from scipy.stats import spearmanr

    order = np.argsort(spread)
    tenth = len(order) // 10
    worst = np.argsort(error)[-12:]  # as many as chapter 6 shows
    return {
        "spearman": round(float(spearmanr(spread, error).statistic), 4),
        "error_least_sure_tenth": round(float(error[order[-tenth:]].mean()), 5),
        "error_surest_tenth": round(float(error[order[:tenth]].mean()), 5),
        "worst_12_in_least_sure_quarter": int(np.isin(worst, order[-len(order) // 4 :]).sum()),
    }


def main(argv: list[str] | None = None) -> None:
    """``python -m build_tools.ablation WORK [--score-only]``."""
    parser = argparse.ArgumentParser(prog="python -m build_tools.ablation", description=__doc__)
    parser.add_argument("work", type=Path, help="folder of the sky and the networks")
    parser.add_argument(
        "--score-only", action="store_true", help="do not train; score what WORK holds"
    )
    args = parser.parse_args(argv)
    if not args.score_only:
        run_missing(args.work, commands(), PROFILE)
    os.environ.setdefault(PROFILE_ENV, PROFILE)
    from galaxylib.course import ABLATION_RECORD
    from galaxylib.tools.files import write_text

    record = measure(args.work)
    write_text(ABLATION_RECORD, readable_json(record))
    for row in record["rows"]:
        change = f"; change {row['change']:+.4f}" if "change" in row else ""
        print(f"{row['name']:>12}: sky RMSE {row['sky_rmse']:.4f}{change}")
    print(f"Wrote {ABLATION_RECORD}.")


if __name__ == "__main__":
    main()
