"""How well do the book's networks learn? The gap they close, and whether they commit.

An RMSE alone says little: is 0.10 good? Two reference points frame it. Predicting every
galaxy as the average galaxy (the mean-confidence benchmark) is what a model that learned
nothing scores; the **noise floor** (the votes against the expected fractions of a
synthetic sky) is what a perfect model scores. :func:`gap_closed` says which share of the
distance between the two a network covers.

A network can also score well while *hedging*: predicting fractions close to the average
for every galaxy and never committing to an edge-on disc or a bar.
:func:`clear_cases` counts how often it commits on galaxies whose catalog is clear.

:func:`bench_quality` (``galaxylib bench quality``) makes a fresh sky of the book's
profile, trains the book's two networks on it exactly as chapter 5 does, and reports all
of this in one line.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pandas as pd

from galaxylib.baselines import BASELINES
from galaxylib.config import profile
from galaxylib.data import Catalog, Split, load_catalog, split
from galaxylib.errors import GalaxyLibError
from galaxylib.metrics import rmse
from galaxylib.taxonomy import COLUMNS

__all__ = ["CLEAR_CASES", "bench_quality", "clear_cases", "gap_closed", "mean_rmse"]

CLEAR_CASES = {
    "edge_on": ("Class2.1", 0.6, 0.5),
    "bar": ("Class3.1", 0.5, 0.3),
}
"""For each kind of clear galaxy: the answer, the catalog fraction from which a galaxy
counts as clearly of that kind, and the prediction from which the network is taken to
have seen it."""


def gap_closed(model_rmse: float, mean_rmse: float, floor_rmse: float) -> float:
    """The share of the distance from the mean benchmark to the noise floor a model covers.

    0 for a model no better than predicting the average galaxy, 1 for one at the noise
    floor (which no model can beat on average).

    Parameters
    ----------
    model_rmse, mean_rmse, floor_rmse : float
        RMSEs on the same galaxies: the model's, the mean-confidence benchmark's and the
        noise floor.

    Returns
    -------
    float
    """
    if not mean_rmse > floor_rmse:
        raise ValueError(
            f"the mean benchmark's RMSE ({mean_rmse}) must lie above the noise floor ({floor_rmse})"
        )
    return (mean_rmse - model_rmse) / (mean_rmse - floor_rmse)


def mean_rmse(catalog: Catalog, parts: Split) -> float:
    """RMSE on the test split of the mean-confidence benchmark fitted on the training split."""
    make, _, _ = BASELINES["mean confidence"]
    targets = catalog.labels.set_index("GalaxyID").loc[:, list(COLUMNS)]
    train, test = targets.loc[parts.train].to_numpy(), targets.loc[parts.test].to_numpy()
    benchmark = make().fit(np.zeros((len(train), 1)), train)
    return rmse(benchmark.predict(np.zeros((len(test), 1))), test)


def clear_cases(pred: np.ndarray, truth: np.ndarray) -> pd.DataFrame:
    """How often a network commits on galaxies whose catalog is clear (see :data:`CLEAR_CASES`).

    Parameters
    ----------
    pred, truth : ndarray of shape (n, 37)
        Predictions and catalog fractions of the same galaxies.

    Returns
    -------
    DataFrame
        One row per kind (``edge_on``, ``bar``): ``answer``, ``clear_from`` (catalog
        fraction), ``seen_from`` (prediction), ``galaxies`` (how many are clear),
        ``seen`` (how many of those the network predicts at ``seen_from`` or above),
        ``share`` (``seen / galaxies``, NaN when there are none) and ``largest`` (the
        largest prediction of that answer over all the galaxies).
    """
    pred, truth = np.asarray(pred, float), np.asarray(truth, float)
    rows = []
    for kind, (answer, clear_from, seen_from) in CLEAR_CASES.items():
        column = COLUMNS.index(answer)
        clear = truth[:, column] >= clear_from
        seen = int(np.sum(pred[clear, column] >= seen_from))
        rows.append(
            {
                "kind": kind,
                "answer": answer,
                "clear_from": clear_from,
                "seen_from": seen_from,
                "galaxies": int(clear.sum()),
                "seen": seen,
                "share": seen / clear.sum() if clear.any() else np.nan,
                "largest": float(pred[:, column].max()) if len(pred) else np.nan,
            }
        )
    return pd.DataFrame(rows).set_index("kind")


def _write_predictions(path: Path, ids: np.ndarray, pred: np.ndarray) -> None:
    from galaxylib.evaluation import write_csv

    table = pd.DataFrame(pred, columns=list(COLUMNS))
    table.insert(0, "GalaxyID", ids)
    write_csv(table, path, force=True)


def bench_quality(
    seed: int = 8, *, out: str | Path | None = None, workers: int | None = None
) -> dict[str, float]:
    """Train the book's two networks on a fresh sky and measure what they learned.

    The sky has the profile's size (:func:`galaxylib.config.profile`) and is made with
    ``seed``; both networks train with :func:`galaxylib.training.train`'s defaults, as
    chapter 5 trains them, and are scored on the sky's test split as chapter 6 scores
    them (the improved one averaged over the eight rotations and flips).

    Parameters
    ----------
    seed : int, default 8
        Seed of the sky (the split and the training keep the book's seed, 42).
    out : path, optional
        Keep everything here: the sky in ``out/sky``, the models in ``out/models`` and
        the test split's predictions in ``out/test_predictions_<model>.csv`` (GalaxyID and
        the 37 answers), from which every figure can be computed again. Default: a
        temporary folder, removed afterwards.
    workers : int, optional
        Processes for making and cropping the sky.

    Returns
    -------
    dict
        ``improved_rmse``, ``report_rmse``, ``mean_rmse``, ``floor_rmse``, ``improved_gap``,
        ``report_gap`` (:func:`gap_closed`), ``improved_edge_on`` and ``improved_bar``
        (:func:`clear_cases`'s shares) and ``train_s`` (seconds of training, both networks).
    """
    import tempfile

    from galaxylib.evaluation import evaluate, sky_noise_floor
    from galaxylib.synthetic import make_sky
    from galaxylib.training import train

    if out is None:
        with tempfile.TemporaryDirectory(prefix="galaxylib-quality-") as tmp:
            return bench_quality(seed, out=tmp, workers=workers)
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise GalaxyLibError(f"--out {out} is a file; name a folder to keep the results in.")
    sky = out / "sky"
    if not (sky / "sky.json").exists():
        print(make_sky(sky, profile().n_galaxies, seed=seed, workers=workers, force=True))
    catalog = load_catalog(sky)
    parts = split(catalog.ids, seed=42)
    floor = sky_noise_floor(sky, parts.test)
    if floor is None:  # make_sky always writes the truth the floor is read from
        raise GalaxyLibError(f"{sky} holds no truth.csv; delete it and run the benchmark again.")
    rmses: dict[str, float] = {}
    committed: dict[str, float] = {}
    train_s = 0.0
    for name, tta in (("improved", True), ("report", False)):
        start = time.perf_counter()
        path = out / "models" / f"{name}.keras"
        path.parent.mkdir(parents=True, exist_ok=True)
        train(sky, model=name, out=path, force=True, workers=workers, verbose=2)
        train_s += time.perf_counter() - start
        result = evaluate(path, sky, tta=tta)
        _write_predictions(out / f"test_predictions_{name}.csv", result.ids, result.pred)
        rmses[name] = result.rmse
        if name == "improved":
            shares = clear_cases(result.pred, result.truth)["share"]
            committed = {f"improved_{kind}": share for kind, share in shares.items()}
    mean = mean_rmse(catalog, parts)
    return {
        "improved_rmse": rmses["improved"],
        "report_rmse": rmses["report"],
        "mean_rmse": mean,
        "floor_rmse": floor,
        "improved_gap": gap_closed(rmses["improved"], mean, floor),
        "report_gap": gap_closed(rmses["report"], mean, floor),
        "train_s": train_s,
        **committed,
    }
