import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from galaxylib.course.checks.common import random_fractions
from galaxylib.course.plots import (
    CONTENT_WIDTH,
    annotation_size,
    plot_agreement,
    plot_benchmarks,
    plot_class_bars,
    plot_correlations,
    plot_decision_tree,
    plot_learning_curves,
    plot_question_correlations,
    small_text,
)
from galaxylib.taxonomy import COLUMNS


def labels(n=200):
    return pd.DataFrame(random_fractions(n, np.random.default_rng(9)), columns=list(COLUMNS))


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
    assert grid.axes[-1].get_ylabel() == "correlation"  # the shared colour bar
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

    from galaxylib.course.plots import plot_crops, plot_roi_steps
    from galaxylib.data import load_catalog
    from galaxylib.preprocess import preprocess_catalog

    write_dataset(tmp_path, 3)
    catalog = load_catalog(tmp_path)
    steps = plot_roi_steps(catalog, catalog.ids[0], size=48)
    assert [ax.get_title().split(".")[0] for ax in steps.axes] == ["1", "2", "3", "4", "5"]
    assert len(steps.axes[2].patches) == 2  # the bounding box and the report's square
    crops = plot_crops(catalog, catalog.ids[:2], size=48)
    assert len(crops.axes) == 6
    assert crops.axes[1].images[0].get_array().shape == (48, 48)
    # the improved crops drawn are the ones the cache holds, not a look-alike
    cache = preprocess_catalog(tmp_path, size=48, workers=1, progress=False)
    shown = [steps.axes[4], crops.axes[2], crops.axes[5]]
    for ax, row in zip(shown, [0, 0, 1], strict=True):
        assert np.array_equal(ax.images[0].get_array(), cache.images[row])


# ------------------------------------------------------------------ figures of issue 11


def test_morphology_strip_shows_each_chosen_galaxy_with_its_votes(tmp_path):
    from conftest import write_dataset

    from galaxylib.course.plots import plot_morphologies
    from galaxylib.data import load_catalog

    write_dataset(tmp_path, 3)
    catalog = load_catalog(tmp_path)
    ids = catalog.ids[:2]
    examples = pd.DataFrame(
        {"GalaxyID": ids, "answer": ["Class1.1", "Class4.1"], "expected": [0.9, 0.7]},
        index=["elliptical", "spiral"],
    )
    fig = plot_morphologies(catalog, examples)
    assert len(fig.axes) == 2
    voted = catalog.labels.set_index("GalaxyID").at[ids[1], "Class4.1"]
    title = fig.axes[1].get_title()
    assert title.startswith(f"spiral (#{ids[1]})")
    assert f"expected 0.70, voted {voted:.2f}" in title
    assert fig.axes[0].images[0].get_array().shape[:2] == catalog.read_image(ids[0]).shape[:2]


def test_agreement_histograms_count_every_galaxy_that_reached_a_question():
    from galaxylib.taxonomy import winning_share

    shares = winning_share(labels(300))
    fig = plot_agreement(shares)
    assert len(fig.axes) == 11
    for ax, question in zip(fig.axes, shares.columns, strict=True):
        counted = sum(patch.get_height() for patch in ax.patches)
        assert counted == shares[question].notna().sum()
        assert ax.get_title().startswith(f"{question}: ")
        assert f"median {shares[question].median():.2f}" in ax.get_title()


def test_benchmark_bars_show_ours_beside_the_report_with_their_values():
    table = pd.DataFrame(
        {"benchmark": ["a", "b"], "rmse": [0.15, 0.16], "report_rmse": [0.1639, 0.16194]}
    )
    ax = plot_benchmarks(table).axes[0]
    widths = [patch.get_width() for patch in ax.patches]
    np.testing.assert_allclose(widths, [0.15, 0.16, 0.1639, 0.16194])
    shown = [t.get_text() for t in ax.texts]
    assert shown == ["0.1500", "0.1600", "0.1639", "0.16194"]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["a", "b"]
    assert "RMSE" in ax.get_xlabel()


def history(epochs, start):
    values = start * 0.9 ** np.arange(epochs)
    return pd.DataFrame(
        {
            "epoch": np.arange(epochs),
            "root_mean_squared_error": values + 0.01,
            "val_root_mean_squared_error": values,
        }
    )


def test_learning_curves_draw_each_network_its_short_run_and_both_marks():
    long = {"report's network": history(20, 0.15), "improved network": history(18, 0.14)}
    short = {"report's network": history(3, 0.16), "improved network": history(3, 0.15)}
    ax = plot_learning_curves(long, mean_rmse=0.163, floor=0.042, short=short).axes[0]
    labels = [line.get_label() for line in ax.get_lines()]
    assert labels == [
        "report's network: validation",
        "report's network: training (augmented, with dropout)",
        "improved network: validation",
        "improved network: training (augmented, with dropout)",
        "report's network: short run, validation (3 epochs)",
        "improved network: short run, validation (3 epochs)",
        "mean-confidence benchmark",
        "noise floor",
    ]
    lines = dict(zip(labels, ax.get_lines(), strict=True))
    for name in long:  # a short run wears its network's colour
        assert (
            lines[f"{name}: validation"].get_color()
            == lines[f"{name}: short run, validation (3 epochs)"].get_color()
        )
    np.testing.assert_allclose(lines["mean-confidence benchmark"].get_ydata(), [0.163, 0.163])
    assert len(lines["report's network: validation"].get_xdata()) == 20


@pytest.mark.parametrize(
    "draw",
    [
        lambda: plot_question_correlations(labels()),
        lambda: plot_class_bars(labels().mean(), "Mean confidence", reference=labels().mean()),
        plot_decision_tree,
        lambda: plot_benchmarks(
            pd.DataFrame({"benchmark": ["a"], "rmse": [0.15], "report_rmse": [0.1639]})
        ),
    ],
    ids=["question correlations", "class bars", "decision tree", "benchmarks"],
)
def test_text_inside_a_figure_shows_at_least_9_pixels_tall_in_the_book(draw):
    fig = draw()
    assert [t for ax in fig.axes for t in ax.texts]  # there is text to check
    assert small_text(fig) == []


def test_the_height_check_would_catch_the_first_edition_s_heatmaps():
    # 11-point annotations in a figure 12 inches wide, shown 800 pixels wide: 7.7 px
    fig = plot_question_correlations(labels())
    for text in fig.axes[0].texts:
        text.set_fontsize(11)
    small = small_text(fig)
    assert len(small) == 9 and small[0].endswith(" (7.7 px)")  # Q1's 3 x 3 annotations


def test_a_figure_as_wide_as_the_column_is_shown_at_full_size():
    fig = Figure(figsize=(CONTENT_WIDTH / 100, 2))
    ax = fig.subplots()
    ax.text(0, 0, "0.12", fontsize=annotation_size(fig))
    ax.text(0, 1, "0.34", fontsize=annotation_size(fig) - 1)
    assert annotation_size(fig) == 9.0
    assert [entry.split(" (")[0] for entry in small_text(fig)] == ["'0.34'"]
