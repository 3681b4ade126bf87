"""Real faults against the real command: Ctrl-C, kill -9, a full disk, a read-only folder.

Each test makes the fault for real (a signal to a running ``galaxylib`` process, a
small tmpfs, a read-only remount) and checks the one sentence that follows and that
nothing done is lost or left half-written.
"""

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import read_only, write_dataset

from galaxylib.preprocess import open_cache
from galaxylib.tools.cli import main
from galaxylib.tools.model_files import ModelFiles, read_history

REPO = Path(__file__).resolve().parents[1]
TINY = ["--size", "32", "--batch-size", "8", "--workers", "1"]


def _env() -> dict:
    path = os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])
    return {**os.environ, "PYTHONPATH": path, "TQDM_DISABLE": "1", "TF_CPP_MIN_LOG_LEVEL": "0"}


def start(*args) -> subprocess.Popen:
    """Start ``galaxylib ARGS`` in its own process group, as a terminal would.

    A terminal's foreground command hears Ctrl-C even where pytest itself was
    started in the background (``make test &``), whose shell ignores SIGINT
    for it and so, by inheritance, for every process it starts.
    """
    return subprocess.Popen(
        [sys.executable, "-m", "galaxylib.tools.cli", *map(str, args)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_env(),
        start_new_session=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )


def run(*args) -> subprocess.CompletedProcess:
    proc = start(*args)
    out, err = proc.communicate(timeout=300)
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


def wait_for(condition, proc: subprocess.Popen, timeout: float = 120) -> None:
    end = time.monotonic() + timeout
    while not condition():
        if proc.poll() is not None:
            raise AssertionError(f"the run ended first: {proc.communicate()}")
        if time.monotonic() > end:
            proc.kill()
            raise AssertionError("timed out")
        time.sleep(0.01)


def sentence(text: str) -> str:
    """The one line a command printed to stderr."""
    lines = text.strip().splitlines()
    assert len(lines) == 1, text
    assert "Traceback" not in text
    return lines[0]


def _cli(capsys, *args) -> tuple[int, str]:
    status = main([str(a) for a in args])
    err = capsys.readouterr().err
    return status, sentence(err) if status else err


@pytest.fixture(autouse=True)
def _no_progress_bars(monkeypatch):
    monkeypatch.setenv("TQDM_DISABLE", "1")


@pytest.fixture(scope="module")
def sky(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("sky")
    write_dataset(root, 48, seed=3)
    return root


# --------------------------------------------------------------------------- train


@pytest.mark.slow
def test_a_failed_start_or_ctrl_c_in_epoch_1_never_blocks_the_next_run(sky, tmp_path, capsys):
    out = tmp_path / "m.keras"
    files = ModelFiles(out)
    # failed starts: a mistyped folder, a catalog too small to split
    status, err = _cli(capsys, "train", tmp_path / "nosuchdir", "--out", out, *TINY)
    assert status == 1 and "No catalog in" in err
    header_only = tmp_path / "header"
    write_dataset(header_only, 1)
    csv = header_only / "training_solutions_rev1.csv"
    csv.write_text(csv.read_text().splitlines()[0] + "\n")
    status, err = _cli(capsys, "train", header_only, "--out", out, *TINY)
    assert status == 1 and err == (
        f"galaxylib train: {csv} has 0 good galaxies, too few to split into training, "
        "validation and test sets: add rows (at least 3)."
    )
    status, err = _cli(capsys, "preprocess", header_only, "--size", "32", "--workers", "1")
    assert status == 1 and err == f"galaxylib preprocess: {csv} has no galaxies to crop: add rows."
    assert not (header_only / "cache").exists()  # no empty cache that says it is complete

    args = ["train", sky, "--out", out, "--epochs", "2", *TINY]
    proc = start(*args)
    wait_for(files.history.exists, proc)  # the CSV logger opened it: epoch 1 runs
    # Freeze the run (Ctrl-Z) so that its two tiny epochs cannot end while the second
    # run is turned away; the Ctrl-C sent while it is frozen is the first thing it
    # hears when it goes on.
    os.killpg(proc.pid, signal.SIGSTOP)
    status, err = _cli(capsys, *args)
    assert status == 1
    assert err == (
        f"galaxylib train: Another run is training {out} (it holds {files.lock}); wait for "
        "it to finish, or choose another --out."
    )
    os.killpg(proc.pid, signal.SIGINT)  # Ctrl-C
    os.killpg(proc.pid, signal.SIGCONT)
    _, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 130
    assert sentence(stderr) == "galaxylib train: interrupted; run it again to continue."
    assert read_history(files.history).empty and not out.exists()

    again = run(*args)
    assert again.returncode == 0, again.stderr
    assert list(read_history(files.history)["epoch"]) == [0, 1]
    assert not files.work.exists() and not list(tmp_path.glob(".tmp-*"))


@pytest.mark.slow
def test_a_size_the_network_cannot_take_is_one_sentence_and_blocks_nothing(sky, tmp_path, capsys):
    out = tmp_path / "r.keras"
    status, err = _cli(capsys, "train", sky, "--out", out, "--model", "report", "--size", "16")
    assert status == 1 and err == (
        "galaxylib train: --size 16 is too small for the report network (the report's "
        "network needs images of at least 25 pixels); use a larger --size."
    )
    status, _ = _cli(
        capsys, "train", sky, "--out", out, "--model", "report", "--epochs", "1", *TINY
    )
    assert status == 0  # the corrected command, in the same process, is not blocked
    assert out.exists() and not ModelFiles(out).work.exists()


@pytest.mark.slow
def test_a_killed_run_resumes_from_its_last_epoch_and_says_what_it_left_out(tmp_path):
    data = tmp_path / "gz"
    write_dataset(data, 48, seed=4)
    csv = data / "training_solutions_rev1.csv"
    table = pd.read_csv(csv, dtype=str)
    table.loc[5, "Class1.1"] = "nan"
    table.to_csv(csv, index=False)
    out = tmp_path / "m.keras"
    files = ModelFiles(out)
    args = ["train", data, "--out", out, "--epochs", "2", "--seed", "7", *TINY]
    proc = start(*args)
    wait_for((files.work / "backup" / "training_metadata.json").exists, proc)
    proc.kill()  # kill -9: no chance to clean up
    proc.wait()
    first = read_history(files.history).iloc[0]

    again = run(*args)
    assert again.returncode == 0, again.stderr
    assert f"Left out 1 bad rows of {csv}" in again.stderr
    history = read_history(files.history)
    assert list(history["epoch"]) == [0, 1]
    assert history.iloc[0].equals(first)  # epoch 1 was not run again
    split = files.read_split()
    assert set(split["part"]) == {"train", "val"} and len(split) == 47 - 8
    assert not list(tmp_path.glob(".tmp-*"))


def test_a_full_disk_stops_training_before_it_starts(sky, small_disk, capsys):
    disk = small_disk("models", "512k")
    out = disk / "m.keras"
    status, err = _cli(capsys, "train", sky, "--out", out, "--epochs", "1", *TINY)
    assert status == 1
    assert re.fullmatch(
        rf"galaxylib train: Training m\.keras needs [0-9.]+ MB in {disk}, but only [0-9.]+ kB "
        r"is free there; free some space, or choose another --out, and run it again\.",
        err,
    )
    assert not out.exists() and not list(disk.glob("**/*.h5"))


@pytest.mark.slow
def test_the_room_training_asks_for_covers_what_it_writes(sky, tmp_path):
    # A run that found room before it started must not fill the disk itself (h5py
    # crashed the process when it did).
    import threading

    from galaxylib.tools.checkpoints import room_needed
    from galaxylib.tools.train import train

    folder = tmp_path / "models"
    folder.mkdir()
    peak, done = [0], threading.Event()

    def watch():
        while not done.is_set():
            try:  # training removed a file or folder during the scan: scan again
                sizes = [p.stat().st_size for p in folder.rglob("*") if p.is_file()]
            except FileNotFoundError:
                continue
            peak[0] = max(peak[0], sum(sizes))
            done.wait(0.002)

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        result = train(sky, out=folder / "m.keras", epochs=3, size=32, batch_size=8, verbose=0)
    finally:
        done.set()
        watcher.join()
    assert 0 < peak[0] <= room_needed(result.model)


@pytest.mark.slow
def test_a_disk_that_fills_during_training_is_one_sentence_and_keeps_the_last_epoch(
    sky, small_disk
):
    disk = small_disk("models", "32m")
    out = disk / "m.keras"
    files = ModelFiles(out)
    args = ["train", sky, "--out", out, "--epochs", "3", *TINY]
    proc = start(*args)
    metadata = files.work / "backup" / "training_metadata.json"
    wait_for(metadata.exists, proc)
    # Something else fills the disk between two epochs. The run is paused meanwhile: a disk
    # that fills *during* one of HDF5's writes can crash HDF5 itself (a segmentation fault,
    # which no Python code can turn into a sentence); training checks for room before each.
    os.killpg(proc.pid, signal.SIGSTOP)
    with (disk / "filler").open("wb", buffering=0) as f:
        try:
            while True:
                f.write(b"\0" * 65536)
        except OSError:
            pass
    os.killpg(proc.pid, signal.SIGCONT)
    _, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 1
    assert sentence(stderr) == (
        f"galaxylib train: The disk holding {disk} is full; free some space there, or choose "
        "another --out, and run it again."
    )
    assert not out.exists() and not list(disk.glob("**/.tmp-*"))
    assert json.loads(metadata.read_text())["epoch"] >= 1  # the last backup is whole
    (disk / "filler").unlink()  # the learner makes room
    subprocess.run(["mount", "-o", "remount,size=64m", disk], check=True)
    again = run(*args)
    assert again.returncode == 0, again.stderr
    assert list(read_history(files.history)["epoch"]) == [0, 1, 2]


def test_read_only_folders_name_the_way_out(sky, small_disk, tmp_path, capsys):
    shared = small_disk("shared", "16m")
    write_dataset(shared, 12)
    read_only(shared)
    cache = shared / "cache" / "improved-32-gray"
    expected = (
        f"{cache} is read-only; pass --cache DIR (or set GALAXYLIB_CACHE) to keep the cache "
        "in another folder, then run it again."
    )
    status, err = _cli(capsys, "preprocess", shared, "--size", "32", "--workers", "1")
    assert status == 1 and err == f"galaxylib preprocess: {expected}"
    status, err = _cli(capsys, "train", shared, "--out", tmp_path / "m.keras", "--grey", *TINY)
    assert status == 1 and err == f"galaxylib train: {expected}"
    mine = tmp_path / "caches"
    status, _ = _cli(capsys, "preprocess", shared, "--size", "32", "--cache", mine)
    assert status == 0
    assert len(open_cache(shared, size=32, cache=mine)) == 12

    locked = small_disk("locked", "1m")
    read_only(locked)
    status, err = _cli(capsys, "train", sky, "--out", locked / "m.keras", *TINY)
    assert status == 1
    assert (
        err == f"galaxylib train: {locked} is read-only; choose another --out, then run it again."
    )


# --------------------------------------------------------------------------- preprocess


def _many(root: Path, n: int) -> None:
    """A catalog of ``n`` galaxies whose images are hard links to one JPEG (quick to make)."""
    write_dataset(root, 3)
    images = root / "images_training_rev1"
    source = next(images.glob("*.jpg"))
    table = pd.read_csv(root / "training_solutions_rev1.csv")
    table = table.iloc[np.arange(n) % 3].reset_index(drop=True)
    table["GalaxyID"] = 200000 + np.arange(n)
    for gid in table["GalaxyID"]:
        target = images / f"{gid}.jpg"
        if not target.exists():
            os.link(source, target)
    table.to_csv(root / "training_solutions_rev1.csv", index=False, float_format="%.6f")


def test_ctrl_c_in_preprocess_is_one_sentence_and_the_rerun_finishes(tmp_path):
    data = tmp_path / "gz"
    _many(data, 3000)
    args = ["preprocess", data, "--size", "32", "--workers", "2"]
    proc = start(*args)
    status = data / "cache" / "improved-32-gray" / "status.npy"
    wait_for(lambda: status.exists() and (np.load(status) > 0).any(), proc)
    os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C does: every process of the group
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130
    assert sentence(stderr) == "galaxylib preprocess: interrupted; run it again to continue."
    done = int((np.load(status) > 0).sum())
    assert 0 < done < 3000

    again = run(*args)
    assert again.returncode == 0 and sentence(again.stdout).endswith(
        "3000 galaxies, 0 with a fallback."
    )
    assert (open_cache(data, size=32).images.reshape(3000, -1).max(axis=1) > 0).all()


def test_a_plain_kill_of_preprocess_is_one_sentence_and_the_rerun_finishes(tmp_path):
    data = tmp_path / "gz"
    _many(data, 3000)
    args = ["preprocess", data, "--size", "32", "--workers", "2"]
    proc = start(*args)
    status = data / "cache" / "improved-32-gray" / "status.npy"
    wait_for(lambda: status.exists() and (np.load(status) > 0).any(), proc)
    proc.terminate()  # `kill PID`: SIGTERM to the command alone, not to its workers
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 143
    assert sentence(stderr) == "galaxylib preprocess: stopped; run it again to continue."
    again = run(*args)
    assert again.returncode == 0 and sentence(again.stdout).endswith(
        "3000 galaxies, 0 with a fallback."
    )


def test_a_cache_that_does_not_fit_is_refused_before_it_starts(small_disk, tmp_path, capsys):
    data = tmp_path / "gz"
    write_dataset(data, 30)
    disk = small_disk("cache", "64k")
    status, err = _cli(capsys, "preprocess", data, "--size", "64", "--cache", disk)
    folder = next(disk.iterdir()) / "improved-64-gray"
    assert status == 1
    assert err == (
        f"galaxylib preprocess: The improved-64-gray cache needs 188.4 kB in {folder}, but "
        "only 65.5 kB is free there; free some space, or pass --cache DIR (or set "
        "GALAXYLIB_CACHE) to keep the cache in another folder, and run it again."
    )
    assert not (folder / "meta.json").exists()


def test_preprocess_on_a_full_data_disk_is_one_sentence_and_resumes(small_disk, capsys):
    data = small_disk("gz", "3m")
    write_dataset(data, 12)
    filler = data / "filler"
    with filler.open("wb", buffering=0) as f:  # fill the disk
        try:
            while True:
                f.write(b"\0" * 4096)
        except OSError:
            pass
    folder = data / "cache" / "improved-64-gray"
    status, err = _cli(capsys, "preprocess", data, "--size", "64", "--workers", "1")
    assert status == 1
    assert err.startswith("galaxylib preprocess: The improved-64-gray cache needs 114.7 kB in ")
    assert f"in {folder}, but only 0 bytes is free there; free some space" in err
    filler.unlink()  # room again: the same command now finishes
    assert _cli(capsys, "preprocess", data, "--size", "64", "--workers", "1")[0] == 0
    assert len(open_cache(data, size=64)) == 12


# --------------------------------------------------------------------------- synth


def test_a_killed_synth_leaves_no_staging_folder_after_the_next_run(tmp_path):
    out = tmp_path / "sky"
    proc = start("synth", "--out", out, "--n", "400", "--workers", "1")
    wait_for(lambda: any(out.glob(".tmp-*/images_training_rev1/*.jpg")), proc)
    proc.kill()
    proc.wait()
    assert list(out.glob(".tmp-*")) and not (out / "training_solutions_rev1.csv").exists()
    again = run("synth", "--out", out, "--n", "6", "--workers", "1")
    assert again.returncode == 0, again.stderr
    assert [p.name for p in out.iterdir() if p.name.startswith(".")] == []


def test_synth_on_a_full_disk_is_one_sentence(small_disk, capsys):
    disk = small_disk("sky", "256k")
    status, err = _cli(capsys, "synth", "--out", disk, "--n", "40", "--workers", "1")
    assert status == 1
    assert err == (
        f"galaxylib synth: The disk holding {disk} is full; free some space there, or "
        "choose another --out, and run it again."
    )
    assert list(disk.iterdir()) == []  # no half-made data set, no staging folder
