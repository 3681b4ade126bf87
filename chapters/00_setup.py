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
# # 0 Setup and data
#
# This chapter gets you ready: what Galaxy Zoo asked its volunteers, what the Kaggle data
# look like, why this book runs on a synthetic sky, and how to get the real images when
# you want them. Every chapter starts with the cell below. On Colab it installs the
# course's helper package, `galaxylib`; everywhere it says which machine and which
# *profile* — the scale of the run — the chapter uses.
#
# **In this chapter you will learn to**
#
# - compute a cumulative vote fraction of the catalog from the per-question fractions
#   down the decision tree.
# - state which sums every galaxy's row of the catalog must obey, and which it need
#   not.
# - read from the decision-tree figure which questions (nearly) every volunteer answers
#   and which answer opens each of the others.
# - explain the difference between the catalog's votes and the expected fractions in
#   truth.csv, and what the noise floor means for any model's score.
# - name the steps needed before Kaggle will let you download the real images.
#
# **Before it:** no earlier chapter. You need basic Python and pandas (reading a table,
# picking columns), fractions and percentages, and the idea of a root-mean-square error.
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

PROFILE = setup_notebook(makes=["sky"])

# %% [markdown]
# ## Galaxy Zoo and its volunteers
#
# Astronomers sort galaxies by their shape — smooth ellipticals, discs with spiral arms,
# bars, rings, collisions — because shape records how a galaxy formed and evolved. The
# Sloan Digital Sky Survey photographed far more galaxies than astronomers could ever
# inspect, so Galaxy Zoo put the images on the web and asked members of the public.
# Instead of one label per galaxy, each volunteer answers a short chain of questions,
# and each galaxy is seen by several dozen volunteers. The result is not "this galaxy is
# a barred spiral" but "62 % of the volunteers saw a disc, and of those who saw it face-on,
# 30 % saw a bar".
#
# The Kaggle competition *Galaxy Zoo – The Galaxy Challenge* (2013–14) published 61,578
# such galaxies for training and 79,975 for testing, and asked for the 37 fractions of
# each test galaxy. Submissions were scored by the root-mean-square error over every
# galaxy and every answer. The test answers were never released; Kaggle still scores
# late submissions.
#
# ## A decision tree, not a list of labels
#
# The questions form a tree. Everyone is asked Q1 (*smooth, features or disc, or a star?*),
# and everyone who did not answer "star or artifact" reaches Q6 (*anything odd?*); the
# other questions are asked only of volunteers whose earlier answer leads there. Each
# arrow below is the answer that opens the next question:

# %%
import numpy as np
import pandas as pd

from galaxylib.course import glue, plots
from galaxylib.taxonomy import COLUMNS, QUESTIONS, check_tree, to_per_question

plots.plot_decision_tree()

# %% [markdown]
# Start at the two orange boxes: Q1, which every volunteer answers, and Q6, which all but
# those who saw a star or artifact answer. Follow
# "features or disc" down the middle: edge-on (Q2), then bar (Q3), spiral (Q4) and bulge
# (Q5), with the arms' winding (Q10) and number (Q11) under "spiral". The orange label on
# each arrow is the answer that opens the question below it.
#
# The catalog stores *cumulative* fractions: the fraction of the volunteers who gave an
# answer, among those who were asked its question, multiplied by the value of the answer
# that led to the question. If 80 % call a galaxy smooth (`Class1.1 = 0.80`) and half of
# those call it completely round, the catalog holds `Class7.1 = 0.80 × 0.50 = 0.40`. So
# the answers of a question add up to the answer above it — Q7's three answers sum to
# `Class1.1` — and Q1 and Q6 each sum to 1 (Q6 because the competition rescaled its
# answers so that they do: not quite everyone reaches it). Here are the questions with
# the answer each one hangs from:

# %%
questions = pd.DataFrame(
    {
        "question": [q.text for q in QUESTIONS],
        "asked after": [q.parent or "everyone" for q in QUESTIONS],
        "answers": [", ".join(q.descriptions) for q in QUESTIONS],
    },
    index=[q.name for q in QUESTIONS],
)
questions.style.set_properties(**{"text-align": "left"})  # every question in full

# %% [markdown]
# ## The data, in the Kaggle format
#
# A Galaxy Zoo data directory holds two things: `images_training_rev1/`, one 424×424
# colour JPEG per galaxy named `<GalaxyID>.jpg`, and `training_solutions_rev1.csv`, a
# table with `GalaxyID` and the 37 columns `Class1.1 … Class11.6`. (The report's own
# download named them `images_training/` and `training_solutions.csv`; `galaxylib` reads
# both.) `course_data()` returns the data set this chapter runs on, and `load_catalog`
# reads the table and checks every row: numbers between 0 and 1, no duplicate IDs, the
# tree's sums, and an image for every row. A bad row stops the loading with one sentence
# that names its line; `galaxylib check DATA_DIR` lists every bad row of your own files
# at once (it also decodes every image, which takes a while).

# %%
from galaxylib.course import course_data
from galaxylib.data import load_catalog

DATA = course_data()
catalog = load_catalog(DATA)
print(f"Data: {DATA.name} — {len(catalog):,} galaxies")
catalog.labels.head()

# %% [markdown]
# `load_catalog` has checked the tree's sums; `check_tree` lists the rows that break
# them, and dividing each answer by its parent gives back the per-question fractions,
# each question summing to one:

# %%
print("rows that break the tree:", len(check_tree(catalog.labels)))
per_question = to_per_question(catalog.labels)
per_question.loc[:4, ["GalaxyID", "Class1.1", "Class7.1", "Class7.2", "Class7.3"]]

# %% [markdown]
# ## Why this book runs on a synthetic sky
#
# The machines that build this book cannot download the real images, so every chapter runs
# on a **synthetic Galaxy Zoo** made by `galaxylib.synthetic`, in exactly the Kaggle
# format. It is not a toy. Each galaxy is rendered the way SDSS pictured them: Sérsic
# bulges and ellipticals, exponential discs seen at an angle, logarithmic spiral arms with
# blue clumps of star formation, bars, rings, mergers and dust lanes, blurred by the
# atmosphere, with sky noise, foreground stars and background galaxies, combined into an
# asinh-stretched colour composite and saved as a JPEG. Then simulated volunteers — a few
# dozen per galaxy — walk the decision tree; what they can see depends on the galaxy's
# size and brightness, so small and faint galaxies are called "smooth" more often — just
# as real volunteers do.
#
# Because we made the sky, we also know its truth. Beside the catalog, `truth.csv` holds
# each galaxy's real parameters and its *expected* vote fractions: what infinitely many
# volunteers would answer. `typical_galaxies` uses them to pick one clear example of each
# morphology: of all the galaxies of a kind, the one whose expected fraction for the
# answer that names it is highest.

# %%
from galaxylib.synthetic import typical_galaxies

truth = pd.read_csv(DATA / "truth.csv")
examples = typical_galaxies(truth)
voted = catalog.labels.set_index("GalaxyID").loc[examples["GalaxyID"]]
gaps = [abs(voted.at[g, a] - e) for g, a, e in examples.itertuples(index=False)]
plots.plot_morphologies(catalog, examples)

# %% tags=["remove-cell"]
glue("ch0_largest_gap", float(max(gaps)))
glue("ch0_largest_gap_kind", examples.index[int(np.argmax(gaps))])

# %% [markdown]
# From left to right: a smooth, round elliptical; a face-on spiral with clumpy blue arms;
# a spiral with a bar across its centre; a disc seen edge-on, thin as a needle; a merger,
# two galaxies in collision; an irregular galaxy with no clear shape; and a foreground
# star, a point blurred by the atmosphere and saturated to a flat disc. Each title gives
# the answer that names the morphology: its expected fraction, and what this galaxy's
# few dozen simulated volunteers actually voted. Even for these clearest examples the two
# differ, by up to {glue:text}`ch0_largest_gap:.2f` (the {glue:text}`ch0_largest_gap_kind`).

# %% [markdown]
# Real volunteers disagree, and so do ours: the fractions in the catalog are the votes of
# a few dozen simulated people, not the expected fractions. The gap between the two is
# the **noise floor** — the RMSE that even a perfect model, one that knew every galaxy's
# true morphology, would score against the catalog. Chapter 6 compares every model with
# it.

# %%
import json

sky = json.loads((DATA / "sky.json").read_text())
expected = truth[[f"expected_{c}" for c in COLUMNS]].to_numpy()
print(f"{sky['mean_volunteers']:.1f} volunteers per galaxy on average")
print(f"noise floor: RMSE {sky['noise_floor']:.4f} between the votes and the expected fractions")
print(f"check: {np.sqrt(np.mean((catalog.targets - expected) ** 2)):.4f}")

# %% tags=["remove-cell"]
glue("ch0_volunteers", float(sky["mean_volunteers"]))
glue("ch0_noise_floor", float(sky["noise_floor"]))

# %% [markdown]
# With {glue:text}`ch0_volunteers:.0f` volunteers per galaxy on average, the votes miss
# the expected fractions by an RMSE of {glue:text}`ch0_noise_floor:.4f`: no model scored
# against this catalog can do better on average (a small test split can be lucky). The
# report's network scored 0.0926 on its validation split of the real data, so keep the
# floor in mind when a model's score stops improving.

# %% [markdown]
# ## Getting the real data
#
# On your own machine or on Colab, the chapters can run on the real images. Kaggle serves
# them to anyone with an account who has accepted the competition's rules:
#
# 1. On kaggle.com, open *Settings → API → Create New Token*; this downloads `kaggle.json`
#    with your user name and key. On Colab, add them as the secrets `KAGGLE_USERNAME` and
#    `KAGGLE_KEY` (the key icon in the left bar) and switch on their *Notebook access*;
#    elsewhere put `kaggle.json` in `~/.kaggle/`.
# 2. Open the competition's page, *Galaxy Zoo – The Galaxy Challenge*, and accept its
#    rules. Until you do, Kaggle answers every download with "403 Forbidden", and
#    `galaxylib` tells you so.
# 3. Run the download. From a terminal, `galaxylib download` does it. On Colab, in a
#    cell:
#
# ```python
# import os
# from google.colab import userdata  # these three lines on Colab only
# os.environ["KAGGLE_USERNAME"] = userdata.get("KAGGLE_USERNAME")
# os.environ["KAGGLE_KEY"] = userdata.get("KAGGLE_KEY")
#
# from galaxylib.tools.download import download_kaggle
# print(download_kaggle())  # the folder it made
# ```
#
# 4. Point the chapters at it: set `GALAXYLIB_DATASET` to that folder in each notebook,
#    before its first cell (`os.environ["GALAXYLIB_DATASET"] = "…"`), or in the shell that
#    starts Jupyter. Each notebook runs in a kernel of its own, so a variable set in one
#    does not reach the others. The cells of this chapter that read the sky's truth
#    (`truth.csv`, `sky.json`) need the synthetic sky: the real catalog has no truth.
#
# The download resumes if the connection drops, checks what it received, and never
# overwrites a complete data set. On Colab, keep the data on the virtual machine's own
# disk: reading 61,578 small files from a mounted Google Drive is so slow that one
# learner's notebook estimated six hours for a single epoch. The disk is wiped at the end
# of every session; `use_drive()` keeps a copy on Drive as one archive and unpacks it to
# the disk in the next session. The report's own zip link
# (`galaxylib download --url …`) may have rotted by now.
#
# ## Profiles: one switch for the scale
#
# Training a CNN on 61,578 images for 50 epochs needs a GPU. This book is built on two
# CPU cores, so it runs everything at a smaller scale. One environment variable,
# `GALAXYLIB_PROFILE`, picks the scale; on Colab with a GPU, the first cell picks `full`
# for you.

# %%
from galaxylib.config import PROFILES

pd.DataFrame([vars(p) for p in PROFILES.values()]).set_index("name")

# %% [markdown]
# Each row is one scale: how many galaxies (of the synthetic sky; the real catalog has
# its own 61,578), at what image size, for how many epochs. The
# book's pages were made with the profile printed at the top of each chapter.
#
# ## Summary
#
# - Galaxy Zoo's volunteers answer a tree of 11 questions; the catalog holds 37
#   cumulative vote fractions per galaxy, multiplied down the tree.
# - This book runs on a synthetic sky in exactly the Kaggle format, whose truth — real
#   parameters and expected fractions — we know.
# - The votes of a few dozen volunteers scatter around the expected fractions: the noise
#   floor no model can beat.
# - One call downloads the real data, and one switch, `GALAXYLIB_PROFILE`, sets the
#   scale.
#
# This chapter has no exercises; the exercise sets start with
# {doc}`chapter 1's <../solutions/01_eda>`.

# %% [markdown]
# ## Check yourself
#
# 6 questions on this chapter. Choose an answer before you open the explanation
# under it.
#
# **1.** 70 % of the volunteers call a galaxy "features or disc" (Class1.2 = 0.70),
# and 40 % of those then say it could be a disc seen edge-on. What does the catalog
# store as Class2.1?
#
# - (a) 0.40
# - (b) 0.28
# - (c) 0.70
# - (d) 0.30
#
# <details class="quiz"><summary>Answer</summary>
# (b) The catalog stores cumulative fractions: the share of the volunteers asked who
# gave the answer, multiplied by the value of the answer that led to the question, so
# Class2.1 = 0.70 × 0.40 = 0.28, just as the chapter's example gives Class7.1 = 0.80
# × 0.50 = 0.40. The tempting 0.40 is the per-question fraction, which is what
# to_per_question gives back when it divides Class2.1 by its parent Class1.2; 0.70 is
# the parent itself, and 0.30 subtracts where it should multiply.
# </details>
#
# **2.** Which sum must hold for every galaxy in a valid Galaxy Zoo catalog, so that
# load_catalog accepts the row?
#
# - (a) All 37 fractions add up to 1.
# - (b) Q7's three answers add up to Class1.1, the fraction who called the galaxy
#   smooth.
# - (c) Q7's three answers add up to 1, because each question shares out its own
#   volunteers.
# - (d) Q11's six answers add up to Class4.2, the fraction who saw no spiral.
#
# <details class="quiz"><summary>Answer</summary>
# (b) The answers of a question add up to the answer above it in the tree, and Q7
# (how rounded is it?) is asked only after "smooth", so its answers sum to Class1.1;
# only Q1, which everyone is asked, and Q6, which the competition rescaled, sum to 1.
# Option (c) is true of the per-question proportions that to_per_question computes,
# not of the catalog's cumulative fractions. Option (a) cannot hold, since Q1 alone
# already sums to 1 and Q6 adds another 1. Q11 (how many arms?) hangs from Class4.1,
# "spiral", not from Class4.2.
# </details>
#
# **3.** Which figure in this chapter shows where every volunteer starts, and which
# answer opens each of the other questions?
#
# - (a) The decision-tree diagram drawn by plot_decision_tree: Q1 and Q6 are its
#   orange boxes, and the orange label on each arrow is the answer that opens the
#   question below it.
# - (b) The strip of one galaxy per morphology drawn by plot_morphologies, whose
#   titles name the answer for each kind of galaxy.
# - (c) The table of profiles from PROFILES, whose rows say which questions each run
#   uses.
# - (d) The first rows of catalog.labels, where a question that was not asked is left
#   empty.
#
# <details class="quiz"><summary>Answer</summary>
# (a) The chapter tells you to start at the two orange boxes, Q1, which every volunteer
# answers, and Q6, which all but those who saw a star or artifact reach, and to follow
# the arrows, each labelled with the answer that
# opens the next question (for example "features or disc" leads to Q2, edge-on). The
# morphology strip shows example galaxies, not the structure of the questions; the
# profiles table sets the scale of a run (galaxies, image size, epochs), not the
# questions. The catalog is tempting but has no empty cells: every one of the 37
# columns holds a number between 0 and 1, and a question nobody reached simply holds
# 0.
# </details>
#
# **4.** Before running the cell that draws one galaxy of each morphology, predict
# how, in each panel's title, the expected fraction compares with what that galaxy's
# simulated volunteers actually voted.
#
# - (a) They are equal, because these are the clearest galaxies of their kind.
# - (b) They differ, because the catalog holds the votes of a few dozen volunteers,
#   which scatter around the expected fraction.
# - (c) The vote is always 1.00, because typical_galaxies picks a galaxy that every
#   volunteer agreed on.
# - (d) The expected fraction is always 1.00, because we know the synthetic sky's
#   truth exactly.
#
# <details class="quiz"><summary>Answer</summary>
# (b) The expected fraction is what infinitely many volunteers would answer; the
# catalog holds the votes of a few dozen simulated people, so the two differ, and the
# chapter states that they differ even for these clearest examples. The tempting (a)
# and (c) forget that typical_galaxies chooses by the highest expected fraction in
# truth.csv, not by the votes, and that a finite group of volunteers rarely lands
# exactly on its expectation. Knowing the truth exactly, as in (d), means knowing the
# expected fraction exactly, not that it equals 1: volunteers can find even a clear
# galaxy ambiguous.
# </details>
#
# **5.** The chapter defines the noise floor of the synthetic sky. What is it?
#
# - (a) The RMSE between the catalog's votes and the expected fractions: the score
#   that even a perfect model, one that knew every galaxy's true morphology, would
#   get against the catalog.
# - (b) The RMSE of predicting the average galaxy's fractions for every galaxy.
# - (c) The report's score of 0.0926, the best that a network has reached on these
#   data.
# - (d) The level of sky noise in the JPEG images, below which volunteers cannot see
#   a galaxy.
#
# <details class="quiz"><summary>Answer</summary>
# (a) The votes of a few dozen volunteers scatter around the expected fractions, and
# a model is scored against the votes, so even predicting the true expected fractions
# leaves this error; that is why the chapter says no model scored against the catalog
# can do better, and why chapter 6 compares every model with it. Option (b) is the
# mean-confidence benchmark of chapter 2, a score any model must beat, not a floor.
# The report's 0.0926 was scored on its validation split of the real data, a
# different catalog, and the chapter quotes it only to remind you to keep the floor
# in mind. Sky noise in the images is real but is a property of the pictures, not a
# score.
# </details>
#
# **6.** You have put kaggle.json in ~/.kaggle/ (or set KAGGLE_USERNAME and
# KAGGLE_KEY on Colab), but every download from the Galaxy Zoo competition is
# answered with "403 Forbidden". What is the most likely cause?
#
# - (a) You have not yet opened the competition's page and accepted its rules.
# - (b) The competition ended in 2014, so Kaggle no longer serves its data.
# - (c) Your data folder is on a mounted Google Drive, which Kaggle refuses to
#   download to.
# - (d) The connection dropped earlier, and a broken download must be deleted before
#   Kaggle will answer again.
#
# <details class="quiz"><summary>Answer</summary>
# (a) The chapter says that until you accept the competition's rules, Kaggle answers
# every download with "403 Forbidden", and galaxylib tells you so; the token only
# proves who you are. The competition is old, but Kaggle still serves the data to
# anyone with an account who has accepted the rules, and it still scores late
# submissions. Google Drive is a speed problem, not a permission one: reading 61,578
# small files from it is so slow that one learner's notebook estimated six hours per
# epoch, so keep the data on the virtual machine's own disk. A dropped connection needs no
# clean-up either, because the download resumes and never overwrites a complete data
# set.
# </details>
