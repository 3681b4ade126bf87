import numpy as np
import pandas as pd
from conftest import random_fractions

from galaxylib.plots import (
    plot_class_bars,
    plot_correlations,
    plot_decision_tree,
    plot_question_correlations,
)
from galaxylib.taxonomy import COLUMNS


def labels(n=200):
    return pd.DataFrame(random_fractions(n, seed=9), columns=list(COLUMNS))


def test_class_bars_draw_one_bar_per_answer_with_its_value():
    values = labels().mean()
    ax = plot_class_bars(values, "Mean confidence", reference=values * 0.9).axes[0]
    heights = [patch.get_height() for patch in ax.patches]
    np.testing.assert_allclose(heights, values.to_numpy())
    assert [t.get_text() for t in ax.get_xticklabels()][:3] == ["1.1", "1.2", "1.3"]
    assert ax.get_title() == "Mean confidence"


def test_correlation_heatmaps_cover_every_answer_and_question():
    table = labels()
    full = plot_correlations(table).axes[0]
    assert len(full.get_xticklabels()) == 37
    grid = plot_question_correlations(table)
    titles = [ax.get_title() for ax in grid.axes if ax.get_title()]
    assert len(titles) == 11 and titles[6].startswith("Q7: How rounded")
    q1 = grid.axes[0]
    expected = table[["Class1.1", "Class1.2", "Class1.3"]].corr().to_numpy()
    shown = [float(t.get_text()) for t in q1.texts]
    np.testing.assert_allclose(shown, expected.ravel(), atol=0.006)


def test_decision_tree_draws_every_question_and_every_link():
    ax = plot_decision_tree().axes[0]
    texts = [t.get_text() for t in ax.texts]
    for number in range(1, 12):
        assert any(t.startswith(f"Q{number} ") for t in texts)
    assert sum(t.startswith("Class") for t in texts) == 9  # 11 questions, 2 roots


def test_crop_figures_show_each_step_and_each_galaxy(tmp_path):
    from conftest import write_dataset

    from galaxylib.data import load_catalog
    from galaxylib.plots import plot_crops, plot_roi_steps

    write_dataset(tmp_path, 3)
    catalog = load_catalog(tmp_path)
    steps = plot_roi_steps(catalog.read_image(catalog.ids[0]))
    assert [ax.get_title().split(".")[0] for ax in steps.axes] == ["1", "2", "3", "4", "5"]
    assert len(steps.axes[2].patches) == 2  # the bounding box and the report's square
    crops = plot_crops(catalog, catalog.ids[:2], size=48)
    assert len(crops.axes) == 6
    assert crops.axes[1].images[0].get_array().shape == (48, 48)
