import numpy as np
import pytest
from conftest import write_dataset

from galaxylib.baselines import (
    BASELINES,
    CENTER_COLUMNS,
    CentralPixelBenchmark,
    image_features,
    run_baselines,
)
from galaxylib.data import load_catalog, split
from galaxylib.metrics import rmse


@pytest.fixture(scope="module")
def catalog(tmp_path_factory):
    root = tmp_path_factory.mktemp("gz")
    write_dataset(root, 150, seed=11)
    return load_catalog(root)


def test_image_features_are_the_centre_and_the_average(catalog):
    ids = catalog.ids[:5]
    features = image_features(catalog, ids, workers=2, progress=False)
    assert list(features.index) == list(ids)
    for gid in ids:
        image = catalog.read_image(gid)
        np.testing.assert_array_equal(features.loc[gid, CENTER_COLUMNS], image[212, 212])
        # to the last bit: the chapters' baseline figures must not move
        np.testing.assert_array_equal(
            features.loc[gid, ["mean_r", "mean_g", "mean_b"]], image.reshape(-1, 3).mean(axis=0)
        )


def test_central_pixel_benchmark_averages_galaxies_of_one_colour():
    X = np.array([[10, 10, 10], [20, 15, 5], [200, 100, 50], [250, 250, 250]])
    y = np.array([[1.0, 0.0], [0.0, 1.0], [0.3, 0.3], [0.9, 0.9]])
    model = CentralPixelBenchmark(levels=8).fit(X, y)
    pred = model.predict(np.array([[5, 5, 5], [201, 101, 51], [120, 0, 250]]))
    np.testing.assert_allclose(pred[0], [0.5, 0.5])  # same cell as the first two
    np.testing.assert_allclose(pred[1], [0.3, 0.3])
    np.testing.assert_allclose(pred[2], y.mean(axis=0))  # colour never seen: the mean


def test_run_baselines_scores_all_four_on_the_test_split(catalog):
    parts = split(catalog.ids, seed=1)
    table = run_baselines(catalog, parts, workers=2, progress=False)
    assert list(table["benchmark"]) == list(BASELINES)
    assert list(table["report_rmse"]) == [0.1639, 0.16194, 0.1577, 0.1597]
    scores = table.set_index("benchmark")["rmse"]
    test = catalog.subset(parts.test).targets
    mean = catalog.subset(parts.train).targets.mean(axis=0)
    assert scores["mean confidence"] == pytest.approx(rmse(mean, test))
    # the test images encode Class1.1 in the colour of their centre, so a pixel helps
    assert scores["linear regression, central pixel"] < scores["mean confidence"]
    assert scores["central-pixel benchmark"] < scores["mean confidence"]


def test_streaming_reads_each_image_once(catalog, monkeypatch):
    reads = []
    original = type(catalog).read_image

    def counting(self, gid):
        reads.append(gid)
        return original(self, gid)

    monkeypatch.setattr(type(catalog), "read_image", counting)
    parts = split(catalog.ids, seed=2)
    run_baselines(catalog, parts, workers=1, progress=False)
    assert sorted(reads) == sorted(np.concatenate([parts.train, parts.test]).tolist())
