import subprocess
import sys

import pandas as pd
import pytest

from galaxylib.cli import main


def test_help_lists_the_subcommands():
    result = subprocess.run(
        [sys.executable, "-m", "galaxylib.cli", "--help"], capture_output=True, text=True
    )
    assert result.returncode == 0
    commands = ("synth", "check", "baselines", "download", "preprocess", "train", "evaluate")
    for command in (*commands, "predict", "bench"):
        assert command in result.stdout


def test_baselines_prints_the_table(dataset, capsys):
    assert main(["baselines", str(dataset), "--workers", "1"]) == 0
    out = capsys.readouterr().out
    for name in ("mean confidence", "central-pixel benchmark", "0.1639", "0.1577"):
        assert name in out


def test_bad_input_is_one_sentence_and_a_nonzero_exit(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "galaxylib.cli", "baselines", str(tmp_path)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("galaxylib baselines: No catalog in")


@pytest.fixture
def broken(dataset):
    path = dataset / "training_solutions_rev1.csv"
    table = pd.read_csv(path, dtype=str)
    table.loc[2, "Class2.1"] = "oops"
    table.to_csv(path, index=False)
    return dataset


def test_bad_row_stops_the_command_unless_skipped(broken, capsys):
    assert main(["baselines", str(broken)]) == 1
    err = capsys.readouterr().err
    assert "line 4: Class2.1 = 'oops' is not a number" in err and "--skip-bad" in err
    assert main(["baselines", str(broken), "--skip-bad", "--workers", "1"]) == 0
    captured = capsys.readouterr()
    assert "Left out 1 bad rows" in captured.err and "mean confidence" in captured.out


def test_check_lists_bad_rows(broken, capsys):
    assert main(["check", str(broken)]) == 1
    out = capsys.readouterr().out
    assert "11 good galaxies, 1 bad rows" in out and "oops" in out


def test_bench_ends_with_one_key_value_line(capsys):
    assert main(["bench", "synth", "--n", "12", "--workers", "1"]) == 0
    last = capsys.readouterr().out.strip().splitlines()[-1]
    figures = dict(pair.split("=") for pair in last.split())
    assert {"galaxies_per_s", "seconds", "n", "workers", "noise_floor"} <= set(figures)
    assert figures["n"] == "12" and figures["workers"] == "1"
    assert float(figures["galaxies_per_s"]) > 0
