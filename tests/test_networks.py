"""The stored networks: still true to the sky and the model code, and used where they apply."""

import copy
import dataclasses
import functools
import json
import shlex

import numpy as np
import pytest

from build_tools import networks as build
from galaxylib import models
from galaxylib.course import networks
from galaxylib.evaluation import load_model, predict_images
from galaxylib.preprocess import boxes, image_file
from galaxylib.tools.model_files import ModelFiles, read_history


def test_the_stored_networks_still_match_the_sky_and_the_model_code():
    found = networks.mismatches()
    assert found == [], (
        "The stored networks no longer belong to the code: " + "; ".join(found) + ". "
        "Run `make networks` (about an hour and a quarter on 2 CPU cores) and commit "
        "galaxylib/course/networks/."
    )


def test_a_changed_sky_or_network_is_noticed(monkeypatch):
    record = networks.provenance()
    assert networks.mismatches(record) == []

    votes = copy.deepcopy(record)
    votes["sky"]["fingerprint"]["labels"][3][5] += 0.01
    assert networks.mismatches(votes) == [
        f"the sky of seed {record['sky']['seed']} ({record['sky']['n']:,} galaxies) has other "
        "galaxies or votes than the one the stored networks learnt from"
    ]
    pixels = copy.deepcopy(record)
    pixels["sky"]["fingerprint"]["thumbnails"][1][4][4][0] += 5
    assert networks.mismatches(pixels) == [
        f"the sky of seed {record['sky']['seed']} is rendered differently than it was"
    ]

    crops = copy.deepcopy(record)
    crops["networks"]["improved"]["crop_fingerprint"][2][3][3][1] += 5
    assert networks.mismatches(crops) == [
        "the improved network's crops are cut differently than those it learnt from"
    ]

    layout = copy.deepcopy(record)  # the improved network's weights fit either layout
    settings = layout["networks"]["improved"]["settings"]
    settings["parts"] = not settings.get("parts")
    assert networks.mismatches(layout) == [
        "galaxylib.models builds the improved network differently now"
    ]

    original = models.report_cnn

    def wider_dropout(input_shape):
        net = original(input_shape)
        net.layers[-2].rate = 0.5  # the last dropout, which get_config reports
        return net

    monkeypatch.setitem(
        models.NETWORKS,
        "report",
        dataclasses.replace(models.NETWORKS["report"], build=wider_dropout),
    )
    assert networks.mismatches(record) == [
        "galaxylib.models builds the report network differently now"
    ]


def test_a_crop_that_cuts_a_wider_box_is_noticed(monkeypatch):
    # what a change to the crop does (a wider margin than improved_box's 15 %): every
    # network trained on crops then learnt from other images than the code now makes
    wider = functools.partial(boxes.improved_box, padding=0.3)
    monkeypatch.setattr(image_file, "improved_box", wider)
    assert networks.mismatches() == [
        f"the {name} network's crops are cut differently than those it learnt from"
        for name in networks.NAMES
    ]


def test_the_record_says_how_to_make_them_again():
    record = networks.provenance()
    commands = [shlex.join(command) for command in build.commands()]
    assert record["sky"]["command"] == commands[0]
    made = [record["networks"][name]["command"] for name in networks.NAMES]
    assert made == commands[1:], "the stored networks are not NETWORKS': run make networks"
    assert {key: record["sky"][key] for key in build.SKY} == build.SKY
    for name in networks.NAMES:
        network = record["networks"][name]
        history = read_history(networks.FOLDER / f"{name}.history.csv")
        assert network["settings"]["epochs"] == len(history) <= build.EPOCHS
        assert network["train_s"] == pytest.approx(history["seconds"].sum(), abs=0.1)
        assert network["settings"]["preprocessing"]["color"] is models.NETWORKS[name].color
        assert "stored" not in network["settings"]  # packed from a training, not a copy
    for key in ("galaxylib", "versions", "machine", "date"):
        assert record[key]
    for name in networks.NAMES:  # trained with the remedies that FLAGS names for it
        settings = record["networks"][name]["settings"]
        for flag in networks.SWITCHES:
            assert bool(settings.get(flag)) is (f"--{flag}" in build.FLAGS[name])


def test_the_remedy_record_scores_every_remedy_with_the_commands_that_make_it():
    import pandas as pd

    from build_tools import remedies
    from galaxylib.course import REMEDY_RECORD
    from galaxylib.realsky import auc_table, label_table

    record = json.loads(REMEDY_RECORD.read_text())
    stored = networks.provenance()["networks"]
    rows = {(row["remedy"], row["network"]): row for row in record["rows"]}
    wanted = {(r, n) for r in remedies.REMEDIES for n in remedies.applies(r)}
    assert set(rows) == wanted, "the remedy record does not cover NETWORKS: run make remedies"
    sky = networks.provenance()["sky"]
    assert record["sky"] == {key: sky[key] for key in ("generator", "schema", "seed", "n")}, (
        "the remedies were trained on another sky than the stored networks: run make remedies"
    )
    for (remedy, name), row in rows.items():
        assert row["command"] == shlex.join(remedies.command(remedy, name))
        if remedies.flags(remedy, name) == build.FLAGS[name]:  # the stored recipe
            assert row["command"] == stored[name]["command"]
            assert row["train_s"] == pytest.approx(stored[name]["train_s"], abs=0.1)
        for auc in row["auc"].values():
            assert 0 <= auc["low"] <= auc["high"] <= 1
            assert -1 <= auc["change_low"] <= auc["change_high"] <= 1
    for name, remedy in record["stored"].items():
        assert remedies.flags(remedy, name) == build.FLAGS[name]
    again = {(row["remedy"], row["network"], row["training"]): row for row in record["again"]}
    assert set(again) == set(remedies.again_runs()), "a training is missing: make remedies"
    assert {(record["stored"][name], name, 2) for name in models.NETWORKS} <= set(again)
    digests = {row["weights_sha256"] for row in [*rows.values(), *again.values()]}
    assert len(digests) == len(rows) + len(again), "each training is a network of its own"
    scored = [row for row in [*rows.values(), *again.values()] if "answers" in row]
    assert scored, "no row keeps its answers on the photographs: run make remedies"
    labels = label_table()
    assert record["photograph_files"] == list(labels["file"])
    for row in scored:  # the answers a row keeps give its AUCs, to pair a later row with it
        aucs = auc_table({"kept": pd.DataFrame(row["answers"])}, labels)["kept"]
        assert aucs.to_dict() == pytest.approx(
            {k: v["auc"] for k, v in row["auc"].items()}, abs=1e-3
        )
    for (remedy, name, training), row in again.items():  # the row's own command, elsewhere
        assert row["command"] == shlex.join(remedies.again_command(remedy, name, training))
        first = rows[remedy, name]
        assert row["command"].split(" --out ")[0] == first["command"].split(" --out ")[0]
    assert {r: value["adds_to"] for r, value in record["remedies"].items()} == {
        r: {n: remedies.adds_to(r, n) for n in remedies.applies(r)} for r in remedies.REMEDIES
    }
    assert {r: value["says"] for r, value in record["remedies"].items()} == {
        r: value["says"] for r, value in remedies.REMEDIES.items()
    }, "the record's words for a remedy are not REMEDIES': run make remedies"


def test_each_remedy_adds_its_last_flag_to_a_row_of_the_same_network():
    from build_tools import remedies
    from galaxylib.config import PROFILES
    from galaxylib.tools.cli import _parser

    parser = _parser()
    for run in remedies.again_runs().values():
        parser.parse_args(run[1:])  # a flag the command line does not take fails here
    outs = [run[-1] for run in [*remedies.runs().values(), *remedies.again_runs().values()]]
    assert len(set(outs)) == len(outs), "two trainings would write one file"
    for (remedy, name), run in remedies.runs().items():
        parser.parse_args(run[1:])
        before = remedies.adds_to(remedy, name)
        trained = remedies.flags(remedy, name)
        if replaced := remedies.REMEDIES[remedy].get("instead_of"):  # for a stored remedy
            stored = remedies.flags(before, name)
            assert before == remedies.stored_remedy(name) and replaced in stored
            assert sorted(trained) == sorted([f for f in stored if f != replaced] + trained[-1:])
            continue
        assert before is None if not trained else remedies.flags(before, name) == trained[:-1]
    after_stored = [r for r, value in remedies.REMEDIES.items() if value.get("after_stored")]
    assert {"parts_framing", "parts_grey", "size150", "epochs50", "standardise"} <= set(
        after_stored
    )
    assert remedies.adds_to("grey_standardise", "improved") == "parts_grey"  # not stored
    # the standardisation in place of the parts: the stored recipe less --parts, against it
    assert remedies.flags("standardise_not_parts", "improved") == remedies.flags(
        "standardise", "report"
    )
    assert remedies.adds_to("standardise_not_parts", "improved") == "parts"
    for remedy in after_stored:  # each network's own recipe, then the remedy's flags
        for name in remedies.applies(remedy):
            run = remedies.command(remedy, name)
            stored = remedies.command(remedies.stored_remedy(name), name)  # make networks' own
            added = remedies.REMEDIES[remedy]["flags"]
            if replaced := remedies.REMEDIES[remedy].get("instead_of"):
                stored.remove(replaced)
            if len(added) == 1:  # one flag: against the stored recipe itself
                assert remedies.adds_to(remedy, name) == remedies.stored_remedy(name)
            same = [*stored[1 : stored.index("--out")], *added, *run[run.index("--out") :]]
            assert vars(parser.parse_args(run[1:])) == vars(parser.parse_args(same))
    for name in remedies.applies("size150"):  # the larger crops: the full profile's size
        run = remedies.command("size150", name)
        assert parser.parse_args(run[1:]).size == PROFILES["full"].image_size
    for name in remedies.applies("epochs50"):  # the full profile's epochs, written once
        run = remedies.command("epochs50", name)
        assert parser.parse_args(run[1:]).epochs == PROFILES["full"].epochs
        assert sum(flag.startswith("--epochs") for flag in run) == 1


def test_a_row_whose_network_is_gone_is_paired_through_the_answers_the_record_keeps():
    import pandas as pd

    from build_tools.remedies import kept_answers
    from galaxylib.realsky import LABELS

    known = pd.DataFrame({label: [1, 1, 0, 0] for label in LABELS})
    answers = {label: [0.9, 0.4, 0.5, 0.1] for label in LABELS}  # AUC 0.75
    auc = dict.fromkeys(LABELS, {"auc": 0.75, "change": 0.0, "change_low": 0.0, "change_high": 0})
    row = {"remedy": "photographic", "network": "improved", "auc": auc, "answers": answers}
    files = ["a", "b", "c", "d"]
    record = {"photograph_files": files}
    assert kept_answers(row, record, files, known).to_dict("list") == answers
    assert kept_answers(row, record, ["a", "b", "d", "c"], known) is None  # other photographs
    assert kept_answers(row, None, files, known) is None
    assert (
        kept_answers({k: v for k, v in row.items() if k != "answers"}, record, files, known) is None
    )
    wrong = {**row, "answers": {label: [0.1, 0.4, 0.5, 0.9] for label in LABELS}}  # AUC 0
    with pytest.raises(SystemExit, match="scores smooth 0.0000, not the record's 0.7500"):
        kept_answers(wrong, record, files, known)


def test_a_kept_change_needs_the_network_to_score_as_the_record_says():
    import pandas as pd

    from build_tools.remedies import _kept_change
    from galaxylib.realsky import LABELS

    known = pd.DataFrame({label: [1, 1, 0, 0] for label in LABELS})
    scores = pd.DataFrame({label: [0.9, 0.4, 0.5, 0.1] for label in LABELS})  # AUC 0.75
    change = {"auc": 0.75, "change": 0.1, "change_low": -0.2, "change_high": 0.4}
    earlier = {"remedy": "framing", "network": "report", "auc": dict.fromkeys(LABELS, change)}
    assert _kept_change(earlier, scores, known) == earlier["auc"]
    other = {**earlier, "auc": {label: {**change, "auc": 0.5} for label in LABELS}}
    with pytest.raises(SystemExit, match="scores smooth 0.7500, not the record's 0.5000"):
        _kept_change(other, scores, known)


@pytest.mark.parametrize("name", networks.NAMES)
def test_an_installed_network_is_the_stored_one(name, tmp_path):
    path = networks.install(name, tmp_path / f"{name}.keras")
    assert networks.installed(name, path)
    settings = ModelFiles(path).read_settings()
    shape = tuple(settings["input_shape"])
    parts = "--parts" in build.FLAGS[name]  # the layout its command trained
    built = models.build_model(name, shape, parts=parts)
    built.load_weights(networks.FOLDER / f"{name}.weights.h5")
    images = np.random.default_rng(0).integers(0, 256, (4, *shape), dtype=np.uint8)
    loaded = load_model(path)
    assert any(isinstance(layer, models.Parts) for layer in loaded.net.layers) is parts
    expected = built.predict(images, verbose=0)
    assert np.allclose(predict_images(loaded, images, tta=False), expected, atol=1e-6)
    assert read_history(ModelFiles(path).history).equals(
        read_history(networks.FOLDER / f"{name}.history.csv")
    )

    settings["stored"] = "0" * 64  # weights from another run of make networks
    ModelFiles(path).settings.write_text(json.dumps(settings))
    assert not networks.installed(name, path)
    assert not networks.installed(name, tmp_path / "absent.keras")


def test_they_apply_to_the_small_profile_on_its_own_sky(monkeypatch):
    monkeypatch.delenv("GALAXYLIB_DATASET", raising=False)
    monkeypatch.setenv("GALAXYLIB_PROFILE", "small")
    assert networks.applies()
    monkeypatch.setenv("GALAXYLIB_PROFILE", "full")
    assert not networks.applies()
    monkeypatch.setenv("GALAXYLIB_PROFILE", "small")
    monkeypatch.setenv("GALAXYLIB_DATASET", "data/galaxyzoo")
    assert not networks.applies()


def test_they_are_described_from_their_record():
    record = networks.provenance()
    words = networks.describe()
    assert f"{record['sky']['n']:,} galaxies" in words and record["machine"] in words
    for name, called in (("report", "the report's network"), ("improved", "the improved network")):
        epochs = record["networks"][name]["settings"]["epochs"]
        assert f"{called} for {epochs} epochs" in words
    assert record["note"] in words  # how the training times were taken
    assert record["note"] not in networks.describe(note=False)
