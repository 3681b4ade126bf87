"""Figures of the course.

Every function returns a :class:`matplotlib.figure.Figure` made without pyplot, so it
works under any backend (a notebook shows the returned figure once; a script saves it
with ``fig.savefig``).

It stays one module past 500 lines because it is a catalogue of independent figures,
one function each, sharing only a panel grid and a box outline, that the chapters reach
as ``plots.plot_...``: split, the catalogue would only be scattered.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Sequence

import cv2
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.cm import ScalarMappable
from matplotlib.colors import LogNorm, Normalize
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from matplotlib.textpath import TextPath
from matplotlib.ticker import MaxNLocator

from galaxylib.data import Catalog
from galaxylib.metrics import rmse_per_answer
from galaxylib.preprocess import (
    REPORT_SIZE,
    Settings,
    crop,
    crop_box,
    crop_file,
    report_box,
)
from galaxylib.taxonomy import COLUMNS, DESCRIPTIONS, QUESTIONS, question_of

__all__ = [
    "SmallTextWarning",
    "annotation_size",
    "plot_agreement",
    "plot_benchmarks",
    "plot_class_bars",
    "plot_correlations",
    "plot_crops",
    "plot_decision_tree",
    "plot_gallery",
    "plot_history",
    "plot_learning_curves",
    "plot_morphologies",
    "plot_predicted_vs_true",
    "plot_question_correlations",
    "plot_roi_steps",
    "plot_skill_per_question",
    "plot_worst_galaxies",
    "small_text",
]


CONTENT_WIDTH = 800
"""Pixels a chapter's figure may take in a 1280-pixel window: a wider figure is shown
scaled down to this width (Chromium shows them 809 pixels wide; the site test checks that
they have at least this)."""
ANNOTATION_PX = 12.5
"""Font size, in pixels as shown on the page, of the text inside a figure: its digits and
capitals stand 9 pixels tall."""


MIN_TEXT_PX = 9
"""Height, in pixels as shown on the page, below which the digits of a figure's text are
too small to read."""


def _shown(fig: Figure) -> float:
    """The scale at which the book shows ``fig``: at most :data:`CONTENT_WIDTH` wide."""
    return min(1.0, CONTENT_WIDTH / (fig.get_figwidth() * fig.dpi))


def annotation_size(fig: Figure) -> float:
    """Font size, in points, for text inside ``fig`` that the book shows readably.

    A figure wider than the book's content column is shown scaled down to it, and its
    text with it; this size makes the text's digits :data:`MIN_TEXT_PX` pixels tall or
    more on the page, whatever the figure's width.

    Examples
    --------
    >>> annotation_size(Figure(figsize=(8, 3))), annotation_size(Figure(figsize=(16, 3)))
    (9.0, 18.0)
    """
    return float(ANNOTATION_PX / _shown(fig) * 72 / fig.dpi)


def small_text(fig: Figure) -> list[str]:
    """The texts inside ``fig`` that the book would show too small to read.

    Annotations, bar labels and legends whose digits would stand under
    :data:`MIN_TEXT_PX` pixels on the page, each with that height. The book is built
    with a check that warns (:class:`SmallTextWarning`) for each figure this finds
    anything in, and fails its page; give such text ``fontsize=annotation_size(fig)``.
    """
    texts = [t for ax in fig.axes for t in ax.texts if t.get_text().strip()]
    for ax in fig.axes:
        legend = ax.get_legend()
        if legend is not None:
            texts += legend.get_texts()
    small = []
    for text in texts:
        size = float(text.get_fontsize()) * fig.dpi / 72
        digit = TextPath((0, 0), "0", size=size, prop=text.get_fontproperties())
        height = digit.get_extents().height * _shown(fig)
        if height < MIN_TEXT_PX:
            small.append(f"{text.get_text()[:30]!r} ({height:.1f} px)")
    return small


class SmallTextWarning(UserWarning):
    """A figure holds text that the book would show too small to read."""


def _panel_grid(n: int, ncols: int, width: float, height: float) -> tuple[Figure, list]:
    """A figure of ``n`` panels, ``ncols`` to a row, each ``width`` x ``height`` inches."""
    nrows = math.ceil(n / ncols)
    fig = Figure(figsize=(ncols * width, nrows * height), layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False).ravel()
    for ax in axes[n:]:
        ax.remove()
    return fig, list(axes[:n])


def plot_gallery(
    catalog: Catalog,
    columns: Sequence[str] = COLUMNS,
    *,
    ncols: int = 4,
    panel_size: float = 2.4,
    crop: int | None = None,
) -> Figure:
    """Show the galaxy that the volunteers were surest of, for each answer.

    Like the report's first figure: one panel per answer column, holding the image of
    the galaxy with the highest vote fraction for that answer, titled with the column,
    its description and the fraction.

    Parameters
    ----------
    catalog : Catalog
        A loaded catalog (:func:`galaxylib.data.load_catalog`).
    columns : sequence of str, default all 37 answers
    ncols : int, default 4
        Panels per row.
    panel_size : float, default 2.4
        Width of a panel in inches.
    crop : int, optional
        Show only the central ``crop`` x ``crop`` pixels.

    Returns
    -------
    Figure
    """
    fig, axes = _panel_grid(len(columns), ncols, panel_size, panel_size + 0.5)
    labels = catalog.labels
    for ax, column in zip(axes, columns, strict=True):
        row = int(np.argmax(labels[column].to_numpy()))
        galaxy_id, value = int(labels["GalaxyID"].to_numpy()[row]), labels[column].iat[row]
        image = catalog.read_image(galaxy_id)
        if crop is not None:
            top = (image.shape[0] - crop) // 2
            image = image[top : top + crop, top : top + crop]
        ax.imshow(image)
        ax.set_title(f"{column}: {DESCRIPTIONS[column]}\n{value:.2f} (#{galaxy_id})", fontsize=8)
        ax.set_axis_off()
    return fig


def plot_class_bars(
    values: pd.Series,
    title: str,
    *,
    ylabel: str = "",
    reference: pd.Series | None = None,
    log: bool = False,
) -> Figure:
    """A bar for each of the 37 answers, like the report's class plots.

    The bars of one question share a colour, the questions alternate between two, and
    each question's name stands above its bars.

    Parameters
    ----------
    values : Series
        Indexed by answer column, e.g. ``labels[COLUMNS].mean()`` (the report's mean
        confidence) or ``(labels[COLUMNS] >= 0.5).sum()`` (its counts above 0.5).
    title, ylabel : str
    reference : Series, optional
        Values to draw as black ticks over the bars, for a comparison (for instance the
        real catalog's means next to a synthetic one's).
    log : bool, default False
        A logarithmic value axis, so that the rare answers' bars show.

    Returns
    -------
    Figure
    """
    values = values.reindex(list(COLUMNS))
    fig = Figure(figsize=(11, 4.6), layout="constrained")
    ax = fig.subplots()
    colours = sns.color_palette("deep", 2)
    question = [question_of(c).number - 1 for c in values.index]
    ax.bar(range(len(values)), values.to_numpy(), color=[colours[q % 2] for q in question])
    if log:
        ax.set_yscale("log")
    for q in sorted(set(question)):
        where = [i for i, each in enumerate(question) if each == q]
        ax.text(
            float(np.mean(where)),
            1.01,
            f"Q{q + 1}",
            transform=ax.get_xaxis_transform(),
            ha="center",
            va="bottom",
            fontsize=annotation_size(fig),
            color=colours[q % 2],
        )
    if reference is not None:
        ref = reference.reindex(list(COLUMNS)).to_numpy()
        ax.scatter(range(len(ref)), ref, marker="_", s=200, color="black", label="reference")
        ax.legend(loc="upper right", fontsize=annotation_size(fig))
    ax.set_xticks(range(len(values)))
    ax.set_xticklabels([c.replace("Class", "") for c in values.index], rotation=90)
    ax.set_xlim(-0.7, len(values) - 0.3)
    ax.set_title(title, pad=22)
    ax.set_xlabel("answer (question.answer)")
    ax.set_ylabel(ylabel)
    return fig


def plot_correlations(labels: pd.DataFrame, *, title: str = "") -> Figure:
    """Heatmap of the correlations between all 37 answers, as in the report."""
    corr = labels.loc[:, list(COLUMNS)].corr()
    corr.index = corr.columns = [c.replace("Class", "") for c in COLUMNS]
    fig = Figure(figsize=(12, 10.5), layout="constrained")
    ax = fig.subplots()
    sns.heatmap(
        corr,
        ax=ax,
        vmin=-1,
        vmax=1,
        cmap="RdBu_r",
        square=True,
        cbar_kws={"shrink": 0.6, "label": "correlation"},
    )
    ax.set_title(title or "Correlation between all morphology classes")
    return fig


def plot_question_correlations(labels: pd.DataFrame) -> Figure:
    """One annotated correlation heatmap per question, as in the report's 3 x 4 grid."""
    fig = Figure(figsize=(12, 15), layout="constrained")
    axes = fig.subplots(4, 3).ravel()
    for ax, question in zip(axes, QUESTIONS, strict=False):
        corr = labels.loc[:, list(question.answers)].corr()
        names = [a.replace("Class", "") for a in question.answers]
        sns.heatmap(
            corr,
            ax=ax,
            vmin=-1,
            vmax=1,
            cmap="RdBu_r",
            annot=True,
            fmt=".2f" if len(names) <= 5 else ".1f",  # fits the small squares of Q8, Q11
            cbar=False,
            square=True,
            xticklabels=names,
            yticklabels=names,
            annot_kws={"fontsize": annotation_size(fig)},
        )
        ax.set_title(f"{question.name}: " + textwrap.shorten(question.text, 34), fontsize=11)
    axes[-1].remove()
    colours = ScalarMappable(Normalize(-1, 1), "RdBu_r")
    fig.colorbar(colours, ax=list(axes[:-1]), shrink=0.5, label="correlation")
    return fig


# Where each question's box stands in the decision-tree diagram: (x, y). The main tree
# runs down the left, Q6 and Q8 (where every path but "star or artifact" ends) down the right.
_TREE_LAYOUT = {
    1: (3.5, 4.2),
    6: (9.2, 4.6),
    8: (9.2, 3.3),
    7: (1.0, 3.0),
    2: (5.0, 3.0),
    9: (0.9, 1.6),
    3: (3.3, 1.6),
    4: (5.7, 1.6),
    5: (8.1, 1.6),
    10: (4.5, 0.25),
    11: (6.9, 0.25),
}


def plot_decision_tree() -> Figure:
    """The 11 questions as a diagram: each arrow is the answer that leads to a question.

    Q1 is asked of every volunteer and Q6 of every volunteer who did not answer "star or
    artifact"; every other question only of those who gave the answer on its arrow. That
    is why the catalog's fractions are multiplied down the tree. The figure is as wide as
    the book's content column, so it is shown at full size.
    """
    fig = Figure(figsize=(CONTENT_WIDTH / 100, 10), layout="constrained")
    ax = fig.subplots()
    size = annotation_size(fig)
    boxes = {}
    for question in QUESTIONS:
        answers = ", ".join(question.descriptions)
        text = f"{question.name}  " + textwrap.fill(question.text, 17)
        text += "\n" + textwrap.fill(answers, 18)
        root = question.parent is None
        boxes[question.number] = ax.text(
            *_TREE_LAYOUT[question.number],
            text,
            ha="center",
            va="center",
            fontsize=size,
            bbox={
                "boxstyle": "round,pad=0.5",
                "fc": "#fde7c7" if root else "#e3eefa",
                "ec": "#555555",
            },
        )
    for question in QUESTIONS:
        if question.parent is None:
            continue
        answer = ax.annotate(  # the answer that leads here, just above the question's box
            f"{question.parent}\n{DESCRIPTIONS[question.parent]}",
            xy=(0.5, 1),
            xycoords=boxes[question.number],
            xytext=(0, 0.8 * size),
            textcoords="offset points",
            ha="center",
            va="bottom",
            fontsize=size,
            color="#8a3b00",
        )
        ax.annotate(  # from the bottom of the parent's box to the answer
            "",
            xy=(0.5, 1),
            xycoords=answer,
            xytext=(0.5, 0),
            textcoords=boxes[question_of(question.parent).number],
            arrowprops={"arrowstyle": "->", "color": "#555555", "shrinkA": 0.6 * size},
        )
    ax.set_xlim(-0.3, 10.3)
    ax.set_ylim(-0.4, 5.0)
    ax.set_axis_off()
    ax.set_title("The Galaxy Zoo decision tree (orange: the questions whose answers sum to 1)")
    return fig


def _draw_box(ax, box, colour: str, label: str | None = None) -> None:
    ax.add_patch(
        Rectangle((box.x, box.y), box.side, box.side, fill=False, ec=colour, lw=1.5, label=label)
    )


def plot_roi_steps(catalog: Catalog, galaxy_id: int, *, size: int = REPORT_SIZE) -> Figure:
    """The report's region-of-interest crop step by step, then the improved crop.

    Panels: the image; the pixels above grey level 10 (the report's threshold); the
    contours' largest bounding box and the padded square cut from its top-left corner;
    the report's crop; the improved crop, as the cache makes it, with its box drawn on
    the first panel.
    """
    image = catalog.read_image(galaxy_id)
    gray = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)  # the report's channel order
    _, mask = cv2.threshold(gray, 10, 255, cv2.THRESH_BINARY)
    contours, _ = cv2.findContours(mask, cv2.RETR_LIST, cv2.CHAIN_APPROX_SIMPLE)
    x, y, w, h = max((cv2.boundingRect(c) for c in contours), key=lambda b: b[2] * b[3])
    path, settings = catalog.image_path(galaxy_id), Settings("improved", size, False)
    improved, improved_crop = crop_box(path, settings), crop_file(path, settings)[0]
    fig = Figure(figsize=(15, 5.6), layout="constrained")
    axes = fig.subplots(1, 5)
    axes[0].imshow(image)
    axes[0].set_title("1. the 424 x 424 image")
    axes[1].imshow(mask, cmap="gray")
    axes[1].set_title(f"2. grey level > 10\n({len(contours)} contours)")
    axes[2].imshow(image)
    axes[2].add_patch(Rectangle((x, y), w, h, fill=False, ec="white", ls="--", lw=1))
    _draw_box(axes[2], report_box(image), "#ff7f0e")
    axes[2].set_title("3. largest bounding box (dashed)\nand the report's square")
    axes[3].imshow(crop(image, report_box(image), size=size), cmap="gray")
    axes[3].set_title("4. the report's crop")
    axes[4].imshow(improved_crop, cmap="gray")
    _draw_box(axes[0], improved, "#2ca02c")
    axes[4].set_title("5. improved crop\n(its box in green on panel 1)")
    for ax in axes:
        ax.set_axis_off()
    return fig


def plot_crops(catalog: Catalog, galaxy_ids: Sequence[int], *, size: int = REPORT_SIZE) -> Figure:
    """Original, report crop and improved crop side by side, one galaxy per row.

    The original shows the report's box in orange and the improved box in green; the
    improved crop is the cache's (found on the small copy, as :func:`plot_roi_steps`'s).
    """
    fig = Figure(figsize=(9, 3.1 * len(galaxy_ids)), layout="constrained")
    axes = fig.subplots(len(galaxy_ids), 3, squeeze=False)
    for row, galaxy_id in zip(axes, galaxy_ids, strict=True):
        image = catalog.read_image(galaxy_id)
        report = report_box(image)
        path, settings = catalog.image_path(galaxy_id), Settings("improved", size, False)
        improved, improved_crop = crop_box(path, settings), crop_file(path, settings)[0]
        row[0].imshow(image)
        _draw_box(row[0], report, "#ff7f0e")
        _draw_box(row[0], improved, "#2ca02c")
        row[0].set_title(f"#{galaxy_id}")
        row[1].imshow(crop(image, report, size=size), cmap="gray")
        row[1].set_title("report crop")
        row[2].imshow(improved_crop, cmap="gray")
        row[2].set_title("improved crop")
        for ax in row:
            ax.set_axis_off()
    return fig


def plot_history(history: pd.DataFrame | dict) -> Figure:
    """The report's learning curves: RMSE and loss by epoch, training against validation.

    Parameters
    ----------
    history : DataFrame or dict
        ``galaxylib.training.read_history``'s table, or a Keras ``History.history`` dict:
        ``loss``, ``val_loss``, ``root_mean_squared_error`` and its ``val_`` twin.

    Returns
    -------
    Figure
    """
    history = pd.DataFrame(history)
    epochs = np.arange(1, len(history) + 1)
    fig = Figure(figsize=(12, 5), layout="constrained")
    panels = [
        ("root_mean_squared_error", "RMSE", "Root-mean-square error"),
        ("loss", "Loss", "Loss"),
    ]
    for ax, (key, label, title) in zip(fig.subplots(1, 2), panels, strict=True):
        ax.plot(epochs, history[key], marker=".", label="Training")
        ax.plot(epochs, history[f"val_{key}"], marker=".", label="Validation")
        ax.set(xlabel="Epoch", ylabel=label, title=title)
        ax.legend(loc="upper right", fontsize=annotation_size(fig))
    return fig


def plot_predicted_vs_true(
    pred: np.ndarray, truth: np.ndarray, columns: Sequence[str] = COLUMNS, *, ncols: int = 6
) -> Figure:
    """Predicted against true vote fraction, one hexagonal-bin panel per answer.

    A perfect model puts every galaxy on the diagonal; the panel's title gives the
    answer's RMSE.

    Parameters
    ----------
    pred, truth : ndarray of shape (n, 37)
    columns : sequence of str, default all 37 answers
    ncols : int, default 6

    Returns
    -------
    Figure
    """
    fig, axes = _panel_grid(len(columns), ncols, 2.3, 2.5)
    errors = rmse_per_answer(pred, truth)
    counts = LogNorm(vmin=1, vmax=len(pred))  # one colour scale for all
    for ax, column in zip(axes, columns, strict=True):
        j = COLUMNS.index(column)
        error = errors[column]
        cells = ax.hexbin(
            truth[:, j], pred[:, j], gridsize=25, extent=(0, 1, 0, 1), norm=counts, mincnt=1
        )
        ax.plot([0, 1], [0, 1], color="grey", lw=0.8)
        ax.set_title(f"{column} {DESCRIPTIONS[column]}\nRMSE {error:.3f}", fontsize=8)
        ax.set(xlim=(0, 1), ylim=(0, 1), aspect="equal")
        ax.tick_params(labelsize=7)
    fig.supxlabel("true vote fraction")
    fig.supylabel("predicted vote fraction")
    fig.colorbar(cells, ax=axes, shrink=0.4, label="galaxies per hexagon (log scale)")
    return fig


def plot_worst_galaxies(images: np.ndarray, worst: pd.DataFrame, *, ncols: int = 4) -> Figure:
    """The galaxies a model gets most wrong, with the answer it misses most.

    Parameters
    ----------
    images : ndarray
        The galaxies' images (as the model saw them, or the originals), in the order of
        ``worst``'s rows.
    worst : DataFrame
        ``galaxylib.evaluation.worst_galaxies``'s table: ``GalaxyID``, ``rmse``,
        ``answer``, ``true`` and ``pred``.
    ncols : int, default 4

    Returns
    -------
    Figure
    """
    fig, axes = _panel_grid(len(worst), ncols, 2.6, 2.9)
    for ax, image, row in zip(axes, images, worst.itertuples(), strict=False):
        ax.imshow(image, cmap="gray", vmin=0, vmax=255)
        ax.set_title(
            f"#{row.GalaxyID}  RMSE {row.rmse:.3f}\n{row.answer} {DESCRIPTIONS[str(row.answer)]}: "
            f"true {row.true:.2f}, predicted {row.pred:.2f}",
            fontsize=7,
        )
        ax.set_axis_off()
    return fig


# -------------------------------------------------- figures of the data and the benchmarks


def plot_morphologies(catalog: Catalog, examples: pd.DataFrame) -> Figure:
    """A strip of galaxies, one per morphology, titled with what the volunteers said.

    Parameters
    ----------
    catalog : Catalog
    examples : DataFrame
        Indexed by morphology, with ``GalaxyID``, ``answer`` and ``expected`` columns, as
        :func:`galaxylib.synthetic.typical_galaxies` returns.

    Returns
    -------
    Figure
    """
    fig, axes = _panel_grid(len(examples), len(examples), 2.3, 3.4)
    labels = catalog.labels.set_index("GalaxyID")
    for ax, (morphology, row) in zip(axes, examples.iterrows(), strict=True):
        votes = labels.at[row["GalaxyID"], row["answer"]]
        ax.imshow(catalog.read_image(row["GalaxyID"]))
        ax.set_title(
            f"{morphology} (#{row['GalaxyID']})\n{row['answer']} "
            f"{DESCRIPTIONS[row['answer']].lower()}:\nexpected {row['expected']:.2f}, "
            f"voted {votes:.2f}",
            fontsize=8,
        )
        ax.set_axis_off()
    fig.suptitle("One galaxy of each morphology, as the volunteers saw it (424 x 424 pixels)")
    return fig


def plot_agreement(shares: pd.DataFrame, *, ncols: int = 4, bins: int = 20) -> Figure:
    """How much the volunteers agree: per question, a histogram of the winning share.

    Parameters
    ----------
    shares : DataFrame
        :func:`galaxylib.taxonomy.winning_share`'s table: one column per question, NaN
        where a galaxy's volunteers did not reach it.
    ncols : int, default 4
    bins : int, default 20

    Returns
    -------
    Figure
        One panel per question; a dashed line marks the median and a dotted one the
        share of an even split, ``1 / k`` for ``k`` answers.
    """
    questions = [q for q in QUESTIONS if q.name in shares.columns]
    fig, axes = _panel_grid(len(questions), ncols, 3.4, 2.6)
    for ax, question in zip(axes, questions, strict=True):
        values = shares[question.name].dropna()
        ax.hist(values, bins=bins, range=(0, 1), color="#4c72b0")
        ax.axvline(1 / len(question.answers), color="grey", ls=":", lw=1)
        if len(values):
            ax.axvline(values.median(), color="black", ls="--", lw=1)
        ax.set_title(
            f"{question.name}: {textwrap.shorten(question.text, 30)}\n"
            f"{len(values):,} galaxies, median {values.median():.2f}",
            fontsize=8,
        )
        ax.set_xlim(0, 1)
        ax.tick_params(labelsize=7)
    fig.supxlabel("share of the volunteers asked who gave the most popular answer")
    fig.supylabel("galaxies")
    fig.suptitle("How much the volunteers agree, question by question")
    return fig


def plot_benchmarks(table: pd.DataFrame) -> Figure:
    """The benchmarks' RMSE on this data beside the report's figures, as the report gave them.

    Parameters
    ----------
    table : DataFrame
        :func:`galaxylib.baselines.run_baselines`'s table: ``benchmark``, ``rmse`` and
        ``report_rmse``.

    Returns
    -------
    Figure
    """
    fig = Figure(figsize=(9, 3.6), layout="constrained")
    ax = fig.subplots()
    rows = np.arange(len(table))
    height = 0.38
    ours = ax.barh(rows - height / 2, table["rmse"], height, label="this data (test split)")
    report = ax.barh(rows + height / 2, table["report_rmse"], height, label="the report")
    size = annotation_size(fig)
    ax.bar_label(ours, labels=[f"{v:.4f}" for v in table["rmse"]], padding=3, fontsize=size)
    ax.bar_label(report, labels=[f"{v:g}" for v in table["report_rmse"]], padding=3, fontsize=size)
    ax.set_yticks(rows, table["benchmark"])
    ax.invert_yaxis()
    ax.set_xlim(0, 1.2 * float(np.nanmax(table[["rmse", "report_rmse"]].to_numpy())))
    ax.set_xlabel("RMSE over all 37 answers (vote fraction; lower is better)")
    ax.set_title("The four benchmarks: this data against the report")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=size)
    return fig


# ------------------------------------------------------- figures of training and evaluation


def plot_learning_curves(
    histories: dict[str, pd.DataFrame],
    *,
    mean_rmse: float,
    floor: float | None = None,
    short: dict[str, pd.DataFrame] | None = None,
) -> Figure:
    """Validation and training RMSE by epoch of several networks, on one figure.

    The mean-confidence benchmark (a network that learned nothing) and the noise floor
    (what predicting the expected fractions themselves would score) are drawn as lines, so
    the curves can be read against both.

    Parameters
    ----------
    histories : dict of str to DataFrame
        Network name to ``galaxylib.training.read_history``'s table.
    mean_rmse : float
        RMSE of the mean-confidence benchmark.
    floor : float, optional
        The noise floor, when the data has one.
    short : dict of str to DataFrame, optional
        Short runs of the same networks (same names, same colours), drawn as crosses:
        their validation RMSE only.

    Returns
    -------
    Figure
    """
    fig = Figure(figsize=(10, 5), layout="constrained")
    ax = fig.subplots()
    for (name, history), colour in zip(histories.items(), ("C0", "C1", "C2", "C3"), strict=False):
        epochs = np.asarray(history["epoch"]) + 1
        ax.plot(
            epochs,
            history["val_root_mean_squared_error"],
            "o-",
            color=colour,
            label=f"{name}: validation",
        )
        ax.plot(
            epochs,
            history["root_mean_squared_error"],
            ".--",
            color=colour,
            alpha=0.6,
            label=f"{name}: training (augmented, with dropout)",
        )
    colours = dict(zip(histories, ("C0", "C1", "C2", "C3"), strict=False))
    for name, history in (short or {}).items():
        ax.plot(
            np.asarray(history["epoch"]) + 1,
            history["val_root_mean_squared_error"],
            "x-",
            color=colours.get(name, "C4"),
            lw=1,
            ms=9,
            mew=2,
            label=f"{name}: short run, validation ({len(history)} epochs)",
        )
    ax.axhline(mean_rmse, color="grey", ls=":", label="mean-confidence benchmark")
    if floor is not None:
        ax.axhline(floor, color="black", ls="-.", label="noise floor")
    ax.set(xlabel="epoch", ylabel="RMSE", title="Learning curves", ylim=(0, None))
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=annotation_size(fig))
    return fig


def plot_skill_per_question(skill: pd.DataFrame) -> Figure:
    """Skill per question over the mean benchmark, one bar per network.

    Parameters
    ----------
    skill : DataFrame
        Questions (``Q1`` ... ``Q11``) as rows, networks as columns, each value
        ``1 - RMSE / RMSE of the mean benchmark`` on that question.

    Returns
    -------
    Figure
    """
    fig = Figure(figsize=(12, 4), layout="constrained")
    ax = fig.subplots()
    skill.plot.bar(ax=ax, rot=0)
    ax.legend(fontsize=annotation_size(fig))
    ax.axhline(0, color="black", lw=0.8)
    ax.set(
        xlabel="question",
        ylabel="skill (1 - RMSE / RMSE of the mean)",
        title="Skill per question over the mean-confidence benchmark",
    )
    return fig
