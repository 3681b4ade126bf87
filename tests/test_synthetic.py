"""The synthetic Galaxy Zoo: its layout, determinism, labels, noise floor and statistics."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from galaxylib.course.plots import plot_gallery
from galaxylib.data import IMAGE_SIZE, load_catalog, read_image
from galaxylib.errors import GalaxyLibError
from galaxylib.synthetic import EXPECTED_PREFIX, noise_floor, sample_catalog
from galaxylib.taxonomy import COLUMNS, check_tree
from galaxylib.tools import cli
from galaxylib.tools.sky import make_sky

N = 60
EXPECTED = [EXPECTED_PREFIX + c for c in COLUMNS]
REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def sky(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small synthetic sky, made with two processes."""
    out = tmp_path_factory.mktemp("sky") / "gz"
    make_sky(out, N, seed=3, workers=2, progress=False)
    return out


@pytest.fixture(scope="module")
def stats() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Labels and truth of 3000 galaxies, without images."""
    return sample_catalog(3000, seed=11)


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_layout_is_kaggles(sky: Path) -> None:
    assert sorted(p.name for p in sky.iterdir()) == [
        "images_training_rev1",
        "sky.json",
        "training_solutions_rev1.csv",
        "truth.csv",
    ]
    header = (sky / "training_solutions_rev1.csv").read_text().splitlines()[0]
    assert header.split(",") == ["GalaxyID", *COLUMNS]
    catalog = load_catalog(sky, verify_images=True)
    assert len(catalog) == N
    assert len(set(catalog.ids)) == N
    assert all(100000 <= gid <= 999999 for gid in catalog.ids)
    jpegs = sorted((sky / "images_training_rev1").iterdir())
    assert [p.name for p in jpegs] == sorted(f"{gid}.jpg" for gid in catalog.ids)
    image = read_image(jpegs[0])
    assert image.shape == (IMAGE_SIZE, IMAGE_SIZE, 3) and image.dtype == np.uint8


def test_images_look_like_sky(sky: Path) -> None:
    catalog = load_catalog(sky)
    images = np.stack([catalog.read_image(gid) for gid in catalog.ids[:20]]).astype(float)
    corners = images[:, :40, :40].mean()
    centres = images[:, 200:224, 200:224].mean()
    assert corners < 30, "the sky should be near black"
    assert centres > 3 * corners + 20, "the galaxy should stand out at the centre"
    assert images[:, :40, :40].std() > 1, "the sky should have noise"


def test_same_seed_same_bytes_whatever_the_workers(sky: Path, tmp_path: Path) -> None:
    again = tmp_path / "again"
    make_sky(again, N, seed=3, workers=1, progress=False)
    for name in ("training_solutions_rev1.csv", "truth.csv", "sky.json"):
        assert _digest(sky / name) == _digest(again / name), name
    for jpeg in sorted((sky / "images_training_rev1").iterdir())[:: N // 6]:
        assert _digest(jpeg) == _digest(again / "images_training_rev1" / jpeg.name)


def test_another_seed_another_sky(sky: Path, tmp_path: Path) -> None:
    other = tmp_path / "other"
    make_sky(other, N, seed=4, workers=1, progress=False)
    assert _digest(sky / "training_solutions_rev1.csv") != _digest(
        other / "training_solutions_rev1.csv"
    )


def test_every_row_obeys_the_tree(sky: Path, stats: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    labels = pd.read_csv(sky / "training_solutions_rev1.csv")
    truth = pd.read_csv(sky / "truth.csv")
    assert check_tree(labels).empty
    assert check_tree(truth[EXPECTED].to_numpy()).empty
    big_labels, big_truth = stats
    assert check_tree(big_labels).empty
    assert check_tree(big_truth[EXPECTED].to_numpy()).empty
    assert np.allclose(big_labels[["Class6.1", "Class6.2"]].sum(axis=1), 1, atol=1e-5)


def test_truth_has_its_parameters(sky: Path) -> None:
    truth = pd.read_csv(sky / "truth.csv")
    for column in (
        "kind",
        "x",
        "y",
        "r90_px",
        "inclination",
        "bar",
        "arms",
        "pitch",
        "bulge_fraction",
        "odd",
        "mag",
        "n_volunteers",
        *EXPECTED,
    ):
        assert column in truth.columns
    assert truth["n_volunteers"].min() >= 10
    assert truth["x"].between(200, 224).all() and truth["y"].between(200, 224).all()


def test_expected_fractions_follow_the_truth(stats: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    _, truth = stats
    expected = truth[EXPECTED].to_numpy()
    assert ((expected >= 0) & (expected <= 1)).all()
    smooth = truth[EXPECTED_PREFIX + "Class1.1"]
    kind = truth["kind"]
    assert smooth[kind == "elliptical"].mean() > smooth[kind == "disc"].mean() + 0.3
    edge_on = (kind == "disc") & (truth["inclination"] > 85) & (truth["visibility"] > 0.5)
    assert truth.loc[edge_on, EXPECTED_PREFIX + "Class2.1"].mean() > 0.5
    assert (truth.loc[kind == "star", EXPECTED_PREFIX + "Class1.3"] > 0.5).all()
    spiral = truth[EXPECTED_PREFIX + "Class4.1"] / truth[EXPECTED_PREFIX + "Class2.2"]
    visible_arms = (truth["arm_strength"] > 0.6) & (truth["inclination"] < 50)
    assert spiral[visible_arms].mean() > spiral[truth["arms"] == 0].mean() + 0.2
    # small galaxies look smoother, as the volunteers of Galaxy Zoo saw them
    discs = truth[kind == "disc"]
    small = discs["r90_arcsec"] < discs["r90_arcsec"].quantile(0.25)
    large = discs["r90_arcsec"] > discs["r90_arcsec"].quantile(0.75)
    column = EXPECTED_PREFIX + "Class1.1"
    assert discs.loc[small, column].mean() > discs.loc[large, column].mean() + 0.1


def test_noise_floor_is_reported_and_recomputable(sky: Path) -> None:
    labels = pd.read_csv(sky / "training_solutions_rev1.csv")
    truth = pd.read_csv(sky / "truth.csv")
    difference = labels[list(COLUMNS)].to_numpy() - truth[EXPECTED].to_numpy()
    floor = float(np.sqrt(np.mean(difference**2)))
    assert noise_floor(labels, truth) == pytest.approx(floor, abs=1e-9)
    assert json.loads((sky / "sky.json").read_text())["noise_floor"] == pytest.approx(
        floor, abs=1e-6
    )
    assert 0.01 < floor < 0.1


def test_class_statistics_look_like_galaxy_zoo(
    stats: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    labels, _ = stats
    values = labels[list(COLUMNS)].to_numpy()
    counts = pd.Series((values >= 0.5).sum(axis=0), index=COLUMNS)
    top = counts.sort_values(ascending=False)
    assert top.index[0] == "Class6.2"
    assert set(top.index[:4]) == {"Class6.2", "Class1.2", "Class2.2", "Class1.1"}
    assert counts["Class1.3"] < 0.005 * len(labels)
    means = pd.Series(values.mean(axis=0), index=COLUMNS)
    for column, real in {"Class1.1": 0.43, "Class1.2": 0.54, "Class6.2": 0.78}.items():
        assert means[column] == pytest.approx(real, abs=0.08), column
    # answers of one question anticorrelate
    assert labels["Class1.1"].corr(labels["Class1.2"]) < -0.8
    assert labels["Class6.1"].corr(labels["Class6.2"]) < -0.99


def test_mean_confidence_baseline_is_near_the_reports(
    stats: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    labels, truth = stats
    values = labels[list(COLUMNS)].to_numpy()
    train, test = values[:2000], values[2000:]
    mean_rmse = float(np.sqrt(np.mean((test - train.mean(axis=0)) ** 2)))
    assert 0.14 < mean_rmse < 0.19  # the report's 0.1639 on the real data
    assert noise_floor(labels, truth) < mean_rmse / 2


def test_refuses_to_overwrite_without_force(tmp_path: Path, capsys) -> None:
    out = tmp_path / "gz"
    make_sky(out, 3, workers=1, progress=False)
    first = _digest(out / "training_solutions_rev1.csv")
    with pytest.raises(GalaxyLibError, match="--force"):
        make_sky(out, 3, seed=1, workers=1, progress=False)
    assert cli.main(["synth", "--out", str(out), "--n", "3", "--workers", "1"]) == 1
    err = capsys.readouterr().err
    assert "--force" in err and "Traceback" not in err
    assert _digest(out / "training_solutions_rev1.csv") == first
    report = make_sky(out, 4, seed=1, workers=1, force=True, progress=False)
    assert len(load_catalog(out)) == 4 == report.n
    assert len(list((out / "images_training_rev1").iterdir())) == 4
    assert not [p for p in out.iterdir() if p.name.startswith(".")], "no staging left behind"


def test_cli_synth_prints_a_report(tmp_path: Path, capsys) -> None:
    out = tmp_path / "gz"
    assert cli.main(["synth", "--out", str(out), "--n", "3", "--workers", "1"]) == 0
    printed = capsys.readouterr().out
    assert "3 synthetic galaxies" in printed and "noise floor" in printed


def test_bad_sizes_are_refused(tmp_path: Path) -> None:
    with pytest.raises(GalaxyLibError, match="--n"):
        make_sky(tmp_path / "gz", 0, progress=False)
    with pytest.raises(GalaxyLibError, match="--workers"):
        make_sky(tmp_path / "gz", 3, workers=0, progress=False)


def test_gallery_shows_every_answer(sky: Path) -> None:
    figure = plot_gallery(load_catalog(sky))
    with_images = [ax for ax in figure.axes if ax.images]
    assert len(with_images) == len(COLUMNS)
    assert with_images[0].get_title().startswith("Class1.1: Smooth")


def test_default_sky_is_made_once_per_profile(tmp_path, monkeypatch):
    from galaxylib import config
    from galaxylib.tools.sky import default_sky

    monkeypatch.setenv("GALAXYLIB_DATA", str(tmp_path))
    monkeypatch.setitem(config.PROFILES, "tiny", config.Profile("tiny", 12, 32, 1, 4))
    sky = default_sky("tiny")
    assert sky == tmp_path / "sky-tiny"
    assert len(load_catalog(sky)) == 12
    stamp = (sky / "training_solutions_rev1.csv").stat().st_mtime_ns
    assert default_sky("tiny") == sky
    assert (sky / "training_solutions_rev1.csv").stat().st_mtime_ns == stamp


SKY_CHILD = """from galaxylib import config
from galaxylib.course import course_data

config.PROFILES["tiny"] = config.Profile("tiny", 12, 32, 1, 4)
print(course_data())
"""


def test_two_notebooks_asking_for_the_sky_at_once_make_it_once(tmp_path):
    from galaxylib.tools.files import exclusive

    sky = tmp_path / "sky-tiny"
    env = {**os.environ, "GALAXYLIB_DATA": str(tmp_path), "GALAXYLIB_PROFILE": "tiny"}
    env.pop("GALAXYLIB_DATASET", None)
    with exclusive(tmp_path / "course"):  # both find the data being made, and wait
        children = [
            subprocess.Popen(
                [sys.executable, "-c", SKY_CHILD],
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(2)
        ]
        for child in children:
            assert child.stderr.readline() == (
                f"Another notebook is making the data in {tmp_path}; waiting for it.\n"
            )
    said = [child.communicate()[0] for child in children]
    assert all(child.returncode == 0 for child in children)
    assert all(out.endswith(f"{sky}\n") for out in said)
    assert sum("galaxies/s" in out for out in said) == 1  # one made it, the other found it
    assert len(load_catalog(sky)) == 12


def test_typical_galaxies_pick_the_clearest_example_of_each_morphology():
    from galaxylib.synthetic import typical_galaxies

    _, truth = sample_catalog(3000, seed=3)
    examples = typical_galaxies(truth, brightest_mag=0)
    assert list(examples.index) == [
        "elliptical",
        "spiral",
        "barred spiral",
        "edge-on disc",
        "merger",
        "irregular",
        "star",
    ]
    by_id = truth.set_index("GalaxyID")
    spiral = by_id.loc[examples.at["spiral", "GalaxyID"]]
    assert spiral["kind"] == "disc" and spiral["arms"] >= 2 and spiral["bar"] < 0.2
    discs = truth.query("kind == 'disc' and odd == 'none'")
    assert examples.at["edge-on disc", "expected"] == discs["expected_Class2.1"].max()
    assert by_id.loc[examples.at["merger", "GalaxyID"], "odd"] == "merger"
    faint = typical_galaxies(truth, brightest_mag=15)
    assert (by_id.loc[faint["GalaxyID"], "mag"] >= 15).all()
    chosen = typical_galaxies(truth, brightest_mag=0, morphologies=["star", "spiral"])
    assert list(chosen.index) == ["star", "spiral"]
    assert chosen.loc["spiral"].equals(examples.loc["spiral"])
    with pytest.raises(GalaxyLibError, match="No morphology 'quasar'; choose among elliptical"):
        typical_galaxies(truth, morphologies=["quasar"])


def test_default_sky_is_made_again_when_the_profile_or_the_schema_changed(
    tmp_path, monkeypatch, capsys
):
    from galaxylib import config
    from galaxylib.synthetic import SKY_FILE
    from galaxylib.tools.sky import default_sky

    monkeypatch.setenv("GALAXYLIB_DATA", str(tmp_path))
    monkeypatch.setitem(config.PROFILES, "tiny", config.Profile("tiny", 12, 32, 1, 4))
    sky = default_sky("tiny")
    monkeypatch.setitem(config.PROFILES, "tiny", config.Profile("tiny", 15, 32, 1, 4))
    assert len(load_catalog(default_sky("tiny"))) == 15  # a bigger profile: a new sky
    assert "holds a sky of 12 galaxies" in capsys.readouterr().out
    summary = json.loads((sky / SKY_FILE).read_text())
    (sky / SKY_FILE).write_text(json.dumps(summary | {"schema": 1}))  # an older galaxylib's
    assert len(load_catalog(default_sky("tiny"))) == 15
    assert json.loads((sky / SKY_FILE).read_text())["schema"] == summary["schema"]
    (sky / SKY_FILE).unlink()  # somebody's own data set: never replaced
    with pytest.raises(GalaxyLibError, match="did not make"):
        default_sky("tiny")
    assert (sky / "training_solutions_rev1.csv").exists()


def test_the_face_on_discs_are_the_test_splits_discs_seen_face_on_with_their_bars(tmp_path):
    from galaxylib.course.bars import FACE_ON, face_on_discs

    out = tmp_path / "gz"
    make_sky(out, 400, seed=5, workers=1, progress=False)
    discs, barred = face_on_discs(out)
    truth = pd.read_csv(out / "truth.csv").set_index("GalaxyID")
    test = set(load_catalog(out).split().test)
    face_on = truth[(truth["kind"] == "disc") & (truth["inclination"] < FACE_ON)]
    assert set(discs) == set(face_on.index) & test
    assert barred.tolist() == (truth.loc[discs, "bar"] > 0).tolist()
    assert 0 < barred.sum() < len(barred), "both barred and unbarred discs, to score an AUC"
