import dataclasses

import numpy as np
import pandas as pd
import pytest

from galaxylib.baselines import mean_rmse
from galaxylib.course.checks.common import random_fractions
from galaxylib.data import Catalog, split
from galaxylib.metrics import CLEAR_CASES, clear_cases, gap_closed, margin_interval
from galaxylib.taxonomy import COLUMNS


def test_gap_closed_runs_from_the_mean_benchmark_to_the_noise_floor():
    assert gap_closed(0.16, 0.16, 0.04) == 0
    assert gap_closed(0.04, 0.16, 0.04) == 1
    assert gap_closed(0.10, 0.16, 0.04) == pytest.approx(0.5)
    assert gap_closed(0.20, 0.16, 0.04) < 0  # worse than predicting the average galaxy
    with pytest.raises(ValueError, match="above the noise floor"):
        gap_closed(0.1, 0.04, 0.04)


def test_mean_rmse_is_the_mean_benchmark_fitted_on_the_training_split():
    table = pd.DataFrame(random_fractions(200, np.random.default_rng(5)), columns=list(COLUMNS))
    table.insert(0, "GalaxyID", np.arange(100_000, 100_200))
    catalog = Catalog(labels=table, images_dir=None, csv_path=None)
    parts = split(catalog.ids, seed=42)
    values = table.set_index("GalaxyID")[list(COLUMNS)]
    train_mean = values.loc[parts.train].to_numpy().mean(axis=0)
    for on in ("test", "val"):
        scored = values.loc[getattr(parts, on)].to_numpy()
        expected = np.sqrt(np.mean((scored - train_mean) ** 2))
        assert mean_rmse(catalog, parts, on=on) == pytest.approx(expected)
    assert mean_rmse(catalog, parts) == mean_rmse(catalog, parts, on="test")
    assert mean_rmse(catalog, parts, on="val") != mean_rmse(catalog, parts)
    with pytest.raises(ValueError, match="on must be 'test' or 'val', not 'train'"):
        mean_rmse(catalog, parts, on="train")


def test_clear_cases_counts_the_clear_galaxies_a_network_commits_on():
    edge_on, bar = COLUMNS.index("Class2.1"), COLUMNS.index("Class3.1")
    truth = np.zeros((6, 37))
    truth[:3, edge_on] = [0.9, 0.7, 0.59]  # the third is not clear
    truth[3:, bar] = [0.8, 0.5, 0.2]
    pred = np.zeros((6, 37))
    pred[:3, edge_on] = [0.55, 0.4, 0.9]
    pred[3:, bar] = [0.31, 0.29, 0.6]
    table = clear_cases(pred, truth)
    assert table.loc["edge_on", ["galaxies", "seen"]].tolist() == [2, 1]
    assert table.loc["bar", ["galaxies", "seen"]].tolist() == [2, 1]
    assert table.loc["bar", "share"] == 0.5
    assert table.loc["bar", "largest"] == 0.6
    assert set(table.index) == set(CLEAR_CASES)
    assert np.isnan(clear_cases(pred[:0], truth[:0]).loc["bar", "share"])


def test_margin_interval_says_when_the_test_galaxies_can_tell_two_models_apart():
    rng = np.random.default_rng(3)
    truth = random_fractions(2000, rng)
    good = truth + rng.normal(0, 0.05, truth.shape)
    bad = truth + rng.normal(0, 0.08, truth.shape)
    low, high = margin_interval(good, bad, truth)
    assert 0 < low < high  # b is worse on every plausible draw of the test galaxies
    assert low < np.sqrt(np.mean((bad - truth) ** 2)) - np.sqrt(np.mean((good - truth) ** 2))
    twin = truth + rng.normal(0, 0.05, truth.shape)  # as good as `good`, other mistakes
    low, high = margin_interval(good, twin, truth)
    assert low < 0 < high
    assert margin_interval(good, twin, truth) == (low, high)  # seeded: the same every run


@pytest.mark.slow
@pytest.mark.parametrize("stored", [False, True], ids=["trained", "stored"])
def test_bench_quality_figures_can_be_recomputed_from_what_it_writes(
    tmp_path, monkeypatch, capsys, stored
):
    from galaxylib.config import PROFILES, Profile
    from galaxylib.course import networks
    from galaxylib.data import load_catalog
    from galaxylib.metrics import rmse
    from galaxylib.synthetic import sky_noise_floor
    from galaxylib.tools.cli import main
    from galaxylib.tools.model_files import ModelFiles

    monkeypatch.delenv("GALAXYLIB_DATASET", raising=False)
    if stored:  # the small profile's stored networks, on a sky of 80 galaxies
        small = dataclasses.replace(PROFILES["small"], n_galaxies=80)
        monkeypatch.setitem(PROFILES, "small", small)
        monkeypatch.setenv("GALAXYLIB_PROFILE", "small")
    else:  # no stored network fits this profile: both are trained on the sky
        tiny = Profile("tiny", n_galaxies=80, image_size=32, epochs=2, batch_size=16)
        monkeypatch.setitem(PROFILES, "tiny", tiny)
        monkeypatch.setenv("GALAXYLIB_PROFILE", "tiny")
    assert main(["bench", "quality", "--seed", "3", "--out", str(tmp_path), "--workers", "1"]) == 0
    last = capsys.readouterr().out.strip().splitlines()[-1]
    figures = dict(pair.split("=") for pair in last.split())
    assert set(figures) >= {
        "improved_rmse",
        "report_rmse",
        "mean_rmse",
        "floor_rmse",
        "improved_gap",
        "report_gap",
        "margin_low",
        "margin_high",
        "train_s",
    }
    catalog = load_catalog(tmp_path / "sky")
    assert len(catalog) == 80
    parts = split(catalog.ids, seed=42)
    labels = catalog.labels.set_index("GalaxyID")[list(COLUMNS)]
    written = {}
    for name in ("improved", "report"):
        pred = pd.read_csv(tmp_path / f"test_predictions_{name}.csv").set_index("GalaxyID")
        written[name] = pred[list(COLUMNS)]
        assert sorted(pred.index) == sorted(parts.test)
        again = rmse(pred[list(COLUMNS)].to_numpy(), labels.loc[pred.index].to_numpy())
        assert float(figures[f"{name}_rmse"]) == pytest.approx(again, rel=1e-3)
        gap = gap_closed(
            again, mean_rmse(catalog, parts), sky_noise_floor(tmp_path / "sky", parts.test)
        )
        assert float(figures[f"{name}_gap"]) == pytest.approx(gap, rel=1e-2, abs=1e-3)
        assert (tmp_path / "models" / f"{name}.keras").exists()
        made = ModelFiles(tmp_path / "models" / f"{name}.keras").read_settings()
        if not stored:  # trained here as the chapters train theirs: with the stored remedies
            assert {s: bool(made.get(s)) for s in networks.SWITCHES} == networks.recipe(name)
    ids = written["improved"].index  # the margin, from the same galaxies' answers
    margin = margin_interval(
        written["improved"].to_numpy(), written["report"].loc[ids].to_numpy(), labels.loc[ids]
    )
    assert [float(figures["margin_low"]), float(figures["margin_high"])] == pytest.approx(
        margin, abs=1e-4
    )
    assert float(figures["train_s"]) > 0
    assert figures["stored"] == str(int(stored))
    if stored:
        record = networks.provenance()["networks"]
        recorded = sum(record[name]["train_s"] for name in networks.NAMES)
        assert float(figures["train_s"]) == pytest.approx(recorded, abs=0.1)
        for name in networks.NAMES:
            assert networks.installed(name, tmp_path / "models" / f"{name}.keras")
