"""Nothing silently wrong: scores that cannot be inflated, caches that cannot go stale.

Each test makes the fault for real -- a copied sky, a replaced image, an empty image
file, a second copy of a column, a user's own file where a model's would go -- and checks
the one sentence a user now gets, and that nothing is mis-scored or lost.
"""

import shutil
import warnings

import cv2
import numpy as np
import pandas as pd
import pytest
from conftest import galaxy_image, write_dataset

from galaxylib.data import load_catalog
from galaxylib.errors import DataError, GalaxyLibError, GalaxyLibNote
from galaxylib.evaluation import evaluate
from galaxylib.preprocess import Settings, crop_file, open_cache, preprocess_catalog
from galaxylib.tools.cli import main

TINY = {"epochs": 1, "size": 32, "batch_size": 8, "workers": 1, "verbose": 0}


def _copy_catalog_and_images(sky, dest):
    """What a learner copies of a sky: its catalog and images, without ``sky.json``."""
    catalog = load_catalog(sky)
    dest.mkdir()
    shutil.copy(catalog.csv_path, dest / catalog.csv_path.name)
    shutil.copytree(catalog.images_dir, dest / catalog.images_dir.name)
    return dest


@pytest.fixture(scope="module")
def sky_and_model(tmp_path_factory):
    from galaxylib.tools.sky import make_sky
    from galaxylib.tools.train import train

    root = tmp_path_factory.mktemp("silent")
    make_sky(root / "sky", 60, seed=3, workers=1)
    train(root / "sky", model="report", out=root / "report.keras", **TINY)
    return root / "sky", root / "report.keras"


@pytest.mark.slow
def test_a_copy_of_the_sky_without_its_sky_json_is_still_checked_for_seen_galaxies(
    sky_and_model, tmp_path
):
    sky, model = sky_and_model
    copy = _copy_catalog_and_images(sky, tmp_path / "copy")
    preprocess_catalog(copy, size=32, workers=1, progress=False)
    with pytest.raises(DataError, match="were among those .* trained or was validated on"):
        evaluate(model, copy, seed=7)
    assert len(evaluate(model, copy).ids)  # the seed it was trained with: its own test split


@pytest.mark.slow
def test_galaxies_of_another_catalog_that_share_an_id_are_not_taken_for_seen(
    sky_and_model, tmp_path
):
    # Two synthetic skies draw their IDs from one range: the same ID, another galaxy.
    sky, model = sky_and_model
    other = _copy_catalog_and_images(sky, tmp_path / "other")
    catalog = load_catalog(other)
    table = pd.read_csv(catalog.csv_path)
    table.iloc[:, 1:] = table.iloc[::-1, 1:].to_numpy()  # other votes under the same IDs
    table.to_csv(catalog.csv_path, index=False)
    preprocess_catalog(other, size=32, workers=1, progress=False)
    assert len(evaluate(model, other, seed=7).ids)


@pytest.mark.slow
def test_evaluate_refuses_a_cache_older_than_an_image(sky_and_model, tmp_path):
    sky, model = sky_and_model
    data = _copy_catalog_and_images(sky, tmp_path / "data")
    preprocess_catalog(data, size=32, workers=1, progress=False)
    test = evaluate(model, data).ids
    catalog = load_catalog(data)
    replaced = catalog.image_path(test[0])
    cv2.imwrite(str(replaced), cv2.cvtColor(galaxy_image(0.9), cv2.COLOR_RGB2BGR))
    with pytest.raises(DataError, match="out of date; run `galaxylib preprocess"):
        evaluate(model, data)
    preprocess_catalog(data, size=32, workers=1, progress=False)  # what the sentence says
    fresh = open_cache(data, settings=Settings("improved", 32, False))
    row = fresh.rows_of(np.array([test[0]]))[0]
    again, _ = crop_file(replaced, Settings("improved", 32, False))
    assert np.array_equal(fresh.images[row], again)  # the crop evaluate scores: the new one


@pytest.mark.slow
def test_unreadable_images_are_left_out_of_training_and_testing_with_a_note(tmp_path):
    from galaxylib.tools.train import train

    data = tmp_path / "gz"
    write_dataset(data, 40, seed=5)
    catalog = load_catalog(data)
    parts = catalog.split()
    empty, truncated = parts.train[0], parts.test[0]
    catalog.image_path(empty).write_bytes(b"")
    jpeg = catalog.image_path(truncated)
    jpeg.write_bytes(jpeg.read_bytes()[:300])
    with pytest.warns(GalaxyLibNote, match=f"1 of the {len(parts.train)} training galaxies"):
        result = train(data, model="report", out=tmp_path / "m.keras", **TINY)
    split = result.files.read_split()
    assert empty not in split["GalaxyID"].to_numpy()
    with pytest.warns(GalaxyLibNote, match=rf"could not be read \({truncated}\) and are left out"):
        scored = evaluate(result.files.model, data)
    assert truncated not in scored.ids and len(scored.ids) == len(parts.test) - 1


def test_a_second_copy_of_an_answer_column_is_refused(dataset, capsys):
    csv = next(dataset.glob("*.csv"))
    table = pd.read_csv(csv)
    table.insert(5, "Class1.1", 1 - table["Class1.1"], allow_duplicates=True)
    table.to_csv(csv, index=False)
    assert main(["check", str(dataset)]) == 1
    err = capsys.readouterr().err.strip()
    assert err == (
        f"galaxylib check: {csv} has the column Class1.1 more than once; keep one of them "
        "(which one is right, only the file's maker knows)."
    )


def test_a_catalog_separated_by_semicolons_is_named_so(dataset, capsys):
    csv = next(dataset.glob("*.csv"))
    pd.read_csv(csv).to_csv(csv, sep=";", index=False)
    assert main(["check", str(dataset)]) == 1
    err = capsys.readouterr().err.strip()
    assert err == (
        f"galaxylib check: {csv} is separated by ';', not by commas; save it as a "
        "comma-separated CSV (the Galaxy Zoo format)."
    )


def test_an_empty_galaxylib_data_is_refused(monkeypatch, capsys):
    from galaxylib.config import data_root

    monkeypatch.setenv("GALAXYLIB_DATA", "")
    with pytest.raises(GalaxyLibError, match="GALAXYLIB_DATA is set but empty"):
        data_root()


@pytest.mark.parametrize(
    ("name", "shape"), [("one.png", (1, 1, 3)), ("strip.png", (5, 424, 3)), ("png.jpg", (4, 4, 3))]
)
def test_tiny_images_get_a_sentence_not_an_opencv_error(tmp_path, name, shape):
    path = tmp_path / name
    ok, encoded = cv2.imencode(".png", np.full(shape, 120, np.uint8))
    path.write_bytes(encoded.tobytes())
    height, width = shape[:2]
    with pytest.raises(DataError, match=f"is only {width}x{height} pixels, too small"):
        crop_file(path, Settings("improved", 32, True))


def test_a_tiny_image_in_a_catalog_becomes_a_listed_fallback(dataset):
    catalog = load_catalog(dataset)
    ok, encoded = cv2.imencode(".png", np.full((1, 1, 3), 120, np.uint8))
    catalog.image_path(catalog.ids[0]).write_bytes(encoded.tobytes())
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no OpenCV error, no stray warning
        cache = preprocess_catalog(dataset, size=32, workers=1, progress=False)
    assert list(cache.problems["GalaxyID"]) == [catalog.ids[0]]
    assert cache.problems["problem"].iloc[0].endswith("left black")


@pytest.mark.parametrize("theirs", ["model.json", "model.history.csv", "model.split.csv"])
def test_train_never_overwrites_a_file_beside_the_model(dataset, tmp_path, capsys, theirs):
    mine = tmp_path / theirs
    mine.write_text('{"mine": true}')
    out = tmp_path / "model.keras"
    status = main(["train", str(dataset), "--out", str(out), "--epochs", "1", "--size", "32"])
    assert status == 1
    err = capsys.readouterr().err.strip()
    assert err == (
        f"galaxylib train: {mine} already exists (training model.keras writes it too); "
        "pass --force (force=True) to overwrite it, or choose another --out."
    )
    assert mine.read_text() == '{"mine": true}' and not out.exists()


def test_course_models_of_another_data_set_live_apart(monkeypatch, tmp_path):
    from galaxylib import course

    monkeypatch.setenv("GALAXYLIB_DATA", str(tmp_path))
    monkeypatch.delenv("GALAXYLIB_DATASET", raising=False)
    book = course._models_folder()
    monkeypatch.setenv("GALAXYLIB_DATASET", str(tmp_path / "one"))
    one = course._models_folder()
    monkeypatch.setenv("GALAXYLIB_DATASET", str(tmp_path / "two"))
    two = course._models_folder()
    assert len({book, one, two}) == 3
    assert one.parent == two.parent == book.parent == tmp_path / "models"


@pytest.mark.parametrize("change", ["an unknown layer option", "a renamed layer"])
def test_a_model_from_a_newer_keras_or_galaxylib_is_one_sentence(tmp_path, capsys, change):
    import json
    import zipfile

    from galaxylib.models import build_model

    made = tmp_path / "made.keras"
    build_model("improved", (32, 32, 3)).save(made)
    newer = tmp_path / "newer.keras"
    with zipfile.ZipFile(made) as source, zipfile.ZipFile(newer, "w") as out:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "config.json":
                config = json.loads(data)
                layer = config["config"]["layers"][-1]  # the DecisionTree
                if change == "a renamed layer":
                    layer["class_name"] = "DecisionForest"
                    layer["registered_name"] = "galaxylib>DecisionForest"
                else:
                    layer["config"]["temperature"] = 2.0
                data = json.dumps(config).encode()
            elif item.filename == "metadata.json":
                data = json.dumps({**json.loads(data), "keras_version": "9.1.0"}).encode()
            out.writestr(item, data)
    image = tmp_path / "galaxy.jpg"
    cv2.imwrite(str(image), galaxy_image(0.5))
    assert main(["predict", str(newer), str(image)]) == 1
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "Traceback" not in err
    assert err.startswith(f"galaxylib predict: {newer} is not a Keras model that galaxylib can")
    assert err.endswith(
        "it was saved by Keras 9.1.0, this is "
        f"{__import__('keras').__version__}); load it where it was made, or train it again "
        "with `galaxylib train`."
    )


def test_a_script_without_a_main_guard_finishes(dataset, tmp_path):
    # multiprocessing would run the script again in every worker, each waiting for the
    # lock the script itself holds.
    import subprocess
    import sys

    script = tmp_path / "crop_all.py"
    script.write_text(
        "from galaxylib.preprocess import preprocess_catalog\n"
        f"cache = preprocess_catalog({str(dataset)!r}, size=32, workers=2, progress=False)\n"
        "print(len(cache), 'crops')\n"
    )
    done = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "12 crops"
    assert "waiting" not in done.stderr
