"""Figures of the course.

Every function returns a :class:`matplotlib.figure.Figure` made without pyplot, so it
works under any backend (a notebook shows the returned figure once; a script saves it
with ``fig.savefig``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from matplotlib.figure import Figure

from galaxylib.data import Catalog
from galaxylib.taxonomy import COLUMNS, DESCRIPTIONS

__all__ = ["plot_gallery"]


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
