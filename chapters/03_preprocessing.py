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
# *region of interest*, shrinks it to 150 × 150 and converts it to grey: 24 times fewer
# numbers per image. It cropped because most images had large black margins, and it
# chose grey, it says, less to save computation than because colour gave it worse
# results in training. This chapter rebuilds
# that crop step by step, measures it against our sky's truth, shows a better one, and
# makes the whole catalog into one file the training pipeline can read at full speed.
#
# **In this chapter you will learn to**
#
# - compute how many times fewer numbers per image the report's 150 × 150 grey crop
#   leaves than a 424 × 424 colour image.
# - explain why a fixed threshold of 10 and the largest bounding box can put the
#   report's crop on a star or a neighbour, or leave the galaxy off-centre.
# - explain how the improved crop chooses its galaxy and its square, and why it pads
#   with black instead of keeping the whole frame.
# - read the kept_whole, whole_frame_kept and offset columns of the crop-quality
#   table, and say what whole_frame_kept means for each of the two crops.
# - explain why preprocess_catalog writes the whole catalog once into one
#   memory-mapped array, and name the two tricks meant to make it fast.
#
# **Before it:** chapters 0 and 1 (the catalog of 424 × 424 JPEG images and, for the
# synthetic sky, its truth.csv). You need to read NumPy arrays and a pandas group-by,
# and to be at ease with areas, medians and percentages.
#
# <!-- reading-time -->

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
import cv2
import numpy as np
import pandas as pd

from galaxylib.course import course_data, glue, plots, reading
from galaxylib.course.crop_quality import crop_quality
from galaxylib.data import load_catalog
from galaxylib.preprocess import preprocess_catalog, report_box
from galaxylib.tools.bench import bench_preprocess

DATA = course_data()
catalog = load_catalog(DATA)
print(f"Data: {DATA.name} — {len(catalog):,} galaxies")

# %% [markdown]
# ## The report's crop, step by step
#
# The report's algorithm, for each image:
#
# 1. convert to grey and keep the pixels brighter than 10 (of 255);
# 2. trace the outlines (*contours*) of the bright regions and take the one whose
#    bounding box has the largest area;
# 3. take the box's longer side plus 10 % of it on each side, and cut a square of that
#    side whose top-left corner is the box's, moved up and left by the 10 %;
# 4. if the square would leave the image, give up and keep the whole image;
# 5. shrink to 150 × 150.
#
# Here is each step on one galaxy (`galaxylib.preprocess.report_box` is the report's code
# made into a function):

# %%
example = catalog.ids[5]
plots.plot_roi_steps(catalog, example)

# %% tags=["remove-cell"]
image = catalog.read_image(example)
above = (cv2.cvtColor(image, cv2.COLOR_BGR2GRAY) > 10).astype(np.uint8)
glue("ch3_contours", len(cv2.findContours(above, cv2.RETR_LIST, cv2.CHAIN_APPROX_SIMPLE)[0]))
box = report_box(image)
gave_up = box.side >= min(image.shape[:2])  # report_box keeps the whole image then
reading(
    "ch3_example_report_box",
    {
        "On this galaxy the report's padded square would leave the frame, so its crop gave "
        "up and kept the whole image (panel 4)": gave_up,
        "On this galaxy the report's square stays inside the frame (panel 4)": not gave_up,
    },
)
# The improved box of panel 5, as the cache finds it (plots.plot_roi_steps draws it)
from galaxylib.preprocess import Settings, crop_box, crop_file

path, settings = catalog.image_path(example), Settings("improved", 150, False)
note = crop_file(path, settings)[1]  # why the whole frame was kept, if it was
whole_frame = crop_box(path, settings).side >= min(image.shape[:2])
reading(
    "ch3_example_improved",
    {
        "The improved crop found nothing above the sky and kept the whole frame": bool(note),
        "The improved crop kept the whole frame here too, but centred on the galaxy: the "
        "light around the centre, with what joins it, reaches that far — the improved "
        "crop's weak point, measured below": whole_frame and not note,
        "The improved crop cuts a square centred on the galaxy": not whole_frame and not note,
    },
)

# %% [markdown]
# Follow the panels from left to right. The threshold of 10 is fixed, but the sky is not
# perfectly black: its noise crosses 10 in many places, and panel 2 shows the speckle it
# leaves — {glue:text}`ch3_contours` separate contours in this image. The largest
# bounding box (panel 3, dashed) is usually the galaxy's — but not always. Panels 4 and 5
# compare the report's crop with the improved one described below.
# {glue:text}`ch3_example_report_box`. {glue:text}`ch3_example_improved`. The report admitted
# its crop "sometimes crops off galaxies at the far edge and does not center some
# galaxies". Two things in the code cause that, and a third leaves some images uncropped:
#
# - a bright star or neighbour can have a bigger bounding box than the galaxy, and then
#   the crop is centred on the star; where the sky's speckle joins the galaxy to a
#   neighbour, the two make one object, whose box is larger than either's;
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
#    clearly above it (three noise levels, and a few grey levels at least), after a
#    slight blur;
# 2. takes the connected region that covers the centre (or, if none does, the nearest
#    one) — stars and neighbours elsewhere are ignored;
# 3. centres the square on the galaxy's peak of light and makes it just large enough to
#    hold the galaxy's farthest pixel, plus 15 %;
# 4. pads with black where the square leaves the frame, instead of giving up.
#
# The cache does not run these steps on the full image: for speed it runs them on a copy
# decoded at an eighth of its size (53 × 53 pixels, as the end of the chapter explains),
# with a lower floor for the threshold, and cuts the crop from a second decode. Every
# improved box and crop in this chapter — in the figures, in the table below and in the
# cache — is found that way.
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

# %% tags=["remove-cell"]
for crop_name, row in summary.iterrows():
    glue(f"ch3_{crop_name}_whole", float(row["kept_whole"]))
    glue(f"ch3_{crop_name}_frame", float(row["whole_frame_kept"]))
    glue(f"ch3_{crop_name}_median", float(row["median_offset_px"]))
    glue(f"ch3_{crop_name}_p90", float(row["p90_offset_px"]))
    glue(f"ch3_{crop_name}_fills", float(row["galaxy_fills"]))
framed = quality[(quality["crop"] == "improved") & quality["whole frame kept"]]
glue("ch3_framed_whole", float(framed["whole"].mean()) if len(framed) else 1.0)
# How much the improved crop evens out the galaxies' sizes: the spread, from the tenth
# to the ninetieth percentile, of the share of the side they fill and of their size
fill = quality.loc[quality["crop"] == "improved", "fill"]
radius = pd.read_csv(DATA / "truth.csv", usecols=["GalaxyID", "r90_px"])
radius = radius.loc[radius["GalaxyID"].isin(catalog.ids), "r90_px"]
fill_spread = fill.quantile(0.9) / fill.quantile(0.1)
size_spread = radius.quantile(0.9) / radius.quantile(0.1)
glue("ch3_fill_p10", float(fill.quantile(0.1)))
glue("ch3_fill_p90", float(fill.quantile(0.9)))
glue("ch3_size_spread", float(size_spread))
reading(
    "ch3_fill_reading",
    {
        f"the crop makes them differ more, by a factor of {fill_spread:.1f}: its square "
        "follows the farthest pixel above the threshold, not the radius that holds 90 % of "
        "the light": fill_spread > size_spread,
        f"the share they fill differs by a factor of {fill_spread:.1f}, so the crop evens "
        "out more than half of that difference, on a logarithmic scale": (
            fill_spread <= size_spread**0.5
        ),
        f"the share they fill differs by a factor of {fill_spread:.1f}, so the crop evens "
        "out less than half of that difference, on a logarithmic scale": (
            size_spread**0.5 < fill_spread <= size_spread
        ),
    },
)

# %% [markdown]
# Read the table column by column. `kept_whole` is the share of galaxies whose 90 %-light
# disc, as far as it lies in the frame, is inside the crop:
# {glue:text}`ch3_improved_whole:.1%` for the improved crop,
# {glue:text}`ch3_report_whole:.1%` for the report's. `whole_frame_kept` is the share of
# crops whose square is as large as the frame: for the report's crop the whole image
# merely shrunk, for the improved one a 424-pixel square centred on the galaxy and padded
# with black where it leaves the frame. For the report's crop,
# {glue:text}`ch3_report_frame:.1%`, these are the images where it gave up because its
# square would have left the frame (step 4). The improved crop does not give up at the
# frame's edge — it pads — so its {glue:text}`ch3_improved_frame:.1%` are images where
# nothing stands out from the sky, or where the region of light around the centre (the
# galaxy's faint outskirts, sometimes joined to a neighbour's) reaches so far that the
# square grows to the frame's size. Of those,
# {glue:text}`ch3_framed_whole:.1%` still hold the galaxy whole, but small, with much sky
# around it: the improved crop's weak point. The offsets are the distances between the
# crop's centre and the galaxy's true centre, in pixels of the 424-pixel image: the median
# galaxy is {glue:text}`ch3_improved_median:.1f` pixels off with the improved crop and
# {glue:text}`ch3_report_median:.1f` with the report's, and one galaxy in ten more than
# {glue:text}`ch3_improved_p90:.1f` and {glue:text}`ch3_report_p90:.1f` pixels.
# `galaxy_fills` is the galaxy's 90 %-light diameter over the side of the crop
# ({glue:text}`ch3_improved_fills:.0%` and {glue:text}`ch3_report_fills:.0%` at the
# median).
#
# Here are the four galaxies the report's crop misses most — stars and artifacts left
# out, since they are not what the crop is for — with the report's box in orange and the
# improved box in green:

# %%
kinds = pd.read_csv(DATA / "truth.csv", usecols=["GalaxyID", "kind"])
report = quality[quality["crop"] == "report"].merge(kinds, on="GalaxyID")
report = report[report["kind"].isin(["elliptical", "disc", "irregular"])]
worst = report.sort_values("offset_px", ascending=False).head(4)
fig = plots.plot_crops(catalog, worst["GalaxyID"].tolist())
fig.suptitle("Original 424 x 424 image with both boxes, then the report's and the improved crop")
fig

# %% tags=["remove-cell"]
glue("ch3_worst_offset", float(worst["offset_px"].min()))

# %% [markdown]
# In each of these the report's crop is at least {glue:text}`ch3_worst_offset:.0f`
# pixels off. Look in the orange boxes for the causes listed above: a box that sits on a
# neighbour or a group of stars with a larger bounding box than the galaxy's, or a square
# anchored at the top-left corner of an elongated galaxy's box, which pushes the galaxy
# to one side of the crop in the middle column. The green box is centred on the object
# at the centre of the frame, where Galaxy Zoo put every galaxy, so the improved crop in
# the right column holds the galaxy the volunteers classified.

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
# Two tricks should make it fast. JPEG can be decoded at ½, ¼ or ⅛ of its size for a fraction
# of the cost, because the decoder skips the fine detail; the improved crop finds its box
# on a ⅛-size decode (53 × 53 pixels) and then decodes again only as large as the output
# needs. And the work is spread over every core. The measurement at the end of the
# chapter tells which trick pays on this machine.

# %%
cache = preprocess_catalog(DATA, size=PROFILE.image_size)
print(cache.path.name, cache.images.shape, cache.images.dtype)
print(
    f"{cache.images.nbytes / 1e6:.1f} MB for {len(cache):,} galaxies;",
    f"{len(cache.problems)} needed a fallback",
)
assert np.array_equal(cache.ids, catalog.ids)  # row i is the catalog's galaxy i

# %% [markdown]
# The cache holds the *improved* crop (`preprocess_catalog`'s default), in grey, at the
# profile's size. Its first eight rows:

# %%
from matplotlib.figure import Figure

side = cache.images.shape[1]
fig = Figure(figsize=(14, 3), layout="constrained")
for ax, row in zip(fig.subplots(1, 8), range(8), strict=True):
    ax.imshow(cache.images[row], cmap="gray", vmin=0, vmax=255)
    ax.set_title(f"#{cache.ids[row]}", fontsize=9)
    ax.set_axis_off()
fig.suptitle(f"The first rows of the cache {cache.path.name}: {side} x {side} pixels each")
fig

# %% tags=["remove-cell"]
glue("ch3_cache_side", side)

# %% [markdown]
# These {glue:text}`ch3_cache_side` × {glue:text}`ch3_cache_side` pixels are all the
# network will see of each galaxy. The galaxy's 90 %-light diameter spans
# {glue:text}`ch3_improved_fills:.0%` of the side at the median, and between
# {glue:text}`ch3_fill_p10:.0%` and {glue:text}`ch3_fill_p90:.0%` for eight galaxies in
# ten. On the sky, eight galaxies in ten differ in size by a factor of
# {glue:text}`ch3_size_spread:.1f` at most; {glue:text}`ch3_fill_reading`. Where the
# square grew to the whole frame, as described above, a galaxy looks small among its
# neighbours.
# Colour is gone: the grey level is the brightness (black 0, white 255).

# %% [markdown]
# ## How much faster?
#
# `bench_preprocess` runs the report's loop (read, crop, resize, write a PNG, one image
# after another) and `preprocess_catalog` on the same images and compares their rates.
# Here it times each once (`repeats=1`), to keep the page quick; `galaxylib bench
# preprocess` keeps the fastest of three runs of each.
# The book is built on two CPU cores; on Colab or your laptop, run
# `galaxylib bench preprocess` to measure your own machine.

# %%
speed = bench_preprocess(DATA, n=400, size=150, repeats=1)
print(f"{speed['n']} images of 150 x 150 pixels, {speed['workers']} worker processes")
rates = pd.Series(
    {
        "the report's loop (report crop, one PNG each)": speed["report_img_per_s"],
        "preprocess_catalog, improved crop": speed["ours_img_per_s"],
        "preprocess_catalog, the report's crop": speed["ours_report_crop_img_per_s"],
    }
)
rates.round(1).to_frame("images per second")

# %% tags=["remove-cell"]
glue("ch3_bench_n", speed["n"])
glue("ch3_bench_workers", speed["workers"])
glue("ch3_ratio", float(speed["ratio"]))
glue("ch3_full_seconds", 61_578 / speed["ours_img_per_s"])
batch_gain = speed["ours_report_crop_img_per_s"] / speed["report_img_per_s"]
decode_gain = speed["ours_img_per_s"] / speed["ours_report_crop_img_per_s"]
glue("ch3_batch_gain", batch_gain)
glue("ch3_decode_gain", decode_gain)
reading(
    "ch3_which_trick",
    {
        "Here the second, the improved crop's, pays more": decode_gain > 1.1 * batch_gain,
        "Here the first, the batch run, pays more": batch_gain > 1.1 * decode_gain,
        "Here the two pay about the same (within a tenth of each other)": (
            max(batch_gain, decode_gain) <= 1.1 * min(batch_gain, decode_gain)
        ),
    },
)

# %% [markdown]
# On this machine, with {glue:text}`ch3_bench_workers` workers on {glue:text}`ch3_bench_n`
# images, `preprocess_catalog` runs {glue:text}`ch3_ratio:.2f` times as fast as the
# report's loop. Two ratios separate the two tricks, each with a little more in it than
# its name. With the same crop — the report's — the batch run alone (every core, and one
# array instead of a PNG file per image) goes at {glue:text}`ch3_batch_gain:.2f` times
# the loop's rate; within the batch run, the improved crop (its reduced decode, and a box
# found without the report's contours) goes at {glue:text}`ch3_decode_gain:.2f` times the
# report's crop. {glue:text}`ch3_which_trick`. On a shared two-core machine these rates
# vary from run to run, and the batch run, which uses every core, has more to gain on a
# machine with more of them. At the improved crop's rate the 61,578 real images take
# about {glue:text}`ch3_full_seconds:,.0f` seconds here, once — read, as the benchmark
# reads them, from files the operating system already holds in memory; from a disk that
# has not seen them yet it takes longer. Every training run after that reads the cache.
#
# ## Summary
#
# - The report's crop takes the bright region with the largest bounding box after a
#   fixed threshold; stars, neighbours and the frame's edge make it miss or give up.
# - Centring on the galaxy at the centre of the frame keeps
#   {glue:text}`ch3_improved_whole:.1%` of the galaxies whole (the report's crop
#   {glue:text}`ch3_report_whole:.1%`), measured against the synthetic sky's truth.
# - `preprocess_catalog` writes the whole catalog once into one memory-mapped array; it
#   resumes when interrupted and never drops an image silently.
# - Its two tricks are decoding JPEGs at reduced size and spreading the work over the
#   cores; `galaxylib bench preprocess` shows which pays on your machine.
#
# Practise with {doc}`Exercises 3: preprocessing <../solutions/03_preprocessing>`.

# %% [markdown]
# ## Check yourself
#
# 6 questions on this chapter. Choose an answer before you open the explanation
# under it.
#
# **1.** A Galaxy Zoo image is 424 × 424 pixels with three colour channels. The
# report crops it, shrinks it to 150 × 150 and converts it to grey. About how many
# times fewer numbers per image does the network then receive?
#
# - (a) About 2.8
# - (b) About 8
# - (c) About 24
# - (d) About 72
#
# <details class="quiz"><summary>Answer</summary>
# (c) Count every number: 424 × 424 × 3 = 539,328 before, 150 × 150 × 1 = 22,500
# after, and 539,328 / 22,500 is about 24, the figure the chapter gives. The tempting
# 8 compares the areas, 424² / 150², but forgets that three colour channels became
# one grey channel; 2.8 compares only the sides, not the areas; 72 counts the colour
# factor twice.
# </details>
#
# **2.** Before running the cell that draws the report's crop step by step, predict
# what panel 2, the pixels brighter than 10 (of 255), looks like for a typical image.
#
# - (a) A single clean blob, the galaxy, because the sky around it is black.
# - (b) The galaxy and other objects, plus a speckle of many small separate regions
#   where the sky's noise crosses 10.
# - (c) An almost empty panel, because a galaxy is fainter than 10 in grey.
# - (d) The galaxy alone, because finding contours removes the noise first.
#
# <details class="quiz"><summary>Answer</summary>
# (b) The sky in the image is not perfectly black: its noise crosses the fixed
# threshold of 10 in many places, so panel 2 shows speckle and the image has many
# separate contours, which is why the report then has to pick one of them by the size
# of its bounding box. The tempting (a) assumes a black sky; a fixed threshold knows
# nothing about the sky's level or noise, which is exactly what the improved crop
# estimates from the image's border before keeping pixels three noise levels above
# it. Tracing contours removes nothing: it outlines every region that passed the
# threshold, and the galaxy is far brighter than 10.
# </details>
#
# **3.** A bright star or a neighbour lies in the corner of an image, and its
# bounding box is larger than the galaxy's. Which object does the improved crop take
# as the galaxy, and why?
#
# - (a) The star, because like the report's crop it keeps the region with the largest
#   bounding box.
# - (b) The brightest object, because the galaxy outshines everything else in the
#   image.
# - (c) The connected region that covers the centre of the image, because Galaxy Zoo
#   centred every image on its galaxy.
# - (d) Whichever object is nearest the top-left corner, where the square starts.
#
# <details class="quiz"><summary>Answer</summary>
# (c) Galaxy Zoo centred every image on the galaxy the volunteers classified, so the
# improved crop keeps the connected region of light that covers the centre and
# ignores stars and neighbours elsewhere; it then centres its square on the galaxy's
# peak of light and makes it just large enough for the galaxy's farthest pixel, plus
# 15 %. The tempting (a) is the report's rule, and it is the first cause of its bad
# crops listed in the chapter: the crop ends up centred on the star. Brightness is
# not a safe rule either, since a foreground star can outshine the galaxy, and
# starting the square at the box's top-left corner is the report's habit, the one
# that pushes an elongated galaxy off-centre.
# </details>
#
# **4.** In the crop-quality table, whole_frame_kept is the share of images cut to
# the whole 424 × 424 frame, merely shrunk. The improved crop pads with black where
# its square leaves the frame, yet its whole_frame_kept is not always zero. What can
# a whole-frame crop mean for the improved crop?
#
# - (a) Its square would have left the frame, so it gave up and kept the whole image,
#   exactly as the report's crop does.
# - (b) Either nothing stood out from the sky, or the region of light around the
#   centre (the galaxy's faint outskirts, sometimes joined to a neighbour's) reached
#   so far that the square grew to the size of the frame.
# - (c) Nothing: a crop that pads can never be the whole frame, so the value must be
#   an error in the table.
# - (d) It is the share of galaxies whose 90 %-light disc lies inside the crop.
#
# <details class="quiz"><summary>Answer</summary>
# (b) The same column means different things for the two crops. For the report's crop
# a whole frame means it gave up because its square would have left the image (step 4
# of its algorithm). The improved crop pads instead, so it keeps the whole frame only
# when it finds nothing above the sky, or when its square grows until it reaches the
# frame's size because the light around the centre spreads that far. Option (a)
# describes the report's crop, not the improved one; option (d) is the kept_whole
# column, a different measure.
# </details>
#
# **5.** The report's square starts at the top-left corner of the bounding box, so
# for an elongated galaxy it reaches past the box in one direction only. Which
# figure, and where in it, lets you see this push the galaxy to one side of its crop?
#
# - (a) The step-by-step figure of one galaxy, panel 2, the pixels brighter than 10.
# - (b) The figure of the four galaxies the report's crop misses most, in the middle
#   column: the report's crop.
# - (c) The same figure of the four galaxies, in the right column: the improved crop.
# - (d) The figure of the first eight rows of the cache.
#
# <details class="quiz"><summary>Answer</summary>
# (b) The figure of the four worst galaxies shows each original image with both boxes
# (the report's in orange, the improved one in green), then the report's crop in the
# middle column and the improved crop in the right column; the chapter tells you to
# look for a square anchored at an elongated galaxy's top-left corner, which pushes
# the galaxy to one side of the crop in the middle column. The tempting (c) is the
# improved crop, which is centred on the galaxy's peak of light, so it shows the
# cure, not the fault. Panel 2 shows only the thresholded speckle, with no square at
# all, and the rows of the cache all come from the improved crop.
# </details>
#
# **6.** The report wrote 61,578 PNG files, one per galaxy, and read them back one by
# one. Which statement about preprocess_catalog is true?
#
# - (a) It still writes one PNG per galaxy, but on every core at once.
# - (b) It writes every crop into one uint8 array on disk that the training pipeline
#   memory-maps, and if interrupted it continues where it stopped when run again.
# - (c) It decodes every JPEG at full size twice, once to find the box and once to
#   cut the square.
# - (d) It silently drops the images it cannot read, so that the array has no gaps.
#
# <details class="quiz"><summary>Answer</summary>
# (b) preprocess_catalog crops every image once and writes all of them into one uint8
# NumPy file of shape (galaxies, size, size), with the GalaxyID of each row in
# catalog order; it saves its progress, resumes after an interruption and returns at
# once when the work is done, so every later training run just reads the cache. The
# tempting (a) keeps the report's many small files, and spreading work over the cores
# is only one of its two tricks; the other is the opposite of (c), since the improved
# crop finds its box on a decode at one eighth of the size (424 / 8 = 53, so 53 × 53
# pixels) and then decodes only as large as the output needs. Images it cannot read
# get a documented fallback and are listed, never silently dropped.
# </details>
