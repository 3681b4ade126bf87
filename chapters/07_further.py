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
# # 7 Going further: what moved the leaderboard
#
# The report stopped at an RMSE of 0.0926 and guessed it would have placed 28th. The
# winner, Sander Dieleman, reached **0.07491** on the private leaderboard (the report
# quotes 0.07941, a transposition of digits that several blog posts repeat). This
# chapter collects four ideas beyond the report — two from the winner's solution, two
# from the years since — says where each comes from, measures three of them on our sky,
# one at a time, and points to where you can take them next.
#
# **In this chapter you will learn to**
#
# - explain how a tree-consistent output layer makes every prediction obey the
#   decision tree, and why softplus is used instead of ReLU in it.
# - compute the standard error of a vote fraction from n volunteers, square root of
#   p(1 − p)/n.
# - explain why a loss on vote counts treats a galaxy seen by few volunteers
#   differently from squared error on fractions.
# - explain why the margin between the report's network and the improved network
#   mixes several changes, and how the colour-or-grey measurement separates one of
#   them.
# - read a 95 % interval on a colour-against-grey margin and say what it does and
#   does not settle.
# - read an ablation, one idea per row on one sky, and say from the interval of each
#   change whether the idea helped here, and what the interval leaves out.
# - read a calibration curve, and say whether a network's sureness tells which galaxies
#   it gets wrong.
#
# **Before it:** chapters 4 to 6: the report's network with its 37 sigmoids,
# training, test-time averaging, the noise floor and bootstrap intervals. You need
# NumPy slicing, and fractions, sums and square roots.
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

PROFILE = setup_notebook(makes=[])

# %%
import json

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from galaxylib.course import ABLATION_RECORD, glue, reading
from galaxylib.course.networks import provenance
from galaxylib.course.plots import annotation_size
from galaxylib.taxonomy import COLUMNS, QUESTIONS, check_tree, to_cumulative

# %% [markdown]
# ## 1 Outputs that obey the decision tree
#
# The report's network ends in 37 independent sigmoids. Nothing stops it from predicting
# that 70 % of volunteers saw a smooth galaxy *and* 70 % saw a disc — a combination no
# set of volunteers can produce. The winning network instead built the tree into its
# last layer: for each question, make the raw outputs non-negative, divide by their sum
# so the answers form proportions, then multiply by the value of the answer that leads to
# the question. The outputs then obey the tree by construction, and the network never
# spends capacity learning the arithmetic of the catalog.
#
# Here is that layer in a few lines of NumPy, applied to random numbers. Whatever goes
# in, what comes out passes the same check the catalog passes:

# %%
rng = np.random.default_rng(0)
raw = rng.normal(size=(5, len(COLUMNS)))

per_question = np.maximum(raw, 0) + 1e-6  # ReLU, as Dieleman did (softmax did not help)
start = 0
for question in QUESTIONS:
    width = len(question.answers)
    block = per_question[:, start : start + width]
    per_question[:, start : start + width] = block / block.sum(axis=1, keepdims=True)
    start += width

cumulative = to_cumulative(per_question)
print("rows that break the tree:", len(check_tree(cumulative)))

# %% tags=["remove-cell"]
# The prose says that whatever goes in, what comes out obeys the tree: check it.
assert len(check_tree(cumulative)) == 0

# %% [markdown]
# `galaxylib.models.improved_cnn` ends in this layer, written in Keras (`DecisionTree`),
# with one change: softplus, not ReLU, makes the raw outputs positive. Dieleman trained
# the first part of his run without the normalisation, because with it his training did
# not converge. One likely reason — ours, not his: with ReLU, a question whose raw outputs
# are all negative gets no gradient. Softplus is positive everywhere and has a gradient
# everywhere.
#
# Does it help? Section 5 trains the improved network twice on one sky, once ending in
# this layer and once in 37 sigmoids. Ending in the sigmoids instead
# {glue:text}`ch7_ablation_sigmoid`.
#
# ## 2 Rotation invariance, built in
#
# A galaxy has no "up": rotate the image and every answer stays the same. The report used
# this only through augmentation (random flips, and `RandomRotation(0.3)`: turns of up to
# 30 % of a full circle either way). The
# winning model went much further. It cut every image into 16 overlapping views — the
# image and a 45°-rotated copy, each flipped, each cut into four corner parts rotated into
# alignment — passed all 16 through one shared stack of convolutions, and concatenated
# the features. The network could then learn each feature once rather than once per
# orientation. On top of that, the submission averaged predictions over 60 transformed
# copies of each test image.
#
# Averaging over the eight rotations by 90° and flips ("test-time augmentation") is the
# cheap half of this idea, and `galaxylib.models.predict_tta` does it. On the report's
# network in colour, section 5 finds that it {glue:text}`ch7_ablation_eight_views`.
#
# The other half, the views inside the network, is `galaxylib.models.Parts`: four
# corners of each image, each turned so that the galaxy's centre sits at its bottom
# right, through the same convolutions, their features then side by side
# (`JoinParts`). It is the winner's idea with four parts instead of sixteen (no 45°
# copy, and flips left to the augmentation), and `galaxylib train --model improved
# --parts` trains it. A corner is five eighths of the side, so the four parts hold a
# little more than one and a half images' worth of pixels, and the convolutions cost
# that much more. Built in and seen once at test time, against the improved network
# averaged over eight views, it {glue:text}`ch7_ablation_parts`.
#
# ## 3 Losses that know the labels are votes
#
# The networks of chapters 4 to 6 minimise the squared error of vote *fractions*, the
# competition's own score. But a fraction of one half from 4 volunteers is much less certain
# than one half from 60, and the squared error treats them alike. Zoobot (Walmsley et al.), the
# network Galaxy Zoo itself now uses, predicts instead the parameters of a
# Dirichlet–multinomial distribution for each question and is trained on the vote
# *counts*: the likelihood of exactly the votes that were cast. A galaxy with few
# volunteers then pulls on the network less, and the model's outputs come with
# uncertainties of their own (section 5 asks whether they are honest here).
#
# Our synthetic sky makes this easy to try, because `truth.csv` records how many
# volunteers saw each galaxy. How uncertain is a fraction measured by $n$ volunteers?
# Its standard error is $\sqrt{p(1-p)/n}$:

# %%
volunteers = np.array([10, 20, 40, 80])
errors = pd.Series(np.sqrt(0.25 / volunteers), index=volunteers)
print(
    pd.DataFrame({"volunteers": volunteers, "std. error at p = 0.5": errors.to_numpy()}).to_string(
        index=False, float_format=lambda x: f"{x:.3f}"
    )
)

# %% tags=["remove-cell"]
glue("ch7_error_40", float(errors[40]))
glue("ch7_error_10", float(errors[10]))

# %% [markdown]
# With 40 volunteers, a true probability of one half is measured to within about
# {glue:text}`ch7_error_40:.2f`; with 10 volunteers, {glue:text}`ch7_error_10:.2f`. That
# is the *noise floor* of chapter 6 seen galaxy by galaxy: no loss function can beat it,
# but a loss that knows the counts stops the model from chasing it.
#
# `galaxylib.votes` writes zoobot's loss in a few lines of TensorFlow, and `galaxylib
# train --output votes --volunteers sky/truth.csv` trains a network with it. Training
# the improved network so, in place of the squared error,
# {glue:text}`ch7_ablation_votes` (section 5).
#
# ## 4 Transfer learning and today's networks
#
# The winner of the 2013–14 competition trained from scratch for 67 hours on a GTX 680,
# and the submission averaged 17 such models. Ten years later, a re-run of the challenge (the
# `alvinng4/GalaxyZooChallenge` repository, 2024, on an RTX A6000) found the figures
# of its three models below; the report's and the winner's are added for comparison:
#
# | model | input | RMSE | from |
# | --- | --- | --- | --- |
# | the report's CNN | 150 px grey | 0.0926 | the report, on its validation split |
# | a 3 M-parameter CNN | 128 px | 0.07742 | the 2024 re-run |
# | Dieleman's winning ensemble (2014) | 69 px views | 0.07491 | the private leaderboard |
# | ResNet50, pretrained, 30 epochs | 224 px | 0.07393 | the 2024 re-run |
# | DINOv2-B, a self-supervised vision transformer | – | 0.07251 | the 2024 re-run |
#
# The report's figure is not on the same footing as the others: it was measured on the
# report's validation split, drawn from the training galaxies, not on Kaggle's hidden
# test galaxies, so it only suggests where the report's network would have placed.
#
# A network pretrained on millions of everyday photographs already knows edges, blobs
# and textures; fine-tuning it for galaxies needs far less data and time than learning
# those from scratch. Zoobot goes one step further and is pretrained on galaxies
# themselves. Its encoders are PyTorch models downloaded from a model hub, so this book,
# which builds offline, cannot run them — but on Colab you can: `pip install zoobot`
# and follow its tutorials, using the data-loading code of chapter 0.
#
# ## Colour or grey?
#
# The report made one more choice that the winner did not: it turned every image grey
# before training, a weighted mix of its three channels, one number per pixel; it says
# colour gave it worse results in training. Colour does say something about a
# galaxy. Old stars, which dominate ellipticals and bulges, are red; young stars, which
# light up spiral arms, are blue; and our synthetic sky paints them so, giving bulges,
# discs and arms the colours of their stars. But a network gains from colour only if it
# learns to use it within its budget, and three channels triple the arithmetic of its
# first layer.
#
# So measure it rather than assume it. The first two rows of section 5's measurement
# (`make ablation`) are this question: they train the report's network twice on one
# sky with the recipe of chapter 5, once on grey crops and once on colour crops, and
# score both on the same test galaxies. (`galaxylib bench colour` runs just these two
# trainings, on the same sky drawn again in a folder of its own.) That is two trainings,
# longer than a build of this book can spend, so this page does not run them: it reads
# the record the command wrote, with the commands and the machine. Run them yourself to
# check; a GPU makes it much faster.

# %%
ablation = json.loads(ABLATION_RECORD.read_text())
rows = {row["name"]: row for row in ablation["rows"]}
print(f"{ablation['made_by']}, on {ablation['machine']}")
for name in ("report", "colour"):
    print(f"  {rows[name]['command']}")
pd.DataFrame(
    {
        "test RMSE": [rows[name]["sky_rmse"] for name in ("report", "colour")],
        "gap closed (%)": [100 * rows[name]["sky_gap"] for name in ("report", "colour")],
    },
    index=["grey (the report's choice)", "colour (the winner's)"],
).style.format({"test RMSE": "{:.4f}", "gap closed (%)": "{:.0f}"})

# %% tags=["remove-cell"]
grey, colour = rows["report"]["sky_rmse"], rows["colour"]["sky_rmse"]
assert rows["colour"]["against"] == "report"  # the change below is colour's over grey
low, high = rows["colour"]["change_low"], rows["colour"]["change_high"]  # grey minus colour
between = (
    f"in 95 % of redraws of the test galaxies the margin lies between {low:.4f} and {high:.4f}"
)
reading(
    "ch7_colour_reading",
    {
        f"Colour lowers the test RMSE from {grey:.4f} to {colour:.4f}, and {between}: the "
        "network learned to use the extra bands": low > 0,
        f"Colour raises the test RMSE from {grey:.4f} to {colour:.4f}, and {between}: "
        "within this budget the extra bands only got in the way": high < 0,
        f"Grey scores {grey:.4f} and colour {colour:.4f}, and {between}, a range that "
        "holds zero: within this budget colour buys nothing the test split can see": (
            low <= 0 <= high
        ),
    },
)
glue("ch7_colour_galaxies", ablation["sky"]["n"])
improved_recipe = provenance()["networks"]["improved"]["settings"]  # the stored network's
reading(
    "ch7_stored_changes",
    {
        "sees colour and runs its convolutions on Dieleman's parts (section 2); its margin "
        "over the report's network in chapter 6, where both answer from one view of each "
        "galaxy, is therefore the sum of three changes -- its layers, its input and the "
        "parts": bool(improved_recipe.get("parts")),
        "sees colour; its margin over the report's network in chapter 6, where both answer "
        "from one view of each galaxy, is therefore the sum of two changes -- its layers "
        "and its input": not improved_recipe.get("parts"),
    },
)
glue("ch7_colour_budget", ablation["budget"])

# %% [markdown]
# {glue:text}`ch7_colour_reading`. The record is for one synthetic sky of
# {glue:text}`ch7_colour_galaxies:,` galaxies and one budget
# ({glue:text}`ch7_colour_budget`); the winner's 61,578 real galaxies at a larger size
# are another budget, and there the answer may differ. That is the point of measuring: a
# choice like this one is settled by runs on your data, not by a rule.
# The book's stored improved network follows the winner and
# {glue:text}`ch7_stored_changes`. This measurement cannot
# simply be subtracted from that margin to price the layers: it was made on another sky
# and without the stored networks' photographic augmentation. Section 5 separates the
# changes on its own sky, one change at a time.
#
# ## 5 One idea at a time, measured
#
# Sections 1 to 3 say why each idea *should* help. Whether it does on our sky is a
# measurement, and a fair one changes one thing at a time: one sky, one split, one budget
# of training, the same test galaxies for every row. `make ablation`
# (`build_tools/ablation.py`) does that. Each row below differs by one idea from the row
# it is compared with (the improved architecture is one idea made of several changes,
# listed with its row): a network trained by `galaxylib train`, or, for the eight views,
# the row above's network scored another way; all on a sky of
# {glue:text}`ch7_ablation_galaxies:,` galaxies that none of the book's stored networks
# learnt from. Each test RMSE comes with a 95 % interval on its change from that row,
# from the same test galaxies redrawn for both (the paired bootstrap of chapter 6), and
# with the AUCs of chapter 8's photographs. Training the rows' networks took
# {glue:text}`ch7_ablation_hours:.1f` hours on two cores, more than a build of this book
# can spend, so this page reads the record the command wrote.

# %% tags=["hide-input"]
labels = list(next(iter(rows.values()))["auc"])


def interval(values, digits=2):
    """A value and its 95 % interval, as the table shows them."""
    low, high = values["low"], values["high"]
    return f"{values['auc']:.{digits}f} [{low:.{digits}f}, {high:.{digits}f}]"


commands = [row["command"] for row in rows.values()]
table = pd.DataFrame(
    {
        "what changes": [row["says"] for row in rows.values()],
        "views": [row["views"] for row in rows.values()],
        "test RMSE": [row["sky_rmse"] for row in rows.values()],
        "gap closed (%)": [100 * row["sky_gap"] for row in rows.values()],
        "change [95 % interval]": [
            f"{row['change']:+.4f} [{row['change_low']:+.4f}, {row['change_high']:+.4f}]"
            f" vs {row['against']}"
            if "against" in row
            else ""
            for row in rows.values()
        ],
        "training (min)": [  # a row that scores an earlier row's network trains nothing
            np.nan if commands[i] in commands[:i] else row["train_s"] / 60
            for i, row in enumerate(rows.values())
        ],
        **{
            label.replace("_", "-"): [interval(row["auc"][label]) for row in rows.values()]
            for label in labels
        },
    },
    index=pd.Index(list(rows), name="row"),
)
table.style.format(
    {"test RMSE": "{:.4f}", "gap closed (%)": "{:.1f}", "training (min)": "{:.0f}"},
    na_rep="–",
)

# %% [markdown]
# A change above zero is a lower test RMSE than the row it adds to. The figure draws each
# change with its interval: an idea helps here only when its whole interval lies right of
# the dashed line, and hurts only when it lies left of it.

# %% tags=["hide-input"]
compared = [name for name, row in rows.items() if "against" in row]
fig, ax = plt.subplots(figsize=(8, 0.6 * len(compared) + 1.2))
for y, name in enumerate(compared):
    row = rows[name]
    ax.plot([row["change_low"], row["change_high"]], [y, y], color="black")
    ax.plot(row["change"], y, "o", color="black")
ax.axvline(0, color="grey", linestyle="--")
ax.set_yticks(range(len(compared)), [f"{name} (vs {rows[name]['against']})" for name in compared])
ax.invert_yaxis()
ax.set_xlabel("change in test RMSE (above 0: this row is better)")
fig.tight_layout()
plt.show()

# %% tags=["remove-cell"]
for name in compared:
    row = rows[name]
    change, low, high = row["change"], row["change_low"], row["change_high"]
    key = name.replace(" ", "_")
    # in the RMSE's own direction: what the idea does to the test RMSE, and its interval
    reading(
        f"ch7_ablation_{key}",
        {
            f"lowers the test RMSE by {change:.4f} (95 % interval: by {low:.4f} to "
            f"{high:.4f}): it helps here": low > 0,
            f"raises the test RMSE by {-change:.4f} (95 % interval: by {-high:.4f} to "
            f"{-low:.4f}): it hurts here": high < 0,
            f"moves the test RMSE by {-change:+.4f}, within what the luck of the test "
            f"galaxies allows (95 % interval {-high:+.4f} to {-low:+.4f}): the test split "
            "cannot tell": low <= 0 <= high,
        },
    )
glue("ch7_ablation_galaxies", ablation["sky"]["n"])
trained = {row["command"]: row["train_s"] for row in rows.values()}  # two rows share one
glue("ch7_ablation_hours", sum(trained.values()) / 3600)
glue("ch7_ablation_machine", ablation["machine"])
apart = [  # labels whose intervals share no value across all the rows
    label.replace("_", "-")
    for label in labels
    if max(r["auc"][label]["low"] for r in rows.values())
    > min(r["auc"][label]["high"] for r in rows.values())
]
reading(
    "ch7_ablation_photographs",
    {
        "every label's intervals share a value across all the rows: these intervals do not "
        "tell the rows apart": not apart,
        f"the intervals of {', '.join(apart)} do not all overlap: on that label some rows "
        "differ beyond the luck of which photographs we have": bool(apart),
    },
)

# %% [markdown]
# Row by row, decided by the intervals:
#
# - **Colour**, in the report's network, {glue:text}`ch7_ablation_colour`.
# - **Eight views** averaged at test time (section 2's cheap half), on that network,
#   {glue:text}`ch7_ablation_eight_views`.
# - **The improved architecture**, ending in the tree's layer and trained on turns of any
#   angle, {glue:text}`ch7_ablation_improved`.
# - **Ending in 37 sigmoids** instead of the tree's layer (section 1), in the improved
#   network, {glue:text}`ch7_ablation_sigmoid`.
# - **Dieleman's parts inside the network** (section 2), one view at test time, against
#   the improved network averaged over eight views, {glue:text}`ch7_ablation_parts`.
# - **Learning from the votes** (section 3: `galaxylib.votes`, zoobot's loss, with each
#   galaxy's number of volunteers from `truth.csv`) instead of the squared error of the
#   fractions, in the improved network, {glue:text}`ch7_ablation_votes`.
#
# On chapter 8's photographs, {glue:text}`ch7_ablation_photographs`. The record was
# made on {glue:text}`ch7_ablation_machine`.
#
# The intervals above measure the luck of the test galaxies only, not the luck of a
# training run: every row trained once, from one seed of its weights and one order of
# its batches, and another seed would move each row's RMSE by an amount this record does
# not measure. So a row whose interval only just clears zero is a direction, not a law;
# measuring a run's luck takes each row trained again from other seeds.
#
# ### How sure the network is, and whether it should be
#
# A network that learns from the votes answers more than fractions: for each question, a
# Dirichlet distribution whose spread says how sure it is. Two questions follow. Is it
# *calibrated*: of the galaxies it puts at seven in ten smooth, are seven in ten smooth in
# the catalog, on average? And are the galaxies it is least sure of the ones it gets
# most wrong -- the kind chapter 6 lists? The record answers both on the test galaxies,
# beside the improved network trained on the squared error. On the left, Q1's three
# answers (asked of every galaxy): each point is a bin of predictions, and a calibrated
# network's points lie on the diagonal. On the right, the mean distance from the diagonal
# for every question: the shorter bar is the better calibrated network on that question.

# %% tags=["hide-input"]
calibration = ablation["calibration"]
questions = list(calibration["votes"])
fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.6), width_ratios=(1, 1.4))
for name, style in (("improved", "s--"), ("votes", "o-")):
    curve = calibration[name]["Q1"]
    left.plot(curve["predicted"], curve["observed"], style, label=name)
left.plot([0, 1], [0, 1], color="grey", linewidth=0.8)
left.set(
    xlabel="predicted proportion (mean of a bin)",
    ylabel="catalog proportion (mean of the bin)",
    title="Q1",
)
left.legend(fontsize=annotation_size(fig))
x = np.arange(len(questions))
for shift, name in ((-0.2, "improved"), (0.2, "votes")):
    gaps = [calibration[name][q]["gap"] for q in questions]
    right.bar(x + shift, gaps, width=0.4, label=name)
right.set_xticks(x, questions)
right.set(ylabel="mean distance from the diagonal", title="every question")
right.legend(fontsize=annotation_size(fig))
fig.tight_layout()
plt.show()

# %% tags=["remove-cell"]
q1 = {name: calibration[name]["Q1"]["gap"] for name in ("improved", "votes")}
reading(
    "ch7_calibration_q1",
    {
        "lie closer to the diagonal than the improved network's": q1["votes"] < q1["improved"],
        "lie further from the diagonal than the improved network's": q1["votes"] > q1["improved"],
        "lie as close to the diagonal as the improved network's": q1["votes"] == q1["improved"],
    },
)
glue("ch7_gap_votes", q1["votes"])
glue("ch7_gap_improved", q1["improved"])
closer = sum(calibration["votes"][q]["gap"] < calibration["improved"][q]["gap"] for q in questions)
further = sum(calibration["votes"][q]["gap"] > calibration["improved"][q]["gap"] for q in questions)
reading(
    "ch7_calibration_questions",
    {
        f"closer to the diagonal on all {len(questions)} of them": closer == len(questions),
        f"closer to the diagonal on most of them ({closer} of the {len(questions)}; further "
        f"on {further})": further < closer < len(questions),
        f"further from the diagonal on all {len(questions)} of them": further == len(questions),
        f"further from the diagonal on most of them ({further} of the {len(questions)}; "
        f"closer on {closer})": closer < further < len(questions),
        f"as often closer to the diagonal as further from it ({closer} questions each)": (
            closer == further
        ),
    },
)
for measure, key in (("Q1", "q1"), ("every question", "tree")):
    sure = ablation["uncertainty"][measure]
    rho = sure["spearman"]
    reading(
        f"ch7_uncertain_{key}",
        {
            f"by and large the ones it gets most wrong (Spearman's rank correlation {rho:.2f})": rho
            > 0.3,
            f"only a little more often the ones it gets wrong (Spearman's rank correlation "
            f"{rho:.2f})": 0 < rho <= 0.3,
            f"no more often the ones it gets wrong (Spearman's rank correlation {rho:.2f})": (
                rho <= 0
            ),
        },
    )
    unsure, surest = sure["error_least_sure_tenth"], sure["error_surest_tenth"]
    reading(
        f"ch7_tenths_{key}",
        {
            f"misses its galaxies' 37 answers by more, an RMSE of {unsure:.3f}, than the "
            f"tenth it is surest of ({surest:.3f})": unsure > surest,
            f"misses its galaxies' 37 answers by no more, an RMSE of {unsure:.3f}, than the "
            f"tenth it is surest of ({surest:.3f})": unsure <= surest,
        },
    )
    worst = sure["worst_12_in_least_sure_quarter"]
    reading(
        f"ch7_worst_{key}",
        {
            f"{worst} are among the quarter it is least sure of, more than the three that "
            "chance alone would put there": worst > 3,
            f"{worst} are among the quarter it is least sure of, no more than the three that "
            "chance alone would put there": worst <= 3,
        },
    )

# %% [markdown]
# On Q1, the votes network's points {glue:text}`ch7_calibration_q1` (mean distances
# {glue:text}`ch7_gap_votes:.3f` and {glue:text}`ch7_gap_improved:.3f`), and over the
# eleven questions it is {glue:text}`ch7_calibration_questions`.
#
# Read from Q1's spread alone, the galaxies it is least sure of are
# {glue:text}`ch7_uncertain_q1`. The tenth it is least sure of
# {glue:text}`ch7_tenths_q1`, and of the twelve galaxies it gets most wrong (as many as
# chapter 6 shows) {glue:text}`ch7_worst_q1`. But Q1 is one question of eleven, and the
# error counts all 37 answers, so the record also reads its sureness from every question:
# each question's spread, times the share of the volunteers the network expects to reach
# that question, averaged over the eleven. Read so, the galaxies it is least sure of are
# {glue:text}`ch7_uncertain_tree`; the tenth it is least sure of
# {glue:text}`ch7_tenths_tree`, and of the twelve worst {glue:text}`ch7_worst_tree`.
# Part of that agreement is arithmetic rather than insight: a galaxy whose volunteers go
# deep into the tree has more answers above zero to get wrong, and the share that
# reaches each question weighs its spread too. A fair test of sureness would compare
# galaxies that reach the same questions -- a project of its own.
#
# A network that knows when it does not know is what lets a survey send its hardest
# galaxies to human eyes -- the way Galaxy Zoo now uses zoobot -- and these measurements
# say how far our small network, on its small budget, is from that.
#
# ## Where to go from here
#
# - Replace the improved model's convolutional stack by `keras.applications.ResNet50`
#   with ImageNet weights (on Colab, where the weights can be downloaded), keeping the
#   tree-consistent output layer.
# - Write the Dirichlet–multinomial loss of one question yourself, in NumPy, and check
#   it against `galaxylib.votes.dirichlet_multinomial`.
# - Give `galaxylib.models.Parts` the winner's other eight views (a 45° turn of each
#   image, and its mirror image: twelve more parts) and add the network as a row of
#   `build_tools/ablation.py`: do sixteen parts do better than four?
# - Run the `full` profile on a GPU and see how close the report's network gets to the
#   report's own 0.0926 when its input pipeline no longer holds it back. The book trains
#   it with the photographic augmentation, which the report did not use; `galaxylib train
#   --model report --size 150 --epochs 50` without `--photographic` trains it as the
#   report did.
#
# ## Summary
#
# - Outputs that obey the decision tree: the network never spends capacity on the
#   catalog's arithmetic.
# - Rotation invariance built into the network, and predictions averaged over rotations
#   and flips.
# - Losses that know the labels are votes, and how many there were.
# - Networks pretrained on millions of images, fine-tuned for galaxies.
# - Colour or grey is a question for a measurement on your own data, not a rule; so is
#   each idea above, and section 5 measures three of them, one at a time, on one sky.
# - A network that learns from the votes also says how sure it is; whether its sureness
#   is honest is another measurement.
#
# This chapter has no exercises of its own: the ideas above are projects. The exercise
# sets cover chapters 1 to 6, from {doc}`set 1 <../solutions/01_eda>` to
# {doc}`set 6 <../solutions/06_evaluation>`.

# %% [markdown]
# ## Check yourself
#
# 7 questions on this chapter. Choose an answer before you open the explanation
# under it.
#
# **1.** The report's network ends in 37 independent sigmoids. What does the winning
# network's tree-consistent last layer do instead, for each question?
#
# - (a) Apply one softmax over all 37 outputs together, so that they sum to 1.
# - (b) Make the question's raw outputs non-negative, divide them by their sum so the
#   answers form proportions, then multiply by the value of the answer that leads to
#   the question.
# - (c) Apply a sigmoid to each output and clip the 37 values so that their total is
#   at most 1.
# - (d) Multiply each output by the number of answers its question has.
#
# <details class="quiz"><summary>Answer</summary>
# (b) The catalog's answers form proportions within each question, scaled by the
# share of volunteers who reached that question, so normalising per question and
# multiplying by the parent answer makes the outputs obey the tree by construction,
# whatever goes in, and the network never spends capacity learning that arithmetic.
# Option (a) is tempting because softmax is the usual way to make proportions, but a
# softmax over all 37 would force every answer of every question to share one total,
# which the tree does not do; options (c) and (d) do not make the answers of a
# question sum to the value of their parent answer.
# </details>
#
# **2.** galaxylib's DecisionTree layer makes the raw outputs positive with softplus,
# not with the ReLU that Dieleman used. Why does the chapter say this matters?
#
# - (a) Softplus is cheaper to compute than ReLU.
# - (b) With ReLU, a question whose raw outputs are all negative gets no gradient;
#   softplus is positive everywhere and has a gradient everywhere.
# - (c) ReLU can return negative values, which would break the proportions.
# - (d) Softplus makes each question's answers sum to 1 without any division.
#
# <details class="quiz"><summary>Answer</summary>
# (b) ReLU sets every negative input to zero and its gradient there is zero, so if
# all the raw outputs of a question are negative, nothing flows back to teach the
# network; softplus never reaches zero and its slope is never zero, so every question
# keeps learning. Option (c) is a common slip: ReLU never returns negative values,
# that is its point; the normalisation is still done by dividing by the sum, so (d)
# is wrong too, and speed is not the reason the chapter gives.
# </details>
#
# **3.** Predict before you check: a galaxy's true probability of an answer is one
# half, and 25 volunteers see it. About how uncertain is its catalog fraction, as a
# standard error?
#
# - (a) 0.01
# - (b) 0.02
# - (c) 0.1
# - (d) 0.5
#
# <details class="quiz"><summary>Answer</summary>
# (c) The standard error of a fraction measured by n volunteers is the square root of
# p(1 − p)/n = square root of (0.25 / 25) = square root of 0.01 = 0.1. The tempting
# 0.01 is the variance, the value before taking the square root; 0.02 divides p by n;
# and 0.5 is the probability itself. Because of the square root, halving the error
# needs four times as many volunteers, which is why the noise floor of chapter 6
# cannot be wished away.
# </details>
#
# **4.** Two galaxies both have a catalog fraction of one half for an answer, one
# from 4 volunteers and one from 60. How does squared error on fractions treat them,
# and what does a Dirichlet–multinomial loss on the vote counts, as in Zoobot,
# change?
#
# - (a) Squared error treats them alike; the loss on counts lets the galaxy with 4
#   volunteers pull on the network less.
# - (b) Squared error already gives the galaxy with 60 volunteers more weight, so the
#   loss on counts changes nothing.
# - (c) The loss on counts drops every galaxy with fewer than 10 volunteers from
#   training.
# - (d) The loss on counts removes the volunteers' noise, so the model can score
#   below the noise floor.
#
# <details class="quiz"><summary>Answer</summary>
# (a) Squared error only sees the two fractions, and one half is one half; a
# likelihood of exactly the votes that were cast knows that one half from 4
# volunteers is far less certain than one half from 60, so the uncertain galaxy
# weighs less. Option (d) is the tempting misconception: the chapter says no loss
# function can beat the noise floor, but a loss that knows the counts stops the model
# from chasing it. Nothing is dropped, as (c) claims, and squared error has no idea
# how many volunteers there were, so (b) is wrong.
# </details>
#
# **5.** Chapter 6 measures a margin between the report's network and the improved
# one. Whichever way that margin goes, why can it not be credited to the improved
# network's layers alone?
#
# - (a) The improved network also sees colour where the report's sees grey, so the
#   margin mixes its layers with its input.
# - (b) The two networks were scored on different test splits.
# - (c) RMSE cannot be used to compare two networks.
# - (d) The improved network was trained on real galaxies and the report's on the
#   synthetic sky.
#
# <details class="quiz"><summary>Answer</summary>
# (a) Chapter 6 scores both networks alike, from one view of each galaxy, so the
# margin adds up every difference between them: the layers, the input, and whatever else
# the improved network's recipe adds (section 4 names them for the stored network); the
# ablation's first
# two rows train the report's network on grey and on colour crops so that, on the
# ablation's own sky, the input's share can be separated from the layers'.
# Option (b) is wrong because chapter 6 scores both networks on the same test
# galaxies, which is what makes a paired comparison possible; both networks were
# trained on the synthetic sky, and RMSE is exactly the score used to compare them.
# </details>
#
# **6.** Suppose the colour-or-grey measurement gave a 95 % range for grey's RMSE minus
# colour's that runs from a negative number to a positive one. What would that mean?
#
# - (a) Colour clearly lowers the test RMSE, because colour says something about a
#   galaxy's stars.
# - (b) Within this budget, colour buys nothing the test split can see: the range
#   holds zero.
# - (c) Colour clearly raises the test RMSE.
# - (d) Colour is useless for galaxy morphology, including for the winner's 61,578
#   real galaxies.
#
# <details class="quiz"><summary>Answer</summary>
# (b) A range that holds zero means the luck of which galaxies the test split drew
# could produce the margin either way, so the measurement cannot tell grey from
# colour on this sky at this size and number of epochs. Option (a) is tempting
# because old stars really are red and young ones blue, but a network only gains from
# colour if it learns to use it within its budget, and only the measurement can say
# whether it did. Option (d) overreaches: the record is for one synthetic sky, and
# the chapter says that for 61,578 real galaxies at a larger size the answer may
# differ, which is why such a choice is settled by runs on your own data, not by a
# rule.
# </details>
#
# **7.** In an ablation, why does each row add one idea to the row it is compared with,
# on the same sky, split and budget?
#
# - (a) So that the table is shorter.
# - (b) So that a difference between the two rows comes from that idea, or from luck:
#   the luck of the test galaxies, which the paired interval measures, and the luck of
#   the training run, which it does not.
# - (c) Because changing two things at once always cancels them out.
# - (d) Because training each network on its own sky makes the intervals narrower.
#
# <details class="quiz"><summary>Answer</summary>
# (b) With everything else held fixed, the causes left for a change in test RMSE are
# the idea and luck. The paired bootstrap, redrawing the same test galaxies for both
# rows, puts a size on the luck of the test galaxies; the luck of a training run (its
# random start, the order it saw the galaxies in) is not in it, and this chapter's
# record, which trained each row once, does not measure it.
# Option (c) is tempting, since two changes can hide each other, but they need not:
# the trouble is that you could not tell which one did what, as with chapter 6's margin
# between the two networks. Option (d) is backwards: different skies would add a
# difference between skies to every comparison.
# </details>
