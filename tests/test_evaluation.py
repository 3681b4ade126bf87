import json
import os
import shutil
import subprocess
import sys

import cv2
import numpy as np
import pandas as pd
import pytest
from conftest import galaxy_image, write_dataset
from matplotlib.figure import Figure

from galaxylib.course.plots import plot_predicted_vs_true, plot_worst_galaxies
from galaxylib.data import load_catalog, split
from galaxylib.evaluation import (
    Evaluation,
    evaluate,
    load_model,
    predict_files,
    results_table,
    worst_galaxies,
)
from galaxylib.synthetic import sky_noise_floor
from galaxylib.taxonomy import COLUMNS, check_tree
from galaxylib.tools.catalog_checks import FrameWarning, frame_note
from galaxylib.tools.cli import main
from galaxylib.tools.train import train


@pytest.fixture(scope="module")
def root(tmp_path_factory):
    root = tmp_path_factory.mktemp("gz")
    write_dataset(root, 40, seed=5)
    return root


@pytest.fixture(scope="module")
def model(root, tmp_path_factory):
    out = tmp_path_factory.mktemp("models") / "improved.keras"  # in grey: the tests read its cache
    train(root, out=out, epochs=1, size=32, batch_size=16, color=False, workers=1, verbose=0)
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
    # errors add in quadrature: 0.05**2 = 0.04**2 + 0.03**2
    expected = np.sqrt(np.array([0.16, 0.10, 0.05, 0.04]) ** 2 - 0.04**2)
    assert np.allclose(table["beyond_noise"], expected)
    assert table["beyond_noise"].iloc[2] == pytest.approx(0.03)
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
    assert status == 1 and "already exists; pass --force" in err[-1]
    assert len(err) == 2 and "200x200 pixels, not the 424x424" in err[0]  # a frame note
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


def test_a_photograph_not_square_is_cropped_as_its_square_twin_and_named(model, tmp_path, capsys):
    square = galaxy_image(0.7, size=424)
    wide = np.zeros((300, 500, 3), np.uint8)  # the same galaxy in a wider, shorter frame
    wide[:, 38:462] = square[62:362]
    paths = {"square": tmp_path / "square.png", "wide": tmp_path / "wide.png"}
    for name, image in (("square", square), ("wide", wide)):
        cv2.imwrite(str(paths[name]), cv2.cvtColor(image, cv2.COLOR_RGB2BGR))
    trained = load_model(model)
    with pytest.warns(FrameWarning) as notes:
        table = predict_files(trained, [paths["square"], paths["wide"]], tta=False)
    assert [str(n.message) for n in notes] == [frame_note(paths["wide"], wide.shape)]
    assert "500x300 pixels, not square" in str(notes[0].message)
    square_pred, wide_pred = (table.iloc[i, 2:].to_numpy(float) for i in (0, 1))
    assert np.abs(square_pred - wide_pred).max() < 1e-4  # the same crop, resampled alike
    assert frame_note("a.png", (256, 256, 3)).startswith("a.png is 256x256 pixels, not the 424")
    assert frame_note("a.png", (424, 424)) is None

    status, _, err = _run(capsys, "predict", model, paths["wide"])
    assert status == 0 and err == [f"galaxylib predict: {notes[0].message}"]


def test_evaluate_out_and_predict_on_the_same_files_agree(model, root, tmp_path, capsys):
    written = tmp_path / "test.csv"
    status, out, _ = _run(
        capsys, "evaluate", model, root, "--no-tta", "--no-baselines", "--out", written
    )
    assert status == 0 and f"to {written}." in out
    evaluated = pd.read_csv(written)
    assert list(evaluated.columns) == ["GalaxyID", *COLUMNS]
    assert np.array_equal(evaluated["GalaxyID"], split(load_catalog(root).ids, seed=42).test)
    files = [root / "images_training_rev1" / f"{gid}.jpg" for gid in evaluated["GalaxyID"]]
    predicted = tmp_path / "predicted.csv"
    assert _run(capsys, "predict", model, *files, "--no-tta", "--out", predicted)[0] == 0
    predicted = pd.read_csv(predicted)
    assert np.array_equal(predicted["GalaxyID"], evaluated["GalaxyID"])
    difference = np.abs(predicted[list(COLUMNS)].to_numpy() - evaluated[list(COLUMNS)].to_numpy())
    assert difference.max() <= 0.01


def test_a_test_split_that_overlaps_the_training_galaxies_is_refused(model, root, capsys):
    status, _, err = _run(capsys, "evaluate", model, root, "--seed", "7", "--no-baselines")
    test = split(load_catalog(root).ids, seed=7).test
    seen = pd.read_csv(model.with_suffix(".split.csv"))["GalaxyID"]
    overlap = np.isin(test, seen)
    assert overlap.any() and status == 1 and len(err) == 1
    assert err[0] == (
        f"galaxylib evaluate: {overlap.sum()} of the {len(test)} test galaxies "
        f"({overlap.mean():.0%}) were among those {model} trained or was validated on (it was "
        "trained with --seed 42; this split has --seed 7), so its test score would flatter "
        "it; evaluate with --seed 42 on the catalog it was trained on, or train it again on "
        "this one."
    )


def test_a_model_trained_on_another_sky_is_checked_only_where_the_data_says_so(
    model, root, tmp_path, capsys
):
    sky = {"generator": "galaxylib.synthetic", "schema": 4, "seed": 1, "n": 24000}
    other = tmp_path / "other.keras"
    for suffix in (".keras", ".split.csv"):
        other.with_suffix(suffix).write_bytes(model.with_suffix(suffix).read_bytes())
    settings = json.loads(model.with_suffix(".json").read_text())
    other.with_suffix(".json").write_text(json.dumps({**settings, "sky": sky}))
    # The data set says it is another sky: the same IDs are other galaxies, --seed 7 is honest.
    elsewhere = tmp_path / "elsewhere"
    shutil.copytree(root, elsewhere)
    here = {**sky, "seed": 0, "n": 12000, "noise_floor": 0.05}
    (elsewhere / "sky.json").write_text(json.dumps(here))
    status, out, err = _run(capsys, "evaluate", other, elsewhere, "--seed", "7", "--no-baselines")
    assert status == 0 and err == [] and "CNN, improved" in out

    # The data set says nothing of itself (a copy of its catalog and images): the galaxies
    # are compared, and these are the ones it learnt from.
    status, _, err = _run(capsys, "evaluate", other, root, "--seed", "7", "--no-baselines")
    assert status == 1 and "were among those" in err[0]

    same = tmp_path / "same"  # the data set *is* that sky: the IDs are compared again
    shutil.copytree(root, same)
    (same / "sky.json").write_text(json.dumps(sky))
    status, _, err = _run(capsys, "evaluate", other, same, "--seed", "7", "--no-baselines")
    assert status == 1 and "were among those" in err[0]


def test_a_model_without_its_split_record_is_scored_with_a_note(model, root, tmp_path, capsys):
    copy = tmp_path / "copied.keras"
    for suffix in (".keras", ".json"):  # the model and its settings, not its .split.csv
        copy.with_suffix(suffix).write_bytes(model.with_suffix(suffix).read_bytes())
    status, out, err = _run(capsys, "evaluate", copy, root, "--no-baselines", "--no-tta")
    assert status == 0 and "CNN, improved" in out
    assert err == [
        f"galaxylib evaluate: {copy} carries no record of the galaxies it trained on "
        "(copied.split.csv is missing), so this test score cannot be checked for galaxies it "
        "has seen; train it again with `galaxylib train` to be sure."
    ]


def test_model_files_that_are_not_what_they_claim_are_one_sentence(model, root, tmp_path, capsys):
    status, _, err = _run(capsys, "predict", model, root)
    assert status == 1 and err == [
        f"galaxylib predict: {root} is a folder, not an image file; name the images in it "
        f"({root}/*.jpg)."
    ]
    status, _, err = _run(capsys, "evaluate", root, model)  # swapped
    assert status == 1 and err == [
        f"galaxylib evaluate: {root} is a folder, not a model file; the model comes first, as "
        "in `galaxylib evaluate MODEL.keras DATA_DIR`."
    ]
    text = tmp_path / "notes.keras"
    text.write_text("my notes")
    status, _, err = _run(capsys, "predict", text, root)
    assert status == 1 and err == [
        f"galaxylib predict: {text} is not a Keras model file (a .keras file is a zip "
        "archive); name the file that `galaxylib train --out` wrote."
    ]
    copy = tmp_path / "copy.keras"
    shutil.copy(model, copy)
    copy.with_suffix(".json").write_text('{"model": "improved", "preproc')
    status, _, err = _run(capsys, "evaluate", copy, root)
    assert status == 1 and err == [
        f"galaxylib evaluate: {copy.with_suffix('.json')} is not a model's settings file (not "
        f"a JSON object); restore it, or train the model again with `galaxylib train ... --out "
        f"{copy} --force`."
    ]
    copy.with_suffix(".json").write_text('{"model": "improved", "preprocessing": {"size": 32}}')
    status, _, err = _run(capsys, "evaluate", copy, root)
    assert status == 1 and err == [
        f"galaxylib evaluate: {copy.with_suffix('.json')} does not say how the images were "
        "cropped (it needs crop, size and color); make it again (`galaxylib train ... --force`)."
    ]


def test_predict_out_in_a_missing_folder_is_one_sentence(model, root, tmp_path, capsys):
    image = next((root / "images_training_rev1").glob("*.jpg"))
    missing = tmp_path / "nosuchdir"
    status, _, err = _run(capsys, "predict", model, image, "--out", missing / "p.csv")
    assert status == 1 and err == [
        f"galaxylib predict: The folder {missing} does not exist; create it (mkdir -p "
        f"{missing}) or choose another --out."
    ]


def test_tensorflow_start_up_lines_stay_off_the_screen(model, tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"}
    missing = tmp_path / "x.png"
    result = subprocess.run(
        [sys.executable, "-m", "galaxylib.tools.cli", "predict", str(model), str(missing)],
        capture_output=True,
        text=True,
        env=env,
    )
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"galaxylib predict: {missing} does not exist; check the file name."
    ]
