"""Real galaxies: photographs from Debian's ``stellarium-data`` and their catalogued types.

The planetarium Stellarium ships low-resolution photographs of galaxies, taken by
observatories and amateur astrophotographers; :func:`photograph_paths` fetches them once.
The label table (``real_galaxies.csv`` beside this module) gives each galaxy's catalogued
morphology and the four labels that :func:`labels_for` derives from it.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from galaxylib.errors import DataError
from galaxylib.tools.photographs import fetch_photographs

__all__ = [
    "LABELS",
    "VIEWS",
    "answer_scores",
    "auc_table",
    "label_table",
    "labels_for",
    "photograph_paths",
]

LABELS = ("smooth", "edge_on", "barred", "odd")
"""The four labels of the table, in the order of :func:`answer_scores`."""
VIEWS = ("round", "face-on", "inclined", "highly inclined", "edge-on", "pair")
"""How a galaxy is seen in its photograph."""

_TABLE = Path(__file__).with_name("real_galaxies.csv")


def labels_for(hubble_type: str, view: str) -> dict[str, float]:
    """The four labels a catalogued type and a view imply (NaN where they cannot say).

    - ``smooth``: 1 for ellipticals; for lenticulars 1 when unbarred (``SA0``) and seen
      face-on or inclined, 0 when edge-on (the disc shows) or peculiar, NaN otherwise;
      0 for spirals, irregulars, pairs and mergers.
    - ``edge_on``: 1 for an edge-on view, 0 for face-on, inclined, round or pair, NaN
      for a highly inclined disc.
    - ``barred``: for discs seen face-on or inclined only: 1 for family ``SB``, 0 for
      ``SA``, NaN for the intermediate ``SAB`` and every other view or type.
    - ``odd``: 1 for pairs, mergers, irregulars and peculiar (``pec``) types, except a
      peculiar dwarf (its peculiarity is internal, NaN); 0 otherwise.

    ``hubble_type`` is an RC3-style type (``"SAB(rs)bc"``, ``"E0 pec"``, ``"dE5 pec"``),
    ``"pair"`` or ``"merger"``; ``view`` one of :data:`VIEWS`.
    """
    if view not in VIEWS:
        raise DataError(f"The view {view!r} is not one of {', '.join(VIEWS)}.")
    kind = _kind(hubble_type)
    family = re.match(r"(?:\(R'?\))?S(AB|A|B)?", hubble_type)
    bar = family.group(1) if family else None
    pec = "pec" in hubble_type
    nan = float("nan")
    if kind in ("elliptical", "dwarf"):
        smooth = 1.0
    elif kind == "lenticular":
        if pec or view == "edge-on":
            smooth = 0.0
        else:
            smooth = 1.0 if bar == "A" and view in ("face-on", "inclined") else nan
    else:
        smooth = 0.0
    edge_on = {"edge-on": 1.0, "highly inclined": nan}.get(view, 0.0)
    barred = nan
    if kind in ("spiral", "lenticular") and view in ("face-on", "inclined"):
        barred = {"B": 1.0, "A": 0.0}.get(bar or "", nan)
    if kind in ("interacting", "irregular") or (pec and kind != "dwarf"):
        odd = 1.0
    else:
        odd = nan if pec else 0.0
    return {"smooth": smooth, "edge_on": edge_on, "barred": barred, "odd": odd}


def _kind(hubble_type: str) -> str:
    if hubble_type in ("pair", "merger"):
        return "interacting"
    if hubble_type.startswith("dE"):
        return "dwarf"
    if hubble_type.startswith("E"):
        return "elliptical"
    if re.match(r"(?:\(R'?\))?S(AB|A|B)?(?:\([rs]+\))?0", hubble_type):
        return "lenticular"
    if re.match(r"(?:\(R'?\))?S", hubble_type):
        return "spiral"
    if hubble_type.startswith("I"):
        return "irregular"
    raise DataError(f"{hubble_type!r} is not a Hubble type this table knows.")


def label_table() -> pd.DataFrame:
    """The real galaxies the course uses: type, its source, view and the four labels.

    Columns: ``file`` (its photograph, no ``.png``), ``name``, ``objects`` (Stellarium's names),
    ``hubble_type``, ``type_source``, ``view``, the :data:`LABELS` (1, 0 or NaN) and ``note``.
    """
    table = pd.read_csv(_TABLE, dtype={"note": str}, keep_default_na=False, na_values={})
    for label in LABELS:
        table[label] = pd.to_numeric(table[label].replace("", np.nan)).astype(float)
    return table


def photograph_paths(root: str | Path | None = None) -> list[Path]:
    """The photographs' paths in the order of :func:`label_table` (fetched if needed)."""
    root = fetch_photographs(root)
    return [root / f"{name}.png" for name in label_table()["file"]]


def answer_scores(predictions: pd.DataFrame) -> pd.DataFrame:
    """The network's answer to each of the four :data:`LABELS`, from its 37 fractions.

    ``smooth`` is ``Class1.1``; ``edge_on`` is ``Class2.1 / (Class2.1 + Class2.2)`` and
    ``barred`` ``Class3.1 / (Class3.1 + Class3.2)`` (the answers given that the question
    was asked); ``odd`` is ``Class6.1``.
    """
    scores = pd.DataFrame(index=predictions.index)
    scores["smooth"] = predictions["Class1.1"]
    scores["edge_on"] = _share(predictions["Class2.1"], predictions["Class2.2"])
    scores["barred"] = _share(predictions["Class3.1"], predictions["Class3.2"])
    scores["odd"] = predictions["Class6.1"]
    return scores


def _share(yes: pd.Series, no: pd.Series) -> pd.Series:
    return yes / np.maximum(yes + no, 1e-9)


def auc_table(scores: dict[str, pd.DataFrame], labels: pd.DataFrame) -> pd.DataFrame:
    """ROC AUC of each network's answer for each label, over the galaxies labelled.

    ``scores`` maps a network's name to its :func:`answer_scores`, rows aligned with
    ``labels`` (:func:`label_table`). Returns one row per label: ``positives``,
    ``negatives`` and one AUC column per network.
    """
    from sklearn.metrics import roc_auc_score

    rows = []
    for label in LABELS:
        known = labels[label].notna().to_numpy()
        truth = labels[label].to_numpy()[known]
        row = {"label": label, "positives": int(truth.sum()), "negatives": int((1 - truth).sum())}
        for name, table in scores.items():
            row[name] = roc_auc_score(truth, table[label].to_numpy()[known])
        rows.append(row)
    return pd.DataFrame(rows).set_index("label")
