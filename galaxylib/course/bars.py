"""Whether a network sees bars where it learned them.

Its bar answer on a synthetic sky's face-on test discs, against the sky's truth: chapter 8
(section 7) and ``make remedies`` score it the same way.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from galaxylib.data import load_catalog
from galaxylib.evaluation import TrainedModel, predict_cache
from galaxylib.preprocess import open_cache
from galaxylib.realsky import answer_scores
from galaxylib.taxonomy import COLUMNS

__all__ = ["FACE_ON", "face_on_discs", "sky_bar_answers"]

FACE_ON = 60
"""Degrees of inclination: a bar shows on discs seen closer to face-on than this."""


def face_on_discs(sky: str | Path) -> tuple[np.ndarray, np.ndarray]:
    """The test split's discs seen face-on, and whether each has a bar.

    Their IDs (disc galaxies less than :data:`FACE_ON` degrees from face-on) and the sky's
    truth (``truth.csv``) of each: ``True`` where it has a bar.
    """
    sky = Path(sky)
    truth = pd.read_csv(sky / "truth.csv").set_index("GalaxyID")
    test = truth.loc[load_catalog(sky).split().test]
    discs = test.index[(test["kind"] == "disc") & (test["inclination"] < FACE_ON)].to_numpy()
    return discs, (truth.loc[discs, "bar"] > 0).to_numpy()


def sky_bar_answers(trained: TrainedModel, sky: str | Path, discs: np.ndarray) -> np.ndarray:
    """A network's bar answer for each of ``discs`` on the sky.

    :func:`~galaxylib.realsky.answer_scores`' ``barred``, averaged over eight views of each
    disc, as :func:`~galaxylib.evaluation.evaluate` scores.
    """
    crops = open_cache(sky, settings=trained.preprocessing)
    pred = predict_cache(trained, crops, discs)
    return answer_scores(pd.DataFrame(pred, columns=list(COLUMNS)))["barred"].to_numpy()
