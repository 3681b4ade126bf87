"""Figures of the course.

Every function returns a :class:`matplotlib.figure.Figure` made without pyplot, so it
works under any backend (a notebook shows the returned figure once; a script saves it
with ``fig.savefig``).
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Sequence

import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure

from galaxylib.data import Catalog
from galaxylib.taxonomy import COLUMNS, DESCRIPTIONS, QUESTIONS

__all__ = [
    "plot_class_bars",
    "plot_correlations",
    "plot_decision_tree",
    "plot_gallery",
    "plot_question_correlations",
]


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
    nrows = math.ceil(len(columns) / ncols)
    fig = Figure(figsize=(ncols * panel_size, nrows * (panel_size + 0.5)), layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False).ravel()
    labels = catalog.labels
    for ax, column in zip(axes, columns, strict=False):
        row = int(np.argmax(labels[column].to_numpy()))
        galaxy_id, value = labels["GalaxyID"].iat[row], labels[column].iat[row]
        image = catalog.read_image(galaxy_id)
        if crop is not None:
            top = (image.shape[0] - crop) // 2
            image = image[top : top + crop, top : top + crop]
        ax.imshow(image)
        ax.set_title(f"{column}: {DESCRIPTIONS[column]}\n{value:.2f} (#{galaxy_id})", fontsize=8)
        ax.set_axis_off()
    for ax in axes[len(columns) :]:
        ax.remove()
    return fig


def plot_class_bars(
    values: pd.Series, title: str, *, ylabel: str = "", reference: pd.Series | None = None
) -> Figure:
    """A bar for each of the 37 answers, like the report's class plots.

    Parameters
    ----------
    values : Series
        Indexed by answer column, e.g. ``labels[COLUMNS].mean()`` (the report's mean
        confidence) or ``(labels[COLUMNS] >= 0.5).sum()`` (its counts above 0.5).
    title, ylabel : str
    reference : Series, optional
        Values to draw as black ticks over the bars, for a comparison (for instance the
        real catalog's means next to a synthetic one's).

    Returns
    -------
    Figure
    """
    values = values.reindex(list(COLUMNS))
    fig = Figure(figsize=(14, 4.2), layout="constrained")
    ax = fig.subplots()
    colours = sns.color_palette("tab20", len(QUESTIONS))
    question = [int(c[5:].split(".")[0]) - 1 for c in values.index]
    ax.bar(range(len(values)), values.to_numpy(), color=[colours[q] for q in question])
    if reference is not None:
        ref = reference.reindex(list(COLUMNS)).to_numpy()
        ax.scatter(range(len(ref)), ref, marker="_", s=200, color="black", label="reference")
        ax.legend(loc="upper right")
    ax.set_xticks(range(len(values)))
    ax.set_xticklabels([c.replace("Class", "") for c in values.index], rotation=90)
    ax.set_xlim(-0.7, len(values) - 0.3)
    ax.set_title(title)
    ax.set_ylabel(ylabel)
    return fig


def plot_correlations(labels: pd.DataFrame, *, title: str = "") -> Figure:
    """Heatmap of the correlations between all 37 answers, as in the report."""
    corr = labels.loc[:, list(COLUMNS)].corr()
    corr.index = corr.columns = [c.replace("Class", "") for c in COLUMNS]
    fig = Figure(figsize=(12, 10.5), layout="constrained")
    ax = fig.subplots()
    sns.heatmap(corr, ax=ax, vmin=-1, vmax=1, cmap="RdBu_r", square=True, cbar_kws={"shrink": 0.6})
    ax.set_title(title or "Correlation between all morphology classes")
    return fig


def plot_question_correlations(labels: pd.DataFrame) -> Figure:
    """One annotated correlation heatmap per question, as in the report's 3 x 4 grid."""
    fig = Figure(figsize=(15, 11), layout="constrained")
    axes = fig.subplots(3, 4).ravel()
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
            fmt=".2f",
            cbar=False,
            square=True,
            xticklabels=names,
            yticklabels=names,
            annot_kws={"fontsize": 7},
        )
        ax.set_title(f"{question.name}: " + textwrap.shorten(question.text, 38))
    axes[-1].remove()
    return fig


# Where each question's box stands in the decision-tree diagram: (x, y).
_TREE_LAYOUT = {
    1: (3.2, 3),
    6: (9.0, 3),
    7: (0.9, 2),
    2: (4.6, 2),
    8: (9.0, 2),
    9: (2.3, 1),
    3: (4.0, 1),
    4: (5.7, 1),
    5: (7.4, 1),
    10: (4.9, 0),
    11: (6.6, 0),
}


def plot_decision_tree() -> Figure:
    """The 11 questions as a diagram: each arrow is the answer that leads to a question.

    Q1 and Q6 are asked of every volunteer; every other question only of those who gave
    the answer on its arrow. That is why the catalog's fractions are multiplied down the
    tree.
    """
    fig = Figure(figsize=(14, 7.5), layout="constrained")
    ax = fig.subplots()
    for question in QUESTIONS:
        x, y = _TREE_LAYOUT[question.number]
        answers = ", ".join(question.descriptions)
        text = f"{question.name}  " + textwrap.fill(question.text, 24)
        text += "\n" + textwrap.fill(answers, 30)
        root = question.parent is None
        ax.text(
            x,
            y,
            text,
            ha="center",
            va="center",
            fontsize=8.5,
            wrap=True,
            bbox={
                "boxstyle": "round,pad=0.5",
                "fc": "#fde7c7" if root else "#e3eefa",
                "ec": "#555555",
            },
        )
        if question.parent is not None:
            parent = int(question.parent[5:].split(".")[0])
            px, py = _TREE_LAYOUT[parent]
            ax.annotate(
                "",
                xy=(x, y + 0.33),
                xytext=(px, py - 0.33),
                arrowprops={"arrowstyle": "->", "color": "#555555"},
            )
            ax.text(
                (x + px) / 2,
                (y + py) / 2,
                f"{question.parent}\n{DESCRIPTIONS[question.parent]}",
                ha="center",
                va="center",
                fontsize=7.5,
                color="#8a3b00",
                bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": "none"},
            )
    ax.set_xlim(-0.3, 10.3)
    ax.set_ylim(-0.6, 3.6)
    ax.set_axis_off()
    ax.set_title("The Galaxy Zoo decision tree (orange: asked of everyone)")
    return fig
