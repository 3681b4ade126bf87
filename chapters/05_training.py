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
# # 5 Training on a GPU
#
# The report trained its network for 50 epochs in **6.86 hours**, at about 620 ms per
# step of 64 images — roughly 100 images a second on a GPU that can push thousands. This
# chapter finds out where the time went, fixes it, and trains both networks with the
# report's callbacks made right. On Colab with a GPU, the same cells run the `full`
# profile: all 61,578 galaxies at 150 × 150 for 50 epochs.

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
import pandas as pd

from galaxylib import plots
from galaxylib.baselines import mean_rmse
from galaxylib.config import PROFILES, data_root
from galaxylib.course import course_data, course_model, glue, networks
from galaxylib.data import load_catalog
from galaxylib.evaluation import sky_noise_floor
from galaxylib.hardware import setup
from galaxylib.models import NETWORKS, build_model, multiply_adds
from galaxylib.preprocess import Settings
from galaxylib.tools.bench import bench_pipeline, bench_train
from galaxylib.tools.model_files import ModelFiles, read_history
from galaxylib.training import cosine_schedule, train

DATA = course_data()
print(f"Data: {DATA.name}")

# %% [markdown]
# ## Where the 6.86 hours went
#
# The report's input pipeline turned each image path into a training example with a
# Python function, wrapped in `tf.py_function`:
#
# ```python
# def get_features(image_path):
#     image = tf.io.decode_image(tf.io.read_file(image_path), dtype=tf.float32)
#     galaxyID = int(...)                                    # parse the file name
#     galaxy_row = labels.loc[labels['GalaxyID'] == galaxyID]  # scan all 61,578 rows
#     ...
# ```
#
# For *every image of every epoch* this reads and decodes a PNG file, and compares the
# ID with all 61,578 rows of a pandas table — in Python, holding Python's global lock,
# so TensorFlow's parallel `map` cannot run two of them at once. The GPU waits.
#
# Our pipeline (`galaxylib.pipeline.make_dataset`) does the expensive work once: the
# images were decoded and cropped into one `uint8` array in chapter 3, and the labels are
# put in the same row order once, so a batch is a slice of two arrays. It shuffles,
# batches and prefetches the next batch while the model works on this one, and leaves
# the conversion to floating point and the augmentation to the accelerator, inside the
# model. `bench_pipeline` measures both pipelines on the same galaxies, with no model
# attached, so it shows only how fast each can *feed* a GPU:

# %%
speed = bench_pipeline(DATA, n=1000, size=150)
glue("ch5_report_pipeline", speed["report_img_per_s"])
glue("ch5_our_pipeline", speed["ours_img_per_s"])
glue("ch5_pipeline_ratio", speed["ratio"])
pd.Series(speed).round(1).to_frame("figure")

# %% [markdown]
# On the machine that built this page, the report's pipeline delivers
# {glue:text}`ch5_report_pipeline:.0f` images a second, ours
# {glue:text}`ch5_our_pipeline:,.0f`: {glue:text}`ch5_pipeline_ratio:,.0f` times as many.
# The report trained at about 103 images a second (623 ms per step of 64, the report's
# own figure), which is what a pipeline like its own delivers: its GPU spent most of those
# 6.86 hours waiting. And its label search grows with the catalog: at 61,578 rows each
# lookup scans far more than on this sky. With our pipeline the accelerator, not the
# input, sets the pace.
#
# ## The machine, the strategy and the precision
#
# `setup()` looks at the hardware once and decides three things: on several GPUs, a
# `MirroredStrategy` splits every batch between them; on one GPU or none, the default
# strategy. On GPUs with tensor cores (compute capability 7.0 or more: T4, V100, A100,
# H100), **mixed precision**: arithmetic in 16-bit floats, which those cores run many
# times faster, with the weights and the output layer kept in 32 bits so that training
# stays accurate. The same code then runs here, on Colab and on a multi-GPU server.

# %%
hardware = setup()
print(hardware)

# %% [markdown]
# ## What a network costs: arithmetic, not parameters
#
# Which of our two networks trains faster? Counting parameters is the wrong way to tell.
# A convolution's weights are used at *every position* of its output
# map: a 3 × 3 layer of 32 filters on a 64 × 64 map does 64 × 64 × 3 × 3 × 32 × 32
# multiply-adds per image, the same as a layer of 128 filters on a 16 × 16 map. The
# first version of our improved network kept two layers of 32 filters at full
# resolution, and trained at a third of the report's speed although it was smaller.
# The version in the book pools right after its first layer, a wide 5 × 5 one that is
# cheap because it sees only the image's three colour channels (the report's network
# sees one: it turns the images grey, as the report did). `multiply_adds` counts the
# arithmetic of each network per image, and `bench_train` times a few training steps:

# %%
size = PROFILE.image_size
crops = {name: Settings(size=size, color=network.color) for name, network in NETWORKS.items()}
nets = {name: build_model(name, crops[name].input_shape) for name in crops}
cost = pd.DataFrame(
    {
        name: {"parameters": net.count_params(), "multiply-adds per image": multiply_adds(net)}
        for name, net in nets.items()
    }
).T
rates = bench_train(DATA, size=size)
cost["training images per second"] = [rates["report_img_per_s"], rates["improved_img_per_s"]]
for name in NETWORKS:
    glue(f"ch5_{name}_madds", cost.loc[name, "multiply-adds per image"] / 1e6)
    glue(f"ch5_{name}_params", int(cost.loc[name, "parameters"]))
    glue(f"ch5_{name}_rate", cost.loc[name, "training images per second"])
# Does the improved network's speed follow its arithmetic? Compare the two ratios.
by_arithmetic = (
    cost.loc["report", "multiply-adds per image"] / cost.loc["improved", "multiply-adds per image"]
)
measured = rates["improved_img_per_s"] / rates["report_img_per_s"]
glue(
    "ch5_speed_reading",
    f"By arithmetic alone the improved network would train {by_arithmetic:.2f} times as fast "
    f"as the report's; measured, it trains {measured:.2f} times as fast. "
    + (
        "It is slower than its arithmetic predicts: it has more layers, each with batch "
        "normalisation, and on a CPU every layer also pays to read and write its whole map"
        if measured < 0.9 * by_arithmetic
        else "It is faster than its arithmetic predicts: not every multiply-add costs the "
        "same, and the libraries under TensorFlow run small 3 × 3 convolutions especially well"
        if measured > 1.1 * by_arithmetic
        else "Its speed follows its arithmetic: on this machine, the multiply-adds are the cost"
    ),
)
cost.round(1)

# %% [markdown]
# The report's network has {glue:text}`ch5_report_params:,` parameters and does
# {glue:text}`ch5_report_madds:.0f` million multiply-adds per {glue:text}`ch5_size`-pixel
# image; the improved one has {glue:text}`ch5_improved_params:,` and does
# {glue:text}`ch5_improved_madds:.0f` million. Measured on this machine, they train at
# {glue:text}`ch5_report_rate:.0f` and {glue:text}`ch5_improved_rate:.0f` images a second.
# {glue:text}`ch5_speed_reading`.
#
# ## The recipe: callbacks made right and a schedule
#
# The report defined four callbacks — reduce the learning rate on a plateau, decay it
# every ten epochs, stop early, keep the best model — then trained with none of them
# (`callbacksInUse = []`). Its checkpoint would not have worked anyway: it monitored
# `val_accuracy`, which a regression never reports, so the "best model" would never have
# been saved. `galaxylib.training.train` trains both networks the same way:
#
# - **a cosine schedule** for Adam's learning rate, instead of waiting for plateaus:
#   we know the number of epochs in advance, so the rate starts at the report's
#   {glue:text}`ch5_first_rate` and
#   falls smoothly to a hundredth of it by the last epoch. Large steps early make fast
#   progress; small steps at the end settle the weights, so the curves flatten;
# - `ModelCheckpoint` keeps the weights of the epoch with the lowest **validation loss**;
# - `EarlyStopping` ends training after 7 epochs without improvement and restores the
#   best weights;
# - `BackupAndRestore` saves the whole training state after every epoch: interrupt
#   `galaxylib train` (or lose a Colab session) and run it again, and it continues from
#   the last finished epoch instead of epoch 1;
# - a CSV log of every epoch, which the learning curves below are drawn from.
#
# Here is the schedule over the profile's epochs:

# %%
schedule = cosine_schedule(PROFILE.epochs)
glue("ch5_first_rate", schedule(0))
pd.Series(
    [schedule(epoch) for epoch in range(PROFILE.epochs)],
    index=pd.RangeIndex(1, PROFILE.epochs + 1, name="epoch"),
    name="learning rate",
).to_frame().T

# %% [markdown]
# ## Training both networks
#
# At its heart `train` is the Keras code you would write yourself. These lines are copied
# from `galaxylib/training.py`'s `compile_model` and `fit` (a test checks that they are
# still there):
#
# ```python
# net.compile(
#     optimizer=keras.optimizers.Adam(learning_rate=learning_rate),
#     loss="mse",
#     metrics=[keras.metrics.RootMeanSquaredError(name=RMSE)],
# )
# ...
# return net.fit(
#     train_data,
#     validation_data=val_data,
#     epochs=epochs,
#     callbacks=[
#         keras.callbacks.LearningRateScheduler(cosine_schedule(epochs, learning_rate)),
#         keras.callbacks.EarlyStopping(
#             monitor="val_loss", mode="min", patience=patience, restore_best_weights=True
#         ),
#         *callbacks,
#     ],
#     shuffle=False,  # the dataset shuffles itself
#     verbose=verbose,
# )
# ```
#
# Both networks get the same galaxies (the {glue:text}`ch5_galaxies:,` of the sky's
# training split), the same number of epochs and the same schedule, and are checked on
# the validation split after every epoch. The report's network sees them in grey, as the
# report did; the improved one in colour, as the Kaggle winner's did (chapter 7 measures
# what colour is worth). Keras prints one line per epoch: the time it took, the training
# loss and RMSE (measured with augmentation and dropout on), the same on the validation
# split, and the learning rate.
#
# **Two kinds of training on this page.** Training both networks until they stop
# improving takes longer, on the two CPU cores that build this book, than the whole
# build may. So this page trains each network live for {glue:text}`ch5_live_epochs`
# epochs on the first {glue:text}`ch5_live_galaxies:,` galaxies of the training split
# (`train_galaxies`; the validation split stays whole): a short run, to watch `fit` at
# work. The networks that chapters 6 to 8 evaluate are {glue:text}`ch5_book_networks`.

# %%
LIVE_EPOCHS, LIVE_GALAXIES = 3, 1_280
short = data_root() / "models" / "short"
short.mkdir(parents=True, exist_ok=True)
report_run = train(
    DATA,
    model="report",
    epochs=LIVE_EPOCHS,
    train_galaxies=LIVE_GALAXIES,
    out=short / "report.keras",
    force=True,
    verbose=2,
)

# %%
improved_run = train(
    DATA,
    model="improved",
    epochs=LIVE_EPOCHS,
    train_galaxies=LIVE_GALAXIES,
    out=short / "improved.keras",
    force=True,
    verbose=2,
)

# %% [markdown]
# ## The book's networks
#
# `course_model` hands every chapter the same two networks: where the book's stored
# networks apply (the `small` profile's sky), it writes them out from the weights kept in
# `galaxylib/course/networks/`; anywhere else (the `full` profile on Colab, the real catalog) it
# trains them with the recipe above on first use, for the profile's epochs. The table
# says which network is which: where it came from, how long it trained, on how many
# galaxies, and its validation RMSE (on the validation split of the sky it trained on).

# %%
book_paths = {name: course_model(name) for name in NETWORKS}
runs = {
    "short run on this page": {"report": report_run.files, "improved": improved_run.files},
    "the book's network": {name: ModelFiles(path) for name, path in book_paths.items()},
}
rows = []
for kind, files in runs.items():
    for name, model_files in files.items():
        made = model_files.read_settings()
        rows.append(
            {
                "network": name,
                "which": kind,
                "input": "colour" if made["preprocessing"]["color"] else "grey",
                "epochs": made["epochs"],
                "training galaxies": made["split"]["train"],
                "sky": f"seed {made['sky']['seed']}" if made.get("sky") else "its own data",
                "validation RMSE": made["val_rmse"],
            }
        )
which = pd.DataFrame(rows).set_index(["network", "which"])
glue("ch5_live_epochs", LIVE_EPOCHS)
glue("ch5_live_galaxies", LIVE_GALAXIES)
glue(
    "ch5_book_networks",
    f"the book's stored networks, {networks.describe()}"
    if networks.applies()
    else "trained below on this machine, with the recipe above and the profile's "
    f"{PROFILE.epochs} epochs",
)
which.round(4)

# %% [markdown]
# ## Learning curves
#
# Both of the book's networks on one figure: validation RMSE (solid) and training RMSE
# (dashed) by epoch, against the two marks of chapter 6 — the mean-confidence benchmark,
# which a network that learned nothing would score, and the noise floor, which no network
# can beat on average. The crosses are this page's short runs.

# %%
catalog = load_catalog(DATA)
parts = catalog.split()
histories = {
    "report's network": read_history(ModelFiles(book_paths["report"]).history),
    "improved network": read_history(ModelFiles(book_paths["improved"]).history),
}
short_histories = {
    "report's network": report_run.history,
    "improved network": improved_run.history,
}
mean_mark = mean_rmse(catalog, parts)
floor = sky_noise_floor(DATA, parts.val)
plots.plot_learning_curves(histories, mean_rmse=mean_mark, floor=floor, short=short_histories)


# %% tags=["remove-cell"]
def last_change(history: pd.DataFrame, epochs: int = 3) -> float:
    """How much the validation RMSE moved over the last few epochs."""
    values = history["val_root_mean_squared_error"].to_numpy()
    return float(abs(values[-1] - values[-1 - min(epochs, len(values) - 1)]))


for key, name in (("report", "report's network"), ("improved", "improved network")):
    history = histories[name]
    glue(f"ch5_{key}_first", history["val_root_mean_squared_error"].iloc[0])
    glue(f"ch5_{key}_best", history["val_root_mean_squared_error"].min())
    glue(f"ch5_{key}_last_change", last_change(history))
    glue(f"ch5_{key}_epochs", len(history))
    glue(f"ch5_{key}_seconds", history["seconds"].sum())
    glue(f"ch5_{key}_short_last", short_histories[name]["val_root_mean_squared_error"].iloc[-1])
above = {
    name: float((h["root_mean_squared_error"] > h["val_root_mean_squared_error"]).mean())
    for name, h in histories.items()
}
glue(
    "ch5_train_above",
    "lie above the validation ones for most epochs"
    if min(above.values()) > 0.5
    else "lie above the validation ones for some epochs"
    if max(above.values()) > 0
    else "never lie above the validation ones",
)
flat = max(last_change(h) for h in histories.values()) < 0.005
glue(
    "ch5_flat",
    "Both curves have flattened: over the last three epochs neither validation RMSE moved "
    "by more than 0.005. That is the cosine schedule at work: its last epochs take small "
    "steps, which settle the weights rather than move them"
    if flat
    else "The curves are still falling at the last epoch: more epochs would still help",
)
glue("ch5_size", PROFILE.image_size)
glue("ch5_galaxies", len(parts.train))

# %% [markdown]
# What to see. Read each curve between the two marks. The report's network went from
# {glue:text}`ch5_report_first:.4f` after its first epoch
# to {glue:text}`ch5_report_best:.4f` at its best, in {glue:text}`ch5_report_seconds:.0f`
# seconds of training; the improved one from {glue:text}`ch5_improved_first:.4f` to
# {glue:text}`ch5_improved_best:.4f`, in {glue:text}`ch5_improved_seconds:.0f` seconds.
# {glue:text}`ch5_flat`. This page's short runs ended at
# {glue:text}`ch5_report_short_last:.4f` and {glue:text}`ch5_improved_short_last:.4f`:
# a few epochs on a smaller training split take a network only part of the way.
#
# The dashed training curves {glue:text}`ch5_train_above`. Above is not a bug: the
# training RMSE is measured while augmentation turns and zooms each
# galaxy and dropout switches units off, which makes the task harder; the validation RMSE
# is measured on the plain images with every unit on. A training curve falling far
# *below* its validation curve would be the warning sign of overfitting: a network
# learning its training galaxies by heart.
#
# ## The full profile on Colab: a time budget
#
# How long would the `full` profile take — 61,578 galaxies at 150 × 150, 50 epochs?
# Time is images divided by rate, and the rate must be measured on the machine that
# trains. The cell below measures both networks' training rates at 150 × 150 on the
# machine running this page, and turns them into hours for the full profile (the
# training split, 64 % of the galaxies, every epoch; validation adds a little).

# %%
full = PROFILES["full"]
rates_150 = bench_train(DATA, size=full.image_size, steps=4, warmup=2)
images = round(0.64 * full.n_galaxies) * full.epochs
budget = pd.DataFrame(
    {
        "training images per second (measured here)": [
            rates_150["report_img_per_s"],
            rates_150["improved_img_per_s"],
        ],
    },
    index=["report's network", "improved network"],
)
budget["hours for the full profile (estimated)"] = images / budget.iloc[:, 0] / 3600
glue("ch5_full_images", images)
glue("ch5_full_hours_report", budget.iloc[0, 1])
glue("ch5_machine", hardware.devices)
budget.round(1)

# %% [markdown]
# On the machine that built this page ({glue:text}`ch5_machine`), the report's network
# would need about {glue:text}`ch5_full_hours_report:,.0f` hours for the
# {glue:text}`ch5_full_images:,` training images of the full profile: the rates are
# measured, the hours are an estimate from them. Run this cell on a Colab GPU and it
# measures that GPU instead: the report's 6.86 hours on its GPU were set by its input
# pipeline (about 103 images a second, by the report's own timing); with our pipeline,
# only the GPU's arithmetic limits the rate.
#
# To train at the report's scale, open this chapter in Colab (the rocket button above),
# choose *Runtime → Change runtime type → T4 GPU* (or better), and run all cells: the
# first cell sees the GPU and picks the `full` profile, the sky grows to 61,578
# galaxies at 150 × 150, and the networks train for 50 epochs. Set `GALAXYLIB_DATASET` to
# the folder `download_kaggle()` filled (chapter 0) to train on the real images instead.
# From a terminal, the same is
#
# ```bash
# galaxylib preprocess data/galaxyzoo --size 150
# galaxylib train data/galaxyzoo --model report --out report.keras --epochs 50
# ```
#
# and if the session dies, the same `galaxylib train` command resumes where it stopped.
#
# ## Summary
#
# - The report's 6.86 hours went into its input pipeline, not its network: decode and
#   crop once, then feed batches as slices of one array.
# - A network's cost is its arithmetic per image, paid at every pixel of every map, not
#   its number of parameters.
# - Train with a schedule known in advance and callbacks that watch the validation loss;
#   a run that can resume survives a lost Colab session.
# - Read learning curves against the mean benchmark and the noise floor, and remember
#   that augmentation and dropout make the training curve look worse than it is.
#
# Practise it in the [exercises of chapter 5](../solutions/05_training).
