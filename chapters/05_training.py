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
# # 5 Training the network
#
# Chapter 4 showed how a network learns: a loss, its gradient, a small step, batch after
# batch. Keras runs that loop for you in `model.fit`. This chapter trains a network on
# this page with the plain Keras calls — a `tf.data` pipeline, `compile`, the callbacks,
# `fit` — and reads its learning curves against two marks: the mean benchmark of chapter
# 2, which a network that learned nothing scores, and the noise floor of chapter 0, which
# no network can beat. Then it meets the book's two networks, trained with the same calls
# for longer, and tests, with a measurement, whether the report's **6.86 hours** of training
# went on waiting for its input pipeline.
#
# **In this chapter you will learn to**
#
# - compute the number of steps per epoch and in a whole run from the number of
#   training galaxies, the batch size and the number of epochs.
# - explain what the cosine schedule does to the learning rate, and predict its rate
#   at the first and last epochs.
# - explain why the training curve can lie above the validation curve, and name the
#   pattern that warns of overfitting.
# - read from the learning curves, drawn against the mean benchmark and the noise
#   floor, how far a run got.
# - explain what EarlyStopping with restore_best_weights does in a run too short for
#   it to stop, and how to test whether an input pipeline held a training run back.
#
# **Before it:** chapter 0 (the noise floor), chapter 2 (the mean benchmark), chapter 3 (the
# crop cache) and chapter 4 (gradient descent, batches and epochs, Adam, and the two
# networks). You need to read short NumPy, tf.data and Keras code, and to be at ease
# with division and rates such as images per second.
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

PROFILE = setup_notebook(makes=["sky", "crops", "report", "improved"])

# %%
import keras
import pandas as pd
import tensorflow as tf

from galaxylib.baselines import mean_rmse
from galaxylib.config import PROFILES
from galaxylib.course import course_data, course_model, glue, networks, plots, reading
from galaxylib.data import load_catalog
from galaxylib.hardware import setup
from galaxylib.models import NETWORKS, improved_cnn
from galaxylib.pipeline import targets_of
from galaxylib.preprocess import preprocess_catalog
from galaxylib.synthetic import sky_noise_floor
from galaxylib.tools.bench import bench_pipeline, bench_train
from galaxylib.tools.model_files import ModelFiles, read_history
from galaxylib.training import cosine_schedule

DATA = course_data()
catalog = load_catalog(DATA)
parts = catalog.split()  # training, validation and test galaxies, seed 42 as everywhere

# %% [markdown]
# ## The data, in batches
#
# A network trains on batches: a few dozen images and their 37 answers at a time. To
# train quickly on the two CPU cores that build this book, this page uses the improved
# network of chapter 4 on small colour crops, {glue:text}`ch5_live_size` ×
# {glue:text}`ch5_live_size` pixels, of every training galaxy of the sky. (On a Colab
# GPU, set `LIVE_SIZE` to the profile's size and the same cells train on full-size
# crops.) The crops come
# from the cache of chapter 3, one `uint8` array; their answers are put in the same
# order:

# %%
LIVE_SIZE = 32
crops = preprocess_catalog(DATA, size=LIVE_SIZE, color=True, progress=False)
train_images = crops.images[crops.rows_of(parts.train)]
train_answers = targets_of(catalog, parts.train)
val_images = crops.images[crops.rows_of(parts.val)]
val_answers = targets_of(catalog, parts.val)
print("training:", train_images.shape, train_images.dtype, train_answers.shape)
print("validation:", val_images.shape, val_answers.shape)

# %% [markdown]
# `tf.data` turns the two arrays into a stream of batches. For training, `shuffle` deals
# the galaxies in a new order every epoch, so that no two epochs see the same batches;
# `batch` groups them by {glue:text}`ch5_batch`; `prefetch` prepares the next batch
# while the network works on this one. The validation galaxies are not shuffled: they
# are only looked at.

# %%
BATCH = 64
train_data = (
    tf.data.Dataset.from_tensor_slices((train_images, train_answers))
    .shuffle(len(train_images), seed=42)
    .batch(BATCH)
    .prefetch(tf.data.AUTOTUNE)
)
val_data = tf.data.Dataset.from_tensor_slices((val_images, val_answers)).batch(BATCH)
images, answers = next(iter(train_data))
print("one batch:", images.shape, answers.shape)

# %% [markdown]
# ## compile: the loss, the optimiser, the metric
#
# `compile` tells the network what to minimise and how. The loss is the mean squared
# error, as in the report; the optimiser is Adam, with the report's learning rate of
# {glue:text}`ch5_rate_start:.3f` to start from; and Keras also reports the root mean
# squared error, the Kaggle score, after every epoch:

# %%
keras.utils.set_random_seed(42)  # the same starting weights and shuffles on every run
model = improved_cnn((LIVE_SIZE, LIVE_SIZE, 3))
model.compile(
    optimizer=keras.optimizers.Adam(learning_rate=1e-3),
    loss="mse",
    metrics=[keras.metrics.RootMeanSquaredError()],
)

# %% [markdown]
# ## Callbacks: the report's, made right
#
# Callbacks are objects whose methods Keras calls at set moments of training: at the
# start and end of each epoch or batch. The report defined four
# — reduce the learning rate on a plateau, decay it every ten epochs, stop early, keep
# the best model — then trained with none of them (`callbacksInUse = []`). Its
# checkpoint would not have worked anyway: it monitored `val_accuracy`, which a
# regression never reports, so the "best model" would never have been saved. We use two:
#
# - **a cosine schedule** for the learning rate, instead of waiting for plateaus: we
#   know the number of epochs in advance, so the rate starts at
#   {glue:text}`ch5_rate_start:.3f` and falls smoothly
#   to a hundredth of it by the last epoch. Large steps early make fast progress; small
#   steps at the end settle the weights;
# - **early stopping**, which ends training after 7 epochs without a better validation
#   loss and puts back the weights of the best epoch. This page's five epochs are too few
#   for it to stop anything, but at the end of training it still puts back the best
#   epoch's weights.

# %%
EPOCHS = 5
schedule = cosine_schedule(EPOCHS)
print("learning rate by epoch:", [f"{schedule(epoch):.6f}" for epoch in range(EPOCHS)])
callbacks = [
    keras.callbacks.LearningRateScheduler(schedule),
    keras.callbacks.EarlyStopping(
        monitor="val_loss", mode="min", patience=7, restore_best_weights=True
    ),
]

# %% tags=["remove-cell"]
glue("ch5_rate_start", schedule(0))
glue("ch5_rate_tenth", schedule(0) / 10)
glue("ch5_rate_last", schedule(EPOCHS - 1))

# %% [markdown]
# ## fit
#
# And now the loop of chapter 4, run by Keras: for each epoch, a step on every batch of
# the training galaxies, then the loss and RMSE on the validation galaxies. Keras prints
# one line per epoch: the steps it ran (the {glue:text}`ch5_live_galaxies:,` training
# galaxies in batches of {glue:text}`ch5_batch` make {glue:text}`ch5_steps` steps, the
# count before the epoch's time), its time in all and per step, the training loss and
# RMSE (measured with augmentation and dropout on, while the weights change), the same
# on the validation split, and the learning rate.

# %%
history = model.fit(
    train_data,
    validation_data=val_data,
    epochs=EPOCHS,
    callbacks=callbacks,
    shuffle=False,  # the dataset shuffles itself
    verbose=2,
)

# %% [markdown]
# ## Reading the learning curves
#
# `history.history` holds each epoch's figures. Drawn against the two marks — the mean
# benchmark and the noise floor of the validation split — they say how far the network
# got:

# %%
curves = pd.DataFrame(history.history).rename_axis("epoch").reset_index()
mean_mark = mean_rmse(catalog, parts, on="val")
floor = sky_noise_floor(DATA, parts.val)
plots.plot_learning_curves(
    {"improved network, this page": curves}, mean_rmse=mean_mark, floor=floor
)

# %% tags=["remove-cell"]
live = curves["val_root_mean_squared_error"]
third = mean_mark - (mean_mark - floor) / 3
assert live.min() <= third, (live.min(), third)  # the reading: past a third of the way
above = int((curves["root_mean_squared_error"] > live).sum())
assert above > 0, above  # the reading explains why the training curve lies above
glue("ch5_above", above)
glue("ch5_live_size", LIVE_SIZE)
glue("ch5_batch", BATCH)
glue("ch5_live_first", live.iloc[0])
glue("ch5_live_best", live.min())
glue("ch5_mean", mean_mark)
glue("ch5_floor", floor)
glue("ch5_live_way", (mean_mark - live.min()) / (mean_mark - floor))
glue("ch5_live_galaxies", len(parts.train))
glue("ch5_steps", -(-len(parts.train) // BATCH))

# %% [markdown]
# What to see. The mean benchmark sits at {glue:text}`ch5_mean:.4f` and the noise floor
# at {glue:text}`ch5_floor:.4f`. After one epoch the validation RMSE was already
# {glue:text}`ch5_live_first:.4f`, and its best was {glue:text}`ch5_live_best:.4f`:
# {glue:text}`ch5_live_way:.0%` of the way from knowing nothing to knowing all that the
# votes can tell, in {glue:text}`ch5_live_epochs` epochs over
# {glue:text}`ch5_live_galaxies:,` galaxies.
#
# The dashed training curve lies *above* the validation one in {glue:text}`ch5_above`
# of the {glue:text}`ch5_live_epochs` epochs. That is not a bug: the training RMSE is
# measured while augmentation turns and zooms each galaxy and dropout switches units
# off, which makes the task harder, and while the weights are still changing; the
# validation RMSE is measured on the plain images with every unit on, after the epoch.
# A training curve falling far *below* its validation curve would be the
# warning sign of **overfitting**: a network learning its training galaxies by heart.
#
# ## The book's networks
#
# Five epochs on small crops take a network only part of the way. The two networks that
# chapters 6 to 8 evaluate were trained with the same recipe — the same `compile`, the
# same two callbacks, `fit` — by `galaxylib train` (`galaxylib.tools.train.train`, which a
# test keeps in step with this page), at {glue:text}`ch5_size` pixels and for up to
# {glue:text}`ch5_profile_epochs` epochs. `train` adds three callbacks that a long run
# needs: `ModelCheckpoint` keeps the weights of the epoch with the lowest validation loss
# on disk, a CSV log records every epoch, and `BackupAndRestore` saves the whole training
# state after every epoch, so that an interrupted run (or a lost Colab session) continues
# from the last finished epoch instead of epoch 1. The report's network sees the galaxies
# in grey, as the report did; the improved one in colour, as the Kaggle winner's did
# (chapter 7 measures what colour is worth). The stored networks were trained with
# more augmentation, in the `tf.data` pipeline rather than in the network:
# {glue:text}`ch5_pipeline_augmentation` (`galaxylib.augment`; chapter 8 shows why and
# measures what it buys). {glue:text}`ch5_parts` The book's networks are
# {glue:text}`ch5_book_networks`:

# %%
book_paths = {name: course_model(name) for name in NETWORKS}
rows = []
for name, path in book_paths.items():
    made = ModelFiles(path).read_settings()
    rows.append(
        {
            "network": name,
            "input": "colour" if made["preprocessing"]["color"] else "grey",
            "pixels": made["preprocessing"]["size"],
            "epochs": made["epochs"],
            "training galaxies": made["split"]["train"],
            "validation RMSE": made["val_rmse"],
        }
    )
pd.DataFrame(rows).set_index("network").round(4)

# %% [markdown]
# Their learning curves, against this page's two marks (the crosses are this page's
# run, on {glue:text}`ch5_live_size`-pixel crops of this page's sky). The book's networks
# were validated on a sky of their own, drawn by the same generator, so the marks fit
# them closely but not exactly:

# %%
histories = {
    "report's network": read_history(ModelFiles(book_paths["report"]).history),
    "improved network": read_history(ModelFiles(book_paths["improved"]).history),
}
plots.plot_learning_curves(
    histories, mean_rmse=mean_mark, floor=floor, short={"improved network": curves}
)


# %% tags=["remove-cell"]
def last_change(history: pd.DataFrame, epochs: int = 3) -> float:
    """How much the validation RMSE moved over the last few epochs (negative: it fell)."""
    values = history["val_root_mean_squared_error"].to_numpy()
    return float(values[-1] - values[-1 - min(epochs, len(values) - 1)])


for key, name in (("report", "report's network"), ("improved", "improved network")):
    glue(f"ch5_{key}_first", histories[name]["val_root_mean_squared_error"].iloc[0])
    glue(f"ch5_{key}_best", histories[name]["val_root_mean_squared_error"].min())
    glue(f"ch5_{key}_seconds", histories[name]["seconds"].sum())
moved = [last_change(h) for h in histories.values()]
falling, rising = min(moved) <= -0.005, max(moved) >= 0.005
reading(
    "ch5_flat",
    {
        "Both curves have flattened: over the last three epochs neither validation RMSE "
        "moved by more than 0.005, and the cosine schedule's last epoch took steps a "
        "hundredth the size of its first": not falling and not rising,
        "A curve is still falling at the last epoch: more epochs would still help": (
            falling and not rising
        ),
        "A validation curve rose by 0.005 or more over the last three epochs: a network's "
        "last epoch is not always its best, which is why training keeps the best weights": (rising),
    },
)
glue("ch5_size", PROFILE.image_size)
glue("ch5_profile_epochs", PROFILE.epochs)
glue("ch5_live_epochs", len(curves))
stored = networks.applies()
AUGMENTATIONS = {
    "photographic": "`--photographic` varies the brightness, black point, stretch, colour "
    "balance, saturation and noise of every training image, as photographs of galaxies vary "
    "them",
    "framing": "`--framing` zooms and moves every galaxy in its frame and adds foreground "
    "stars and blur, as photographs frame galaxies",
}
recipe = networks.recipe("improved")
used = [words for flag, words in AUGMENTATIONS.items() if recipe[flag]]
reading(
    "ch5_pipeline_augmentation",
    {"; ".join(used): bool(used), "none (their record names no augmentation)": not used},
)
reading(
    "ch5_parts",
    {
        "The stored improved network also runs its convolutions on Dieleman's parts "
        "(`--parts`): four corners of each image, each turned so that the galaxy's centre "
        "sits at the same corner, an idea of the Kaggle winner's that chapter 7 explains "
        "and chapter 8 measures.": recipe["parts"],
        "Neither runs its convolutions on Dieleman's parts (chapter 7).": not recipe["parts"],
    },
)
reading(
    "ch5_book_networks",
    {
        f"the book's stored networks, {networks.describe()}": stored,
        "trained on this machine on first use, with the profile's settings and the "
        "stored networks' remedies": not stored,
    },
)

# %% [markdown]
# The report's network went from {glue:text}`ch5_report_first:.4f` after its first epoch
# to {glue:text}`ch5_report_best:.4f` at its best, in {glue:text}`ch5_report_seconds:,.0f`
# seconds of training; the improved one from {glue:text}`ch5_improved_first:.4f` to
# {glue:text}`ch5_improved_best:.4f`, in {glue:text}`ch5_improved_seconds:,.0f` seconds.
# {glue:text}`ch5_flat`.
#
# ## Did the report's GPU wait for data?
#
# The report trained its network for 50 epochs in 6.86 hours, at about 620 ms per step
# of 64 images: roughly 100 images a second, on a GPU. Was the GPU busy all that time,
# or waiting for data? Its input pipeline turned each image path into a training example
# with a Python function, wrapped in `tf.py_function`:
#
# ```python
# def get_features(image_path):
#     image = tf.io.decode_image(tf.io.read_file(image_path), dtype=tf.float32)
#     galaxyID = int(...)                                    # parse the file name
#     galaxy_row = labels.loc[labels['GalaxyID'] == galaxyID]  # scan all 61,578 rows
#     ...
# ```
#
# For *every image of every epoch* this reads and decodes an image file and compares the
# ID with every row of a pandas table — in Python, which runs one such function at a
# time, however many cores `map` is given. The pipeline above does the expensive work
# once: the images were decoded and cropped into one array in chapter 3, and the answers
# put in the same order, so a batch is a slice of two arrays. (`galaxylib.pipeline.
# make_dataset`, which `galaxylib train` uses, does the same without copying the arrays,
# which matters for the full profile's 61,578 crops of 150 × 150.) The cell below times
# `make_dataset` and the report's pipeline on the same galaxies, with no network
# attached, so that only their speed of *feeding* a network shows. Two things favour the
# report's pipeline here: its files are read once beforehand, so it finds them in
# memory, and its search for each galaxy's row scans our catalog, not the report's 61,578
# rows. Its rate here is an upper bound of what it could feed:

# %%
speed = bench_pipeline(DATA, n=500, size=150)
pd.Series(
    {
        "the report's pipeline": speed["report_img_per_s"],
        "ours (make_dataset)": speed["ours_img_per_s"],
    },
    name="images per second",
).round(0)

# %% tags=["remove-cell"]
glue("ch5_report_pipeline", speed["report_img_per_s"])
glue("ch5_our_pipeline", speed["ours_img_per_s"])
glue("ch5_pipeline_ratio", speed["ratio"])
# The report's 103 images/s against what its kind of pipeline feeds here, alone: the
# conclusion depends on it, and it varies with the machine and how busy it is.
pace = speed["report_img_per_s"] / 103
never = "though how fast the report's network ran on that GPU was never measured"
waited = f"That suggests its GPU spent much of those 6.86 hours waiting for data, {never}."
reading(
    "ch5_pipeline_reading",
    {
        f"about the same. {waited}": 0.8 < pace < 1.25,
        f"less even than that (the machine was busy, or slower). {waited}": pace <= 0.8,
        f"{pace:.1f} times that, on other hardware, at best. This does not show that data "
        f"held the report back: its pipeline may feed more than it trained at, {never}.": (
            pace >= 1.25
        ),
    },
)
reading(
    "ch5_pipeline_quiz",
    {
        "no more than about what the report trained at, so its pipeline alone could account "
        "for the pace": pace < 1.25,
        "more than the report trained at, and since that is an upper bound, the test does "
        "not decide it on this machine": pace >= 1.25,
    },
)
reading(
    "ch5_pipeline_summary",
    {
        "The report's input pipeline alone, measured here, could feed little more than it "
        "trained at": pace < 1.25,
        "Whether the report's input pipeline held it back, this machine cannot tell: here "
        "its pipeline feeds more than it trained at, and its GPU's speed was never "
        "measured": pace >= 1.25,
    },
)

# %% [markdown]
# On the machine that built this page the report's pipeline delivers
# {glue:text}`ch5_report_pipeline:.0f` images a second, ours
# {glue:text}`ch5_our_pipeline:,.0f`: {glue:text}`ch5_pipeline_ratio:,.0f` times as many.
# The report trained at about 103 images a second (623 ms per step of 64, the report's
# own figure); a pipeline like its own, with no network at all, delivers here
# {glue:text}`ch5_pipeline_reading`
#
# ## Training at the report's scale on Colab
#
# `setup()` looks at the hardware once and decides how to use it: on several GPUs, a
# `MirroredStrategy` splits every batch between them; on GPUs with tensor cores (T4,
# V100, A100, H100), **mixed precision**, arithmetic in 16-bit floats, with the weights
# and the output layer kept in 32 bits (the `dtype="float32"` of chapter 4's last
# layers). How long would the `full` profile take — 61,578 galaxies at 150 × 150, 50
# epochs? The cell below measures both networks' training rates at 150 × 150 on the
# machine running this page, each trained as the `full` profile trains it (with its
# stored network's remedies), and turns them into hours (the training split, 64 % of the
# galaxies, every epoch; validation adds a little):

# %%
hardware = setup()
print(hardware)
full = PROFILES["full"]
rates_150 = bench_train(DATA, size=full.image_size, steps=2, warmup=1)
images_per_run = round(0.64 * full.n_galaxies) * full.epochs
budget = pd.DataFrame(
    {
        "training images per second (measured here)": [
            rates_150["report_img_per_s"],
            rates_150["improved_img_per_s"],
        ],
    },
    index=["report's network", "improved network"],
)
budget["hours for the full profile (estimated)"] = images_per_run / budget.iloc[:, 0] / 3600
budget.round(1)

# %% tags=["remove-cell"]
glue("ch5_full_images", images_per_run)
glue("ch5_full_hours_report", budget.iloc[0, 1])
glue("ch5_machine", hardware.devices)
# the terminal commands below type each network's remedies: they must be the stored ones
assert networks.recipe("report") == {
    **dict.fromkeys(networks.SWITCHES, False),
    "photographic": True,
}
assert networks.recipe("improved") == {
    **dict.fromkeys(networks.SWITCHES, False),
    "photographic": True,
    "parts": True,
}

# %% [markdown]
# On the machine that built this page ({glue:text}`ch5_machine`), the report's network
# would need about {glue:text}`ch5_full_hours_report:,.0f` hours for the
# {glue:text}`ch5_full_images:,` training images of the full profile: the rates are
# measured, the hours are an estimate from them. Run this cell on a Colab GPU and it
# measures that GPU instead.
#
# To train at the report's scale, open this chapter in Colab (the rocket button above),
# choose *Runtime → Change runtime type → T4 GPU* (or better), and run all cells: the
# first cell sees the GPU and picks the `full` profile. From a terminal, the same is
# (each network with its stored network's remedies, as the `full` profile trains it)
#
# ```bash
# galaxylib preprocess data/galaxyzoo --size 150
# galaxylib train data/galaxyzoo --model report --photographic --out report.keras \
#     --size 150 --epochs 50
# galaxylib train data/galaxyzoo --model improved --photographic --parts \
#     --out improved.keras --size 150 --epochs 50
# ```
#
# and if the session dies, the same `galaxylib train` command resumes where it stopped.
#
# ## Summary
#
# - `tf.data` feeds batches; `compile` names the loss, the optimiser and the metric;
#   callbacks act between epochs; `fit` runs the loop of gradient descent.
# - Read learning curves against the mean benchmark and the noise floor, and remember
#   that the training curve is measured under augmentation and dropout, on weights that
#   are still changing: it is not the same measurement as the validation curve.
# - Train with a schedule known in advance and callbacks that watch the validation loss;
#   a run that can resume survives a lost Colab session.
# - {glue:text}`ch5_pipeline_summary`. Ours decodes and crops once, then feeds batches
#   as slices of one array.
#
# Practise it in the [exercises of chapter 5](../solutions/05_training).

# %% [markdown]
# ## Check yourself
#
# 6 questions on this chapter. Choose an answer before you open the explanation
# under it.
#
# **1.** Before running the cell that prints the learning rate by epoch for this
# page's run, predict the rate of the last epoch, given that the schedule starts at
# the report's {glue:text}`ch5_rate_start:.3f`.
#
# - (a) {glue:text}`ch5_rate_start:.3f`, because Adam adjusts the steps by itself and the
#   rate never changes
# - (b) {glue:text}`ch5_rate_tenth:.4f`, a tenth of the start
# - (c) {glue:text}`ch5_rate_last:.5f`, a hundredth of the start
# - (d) 0, because a cosine falls all the way to zero
#
# <details class="quiz"><summary>Answer</summary>
# (c) The chapter's cosine schedule starts at {glue:text}`ch5_rate_start:.3f` and falls
# smoothly along half a cosine to a hundredth of it by the last epoch,
# {glue:text}`ch5_rate_last:.5f`: large steps early make fast
# progress, small steps at the end settle the weights. The tempting (d) is the plain
# cosine curve, but this schedule stops at a hundredth of its start rather than at
# zero, so the last epoch still learns a little. Adam sizes each weight's step
# relative to the others, but the learning rate still sets the overall size, so the
# schedule does change the steps.
# </details>
#
# **2.** A training split of 6,400 galaxies is fed in batches of 64 for 10 epochs.
# How many times does the optimiser update the weights?
#
# - (a) 10
# - (b) 100
# - (c) 1,000
# - (d) 64,000
#
# <details class="quiz"><summary>Answer</summary>
# (c) Each step uses one batch, and one epoch is one pass through every training
# galaxy, so an epoch has 6,400 / 64 = 100 steps and ten epochs have 1,000 steps,
# each one small update of every weight. The tempting (a) confuses epochs with steps:
# the weights change after every batch, not once per epoch. 64,000 is the number of
# images the network sees in the run, 6,400 × 10, not the number of updates.
# </details>
#
# **3.** Suppose the dashed training curve of a run lies above its validation curve
# in some epochs. What is the best explanation?
#
# - (a) It is a bug: a network always scores better on the galaxies it trains on.
# - (b) The training RMSE is measured with augmentation and dropout on, while the
#   weights are still changing; the validation RMSE is measured on the plain images
#   with every unit on, after the epoch.
# - (c) The network is overfitting its training galaxies.
# - (d) The validation galaxies are easier because they are not shuffled.
#
# <details class="quiz"><summary>Answer</summary>
# (b) The two curves are not the same measurement: during an epoch the training RMSE
# is averaged over batches seen while augmentation turns and zooms each galaxy and
# dropout switches units off, which makes the task harder, and while the weights are
# still improving; the validation RMSE comes afterwards, on plain images, with every
# unit on. The tempting (c) has the sign the wrong way round: the warning sign of
# overfitting is a training curve falling far below its validation curve, a network
# learning its training galaxies by heart. Shuffling only changes the order of the
# batches, not how hard a galaxy is.
# </details>
#
# **4.** Which figure tells you how far this page's short run got between knowing
# nothing and knowing all that the votes can tell?
#
# - (a) The learning curves from history.history, drawn against the mean benchmark
#   and the noise floor of the validation split.
# - (b) The table of the book's two networks, with their input, pixels, epochs and
#   validation RMSE.
# - (c) The table of images per second of the report's pipeline and ours.
# - (d) The table of hours the full profile would take for each network.
#
# <details class="quiz"><summary>Answer</summary>
# (a) The learning curves are drawn against two marks: the mean benchmark of chapter
# 2, which a network that learned nothing scores, and the noise floor of chapter 0,
# which no network can beat; where the validation RMSE sits between them says how far the
# run got. The tempting (b) gives validation RMSEs, but for the book's two networks,
# trained with the same calls for longer, not for this page's run, and without the two marks
# beside them. The pipeline and hours tables measure speed, not how well the network
# learned.
# </details>
#
# **5.** A run of five epochs trains with EarlyStopping(monitor="val_loss",
# patience=7, restore_best_weights=True). Which statement is true?
#
# - (a) It does nothing at all, because it cannot stop a run of five epochs.
# - (b) It cannot stop a run this short, but when training ends it puts back the
#   weights of the epoch with the lowest validation loss.
# - (c) It stops training after the first epoch whose validation loss is not better
#   than the best so far.
# - (d) It always keeps the last epoch's weights, because the learning rate is then
#   at its smallest.
#
# <details class="quiz"><summary>Answer</summary>
# (b) Early stopping ends training only after 7 epochs in a row without a better
# validation loss, so a five-epoch run always runs to the end; but with
# restore_best_weights it still puts back the best epoch's weights when training
# ends, as the chapter says. The tempting (a) overlooks that second job. Stopping at
# the first epoch without improvement would be a patience of zero, and the last epoch
# is not always the best one on the validation galaxies, which is why the callback
# watches the validation loss instead of assuming.
# </details>
#
# **6.** The report trained its network for 50 epochs in 6.86 hours, at about 623 ms
# per step of 64 images (its training log prints `623ms/step`). Which measurement tests
# whether its input pipeline held it back?
#
# - (a) Counting the network's weights, since a large network is always slow.
# - (b) Timing the report's pipeline with no network attached, and comparing the images
#   a second it feeds with the 103 a second the report trained at.
# - (c) Training for fewer epochs and seeing whether the run takes less time.
# - (d) Switching on mixed precision and seeing whether the run takes less time.
#
# <details class="quiz"><summary>Answer</summary>
# (b) 64 images in 623 ms is about 103 images a second. A pipeline that feeds about that
# many, or fewer, with no network at all would keep any GPU waiting; one that feeds far
# more leaves the network's own speed to explain the pace. On the machine that built
# this page the report's pipeline fed {glue:text}`ch5_report_pipeline:.0f` images a
# second, an upper bound (its files were in memory and our catalog is smaller than the
# report's): {glue:text}`ch5_pipeline_quiz`. The tempting (c) changes how much work there
# is, not how fast it is fed: fewer epochs take less time whatever held the run back.
# (a) and (d) are about the network's own speed, which the report never measured.
# </details>
