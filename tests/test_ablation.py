"""Chapter 7's ablation: each row an idea, trained by the project's own command on one sky."""

import json
import shlex

import pytest

from build_tools import ablation
from galaxylib.tools.cli import _parser


def test_every_row_adds_to_an_earlier_row_and_names_its_network_once():
    names = [row.name for row in ablation.ROWS]
    assert len(set(names)) == len(names)
    for i, row in enumerate(ablation.ROWS):
        assert row.against is None if i == 0 else row.against in names[:i]
    models = {}
    for row in ablation.ROWS:  # two rows that score one network train it the same way
        assert models.setdefault(row.model, row.flags) == row.flags


def test_the_commands_are_the_command_lines_and_make_the_sky_first():
    runs = ablation.commands()
    assert shlex.join(runs[0]) == "galaxylib synth --out sky --n 12000 --seed 8"
    assert len(runs) == 1 + len({row.model for row in ablation.ROWS})
    parser = _parser()
    for run in runs:
        assert run[0] == "galaxylib"
        parser.parse_args(run[1:])  # a flag the command line does not take fails here
    outs = [run[run.index("--out") + 1] for run in runs[1:]]
    assert len(set(outs)) == len(outs)


def test_calibration_compares_the_means_of_each_bin_of_each_question():
    import numpy as np

    from galaxylib.course.checks.common import random_fractions
    from galaxylib.taxonomy import QUESTIONS

    truth = random_fractions(200, np.random.default_rng(0))
    perfect = ablation.calibration(truth, truth)
    assert list(perfect) == [question.name for question in QUESTIONS]
    for question in QUESTIONS:
        curve = perfect[question.name]
        assert curve["gap"] == 0 and curve["predicted"] == curve["observed"]
        assert sum(curve["count"]) == 200 * len(question.answers)
    shifted = ablation.calibration(np.clip(truth + 0.05, 0, 1), truth)
    assert 0.03 < shifted["Q1"]["gap"] <= 0.05


def test_the_record_chapter_7_reads_is_the_rows_scored_with_one_protocol():
    import json

    from galaxylib.course import ABLATION_RECORD
    from galaxylib.synthetic import SCHEMA_VERSION
    from galaxylib.taxonomy import QUESTIONS

    record = json.loads(ABLATION_RECORD.read_text())
    assert [line["name"] for line in record["rows"]] == [row.name for row in ablation.ROWS]
    for row, line in zip(ablation.ROWS, record["rows"], strict=True):
        assert line["command"] == shlex.join(ablation.command(row))  # the code that made it
        assert line["views"] == (8 if row.tta else 1)
        assert line.get("against") == row.against
        if row.against is not None:
            assert line["change_low"] <= line["change"] <= line["change_high"]
        for auc in line["auc"].values():
            assert 0 <= auc["low"] <= auc["auc"] <= auc["high"] <= 1
    assert record["sky"]["seed"] == ablation.SKY["seed"] and record["sky"]["n"] == ablation.SKY["n"]
    assert record["sky"]["schema"] == SCHEMA_VERSION, (
        "the ablation was trained on a sky the renderer no longer draws: run make ablation"
    )
    galaxies = record["sky_test"]["galaxies"]
    assert set(record["calibration"]) == {"improved", "votes"}
    for curves in record["calibration"].values():
        assert list(curves) == [question.name for question in QUESTIONS]
        for question in QUESTIONS:
            assert sum(curves[question.name]["count"]) == galaxies * len(question.answers)
    sure = record["uncertainty"]
    assert sure["galaxies"] == galaxies and set(sure) == {"galaxies", "Q1", "every question"}
    for measure in ("Q1", "every question"):
        assert 0 <= sure[measure]["worst_12_in_least_sure_quarter"] <= 12


def test_what_a_killed_run_finished_is_skipped_not_trained_again(tmp_path, capsys):
    from build_tools.networks import run_missing
    from galaxylib.course.networks import SWITCHES

    runs = ablation.commands()
    for run in runs:  # every sky and model already complete
        out = tmp_path / run[run.index("--out") + 1]
        if run[1] == "synth":
            out.mkdir(parents=True)
            (out / "sky.json").write_text("{}")
        else:
            out.parent.mkdir(parents=True, exist_ok=True)
            out.touch()
            made = {s: True for s in SWITCHES if f"--{s}" in run}  # the settings, written last
            out.with_suffix(".json").write_text(json.dumps(made))
    run_missing(tmp_path, runs, ablation.PROFILE)  # would run galaxylib for any it lacks
    skipped = capsys.readouterr().out.splitlines()
    assert len(skipped) == len(runs) and all("is complete; skipping" in line for line in skipped)

    older = next(run for run in runs if run[1] == "train")  # as an older recipe left it
    model = tmp_path / older[older.index("--out") + 1]
    model.with_suffix(".json").write_text(json.dumps({"framing": "--framing" not in older}))
    with pytest.raises(SystemExit, match="was trained with other switches than `galaxylib"):
        run_missing(tmp_path, [older], ablation.PROFILE)
