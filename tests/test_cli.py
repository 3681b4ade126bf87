import subprocess
import sys

import pandas as pd
import pytest

from galaxylib.tools.cli import main


def test_help_lists_the_subcommands():
    result = subprocess.run(
        [sys.executable, "-m", "galaxylib.tools.cli", "--help"], capture_output=True, text=True
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
        [sys.executable, "-m", "galaxylib.tools.cli", "baselines", str(tmp_path)],
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


@pytest.fixture(autouse=True)
def _no_progress_bars(monkeypatch):
    monkeypatch.setenv("TQDM_DISABLE", "1")  # bars share stderr with the one sentence


def _refused(capsys, *argv) -> tuple[int, str]:
    """Exit status and the one line of stderr of a command that is refused."""
    try:
        status = main([str(a) for a in argv])
    except SystemExit as exit:
        status = exit.code
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "Traceback" not in err[0], err
    return status, err[0]


def test_an_unknown_output_is_one_sentence(dataset, tmp_path, capsys):
    status, err = _refused(capsys, "train", dataset, "--out", tmp_path / "m.keras", "--output", "x")
    assert status == 1
    assert err == "galaxylib train: --output is 'x'; choose one of sigmoid, tree, votes."
    assert not (tmp_path / "m.keras").exists()


def test_parts_for_the_reports_network_is_one_sentence(dataset, tmp_path, capsys):
    out = tmp_path / "m.keras"
    status, err = _refused(capsys, "train", dataset, "--model", "report", "--parts", "--out", out)
    assert status == 1
    assert err == "galaxylib train: --parts is for the improved network, not the report network."
    assert not out.exists()


@pytest.mark.parametrize(
    ("command", "flag", "value", "minimum"),
    [
        ("train", "--epochs", "0", 1),
        ("train", "--epochs", "-1", 1),
        ("train", "--batch-size", "0", 1),
        ("train", "--batch-size", "-1", 1),
        ("train", "--size", "0", 8),
        ("train", "--size", "-8", 8),
        ("train", "--workers", "-1", 1),
        ("preprocess", "--size", "0", 8),
        ("preprocess", "--workers", "0", 1),
        ("synth", "--n", "0", 1),
        ("bench", "--n", "-5", 1),
        ("train", "--seed", "-1", 0),
        ("synth", "--seed", "-3", 0),
        ("baselines", "--seed", "-1", 0),
        ("evaluate", "--seed", "-1", 0),
    ],
)
def test_numeric_flags_are_checked_when_parsed(
    dataset, tmp_path, capsys, command, flag, value, minimum
):
    argv = {
        "train": ["train", dataset, "--out", tmp_path / "m.keras"],
        "preprocess": ["preprocess", dataset],
        "synth": ["synth", "--out", tmp_path / "sky"],
        "bench": ["bench", "synth"],
        "baselines": ["baselines", dataset],
        "evaluate": ["evaluate", tmp_path / "m.keras", dataset],
    }[command]
    status, err = _refused(capsys, *argv, flag, value)
    assert status == 2
    assert err == (
        f"galaxylib {command}: argument {flag}: {value} is too small: use {minimum} or more; "
        f"see `galaxylib {command} --help`."
    )
    assert not (tmp_path / "sky").exists() and not (dataset / "cache").exists()


def test_a_flag_that_is_not_a_number_is_one_sentence(dataset, tmp_path, capsys):
    status, err = _refused(capsys, "train", dataset, "--out", tmp_path / "m.keras", "--epochs", "x")
    assert status == 2 and err.startswith("galaxylib train: argument --epochs: 'x' is not a whole")


def _write_ids(root, ids) -> None:
    path = root / "training_solutions_rev1.csv"
    table = pd.read_csv(path, dtype=str)
    table["GalaxyID"] = ids
    table.to_csv(path, index=False)


def test_galaxy_ids_written_as_floats_are_accepted_when_whole(dataset, capsys):
    ids = pd.read_csv(dataset / "training_solutions_rev1.csv")["GalaxyID"]
    _write_ids(dataset, [f"{gid}.0" for gid in ids])  # what a round trip through Excel gives
    assert main(["check", str(dataset)]) == 0
    assert "12 good galaxies, 0 bad rows" in capsys.readouterr().out
    assert main(["baselines", str(dataset), "--workers", "1"]) == 0
    assert main(["preprocess", str(dataset), "--size", "16", "--workers", "1"]) == 0
    capsys.readouterr()
    _write_ids(dataset, [f"{ids[0]}.5", *ids[1:]])
    status, err = _refused(capsys, "baselines", dataset)
    assert status == 1
    assert f"line 2: GalaxyID '{ids[0]}.5' is not a whole number" in err and "--skip-bad" in err


@pytest.mark.parametrize("rows", [0, 1])
def test_a_catalog_too_small_to_split_is_refused(dataset, capsys, rows):
    path = dataset / "training_solutions_rev1.csv"
    path.write_text("\n".join(path.read_text().splitlines()[: 1 + rows]) + "\n")
    status, err = _refused(capsys, "check", dataset)
    assert status == 1
    assert err == (
        f"galaxylib check: {path} has {rows} good galaxies, too few to split into training, "
        "validation and test sets: add rows (at least 3)."
    )
    status, err = _refused(capsys, "baselines", dataset)
    assert status == 1
    assert err == (
        f"galaxylib baselines: {path} has {rows} good galaxies, too few to split into training, "
        "validation and test sets: add rows (at least 3)."
    )


def test_preprocess_refuses_bad_labels_before_it_starts(dataset, capsys):
    path = dataset / "training_solutions_rev1.csv"
    table = pd.read_csv(path, dtype=str)
    table.loc[2, "Class1.1"] = "nan"
    table.to_csv(path, index=False)
    status, err = _refused(capsys, "preprocess", dataset, "--workers", "1")
    assert status == 1
    assert err == (
        f"galaxylib preprocess: {path}, line 4: Class1.1 = 'nan' is not a number; fix or "
        "remove the row, or load with skip_bad=True (--skip-bad) to leave bad rows out."
    )
    assert not (dataset / "cache").exists()
    assert main(["preprocess", str(dataset), "--size", "16", "--workers", "1", "--skip-bad"]) == 0


def test_bench_preprocess_times_every_side_the_same_way(dataset):
    from galaxylib.errors import GalaxyLibError
    from galaxylib.tools.bench import bench_preprocess

    figures = bench_preprocess(dataset, n=12, size=32, workers=1, repeats=2)
    rates = ("decode_img_per_s", "report_img_per_s", "ours_img_per_s")
    assert figures["n"] == 12 and all(figures[k] > 0 for k in rates)
    ours = figures["ours_img_per_s"]
    assert figures["ratio_to_decode"] == ours / figures["decode_img_per_s"]
    assert figures["ratio"] == pytest.approx(ours / figures["report_img_per_s"])
    with pytest.raises(GalaxyLibError, match="repeats is 0; time each run 1 or more times"):
        bench_preprocess(dataset, n=12, workers=1, repeats=0)


def test_the_benchmarks_runs_take_turns_so_drift_weighs_on_each_alike():
    from galaxylib.tools.bench import _fastest

    order: list[str] = []
    seconds = _fastest(
        {"ours": lambda: order.append("ours"), "yardstick": lambda: order.append("yardstick")}, 3
    )
    assert order == ["ours", "yardstick"] * 3
    assert set(seconds) == {"ours", "yardstick"} and all(v >= 0 for v in seconds.values())


def test_bench_preprocess_refuses_an_empty_catalog(dataset, capsys):
    path = dataset / "training_solutions_rev1.csv"
    path.write_text(path.read_text().splitlines()[0] + "\n")
    status, err = _refused(capsys, "bench", "preprocess", "--data", dataset)
    assert status == 1
    assert err == (
        f"galaxylib bench: There are no galaxies to time in {path} (n=500); run the benchmark "
        "on a catalog with galaxies and --n of 1 or more."
    )


def test_train_out_must_be_a_model_file_in_a_folder_that_exists(dataset, tmp_path, capsys):
    missing = tmp_path / "nosuchdir"
    status, err = _refused(capsys, "train", dataset, "--out", missing / "m.keras")
    assert status == 1
    assert err == (
        f"galaxylib train: The folder {missing} does not exist; create it (mkdir -p {missing}) "
        "or choose another --out."
    )
    folder = tmp_path / "models.keras"
    folder.mkdir()
    status, err = _refused(capsys, "train", dataset, "--out", folder, "--force")
    assert status == 1
    assert err == (
        f"galaxylib train: {folder} is a folder; --out names the model file to write, such as "
        f"{folder / 'model.keras'}."
    )
    assert folder.is_dir() and not list(folder.iterdir())
