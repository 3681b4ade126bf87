import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import json  # noqa: E402
import shutil  # noqa: E402

import cv2  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from conftest import galaxy_image, write_dataset  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from galaxylib.cli import main  # noqa: E402
from galaxylib.data import load_catalog, split  # noqa: E402
from galaxylib.evaluation import (  # noqa: E402
    Evaluation,
    evaluate,
    results_table,
    sky_noise_floor,
    worst_galaxies,
)
from galaxylib.plots import plot_predicted_vs_true, plot_worst_galaxies  # noqa: E402
from galaxylib.taxonomy import COLUMNS, check_tree  # noqa: E402
from galaxylib.training import train  # noqa: E402


@pytest.fixture(scope="module")
def root(tmp_path_factory):
    root = tmp_path_factory.mktemp("gz")
    write_dataset(root, 40, seed=5)
    return root


@pytest.fixture(scope="module")
def model(root, tmp_path_factory):
    out = tmp_path_factory.mktemp("models") / "improved.keras"
    train(root, out=out, epochs=1, size=32, batch_size=16, workers=1, verbose=0)
    return out


def _run(capsys, *argv):
    status = main([str(a) for a in argv])
    captured = capsys.readouterr()
    return status, captured.out, captured.err.strip().splitlines()


def test_evaluate_scores_the_test_split(model, root):
    catalog = load_catalog(root)
    result = evaluate(model, root)
    assert np.array_equal(result.ids, split(catalog.ids, seed=42).test)
    assert np.array_equal(result.truth, catalog.subset(result.ids).targets)
    assert check_tree(result.pred, tol=1e-5).empty
    assert 0 < result.rmse < 1
    assert list(result.per_question.index) == [f"Q{i}" for i in range(1, 12)]
    worst = result.worst(3)
    assert len(worst) == 3 and worst["rmse"].is_monotonic_decreasing
    images = np.load(root / "cache" / "improved-32-gray" / "images.npy")[:3]
    assert isinstance(plot_worst_galaxies(images, worst), Figure)
    assert isinstance(plot_predicted_vs_true(result.pred, result.truth), Figure)


def test_worst_galaxies_names_the_answer_missed_most():
    truth = np.zeros((3, 37))
    pred = truth.copy()
    pred[1, 5] = 0.9
    pred[2, 0] = 0.3
    worst = worst_galaxies(np.array([7, 8, 9]), pred, truth, n=2)
    assert list(worst["GalaxyID"]) == [8, 9]
    assert worst["answer"].iloc[0] == COLUMNS[5] and worst["pred"].iloc[0] == 0.9


def test_the_results_table_puts_everything_side_by_side():
    baselines = pd.DataFrame(
        {"benchmark": ["mean confidence"], "rmse": [0.16], "report_rmse": [0.1639]}
    )
    truth = np.zeros((2, 37))
    evaluations = [
        Evaluation("report", np.array([1, 2]), truth + 0.1, truth),
        Evaluation("improved", np.array([1, 2]), truth + 0.05, truth),
    ]
    table = results_table(baselines, evaluations, 0.04)
    assert list(table["method"]) == [
        "mean confidence",
        "CNN, the report's network",
        "CNN, improved",
        "noise floor",
    ]
    assert table["report_rmse"].iloc[1] == 0.0926 and np.isnan(table["report_rmse"].iloc[2])
    assert np.allclose(table["above_floor"], [0.12, 0.06, 0.01, 0.0])
    unknown = results_table(None, evaluations, None)
    assert unknown["method"].iloc[-1].startswith("noise floor (unknown")
    assert unknown["rmse"].iloc[:2].tolist() == pytest.approx([0.1, 0.05])


def test_the_noise_floor_comes_from_the_skys_files(tmp_path):
    root = tmp_path / "gz"
    labels = write_dataset(root, 6)
    assert sky_noise_floor(root) is None
    (root / "sky.json").write_text(json.dumps({"noise_floor": 0.042}))
    assert sky_noise_floor(root) == 0.042
    expected = labels.rename(columns={c: f"expected_{c}" for c in COLUMNS})
    expected[[f"expected_{c}" for c in COLUMNS]] += 0.01
    expected.to_csv(root / "truth.csv", index=False)
    assert sky_noise_floor(root, labels["GalaxyID"][:3]) == pytest.approx(0.01)


def test_the_evaluate_command_prints_the_table(model, root, capsys):
    status, out, _ = _run(capsys, "evaluate", model, root, "--no-tta")
    assert status == 0
    for text in ("test RMSE", "RMSE per question", "mean confidence", "CNN, improved", "0.1639"):
        assert text in out


def test_predict_takes_any_size_colour_or_grey(model, tmp_path, capsys):
    grey = tmp_path / "grey.png"
    colour = tmp_path / "colour.jpg"
    cv2.imwrite(str(grey), cv2.cvtColor(galaxy_image(0.8, size=200), cv2.COLOR_RGB2GRAY))
    cv2.imwrite(str(colour), galaxy_image(0.2, size=300))
    out = tmp_path / "pred.csv"
    status, printed, _ = _run(capsys, "predict", model, grey, colour, "--out", out)
    assert status == 0 and "2 images" in printed
    table = pd.read_csv(out)
    assert list(table.columns) == ["GalaxyID", "file", *COLUMNS]
    assert list(table["GalaxyID"]) == ["grey", "colour"]
    assert check_tree(table[list(COLUMNS)], tol=1e-4).empty

    status, _, err = _run(capsys, "predict", model, grey, "--out", out)
    assert status == 1 and len(err) == 1 and "already exists; pass --force" in err[0]
    assert _run(capsys, "predict", model, grey, "--out", out, "--force")[0] == 0
    assert len(pd.read_csv(out)) == 1

    status, printed, _ = _run(capsys, "predict", model, colour)
    assert status == 0 and "colour" in printed and "Class11.6" in printed


def test_an_unreadable_image_is_one_sentence(model, tmp_path, capsys):
    bad = tmp_path / "bad.jpg"
    bad.write_bytes(b"not an image")
    status, _, err = _run(capsys, "predict", model, bad)
    assert status == 1 and len(err) == 1 and f"{bad} is not a readable image" in err[0]


def test_a_missing_cache_names_the_command_that_makes_it(model, tmp_path, capsys):
    other = tmp_path / "other"
    write_dataset(other, 8, seed=6, first_id=900000)  # galaxies the model never saw
    status, _, err = _run(capsys, "evaluate", model, other, "--no-baselines")
    assert status == 1 and len(err) == 1
    assert f"run `galaxylib preprocess {other} --crop improved --size 32`" in err[0]


def test_a_model_of_another_input_size_is_refused(model, root, tmp_path, capsys):
    copy = tmp_path / "copy.keras"
    shutil.copy(model, copy)
    settings = json.loads(model.with_suffix(".json").read_text())
    settings["preprocessing"]["size"] = 48
    copy.with_suffix(".json").write_text(json.dumps(settings))
    status, _, err = _run(capsys, "evaluate", copy, root)
    assert status == 1 and len(err) == 1
    assert "takes 32x32x1 images" in err[0] and "48x48" in err[0]


def test_a_missing_model_says_how_to_make_one(tmp_path, capsys):
    status, _, err = _run(capsys, "predict", tmp_path / "none.keras", tmp_path / "x.png")
    assert status == 1 and "galaxylib train" in err[0]
