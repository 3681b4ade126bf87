"""The helpers every writer of galaxylib shares: atomic writes, locks and ``--out`` checks."""

import hashlib
import signal
import subprocess
import sys

import pytest

from galaxylib.errors import GalaxyLibError
from galaxylib.tools.files import check_out_path, exclusive, path_tag, sha256, shown_path

HOLD = """import sys, time
from pathlib import Path
from galaxylib.tools.files import exclusive
with exclusive(sys.argv[1]):
    print("holding", flush=True)
    time.sleep(float(sys.argv[2]))
    Path(sys.argv[1] + ".done").write_text("made")
"""


def hold(thing, seconds):
    """Another process holding ``thing``'s lock, once it says so."""
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(thing), str(seconds)], stdout=subprocess.PIPE, text=True
    )
    assert holder.stdout.readline() == "holding\n"
    return holder


def test_a_second_process_waits_for_the_first_or_is_refused(tmp_path, capsys):
    thing = tmp_path / "sky"
    holder = hold(thing, 1.5)
    with pytest.raises(GalaxyLibError, match="^Busy: try later.$"):
        with exclusive(thing, refuse="Busy: try later."):
            pass
    with exclusive(thing, wait="Another process is making the sky; waiting for it."):
        assert (tmp_path / "sky.done").read_text() == "made"  # entered after the first
    assert capsys.readouterr().err == "Another process is making the sky; waiting for it.\n"
    holder.wait()


def test_a_killed_holder_leaves_no_stale_lock(tmp_path):
    thing = tmp_path / "sky"
    holder = hold(thing, 60)
    holder.send_signal(signal.SIGKILL)
    holder.wait()
    with exclusive(thing, refuse="Busy: try later."):
        assert not (tmp_path / "sky.done").exists()


def test_an_out_path_that_cannot_be_written_is_one_sentence(tmp_path):
    assert check_out_path(tmp_path / "p.csv", "CSV file") == tmp_path / "p.csv"
    with pytest.raises(GalaxyLibError) as folder:
        check_out_path(tmp_path, "model file", suffix=".keras", example="model.keras")
    assert str(folder.value) == (
        f"{tmp_path} is a folder; --out names the model file to write, such as "
        f"{tmp_path / 'model.keras'}."
    )
    with pytest.raises(GalaxyLibError, match=r"^The model file \S+m.h5 must end in .keras; "):
        check_out_path(tmp_path / "no" / "m.h5", "model file", suffix=".keras")
    with pytest.raises(GalaxyLibError) as missing:
        check_out_path(tmp_path / "no" / "p.csv", "CSV file")
    assert str(missing.value) == (
        f"The folder {tmp_path / 'no'} does not exist; create it (mkdir -p {tmp_path / 'no'}) "
        "or choose another --out."
    )


def test_shown_paths_name_no_folder_of_the_machine_near_here(tmp_path, monkeypatch):
    # A notebook runs in chapters/ and its data lies next door, in data/: the page
    # it builds must read the same on the builder's machine and on the reader's.
    (tmp_path / "chapters").mkdir()
    monkeypatch.chdir(tmp_path / "chapters")
    assert shown_path(tmp_path / "data" / "sky-small") == "../data/sky-small"
    assert shown_path(tmp_path / "chapters" / "a.png") == "a.png"
    # Far from here, a path under the home folder is shown from ~.
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    (tmp_path / "a" / "b").mkdir(parents=True)
    monkeypatch.chdir(tmp_path / "a" / "b")
    assert shown_path(tmp_path / "home" / ".cache" / "galaxylib") == "~/.cache/galaxylib"


def test_sha256_reads_a_file_in_pieces_and_gives_its_whole_digest(tmp_path):
    data = bytes(range(256)) * 9000  # 2.2 MB: three reads of a mebibyte
    (tmp_path / "big.bin").write_bytes(data)
    assert sha256(tmp_path / "big.bin") == hashlib.sha256(data).hexdigest()
    (tmp_path / "empty").write_bytes(b"")
    assert sha256(str(tmp_path / "empty")) == hashlib.sha256(b"").hexdigest()


def test_two_folders_of_one_name_get_different_tags_and_one_folder_one_tag(tmp_path):
    (tmp_path / "a" / "sky").mkdir(parents=True)
    (tmp_path / "b" / "sky").mkdir(parents=True)
    tags = {path_tag(tmp_path / f / "sky") for f in "ab"}
    assert len(tags) == 2 and all(t.startswith("sky-") and len(t) == 12 for t in tags)
    assert path_tag(tmp_path / "a" / ".." / "a" / "sky") == path_tag(tmp_path / "a" / "sky")
