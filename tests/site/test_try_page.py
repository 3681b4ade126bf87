"""The "Try the network" page in a real browser: galaxylib predict's answers, offline.

The page crops an image and runs a stored network (exported to ONNX by the build) with
ONNX Runtime for the web. Its answers are compared here with those of
:func:`galaxylib.evaluation.predict_files` -- what ``galaxylib predict`` runs -- on the
same files, for both networks: the page's example galaxies, an image of another size read
from a file, and a file that is no image.
"""

import json
import warnings
from pathlib import Path

import cv2
import numpy as np
import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from galaxylib.course import networks
from galaxylib.errors import DataError
from galaxylib.evaluation import load_model, predict_files
from galaxylib.preprocess import crop_box, crop_file

ROOT = Path(__file__).resolve().parents[2]
FOLDER = ROOT / "_build" / "site" / "_static" / "try"  # the student edition's
PAGE = "chapters/try_the_network.html"
NETWORKS = json.loads((FOLDER / "networks.json").read_text())
EXAMPLES = [example["file"] for example in NETWORKS["examples"]]

ANSWERS_WITHIN = 0.01
"""Largest difference allowed between an answer of the page and of ``galaxylib predict``.

A PNG is decoded the same way in both, and the page's crop is then the same, pixel for
pixel (tested). A JPEG is not: OpenCV decodes it at a reduced size inside libjpeg, the
browser decodes it whole and the page averages blocks of pixels, so a crop may differ by
a few grey levels; the answers then differ by up to 0.0062 (measured on the examples)."""


@pytest.fixture(scope="module")
def page(server, browser):
    browser.get(f"{server}/{PAGE}")
    WebDriverWait(browser, 60).until(lambda b: _root(b).get_attribute("data-ready"))
    return browser


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    folder = tmp_path_factory.mktemp("models")
    return {
        name: load_model(networks.install(name, folder / f"{name}.keras"))
        for name in NETWORKS["networks"]
    }


def _root(browser):
    return browser.find_element(By.ID, "try-network")


def _result(browser, file: str, network: str) -> dict:
    def done(b):
        text = _root(b).get_attribute("data-result")
        result = json.loads(text) if text else {}
        return (
            result
            if result.get("file") == file and result.get("network", network) == network
            else None
        )

    return WebDriverWait(browser, 60).until(done)


def _choose_network(browser, network: str) -> None:
    browser.find_element(By.CSS_SELECTOR, f"input[name=network][value={network}]").click()


def _python(model, path: Path) -> tuple[np.ndarray, object]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a photograph is not 424x424: predict says so
        table = predict_files(model, [path])
    return table.iloc[0, 2:].to_numpy(float), crop_box(path, model.preprocessing)


def _compare(result: dict, model, path: Path) -> float:
    answers, box = _python(model, path)
    difference = float(np.abs(np.array(result["answers"]) - answers).max())
    assert difference <= ANSWERS_WITHIN, f"{path.name}: answers differ by {difference:.3f}"
    height, width = cv2.imread(str(path)).shape[:2]
    pixel = max(height, width) / NETWORKS["locate"]["locate_side"]  # of the small copy
    for key in ("x", "y", "side"):
        assert abs(result["box"][key] - getattr(box, key)) <= pixel, (path.name, key)
    if path.suffix == ".png":  # decoded alike: the very same crop
        crop, _ = crop_file(path, model.preprocessing)
        assert np.array_equal(np.array(result["crop"], np.uint8).reshape(crop.shape), crop)
    return difference


@pytest.mark.parametrize("network", list(NETWORKS["networks"]))
def test_each_example_gets_the_answers_galaxylib_predict_gives(page, models, network):
    assert sum(f.endswith(".jpg") for f in EXAMPLES) >= 5  # the synthetic sky's
    assert sum(f.endswith(".png") for f in EXAMPLES) >= 3  # chapter 8's photographs
    _choose_network(page, network)
    for file in EXAMPLES:
        page.find_element(By.CSS_SELECTOR, f".examples button[data-file='{file}']").click()
        result = _result(page, file, network)
        _compare(result, models[network], FOLDER / "examples" / file)
        assert page.find_element(By.CSS_SELECTOR, ".reading").text  # a line was written
        bars = page.find_elements(By.CSS_SELECTOR, "svg.answers rect.bar")
        assert len(bars) == 37


@pytest.mark.parametrize("suffix", [".png", ".jpg"])
def test_an_image_of_any_size_is_read_from_a_file(page, models, tmp_path, suffix):
    # A wide image, cut off-centre from a photograph: not the square a network trained on.
    photo = cv2.imread(str(FOLDER / "examples" / "n1398.png"))
    path = tmp_path / f"my galaxy{suffix}"
    cv2.imwrite(str(path), cv2.resize(photo[40:440, :], (600, 400), interpolation=cv2.INTER_AREA))
    _choose_network(page, "improved")
    page.find_element(By.CSS_SELECTOR, "input[type=file]").send_keys(str(path))
    result = _result(page, path.name, "improved")
    _compare(result, models["improved"], path)
    assert "600×400 pixels" in page.find_element(By.CSS_SELECTOR, ".status").text


def test_an_image_too_small_gets_the_sentence_galaxylib_predict_says(
    page, models, tmp_path, console_errors
):
    path = tmp_path / "dot.png"
    cv2.imwrite(str(path), np.full((1, 1, 3), 128, np.uint8))
    page.find_element(By.CSS_SELECTOR, "input[type=file]").send_keys(str(path))
    result = _result(page, path.name, "improved")
    assert "error" in result
    with pytest.raises(DataError) as python:
        predict_files(models["improved"], [path])
    assert page.find_element(By.CSS_SELECTOR, ".status").text == str(python.value).replace(
        str(path), path.name
    )
    assert console_errors(page) == []


def test_a_file_that_is_no_image_gets_one_sentence(page, tmp_path, console_errors):
    path = tmp_path / "notes.txt"
    path.write_text("not a galaxy\n")
    page.find_element(By.CSS_SELECTOR, "input[type=file]").send_keys(str(path))
    result = _result(page, path.name, "improved")
    assert "error" in result
    status = page.find_element(By.CSS_SELECTOR, ".status").text
    assert status.startswith("notes.txt could not be read as an image")
    assert status.endswith("choose a JPEG or PNG file.")
    assert console_errors(page) == []


def test_the_page_runs_on_this_site_alone(page, server):
    loaded = page.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
    own = [url for url in loaded if url.endswith((".onnx", ".wasm", ".mjs", ".json"))]
    assert {Path(url).suffix for url in own} == {".onnx", ".wasm", ".mjs", ".json"}
    assert all(url.startswith(server) for url in own), own


@pytest.mark.parametrize("network", list(NETWORKS["networks"]))
def test_the_note_gives_the_networks_record(page, network):
    from galaxylib.course import REMEDY_RECORD

    _choose_network(page, network)
    note = page.find_element(By.CSS_SELECTOR, ".network-note").text
    record = networks.provenance()["networks"][network]
    remedies = json.loads(REMEDY_RECORD.read_text())
    row = next(
        r
        for r in remedies["rows"]
        if r["network"] == network and r["remedy"] == remedies["stored"][network]
    )
    assert f"for {record['settings']['epochs']} epochs" in note
    assert f"RMSE {row['sky_rmse']:.4f}" in note
    assert f"smooth {row['auc']['smooth']['auc']:.2f}" in note
    assert f"barred {row['auc']['barred']['auc']:.2f}" in note
