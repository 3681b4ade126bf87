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
# # 1 Exploratory data analysis
#
# Before building any model, the report asks what the data look like: which answers are
# common and which are rare, whether the classes are balanced enough for a plain loss
# function, and how much the volunteers agree. This chapter redraws every figure of the
# report's exploratory analysis on our sky, reads them as the report did, and checks each
# reading against what the numbers say — correcting those the numbers do not support.
#
# **In this chapter you will learn to**
#
# - explain, using the multiplication down the tree, why deep answers have small mean
#   fractions and few majorities.
# - explain why the course keeps a plain, unweighted loss although the answers are
#   far from balanced.
# - explain why Class6.1 and Class6.2 correlate at exactly −1 whatever the volunteers
#   do.
# - compute per-question proportions with to_per_question before reading a positive
#   correlation between answers of one question as confusion.
# - read how much the volunteers agree from the winning-share histograms, knowing
#   that a share runs from about 1/k (an even split over k answers) to 1.
#
# **Before it:** chapter 0, in particular the decision tree and the catalog's
# cumulative fractions. You need pandas (mean, corr, boolean masks such as
# `labels >= 0.5`), the Pearson correlation coefficient and how to read a logarithmic axis.
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

# %%
import numpy as np
import pandas as pd

from galaxylib.course import course_data, glue, plots, reading
from galaxylib.data import load_catalog
from galaxylib.taxonomy import (
    COLUMNS,
    DESCRIPTIONS,
    QUESTIONS,
    question_of,
    to_per_question,
    winning_share,
)

DATA = course_data()
catalog = load_catalog(DATA)
labels = catalog.labels
print(f"Data: {DATA.name} — {len(catalog):,} galaxies")

# %% [markdown]
# ## The most confident galaxy for each answer
#
# The report's first figure shows, for each of the 37 answers, the galaxy with the highest
# vote fraction for it. Keep the tree in mind while reading it: `Class7.1`'s champion is a
# galaxy that many volunteers called smooth *and* completely round, because the fractions
# are multiplied down the tree; a galaxy's fraction for a deep answer such as "3 spiral
# arms" can never exceed the fraction of people who saw spiral arms at all.

# %%
champions = labels[list(COLUMNS)].max()
weakest = champions.sort_values().head(2)
plots.plot_gallery(catalog)

# %% tags=["remove-cell"]
glue("ch1_full_champions", int((champions >= 0.999).sum()))
glue("ch1_weakest", f"{weakest.index[0]} ({DESCRIPTIONS[weakest.index[0]].lower()})")
glue("ch1_weakest_value", float(weakest.iloc[0]))
glue("ch1_second_weakest", f"{weakest.index[1]} ({DESCRIPTIONS[weakest.index[1]].lower()})")
glue("ch1_second_weakest_value", float(weakest.iloc[1]))

# %% [markdown]
# Read the numbers in the titles as much as the pictures. For
# {glue:text}`ch1_full_champions` of the 37 answers some galaxy convinced every single
# volunteer (a fraction of one), but not every answer has a clear champion: the best
# galaxy for {glue:text}`ch1_weakest` holds only
# {glue:text}`ch1_weakest_value:.2f`, and for {glue:text}`ch1_second_weakest`
# {glue:text}`ch1_second_weakest_value:.2f`. Those answers are hard to win, and their
# galaxies are the least clear examples in the grid.
#
# ## Mean confidence per answer
#
# Averaging each column over all galaxies gives the report's second figure. Deep answers
# such as the number of spiral arms are small on average because few galaxies reach
# them; the answers of the questions every volunteer is asked can be large.

# %%
means = labels[list(COLUMNS)].mean()
largest = means.sort_values(ascending=False).head(3)
plots.plot_class_bars(
    means, "Mean confidence level for all 37 morphology classes", ylabel="mean vote fraction"
)

# %% tags=["remove-cell"]
glue("ch1_top_means", ", ".join(f"{c} ({means[c]:.2f})" for c in largest.index))
glue("ch1_smallest_mean", float(means.min()))
glue("ch1_smallest_mean_answer", f"{means.idxmin()} ({DESCRIPTIONS[means.idxmin()].lower()})")
glue("ch1_smallest_asked", float(to_per_question(labels[list(COLUMNS)])[means.idxmin()].mean()))

# %% [markdown]
# The questions alternate in colour, named above their bars. The three tallest bars
# are {glue:text}`ch1_top_means`; the smallest, {glue:text}`ch1_smallest_mean_answer`,
# averages only {glue:text}`ch1_smallest_mean:.3f`: the fractions are multiplied down
# the tree, and even among the volunteers asked its question it is a rare answer
# ({glue:text}`ch1_smallest_asked:.3f` of them on average).

# %% [markdown]
# ## Which answers win a majority?
#
# The report then counts, for each answer, the galaxies where at least half the
# volunteers gave it, to decide whether the loss function needs class weights.

# %%
counts = (labels[list(COLUMNS)] >= 0.5).sum()
plots.plot_class_bars(
    counts, "Instances where confidence level is above 0.5", ylabel="galaxies", log=True
)

# %% tags=["remove-cell"]
glue("ch1_n_over_1000", int((counts >= 1000).sum()))
glue("ch1_n_under_100", int((counts < 100).sum()))
none = int((counts == 0).sum())
reading(
    "ch1_n_none",
    {
        "one answer wins none, and has no bar": none == 1,
        f"{none} answers win none, and have no bar": none != 1,
    },
)

# %% [markdown]
# The axis is logarithmic: each tick is ten times the one below, so that the rare
# majorities show at all ({glue:text}`ch1_n_none`).
# {glue:text}`ch1_n_over_1000` answers win a thousand majorities or more, and
# {glue:text}`ch1_n_under_100` win fewer than a hundred: a majority for a deep answer
# needs most volunteers to take every step that leads to it. The six most common
# majorities:

# %%
top = counts.sort_values(ascending=False).head(6)
print(
    pd.DataFrame(
        {
            "galaxies": top,
            "share": top / len(labels),
            "answer": [DESCRIPTIONS[c] for c in top.index],
        }
    ).to_string()
)
print(
    f"\nClass1.3 (star or artifact): {counts['Class1.3']} of {len(labels):,} galaxies "
    f"({counts['Class1.3'] / len(labels):.2%}); the real catalog has 44 of 61,578 (0.07%)."
)

# %%
report_top = {"Class6.2", "Class1.2", "Class2.2", "Class1.1"}
ours_top = set(counts.sort_values(ascending=False).index[:4])
if ours_top == report_top:
    story = "Our sky tells the same story: the same four answers win most majorities"
else:
    story = "Our sky differs: its four most common majorities are " + ", ".join(sorted(ours_top))
star_share = counts["Class1.3"] / len(labels)

# %% tags=["remove-cell"]
glue("ch1_story", story)
glue("ch1_star_share", float(star_share))
reading("ch1_star_rare", {"rare here too": star_share < 0.01, "not rare here": star_share >= 0.01})

# %% [markdown]
# The report found that `Class6.2` (nothing odd), `Class1.2` (features or disc),
# `Class2.2` (not edge-on) and `Class1.1` (smooth) dominate, and that stars and artifacts
# are extremely rare. {glue:text}`ch1_story`, and stars and artifacts are
# {glue:text}`ch1_star_rare` ({glue:text}`ch1_star_share:.2%` of the galaxies). It
# concluded that it did not need to build a model that filters out
# anomalies — fair — and, implicitly, that an unweighted loss would do. That second point
# deserves a better reason than the one it gave: the competition scores the plain RMSE
# over all answers, so a loss that up-weights rare answers would optimise a different
# number than the one we are judged on. Rare answers are also small fractions, so their
# errors are small too.
#
# ## How do the answers correlate?
#
# The report's heatmaps show the correlation between every pair of answers. One caution
# before reading them: the report's code passed `labels.corr()` to a function that called
# `.corr()` again, so its big heatmap showed the correlations *between the rows of the
# correlation matrix*, not between the answers. Here is the intended figure:

# %%
corr = labels[list(COLUMNS)].corr()
pairs = corr.where(np.triu(np.ones(corr.shape, bool), k=1)).stack().dropna()
between = pairs[[a.split(".")[0] != b.split(".")[0] for a, b in pairs.index]]
strongest = between.idxmax()


def leads_to(answer, column):
    """Whether ``answer`` is on the path of the tree that leads to ``column``'s question."""
    parent = question_of(column).parent
    return parent is not None and (parent == answer or leads_to(answer, parent))


plots.plot_correlations(labels)

# %% tags=["remove-cell"]
glue("ch1_top_pair", f"{strongest[0]} and {strongest[1]}")
glue("ch1_top_pair_r", float(between.max()))
linked = leads_to(*strongest) or leads_to(*strongest[::-1])
reading(
    "ch1_top_pair_reading",
    {
        "an answer and an answer of a question it leads to, tied by the tree's "
        "multiplication rather than by anything the volunteers decided": linked,
        "two answers that no branch of the tree links: a real association on this sky": (
            not linked
        ),
    },
)

# %% [markdown]
# Red squares are answers that rise together, blue ones answers that exclude each other.
# The strongest positive pair from two different questions is {glue:text}`ch1_top_pair`
# ($r$ = {glue:text}`ch1_top_pair_r:.2f`): {glue:text}`ch1_top_pair_reading`.
#
# And here is each question on its own, as in the report's grid of small heatmaps:

# %%
plots.plot_question_correlations(labels)

# %% [markdown]
# ### Reading the heatmaps, with corrections
#
# **Q6 cannot tell us how much volunteers agree.** The report reads the −1 between
# `Class6.1` and `Class6.2` as "disagreement over odd features was rare". But
# `Class6.1 + Class6.2 = 1` for every galaxy, so their correlation is exactly −1 whatever
# the volunteers do — it is arithmetic, not agreement:

# %%
print("corr(6.1, 6.2) =", round(labels["Class6.1"].corr(labels["Class6.2"]), 6))
print("max |6.1 + 6.2 - 1| =", float((labels["Class6.1"] + labels["Class6.2"] - 1).abs().max()))

# %% [markdown]
# **Answers under one parent are pushed towards positive correlation by the parent.** The
# report saw high correlations between `Class8.3`, `Class8.4` and `Class8.6` (disturbed,
# irregular, merger) and concluded that volunteers confused them. But every Q8 answer is
# multiplied by `Class6.1`: a galaxy that many people call odd has large values for *all* its Q8
# answers. To see confusion, divide the parent back out — `to_per_question` — and look at
# the answers as proportions of the people who were asked:

# %%
per_question = to_per_question(labels)
q8 = ["Class8.3", "Class8.4", "Class8.6"]
print("cumulative fractions:\n", labels[q8].corr().round(2).to_string())
print("\nper-question fractions:\n", per_question[q8].corr().round(2).to_string())

# %% tags=["remove-cell"]
off_diagonal = ~np.eye(len(q8), dtype=bool)
cumulative_r = labels[q8].corr().to_numpy()[off_diagonal].mean()
proportion_r = per_question[q8].corr().to_numpy()[off_diagonal].mean()
glue("ch1_q8_cumulative", float(cumulative_r))
glue("ch1_q8_proportion", float(proportion_r))
reading("ch1_q8_sign", {"negatively": proportion_r < 0, "positively": proportion_r > 0})
reading(
    "ch1_q8_shift", {"lowers": proportion_r < cumulative_r, "raises": proportion_r > cumulative_r}
)
reading(
    "ch1_q8_report",
    {
        "On our sky the parent's push is small, far from the report's \"high\" "
        "correlations; those came from its big heatmap, the correlations of the correlation "
        "matrix, so the report's evidence for confusion was unsound from the start": (
            cumulative_r < 0.5
        ),
        "On our sky too the parent's push is large": cumulative_r >= 0.5,
    },
)

# %% [markdown]
# On average the three correlate at {glue:text}`ch1_q8_cumulative:.2f` as cumulative
# fractions and at {glue:text}`ch1_q8_proportion:.2f` as proportions: dividing out the
# shared factor {glue:text}`ch1_q8_shift` them. {glue:text}`ch1_q8_report`. As
# proportions, answers to one question compete for the same volunteers, and here they
# correlate {glue:text}`ch1_q8_sign`; only a positive correlation that survives this
# division would be a sign of real confusion.
#
# Here are the per-question heatmaps again, computed from proportions:

# %%
plots.plot_question_correlations(per_question)

# %% tags=["remove-cell"]
two_way = []
for question in QUESTIONS:
    r = per_question[list(question.answers)].corr().to_numpy()
    if np.allclose(r[~np.eye(len(r), dtype=bool)], -1, atol=1e-6):
        two_way.append(question.name)
# the pairs of the panels worth reading: three answers or more, Q1 set aside (see below)
within = pd.concat(
    [
        per_question[list(q.answers)]
        .corr()
        .where(np.triu(np.ones((k, k), bool), k=1))
        .stack()
        .dropna()
        for q in QUESTIONS
        if (k := len(q.answers)) >= 3 and q.name != "Q1"
    ]
)
glue("ch1_two_way", ", ".join(two_way[:-1]) + " and " + two_way[-1])
glue("ch1_q1_r", float(per_question["Class1.1"].corr(per_question["Class1.2"])))
glue("ch1_within_negative", f"{(within < 0).sum()} of the {len(within)}")
competing = (within < 0).mean()
reading(
    "ch1_within_verb", {"mostly compete": competing > 0.5, "often rise together": competing <= 0.5}
)
glue("ch1_within_max", float(within.max()))
glue("ch1_within_max_pair", " and ".join(within.idxmax()))

# %% [markdown]
# Not every panel can be read. {glue:text}`ch1_two_way` have two answers whose
# proportions add up to one, so their two answers correlate at exactly −1 by arithmetic,
# like Q6 above: those panels say nothing about the volunteers. Q1 is nearly such a case:
# stars are so rare that smooth and disc almost add up to one, hence their
# {glue:text}`ch1_q1_r:.2f`. The panels of the other questions, with three answers or
# more, are the ones to read. There the answers {glue:text}`ch1_within_verb`:
# {glue:text}`ch1_within_negative` pairs correlate negatively, and the strongest positive
# correlation, {glue:text}`ch1_within_max:.2f` between {glue:text}`ch1_within_max_pair`,
# is the closest thing to a confusion between two answers.

# %% [markdown]
# ## How much do the volunteers agree?
#
# Correlations between answers cannot show agreement; the votes of each galaxy can. For
# every galaxy and question, take the share of the volunteers asked who gave the most
# popular answer — 1 when all agree, about one over the number of answers when they
# split evenly. `winning_share` computes it, leaving out questions that fewer than half
# of a galaxy's volunteers reached:

# %%
shares = winning_share(labels, min_asked=0.5)
medians = shares.median()
plots.plot_agreement(shares)

# %% tags=["remove-cell"]
glue("ch1_most_agreed", f"{medians.idxmax()} ({medians.max():.2f})")
glue("ch1_least_agreed", f"{medians.idxmin()} ({medians.min():.2f})")
glue("ch1_q9_median", float(medians["Q9"]))
glue("ch1_q1_median", float(medians["Q1"]))
q9, q1 = medians["Q9"], medians["Q1"]
reading("ch1_q9_vs_q1", {"less": q9 < q1, "more": q9 > q1, "no less": q9 == q1})
reading("ch1_q9_reading", {"supports": q9 < q1, "does not support": q9 >= q1})
glue("ch1_q9_galaxies", int(shares["Q9"].notna().sum()))

# %% [markdown]
# Each panel counts galaxies by how lopsided their vote was; the dashed line is the
# median, the dotted one an even split. Where the bars pile up near 1 the question is
# easy; where they spread towards the dotted line the volunteers hesitate. Median
# agreement is highest for {glue:text}`ch1_most_agreed` and lowest for
# {glue:text}`ch1_least_agreed`.
#
# **Q9 and the bulge.** The report noted that the answers to Q9 (rounded, boxy or no
# bulge, for edge-on discs) are regularly confused. On our sky the volunteers agree
# {glue:text}`ch1_q9_vs_q1` on Q9 (median share {glue:text}`ch1_q9_median:.2f`, over
# {glue:text}`ch1_q9_galaxies` edge-on galaxies) than on Q1
# ({glue:text}`ch1_q1_median:.2f`), which {glue:text}`ch1_q9_reading` the report's
# reading.
#
# **Stars and odd galaxies.** The report saw Class1.3 (star or artifact) correlate with
# smooth, ambiguous shapes and odd features, and guessed that volunteers confuse odd
# galaxies with stars. Check it on ours:

# %%
with_stars = corr["Class1.3"].drop("Class1.3")
print(with_stars.sort_values(key=abs).tail(5).round(3))  # the five largest in size

# %% tags=["remove-cell"]
largest_r = with_stars.abs().max()
glue("ch1_star_max_r", float(largest_r))
reading("ch1_star_r_size", {"all small": largest_r < 0.3, "not all small": largest_r >= 0.3})

# %% [markdown]
# On our sky these correlations are {glue:text}`ch1_star_r_size` (the largest in size is
# {glue:text}`ch1_star_max_r:.2f`): our simulated volunteers were not built to mistake
# stars for odd galaxies, so this is one reading of the report that the synthetic sky
# cannot test. It is a good question to ask of the real data.

# %% [markdown]
# ## What this means for the model
#
# - The targets are fractions between 0 and 1 that obey the tree: a regression, not a
#   classification, which is why the report ends its network in sigmoids and trains on the
#   mean squared error.
# - The answers are far from balanced, but the score is the plain RMSE, so we keep the
#   plain loss.
# - Within a question the answers are tied together; chapter 4's improved network builds
#   that into its output layer instead of leaving the network to learn it.
#
# ## Summary
#
# - The catalog's fractions are multiplied down the decision tree: deep answers are small
#   on average and win few majorities.
# - A few answers win most majorities; stars and artifacts are rare.
# - Correlations of cumulative fractions show the tree's arithmetic (answers sharing a
#   parent inflated; Q6's two answers at −1, as every two-answer question's proportions
#   are); divide the parent out first.
# - How much the volunteers agree is read from each galaxy's votes — the winning share —
#   not from correlations between answers.
#
# Practise with {doc}`Exercises 1: exploratory data analysis <../solutions/01_eda>`.

# %% [markdown]
# ## Check yourself
#
# 6 questions on this chapter. Choose an answer before you open the explanation
# under it.
#
# **1.** For one galaxy the catalog holds Class4.1 = 0.30 (spiral arms seen). What is
# the largest value its Class11.3 (3 spiral arms) could possibly take?
#
# - (a) 1.0
# - (b) 0.30
# - (c) 0.10
# - (d) 0.50
#
# <details class="quiz"><summary>Answer</summary>
# (b) Q11 (how many arms?) is asked only of those who saw spiral arms, so its six
# answers add up to Class4.1 = 0.30, and no single one of them can be larger; this is
# the chapter's point that a deep answer's fraction can never exceed the fraction of
# people who saw spiral arms at all. The tempting 0.10 splits 0.30 evenly over three,
# but nothing forces an even split: if everyone who saw arms counted three, Class11.3
# would be the full 0.30. Option (a) treats the fraction as a share of those asked,
# which is the per-question proportion, not what the catalog stores.
# </details>
#
# **2.** A galaxy has Class10.1 (tightly wound arms) of at least 0.5, so it counts
# towards that answer in the chart of majorities. Which statement about the same
# galaxy must be true?
#
# - (a) Class4.1 (spiral), Class2.2 (not edge-on) and Class1.2 (features or disc) are
#   all at least 0.5 as well.
# - (b) Class4.1 may be below 0.5, as long as most of the volunteers who saw arms
#   called them tightly wound.
# - (c) Class1.1 (smooth) is above 0.5, because tightly wound arms look smooth from
#   afar.
# - (d) Class10.2 and Class10.3 are both 0.
#
# <details class="quiz"><summary>Answer</summary>
# (a) Every cumulative fraction is at most the answer above it: Q10's answers sum to
# Class4.1, Q4's to Class2.2 and Q2's to Class1.2, so Class10.1 ≥ 0.5 forces every
# answer on the path to be at least 0.5 too. That is the chapter's reason why a
# majority for a deep answer needs most volunteers to take every step that leads to
# it, and why deep answers win so few. Option (b) mixes up the share among those
# asked with the catalog's cumulative value. Option (c) is impossible: Class1.1 +
# Class1.2 is at most 1, so with Class1.2 at least 0.5, Class1.1 is at most 0.5;
# and nothing in (d) stops a minority from choosing the other two windings.
# </details>
#
# **3.** The chart "Instances where confidence level is above 0.5" shows that a few
# answers win most majorities and many win very few. Why does the course still train
# with the plain, unweighted loss?
#
# - (a) The competition scores the plain RMSE over all answers, so a loss that
#   up-weights rare answers would optimise a different number; and rare answers are
#   small fractions, so their errors are small too.
# - (b) Because stars and artifacts are so rare that the model can simply leave Q1
#   out.
# - (c) Because the targets are fractions, and a weighted loss cannot be used for a
#   regression.
# - (d) Because on the logarithmic axis the bars look similar in height, so the
#   answers are nearly balanced.
#
# <details class="quiz"><summary>Answer</summary>
# (a) The chapter gives exactly this reason: what we are judged on is the unweighted
# RMSE over every galaxy and every answer, so we train on the same unweighted error,
# and rare answers carry small fractions and small errors anyway. Option (b) twists
# the report's fair conclusion that it needs no separate model to filter out
# anomalies; Q1 still has to be predicted. Weighted squared errors are perfectly
# usable in regression, so (c) is false. Option (d) misreads the axis: each gridline
# is ten times the one below, so bars that look close on a log axis can differ by
# factors of ten or a hundred.
# </details>
#
# **4.** Before running the cell that prints corr(6.1, 6.2), predict its value. The
# report read the same number as a sign that "disagreement over odd features was
# rare".
#
# - (a) Exactly −1, whatever the volunteers do, because Class6.1 + Class6.2 = 1 for
#   every galaxy.
# - (b) Close to 0, because odd features are rare.
# - (c) Close to +1, because volunteers who see an odd feature agree with one
#   another.
# - (d) Close to −1 only because the report's code called corr twice; the intended
#   heatmap gives something different.
#
# <details class="quiz"><summary>Answer</summary>
# (a) Q6 has two answers, rescaled in the catalog to sum to 1, so Class6.2 = 1 − Class6.1 for
# every galaxy, and one variable that is an exact decreasing linear function of
# another correlates at exactly −1; the chapter calls this arithmetic, not agreement,
# and prints how far any galaxy's two answers are from adding up to 1. Option (d) is
# tempting because the report's big heatmap did suffer from the double corr, but the
# chapter computes the correlation correctly and still gets −1, so the bug is not the
# explanation. Rarity of odd features, as in (b), changes the mean of Class6.1, not
# this correlation.
# </details>
#
# **5.** In the cumulative fractions, Class8.3 (disturbed), Class8.4 (irregular) and
# Class8.6 (merger) correlate positively. The report concluded that volunteers
# confuse them. What should you do before drawing that conclusion?
#
# - (a) Divide each Q8 answer by Class6.1, as to_per_question does, and see whether a
#   positive correlation survives between the proportions.
# - (b) Nothing: a strong positive correlation between answers of one question is
#   itself the sign of confusion.
# - (c) Multiply each Q8 answer by Class6.1 once more, to weight galaxies by how odd
#   they are.
# - (d) Read the big heatmap of all 37 answers instead, where the pair's correlation
#   proves the confusion.
#
# <details class="quiz"><summary>Answer</summary>
# (a) Every Q8 answer is multiplied by Class6.1, so a galaxy that many people call
# odd has large values for all its Q8 answers, which pushes them towards a positive
# correlation whatever the volunteers think. Dividing the shared parent back out
# gives the proportions of the people who were asked, and as proportions the answers
# of one question compete for the same volunteers; the chapter says only a positive
# correlation that survives this division would be a sign of real confusion. Option
# (b) is the report's reading that the chapter corrects, option (c) makes the shared
# factor stronger, not weaker, and the big heatmap in (d) is built from the same
# cumulative fractions.
# </details>
#
# **6.** Which figure in this chapter shows how much the volunteers agree with one
# another about a question?
#
# - (a) The histograms "How much the volunteers agree, question by question": for
#   each question, the winning share of each galaxy, with a dashed line at the median
#   and a dotted one at an even split.
# - (b) The per-question correlation heatmaps, where a strongly negative square means
#   the volunteers agreed.
# - (c) The heatmap "Correlation between all morphology classes", where red squares
#   mean agreement.
# - (d) The bar chart "Mean confidence level for all 37 morphology classes", where a
#   tall bar means the volunteers agree on that answer.
#
# <details class="quiz"><summary>Answer</summary>
# (a) Agreement is a property of each galaxy's votes, and the winning share measures
# it directly: the share of the volunteers asked who gave the most popular answer, 1
# when all agree and about 1/k when they split evenly over k answers; bars piled near
# 1 mean an easy question, bars spread towards the dotted line mean hesitation. The
# chapter states that correlations between answers cannot show agreement, which rules
# out (b) and (c): a −1 can come from arithmetic alone, as Q6 shows. A tall mean in
# (d) says an answer is common on average, not that the volunteers of any one galaxy
# were unanimous.
# </details>
