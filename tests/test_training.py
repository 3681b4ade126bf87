import json

import keras
import numpy as np
import pandas as pd
import pytest
from conftest import write_dataset
from matplotlib.figure import Figure

from galaxylib.course.plots import plot_history
from galaxylib.data import load_catalog
from galaxylib.errors import GalaxyLibError
from galaxylib.evaluation import load_model, predict_images
from galaxylib.tools.bench import bench_train
from galaxylib.tools.cli import main
from galaxylib.tools.model_files import read_history
from galaxylib.tools.train import train
from galaxylib.training import cosine_schedule

TINY = {"size": 32, "batch_size": 8, "workers": 1, "verbose": 0}


@pytest.fixture(scope="module")
def root(tmp_path_factory):
    root = tmp_path_factory.mktemp("gz")
    write_dataset(root, 60, seed=4)
    return root


@pytest.fixture(scope="module")
def trained(root, tmp_path_factory):
    out = tmp_path_factory.mktemp("models") / "report.keras"
    return train(root, model="report", out=out, epochs=4, learning_rate=3e-3, **TINY)


@pytest.mark.slow
def test_training_lowers_the_loss_and_keeps_a_history(trained):
    history = trained.history
    assert list(history["epoch"]) == [0, 1, 2, 3]
    assert history["loss"].iloc[-1] < 0.5 * history["loss"].iloc[0]
    for column in ("val_loss", "val_root_mean_squared_error", "learning_rate", "seconds"):
        assert history[column].notna().all()
    assert read_history(trained.files.history).equals(history)
    assert not trained.files.work.exists()
    assert isinstance(plot_history(history), Figure)


@pytest.mark.slow
def test_the_model_file_round_trips_with_its_preprocessing(trained, root):
    settings = json.loads(trained.files.settings.read_text())
    assert settings["model"] == "report"
    assert settings["preprocessing"] == {"crop": "improved", "size": 32, "color": False}
    loaded = load_model(trained.files.model)
    cache_images = np.load(root / "cache" / "improved-32-gray" / "images.npy")[:10]
    expected = trained.model.predict(cache_images[..., None], verbose=0)
    assert np.allclose(predict_images(loaded, cache_images, tta=False), expected, atol=1e-6)


class _Interrupt(keras.callbacks.Callback):
    def __init__(self, after: int | None = None):
        super().__init__()
        self.after, self.epochs = after, []

    def on_epoch_begin(self, epoch, logs=None):
        self.epochs.append(epoch)

    def on_epoch_end(self, epoch, logs=None):
        if epoch == self.after:
            raise KeyboardInterrupt


@pytest.mark.slow
def test_an_interrupted_run_continues_where_it_stopped(root, tmp_path):
    out = tmp_path / "improved.keras"
    first = _Interrupt(after=1)
    with pytest.raises(KeyboardInterrupt):
        train(root, model="improved", out=out, epochs=4, callbacks=[first], **TINY)
    assert first.epochs == [0, 1] and not out.exists()
    assert (tmp_path / "improved.train" / "backup").is_dir()

    with pytest.raises(GalaxyLibError, match="interrupted run with other settings"):
        train(root, model="improved", out=out, epochs=4, crop="report", **TINY)

    second = _Interrupt()
    result = train(root, model="improved", out=out, epochs=4, callbacks=[second], **TINY)
    assert second.epochs == [2, 3]
    assert list(result.history["epoch"]) == [0, 1, 2, 3]
    assert out.exists() and not (tmp_path / "improved.train").exists()


@pytest.mark.slow
def test_the_command_trains_and_refuses_to_overwrite(root, tmp_path, capsys):
    out = tmp_path / "m.keras"
    command = ["train", str(root), "--out", str(out), "--epochs", "1", "--size", "32"]
    command += ["--batch-size", "16", "--workers", "1"]
    assert main(command) == 0
    assert f"Saved {out}" in capsys.readouterr().out
    assert json.loads(out.with_suffix(".json").read_text())["preprocessing"]["color"]
    assert main(command) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "already exists; pass --force" in err[0]
    # The improved network (the default) sees colour unless told otherwise; the report's grey.
    assert main([*command, "--grey", "--force"]) == 0
    assert not json.loads(out.with_suffix(".json").read_text())["preprocessing"]["color"]
    with pytest.raises(SystemExit) as both:  # one or the other, as argparse says
        main([*command, "--grey", "--color"])
    assert both.value.code == 2 and "not allowed with argument" in capsys.readouterr().err
    # A short demonstration trains on the first galaxies of the training split only.
    assert main([*command, "--grey", "--force", "--train-galaxies", "5"]) == 0
    assert json.loads(out.with_suffix(".json").read_text())["split"]["train"] == 5
    kept = pd.read_csv(out.with_suffix(".split.csv"))
    trained_on = kept.loc[kept["part"] == "train", "GalaxyID"].to_numpy()
    parts = load_catalog(root).split(42)
    np.testing.assert_array_equal(trained_on, parts.train[:5])
    assert (kept["part"] == "val").sum() == len(parts.val)  # validation stays whole
    with pytest.raises(SystemExit) as zero:
        main([*command, "--force", "--train-galaxies", "0"])
    assert zero.value.code == 2 and "--train-galaxies" in capsys.readouterr().err
    # The grey half is the photographic augmentation's last step: alone it is refused.
    assert main([*command, "--force", "--greyscale"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [
        "galaxylib train: --greyscale is a step of --photographic: pass both, or neither."
    ]
    # --standardise is in the settings, and the network loads with its layer
    from galaxylib.models import Standardise

    assert main([*command, "--force", "--standardise"]) == 0
    assert json.loads(out.with_suffix(".json").read_text())["standardise"] is True
    assert sum(isinstance(layer, Standardise) for layer in load_model(out).net.layers) == 1


@pytest.mark.slow
def test_bench_train_times_both_models_as_the_chapters_train_them(root, monkeypatch):
    import galaxylib.models
    import galaxylib.pipeline
    from galaxylib.course import networks

    built, fed = {}, []  # what bench_train asked for: each network's layout and pipeline
    build, feed = galaxylib.models.build_model, galaxylib.pipeline.make_dataset

    def build_spy(name, shape, **kwargs):
        built[name] = kwargs
        return build(name, shape, **kwargs)

    def feed_spy(*args, **kwargs):
        fed.append(kwargs)
        return feed(*args, **kwargs)

    monkeypatch.setattr(galaxylib.models, "build_model", build_spy)
    monkeypatch.setattr(galaxylib.pipeline, "make_dataset", feed_spy)
    figures = bench_train(root, size=32, batch_size=8, steps=2, warmup=1, workers=1)
    assert figures["report_img_per_s"] > 0 and figures["improved_img_per_s"] > 0
    for name, kwargs in zip(("report", "improved"), fed, strict=True):  # NETWORKS' order
        remedies = networks.recipe(name)
        assert built[name]["parts"] is remedies["parts"]
        assert {k: kwargs[k] for k in ("photographic", "framing", "greyscale")} == {
            k: remedies[k] for k in ("photographic", "framing", "greyscale")
        }
    assert built["improved"]["parts"] and fed[0]["photographic"]


def test_the_data_set_must_be_readable(tmp_path):
    with pytest.raises(GalaxyLibError, match="No catalog"):
        train(tmp_path, out=tmp_path / "m.keras", **TINY)


def test_the_cosine_schedule_falls_from_the_first_rate_to_a_hundredth():
    rate = cosine_schedule(10, 2e-3)
    rates = [rate(epoch) for epoch in range(12)]
    assert rates[0] == pytest.approx(2e-3)
    assert rates[9] == pytest.approx(2e-5)  # the last epoch
    assert rates[10] == rates[11] == rates[9]  # past the end it stays there
    assert all(a > b for a, b in zip(rates[:9], rates[1:10], strict=True))
    assert rate(4) + rate(5) == pytest.approx(2e-3 + 2e-5)  # symmetric about the middle
    assert cosine_schedule(1, 1e-3)(0) == pytest.approx(1e-3)
    with pytest.raises(ValueError, match="at least 1"):
        cosine_schedule(0)


@pytest.mark.slow
def test_training_follows_the_cosine_schedule(trained):
    rate = cosine_schedule(4, 3e-3)
    assert trained.history["learning_rate"].tolist() == pytest.approx([rate(e) for e in range(4)])


def test_a_mixed_precision_run_saves_the_layout_it_trained(root, tmp_path):
    # On a GPU, training runs in mixed precision and save() rebuilds the network in float32.
    # Dieleman's parts have no weights, so the parts network's weights also fit the network
    # without them: only the settings can tell save() which layout to rebuild. So with
    # Standardise, which has no weights either.
    import tensorflow as tf

    from galaxylib.hardware import Setup
    from galaxylib.models import Parts, Standardise, build_model
    from galaxylib.tools.checkpoints import save
    from galaxylib.tools.model_files import ModelFiles

    catalog = load_catalog(root)
    split = catalog.split()
    gpu = Setup(tf.distribute.get_strategy(), "mixed_float16", "a GPU, as save() is told")
    keras.mixed_precision.set_global_policy(gpu.policy)
    try:
        net = build_model("improved", (32, 32, 3), parts=True, standardise=True)
        settings = {
            "model": "improved",
            "input_shape": [32, 32, 3],
            "parts": True,
            "standardise": True,
            "data": str(root),
            "split": {},
        }
        save(net, gpu, ModelFiles(tmp_path / "parts.keras"), settings, split, catalog)
    finally:
        keras.mixed_precision.set_global_policy("float32")
    saved = load_model(tmp_path / "parts.keras").net
    assert any(isinstance(layer, Parts) for layer in saved.layers)
    assert sum(isinstance(layer, Standardise) for layer in saved.layers) == 1
    assert saved.dtype_policy.name == "float32"
    weights = zip(saved.get_weights(), net.get_weights(), strict=True)
    assert all(np.array_equal(mine, theirs) for mine, theirs in weights)
