# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 3 Preprocessing: finding the galaxy
#
# A Galaxy Zoo image is 424 × 424 pixels of which the galaxy fills the middle: the rest
# is dark sky, foreground stars and neighbours. The report crops each image to its
# *region of interest*, shrinks it to 150 × 150 and converts it to grey — 24 times fewer
# numbers per image, which is what made training possible at all. This chapter rebuilds
# that crop step by step, measures it against our sky's truth, shows a better one, and
# makes the whole catalog into one file the training pipeline can read at full speed.

# %% tags=["hide-input"]
# Set-up. On Colab, install the course's package, galaxylib, from its repository
# (written from _config.yml by `make exercises`; GALAXYLIB_REPOSITORY overrides it).
import importlib.util
import os
import subprocess
import sys

REPOSITORY = "https://github.com/galaxy-morphology-course/galaxy-cnn-course"
if "google.colab" in sys.modules and importlib.util.find_spec("galaxylib") is None:
    source = "git+" + os.environ.get("GALAXYLIB_REPOSITORY", REPOSITORY)
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", source], check=True)

from galaxylib.course import setup_notebook

PROFILE = setup_notebook(makes=["sky", "crops"])

# %%
import numpy as np
import pandas as pd

from galaxylib import plots
from galaxylib.course import course_data
from galaxylib.data import load_catalog
from galaxylib.preprocess import (
    bench_preprocess,
    crop_quality,
    preprocess_catalog,
)

DATA = course_data()
catalog = load_catalog(DATA)
print(f"Data: {DATA} — {len(catalog):,} galaxies")

# %% [markdown]
# ## The report's crop, step by step
#
# The report's algorithm, for each image:
#
# 1. convert to grey and keep the pixels brighter than 10 (of 255);
# 2. trace the outlines (*contours*) of the bright regions and take the one whose
#    bounding box has the largest area;
# 3. pad the box by 10 % of its longer side and cut a square of that side, starting at
#    the box's top-left corner;
# 4. if the square would leave the image, give up and keep the whole image;
# 5. shrink to 150 × 150.
#
# Here is each step on one galaxy (`galaxylib.preprocess.report_box` is the report's code
# made into a function):

# %%
example = catalog.ids[5]
plots.plot_roi_steps(catalog.read_image(example))

# %% [markdown]
# The threshold of 10 is fixed, but the sky is not perfectly black: its noise crosses
# 10 in many places, making hundreds of little contours. The largest one is usually the
# galaxy — but not always. The report admitted its crop "sometimes crops off galaxies at
# the far edge and does not center some galaxies". Three things in the code cause it:
#
# - a bright star or neighbour can have a bigger bounding box than the galaxy, and then
#   the crop is centred on the star;
# - the square starts at the box's top-left corner, so for an elongated galaxy the square
#   is longer than the box in one direction only — the galaxy sits off-centre;
# - near the edge, the square leaves the frame and the whole image is kept: no crop.
#
# (A fourth, smaller one: it read images with OpenCV, which returns blue-green-red, and
# converted them with `COLOR_RGB2GRAY`, weighing blue as if it were red.)
#
# ## A better crop
#
# Galaxy Zoo centred every image on its galaxy, so the galaxy is the object at the
# centre. `improved_box`:
#
# 1. estimates the sky's level and noise from the image's border, and keeps the pixels
#    clearly above it (three noise levels), after a slight blur;
# 2. takes the connected region that covers the centre — stars and neighbours elsewhere
#    are ignored;
# 3. centres the square on the galaxy's peak of light and makes it just large enough to
#    hold the galaxy's farthest pixel, plus 15 %;
# 4. pads with black where the square leaves the frame, instead of giving up.
#
# ## Measured against the truth
#
# Because our sky is synthetic, we know where each galaxy really is and how big it is
# (`truth.csv`: its centre and the radius holding 90 % of its light). `crop_quality`
# finds each crop's box for every galaxy and asks: is the galaxy's 90 %-light disc inside
# it (*whole*), and how far is the box's centre from the galaxy's?

# %%
quality = crop_quality(DATA)
quality["whole frame kept"] = quality["side"] >= 424
summary = quality.groupby("crop").agg(
    kept_whole=("whole", "mean"),
    whole_frame_kept=("whole frame kept", "mean"),
    median_offset_px=("offset_px", "median"),
    p90_offset_px=("offset_px", lambda s: s.quantile(0.9)),
    galaxy_fills=("fill", "median"),
)
summary.style.format(
    {
        "kept_whole": "{:.1%}",
        "whole_frame_kept": "{:.1%}",
        "median_offset_px": "{:.1f}",
        "p90_offset_px": "{:.1f}",
        "galaxy_fills": "{:.0%}",
    }
)

# %% [markdown]
# The improved crop keeps nearly every galaxy whole and puts its centre within a pixel
# or two of the true centre; the report's crop is typically off by more than ten pixels,
# by far more for one galaxy in ten, and cuts some galaxies. (`galaxy_fills` is the
# galaxy's 90 %-light diameter over the side of the crop.) Here are the galaxies the
# report's crop misses most, with its box in orange and the improved box in green:

# %%
report = quality[quality["crop"] == "report"].sort_values("offset_px", ascending=False)
plots.plot_crops(catalog, report["GalaxyID"].head(4).tolist())

# %% [markdown]
# ## The whole catalog, once, into one file
#
# The report wrote one PNG per galaxy — 61,578 small files — and later read them back one
# by one, with a Python function per image. `preprocess_catalog` crops every image on
# every core and writes all of them into **one** array on disk: an `uint8` NumPy file of
# shape *(galaxies, size, size)* that the training pipeline memory-maps, plus the
# GalaxyID of each row in catalog order. It saves its progress as it goes: interrupt it
# and run it again, and it continues where it stopped; run it when it is finished, and
# it returns at once. Images it cannot read get a documented fallback and are listed,
# never silently dropped.
#
# Two tricks make it fast. JPEG can be decoded at ½, ¼ or ⅛ of its size for a fraction
# of the cost, because the decoder skips the fine detail; the improved crop finds its box
# on a ⅛-size decode (53 × 53 pixels) and then decodes again only as large as the output
# needs. And the work is spread over every core.

# %%
cache = preprocess_catalog(DATA, size=PROFILE.image_size)
print(cache.path, cache.images.shape, cache.images.dtype)
print(
    f"{cache.images.nbytes / 1e6:.1f} MB for {len(cache):,} galaxies;",
    f"{len(cache.problems)} needed a fallback",
)
assert np.array_equal(cache.ids, catalog.ids)  # row i is the catalog's galaxy i

# %% [markdown]
# The report's processed images, as a sample of the cache:

# %%
from matplotlib.figure import Figure

fig = Figure(figsize=(14, 3), layout="constrained")
for ax, row in zip(fig.subplots(1, 8), range(8), strict=True):
    ax.imshow(cache.images[row], cmap="gray")
    ax.set_title(f"#{cache.ids[row]}", fontsize=9)
    ax.set_axis_off()
fig

# %% [markdown]
# ## How much faster?
#
# `bench_preprocess` runs the report's loop (read, crop, resize, write a PNG, one image
# after another) and `preprocess_catalog` on the same images and compares their rates.
# The book is built on two CPU cores; on Colab or your laptop, run
# `galaxylib bench preprocess` to measure your own machine.

# %%
speed = bench_preprocess(DATA, n=400, size=150)
pd.Series(speed).round(1).to_frame("figure")

# %% [markdown]
# The remaining cost is mostly decoding JPEGs, which no crop can avoid. At this rate the
# 61,578 real images take a few minutes on two cores, once; every training run after
# that reads the cache.
