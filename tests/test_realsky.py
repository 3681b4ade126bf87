"""Tests of galaxylib.realsky: the label table, and the fetch of stellarium-data.

The fetch is tested both ways, offline: the tests build a small ``stellarium-data``
``.deb`` with ``dpkg-deb`` and serve it from the local HTTP server of test_download,
once as a file on a "mirror" and once as a flat apt repository that a real
``apt-get download`` reads (through its own ``APT_CONFIG``).
"""

from __future__ import annotations

import hashlib
import subprocess
from pathlib import Path

import cv2
import numpy as np
import pandas as pd
import pytest
from test_download import site  # noqa: F401  (the local server fixture)

from galaxylib.errors import DataError, GalaxyLibError
from galaxylib.realsky import LABELS, answer_scores, auc_table, label_table, labels_for
from galaxylib.tools.photographs import IMAGE_DIR, fetch_photographs

OPEN_LIST = Path(__file__).with_name("realgalaxies-open.csv")  # the list of usable files
FILES = ("n1", "n2")
TEXTURES = """{
	"subTiles" : [
	{
		"imageCredits": {"short" : "Some Observatory", "infoUrl": "http://example.org/n1"},
		"imageUrl" : "n1.png",
		"worldCoords" : [[[83.6970, .9454]]]
	},
	{
		"imageCredits" : {"Short": "A. Photographer"},
		"imageUrl" : "n2.png"
	}]
}
"""


# ------------------------------------------------------------------------- the labels


def test_every_photograph_is_one_the_open_list_names():
    table = label_table()
    assert table["file"].is_unique
    assert set(table["file"]) <= set(pd.read_csv(OPEN_LIST)["file"])


def test_every_label_follows_from_the_type_and_the_view():
    for row in label_table().itertuples():
        implied = labels_for(row.hubble_type, row.view)
        for label in LABELS:
            ours, rule = getattr(row, label), implied[label]
            assert (np.isnan(ours) and np.isnan(rule)) or ours == rule, (row.file, label)
    assert label_table()["type_source"].str.len().gt(0).all()


@pytest.mark.parametrize(
    ("hubble_type", "view", "expected"),
    [
        ("E1", "round", (1, 0, None, 0)),
        ("dE5 pec", "round", (1, 0, None, None)),
        ("SA0-", "inclined", (1, 0, 0, 0)),
        ("SB(rs)0+", "inclined", (None, 0, 1, 0)),
        ("SAB(s)0^0:", "edge-on", (0, 1, None, 0)),
        ("(R')SB(r)ab", "inclined", (0, 0, 1, 0)),
        ("SA(s)c", "face-on", (0, 0, 0, 0)),
        ("SAB(rs)c", "face-on", (0, 0, None, 0)),
        ("SB(s)cd", "highly inclined", (0, None, None, 0)),
        ("SB(s)d pec", "inclined", (0, 0, 1, 1)),
        ("S0 pec", "round", (0, 0, None, 1)),
        ("I0", "edge-on", (0, 1, None, 1)),
        ("pair", "pair", (0, 0, None, 1)),
    ],
)
def test_the_rule(hubble_type, view, expected):
    got = labels_for(hubble_type, view)
    assert [None if np.isnan(got[k]) else got[k] for k in LABELS] == list(expected)


def test_an_unknown_view_or_type_is_one_sentence():
    with pytest.raises(DataError, match="'sideways' is not one of"):
        labels_for("E0", "sideways")
    with pytest.raises(DataError, match="'Xq' is not a Hubble type"):
        labels_for("Xq", "round")


def test_the_answers_and_their_aucs():
    pred = pd.DataFrame(0.0, index=range(4), columns=["Class1.1", "Class2.1", "Class2.2"])
    pred["Class1.1"] = [0.9, 0.1, 0.2, 0.8]
    pred["Class2.1"], pred["Class2.2"] = [0.0, 0.3, 0.1, 0.0], [0.0, 0.1, 0.3, 0.0]
    pred["Class3.1"], pred["Class3.2"] = [0.0, 0.2, 0.2, 0.0], [0.0, 0.2, 0.0, 0.0]
    pred["Class6.1"] = [0.1, 0.5, 0.2, 0.3]
    scores = answer_scores(pred)
    assert scores["edge_on"].tolist() == pytest.approx([0.0, 0.75, 0.25, 0.0])
    assert scores["barred"].tolist() == pytest.approx([0.0, 0.5, 1.0, 0.0])
    labels = pd.DataFrame(
        {"smooth": [1, 0, 0, 1], "edge_on": [0, 1, 0, np.nan], "barred": [np.nan, 1, 0, 0]}
    )
    labels["odd"] = [0.0, 1.0, 0.0, 1.0]
    table = auc_table({"net": scores}, labels.astype(float))
    assert table.loc["smooth", "net"] == 1.0 and table.loc["edge_on", "positives"] == 1
    assert table.loc["edge_on", "negatives"] == 2 and table.loc["barred", "net"] == 0.5
    assert table.loc["odd", "net"] == 1.0


# -------------------------------------------------------------------------- the fetch


def build_deb(folder: Path, extra: str = "other") -> tuple[Path, str]:
    """A small stellarium-data .deb: two listed photographs, one other, textures.json."""
    tree = folder / "tree"
    images = tree / IMAGE_DIR
    images.mkdir(parents=True)
    for i, name in enumerate((*FILES, extra)):
        image = np.full((40 + 10 * i, 40, 3), 30 * i, np.uint8)
        cv2.imwrite(str(images / f"{name}.png"), image)
    (images / "textures.json").write_text(TEXTURES)
    (tree / "DEBIAN").mkdir()
    (tree / "DEBIAN" / "control").write_text(
        "Package: stellarium-data\nVersion: 0.22.2-1\nArchitecture: all\n"
        "Maintainer: Test <test@example.org>\nDescription: test package\n"
    )
    deb = folder / "stellarium-data_0.22.2-1_all.deb"
    subprocess.run(
        ["dpkg-deb", "--root-owner-group", "-Zxz", "--build", str(tree), str(deb)],
        check=True,
        capture_output=True,
    )
    return deb, hashlib.sha256(deb.read_bytes()).hexdigest()


@pytest.fixture
def package(tmp_path):
    return build_deb(tmp_path)


@pytest.fixture
def no_apt(package, monkeypatch, tmp_path):
    """A PATH without apt-get (and without the tools that built the package)."""
    empty = tmp_path / "bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))


def _check(root: Path) -> None:
    assert sorted(p.name for p in root.iterdir()) == ["credits.csv", "n1.png", "n2.png"]
    assert cv2.imread(str(root / "n2.png")).shape == (50, 40, 3)
    credits = pd.read_csv(root / "credits.csv", keep_default_na=False)
    assert credits.values.tolist() == [
        ["n1", "Some Observatory", "http://example.org/n1"],
        ["n2", "A. Photographer", ""],
    ]


def test_fetch_from_a_mirror_resumes_and_keeps_only_the_listed(site, package, no_apt, tmp_path):  # noqa: F811
    deb, sha = package
    site.files["/pool/s.deb"] = deb.read_bytes()
    site.drop_after["/pool/s.deb"] = 1000
    root = tmp_path / "realsky"
    url = site.url + "/pool/s.deb"
    with pytest.raises(GalaxyLibError, match="apt-get download is not available.*run the"):
        fetch_photographs(root, files=FILES, url=url, sha256=sha)
    fetch_photographs(root, files=FILES, url=url, sha256=sha)
    assert site.headers_of("/pool/s.deb")[1]["Range"] == "bytes=1000-"
    _check(root)
    fetch_photographs(root, files=FILES, url=url, sha256=sha)  # already there: no request
    assert len(site.requests) == 2


def test_a_wrong_checksum_or_a_missing_photograph_is_one_sentence(site, package, no_apt, tmp_path):  # noqa: F811
    deb, sha = package
    site.files["/s.deb"] = deb.read_bytes()
    with pytest.raises(DataError, match="not the expected"):
        fetch_photographs(tmp_path / "a", files=FILES, url=site.url + "/s.deb", sha256="0" * 64)
    with pytest.raises(DataError, match="has no n9.png under"):
        fetch_photographs(tmp_path / "b", files=["n9"], url=site.url + "/s.deb", sha256=sha)


def test_fetch_through_apt_get_download(site, tmp_path, monkeypatch):  # noqa: F811
    deb, sha = build_deb(tmp_path)
    fields = subprocess.run(["dpkg-deb", "-f", str(deb)], capture_output=True, text=True)
    site.files["/repo/./s.deb"] = deb.read_bytes()
    site.files["/repo/./Packages"] = (
        f"{fields.stdout.strip()}\nFilename: ./s.deb\nSize: {deb.stat().st_size}\nSHA256: {sha}\n\n"
    ).encode()
    apt = tmp_path / "apt"
    for sub in ("lists/partial", "cache/archives/partial", "parts"):
        (apt / sub).mkdir(parents=True)
    (apt / "sources.list").write_text(f"deb [trusted=yes] {site.url}/repo ./\n")
    (apt / "status").write_text("")
    (apt / "apt.conf").write_text(
        f'Dir::Etc::SourceList "{apt}/sources.list";\nDir::Etc::SourceParts "{apt}/parts";\n'
        f'Dir::State::Lists "{apt}/lists";\nDir::Cache "{apt}/cache";\n'
        f'Dir::State::status "{apt}/status";\nDebug::NoLocking "true";\n'
        'APT::Sandbox::User "";\nAcquire::AllowInsecureRepositories "true";\n'
    )
    monkeypatch.setenv("APT_CONFIG", str(apt / "apt.conf"))
    update = subprocess.run(["apt-get", "update", "-q"], capture_output=True, text=True)
    assert update.returncode == 0, update.stdout + update.stderr
    root = tmp_path / "realsky"
    fetch_photographs(root, files=FILES, url=site.url + "/mirror.deb", sha256=sha)
    _check(root)
    assert site.headers_of("/repo/./s.deb") and not site.headers_of("/mirror.deb")


def test_auc_intervals_are_the_aucs_with_bootstrap_bounds_that_shrink_with_more_galaxies():
    from sklearn.metrics import roc_auc_score

    from galaxylib.course.bootstrap import auc_intervals
    from galaxylib.realsky import LABELS

    rng = np.random.default_rng(3)

    def labelled(n):
        truth = pd.DataFrame({label: rng.integers(0, 2, n).astype(float) for label in LABELS})
        truth.loc[: n // 10, "barred"] = np.nan  # a label some galaxies lack
        noisy = pd.DataFrame(
            {label: truth[label].fillna(0) + rng.normal(0, 1, n) for label in LABELS}
        )
        tied = noisy.round(0)  # ties count one half, as in roc_auc_score
        return truth, {"noisy": noisy, "tied": tied}

    truth, scores = labelled(40)
    table = auc_intervals(scores, truth, baseline="noisy")
    for label in LABELS:
        known = truth[label].notna()
        for name, score in scores.items():
            row = table.loc[(label, name)]
            assert row["auc"] == pytest.approx(
                roc_auc_score(truth[label][known], score[label][known])
            )
            assert row["low"] <= row["auc"] <= row["high"]
        assert table.loc[(label, "noisy"), ["change", "change_low", "change_high"]].tolist() == [
            0,
            0,
            0,
        ]
    many_truth, many = labelled(400)
    wide = (table["high"] - table["low"]).xs("noisy", level="name")
    narrow = auc_intervals(many, many_truth)
    assert ((narrow["high"] - narrow["low"]).xs("noisy", level="name") < wide).all()
    with pytest.raises(ValueError, match="baseline 'other'"):
        auc_intervals(scores, truth, baseline="other")
