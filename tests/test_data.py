import re
import shutil

import cv2
import numpy as np
import pandas as pd
import pytest
from conftest import write_dataset

from galaxylib.data import find_layout, load_catalog, read_image, split
from galaxylib.errors import DataError
from galaxylib.taxonomy import COLUMNS


def one_sentence(message: str) -> bool:
    return "\n" not in message and message.endswith(".") and "Traceback" not in message


def test_loads_the_kaggle_layout(dataset):
    catalog = load_catalog(dataset)
    table = pd.read_csv(dataset / "training_solutions_rev1.csv")
    assert len(catalog) == 12
    assert list(catalog.labels.columns) == ["GalaxyID", *COLUMNS]
    assert catalog.labels["GalaxyID"].dtype == np.int64
    np.testing.assert_allclose(catalog.targets, table[list(COLUMNS)], atol=1e-6)
    assert catalog.targets.dtype == np.float32
    assert catalog.skipped.empty
    image = catalog.read_image(catalog.ids[0])
    assert image.shape == (424, 424, 3) and image.dtype == np.uint8


def test_loads_the_reports_layout_and_prefers_kaggles(tmp_path):
    write_dataset(tmp_path, 3, layout=("training_solutions.csv", "images_training"))
    csv, images = find_layout(tmp_path)
    assert (csv.name, images.name) == ("training_solutions.csv", "images_training")
    assert len(load_catalog(tmp_path)) == 3
    write_dataset(tmp_path, 5)
    assert find_layout(tmp_path)[0].name == "training_solutions_rev1.csv"
    assert len(load_catalog(tmp_path)) == 5


def test_subset_keeps_the_order_asked_for(dataset):
    catalog = load_catalog(dataset)
    ids = catalog.ids[[5, 0, 3]]
    sub = catalog.subset(ids)
    assert list(sub.ids) == list(ids)
    np.testing.assert_array_equal(sub.targets[1], catalog.targets[0])


def test_read_image_returns_rgb(tmp_path):
    bgr = np.zeros((424, 424, 3), np.uint8)
    bgr[..., 2] = 250  # red in OpenCV's BGR order
    cv2.imwrite(str(tmp_path / "red.png"), bgr)
    assert read_image(tmp_path / "red.png")[0, 0].tolist() == [250, 0, 0]


def test_missing_catalog(tmp_path):
    with pytest.raises(DataError) as err:
        load_catalog(tmp_path)
    message = str(err.value)
    assert str(tmp_path) in message and "training_solutions_rev1.csv" in message
    assert "galaxylib synth" in message and one_sentence(message)


def test_missing_image_folder(dataset):
    shutil.rmtree(dataset / "images_training_rev1")
    with pytest.raises(DataError, match="images_training_rev1/ holding"):
        load_catalog(dataset)


def edit_csv(root, edit):
    path = root / "training_solutions_rev1.csv"
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    table = edit(table)
    table.to_csv(path, index=False)


@pytest.mark.parametrize(
    ("edit", "pattern"),
    [
        (lambda t: t.drop(columns="Class5.3"), r"lacks the columns Class5\.3;"),
        (
            lambda t: t.rename(columns={"Class1.1": "class1.1"}),
            r"lacks the columns Class1\.1 and has unexpected columns class1\.1",
        ),
        (lambda t: t.drop(columns="GalaxyID"), r"lacks the columns GalaxyID"),
    ],
)
def test_wrong_or_missing_columns(dataset, edit, pattern):
    edit_csv(dataset, edit)
    with pytest.raises(DataError, match=pattern) as err:
        load_catalog(dataset)
    assert "training_solutions_rev1.csv" in str(err.value) and one_sentence(str(err.value))


def set_cell(row, column, value):
    def edit(table):
        table.loc[row, column] = value
        return table

    return edit


@pytest.mark.parametrize(
    ("edit", "line", "pattern"),
    [
        (set_cell(3, "Class4.2", "abc"), 5, r"Class4\.2 = 'abc' is not a number"),
        (set_cell(0, "Class9.1", "NaN"), 2, r"Class9\.1 = 'NaN' is not a number"),
        (set_cell(6, "Class9.1", ""), 8, r"Class9\.1 = '' is not a number"),
        (set_cell(2, "Class6.1", "1.5"), 4, r"Class6\.1 = '1\.5' is outside 0 to 1"),
        (set_cell(4, "GalaxyID", "10x"), 6, r"GalaxyID '10x' is not a whole number"),
        (
            set_cell(7, "GalaxyID", "100008"),
            9,
            r"GalaxyID 100008 appears again \(first on line 2\)",
        ),
        (set_cell(1, "Class3.1", "0.9"), 3, r"the answers to Q3 sum to .* decision tree needs"),
    ],
)
def test_bad_rows_name_their_line(dataset, edit, line, pattern):
    edit_csv(dataset, edit)
    with pytest.raises(DataError) as err:
        load_catalog(dataset)
    message = str(err.value)
    assert f"training_solutions_rev1.csv, line {line}: " in message
    assert re.search(pattern, message), message
    assert "skip_bad=True" in message and one_sentence(message)


def test_missing_image_names_the_row(dataset):
    catalog = load_catalog(dataset)
    (dataset / "images_training_rev1" / f"{catalog.ids[4]}.jpg").unlink()
    with pytest.raises(
        DataError, match=rf"line 6: its image images_training_rev1/{catalog.ids[4]}\.jpg is missing"
    ):
        load_catalog(dataset)


def test_skip_bad_reports_how_many_and_which(dataset):
    edit_csv(dataset, set_cell(3, "Class4.2", "abc"))
    edit_csv(dataset, set_cell(1, "Class3.1", "0.9"))
    ids = load_catalog(dataset, skip_bad=True).labels["GalaxyID"]
    (dataset / "images_training_rev1" / f"{ids.iloc[-1]}.jpg").unlink()
    catalog = load_catalog(dataset, skip_bad=True)
    assert len(catalog) == 9
    assert list(catalog.skipped["line"]) == [3, 5, 13]
    assert catalog.skipped["reason"].str.len().gt(10).all()
    assert not catalog.labels["GalaxyID"].isin(catalog.skipped["GalaxyID"].astype(int)).any()


def break_image(dataset, gid, how):
    path = dataset / "images_training_rev1" / f"{gid}.jpg"
    if how == "truncated":
        path.write_bytes(path.read_bytes()[:3000])
    elif how == "not an image":
        path.write_bytes(b"this is not a picture")
    else:
        cv2.imwrite(str(path), np.zeros((300, 300, 3), np.uint8))
    return path


@pytest.mark.parametrize(
    ("how", "pattern"),
    [
        ("truncated", "is a truncated JPEG"),
        ("not an image", "is not a readable image"),
        ("wrong size", "is 300x300 pixels, but Galaxy Zoo images are 424x424"),
    ],
)
def test_bad_images(dataset, how, pattern):
    gid = load_catalog(dataset).ids[2]
    path = break_image(dataset, gid, how)
    with pytest.raises(DataError, match=pattern) as err:
        read_image(path)
    assert str(path) in str(err.value) and one_sentence(str(err.value))
    load_catalog(dataset)  # images are not decoded unless asked
    with pytest.raises(DataError, match=rf"line 4: .*{pattern}"):
        load_catalog(dataset, verify_images=True)
    catalog = load_catalog(dataset, verify_images=True, skip_bad=True)
    assert list(catalog.skipped["GalaxyID"]) == [gid]
    assert len(catalog) == 11


def test_any_size_when_asked(tmp_path):
    cv2.imwrite(str(tmp_path / "small.jpg"), np.zeros((60, 80, 3), np.uint8))
    assert read_image(tmp_path / "small.jpg", size=None).shape == (60, 80, 3)
    with pytest.raises(DataError, match="does not exist"):
        read_image(tmp_path / "absent.jpg")


def test_split_reproduces_the_reports_sizes():
    parts = split(np.arange(100000, 161578))
    assert parts.sizes() == {"train": 39409, "val": 12316, "test": 9853}
    together = np.concatenate([parts.train, parts.val, parts.test])
    assert len(np.unique(together)) == 61578


def test_split_is_deterministic_and_independent_of_order():
    ids = np.arange(1000, 3000)
    a = split(ids, seed=7)
    b = split(np.random.default_rng(0).permutation(ids), seed=7)
    for part in ("train", "val", "test"):
        np.testing.assert_array_equal(getattr(a, part), getattr(b, part))
    assert not np.array_equal(split(ids, seed=8).test, a.test)


def test_split_refuses_the_reports_none_seed():
    import random

    with pytest.raises(TypeError, match="None would not be reproducible"):
        split(np.arange(10), seed=random.seed(42))
    with pytest.raises(DataError, match="duplicates"):
        split(np.array([1, 2, 2]))
