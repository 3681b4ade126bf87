import json
import os
import re
import sys
import types
import zipfile
from pathlib import Path

import pytest
from conftest import write_dataset

from galaxylib import course
from galaxylib.errors import GalaxyLibError


@pytest.fixture
def colab(monkeypatch):
    monkeypatch.setitem(sys.modules, "google.colab", types.ModuleType("google.colab"))
    monkeypatch.delenv("GALAXYLIB_PROFILE", raising=False)


def test_colab_with_a_gpu_runs_the_full_profile(colab, monkeypatch, capsys):
    monkeypatch.setattr(course, "gpu_name", lambda: "Tesla T4")
    assert course.setup_notebook().name == "full"
    out = capsys.readouterr().out
    assert "Running on Colab, GPU: Tesla T4;" in out and "61,578 galaxies" in out


def test_colab_without_a_gpu_says_how_to_switch_it_on(colab, monkeypatch, capsys):
    monkeypatch.setattr(course, "gpu_name", lambda: None)
    assert course.setup_notebook().name == "small"
    assert "Runtime > Change runtime type" in capsys.readouterr().out


def test_a_local_machine_keeps_the_chosen_profile(monkeypatch, capsys):
    monkeypatch.setattr(course, "gpu_name", lambda: "H100")
    monkeypatch.setenv("GALAXYLIB_PROFILE", "small")
    assert course.setup_notebook().name == "small"
    assert "Running on a local machine, GPU: H100;" in capsys.readouterr().out


def test_course_data_can_point_at_the_real_data(monkeypatch, tmp_path):
    monkeypatch.setenv("GALAXYLIB_DATASET", str(tmp_path))
    assert course.course_data() == tmp_path


def test_no_nvidia_smi_means_no_gpu(monkeypatch):
    monkeypatch.setattr(course.shutil, "which", lambda name: None)
    assert course.gpu_name() is None


def glued(calls):
    """Run ``calls()`` in an IPython shell; return {name: plain text} of what it glued,
    read back as myst-nb reads a cell's outputs (and nothing else displayed)."""
    import nbformat
    from IPython.core.interactiveshell import InteractiveShell
    from IPython.utils.capture import capture_output
    from myst_nb.ext.glue import extract_glue_data_cell

    InteractiveShell.instance()
    with capture_output() as captured:
        calls()
    outputs = [
        nbformat.v4.new_output("display_data", data=o.data, metadata=o.metadata)
        for o in captured.outputs
    ]
    assert all(not key.startswith("text/") for o in captured.outputs for key in o.data)
    found = extract_glue_data_cell(nbformat.v4.new_code_cell("", outputs=outputs))
    return {name: value.data["text/plain"] for name, value in found}


def test_glue_writes_what_myst_nb_pastes_with_numpy_scalars_made_plain():
    import numpy as np
    from myst_nb.core.variables import format_plain_text

    found = glued(
        lambda: (course.glue("ch9_rmse", np.float64(0.123456)), course.glue("ch9_word", "lower"))
    )
    assert set(found) == {"ch9_rmse", "ch9_word"}
    assert format_plain_text(found["ch9_rmse"], ".4f") == "0.1235"
    assert format_plain_text(found["ch9_word"], "") == "lower"


def test_glue_also_prints_the_value_on_colab_where_roles_stay_raw(monkeypatch, capsys):
    from IPython.core.interactiveshell import InteractiveShell
    from IPython.utils.capture import capture_output

    from galaxylib.course import glue

    InteractiveShell.instance()
    with capture_output(stdout=False):
        glue("ch9_quiet", 0.5)
    assert capsys.readouterr().out == ""
    monkeypatch.setitem(sys.modules, "google.colab", types.ModuleType("google.colab"))
    with capture_output(stdout=False):
        glue("ch9_loud", 0.25)
    assert capsys.readouterr().out == "ch9_loud = 0.25\n"


def test_a_reading_glues_the_one_wording_its_numbers_make_true():
    import numpy as np
    from myst_nb.core.variables import format_plain_text

    gain = np.float64(0.002)
    cases = {"lowers": gain > 0, "raises": gain < 0, "leaves": gain == 0}
    found = glued(lambda: course.reading("ch9_way", cases))
    assert list(found) == ["ch9_way"]
    assert format_plain_text(found["ch9_way"], "") == "lowers"


@pytest.mark.parametrize(
    "cases, count",
    [({"lowers": 0.1 > 0.2, "raises": 0.1 > 0.3}, "0 true cases of 2 (none)"),
     ({"above": True, "met": True, "below": False}, "2 true cases of 3 ('above', 'met')")],
)  # fmt: skip
def test_a_reading_without_exactly_one_true_case_fails_the_page(cases, count):
    with pytest.raises(GalaxyLibError, match=re.escape(f"'ch9_way' has {count}")):
        glued(lambda: course.reading("ch9_way", cases))


def test_a_reading_refuses_a_condition_that_is_not_a_comparison():
    with pytest.raises(GalaxyLibError, match="gives 'helps' the condition 0.3, not a bool"):
        glued(lambda: course.reading("ch9_way", {"helps": 0.3, "hurts": False}))


def test_the_data_root_is_shown_relative_to_the_notebook_not_the_builders_disk(
    monkeypatch, tmp_path, capsys
):
    (tmp_path / "chapters").mkdir()
    monkeypatch.chdir(tmp_path / "chapters")
    monkeypatch.setenv("GALAXYLIB_DATA", str(tmp_path / "data"))
    monkeypatch.setattr(course, "gpu_name", lambda: None)
    course.setup_notebook()
    out = capsys.readouterr().out
    assert "data in ../data (set GALAXYLIB_DATA to move it)." in out
    assert str(tmp_path) not in out
    assert len(out.splitlines()) == 1, out  # a page opens with one line, not a banner


def test_the_versions_in_use_are_printed_and_those_of_this_run_were_tested():
    line = course.version_report()
    assert line.startswith(f"Versions: Python {course.platform.python_version()}, TensorFlow ")
    assert "Warning" not in line, f"{line}: update TESTED_VERSIONS once the course passes"


def test_a_version_outside_the_tested_ones_gets_one_warning_sentence(monkeypatch):
    found = {"tensorflow": "2.99.1", "keras": None, "numpy": "2.0.2"}
    monkeypatch.setattr(course, "_version", found.get)
    warning = course.version_report().splitlines()[1]
    assert warning.startswith("Warning: TensorFlow 2.99.1 (tested: 2.16 to 2.21); Keras missing")
    assert "NumPy" not in warning  # 2.0 is inside what was tested
    assert re.sub(r"\d+(\.\d+)+", "V", warning).count(".") == 1  # one sentence


def test_the_time_estimate_scales_the_measured_rates_by_the_profile():
    small, full = course.profile("small"), course.profile("full")
    steps = ["sky", "crops", "report", "improved"]
    quick, slow = course.estimate_seconds(steps, small), course.estimate_seconds(steps, full)
    assert list(quick) == steps
    assert slow["sky"] / quick["sky"] == pytest.approx(full.n_galaxies / small.n_galaxies)
    assert slow["crops"] / quick["crops"] == pytest.approx(full.n_galaxies / small.n_galaxies)
    work = {p: p.n_galaxies * p.epochs * (p.image_size / 64) ** 2 for p in (small, full)}
    assert slow["improved"] / quick["improved"] == pytest.approx(work[full] / work[small])
    per_epoch = course.TRAIN_SECONDS_PER_GALAXY_EPOCH["report"] * small.n_galaxies
    assert quick["report"] == pytest.approx(per_epoch * small.epochs)  # 64 px: as measured
    sentence = course.time_estimate(steps, small)
    total = round(sum(quick.values()) / 60)
    assert sentence.endswith(f": about {total} min on 2 CPU cores.")
    assert "draw the sky (" in sentence  # each step's share, as there are several
    one = course.time_estimate(["sky"], small)  # one step: its time said once
    sky = f"draw the sky: about {round(quick['sky'])} s on 2 CPU cores."
    assert one == f"With nothing cached, this chapter first has to {sky}"


def test_on_a_gpu_the_untimed_training_is_named_not_guessed():
    seconds = course.estimate_seconds(["sky", "report"], course.profile("full"), gpu=True)
    assert seconds["report"] is None and seconds["sky"] > 0
    sentence = course.time_estimate(["sky", "report"], course.profile("full"), gpu=True)
    assert sentence.endswith("plus the time to train the report's network on this GPU.")


def test_an_unknown_step_is_refused():
    with pytest.raises(course.GalaxyLibError, match="'weather'"):
        course.estimate_seconds(["weather"], course.profile("small"))


def test_the_first_cell_tells_a_colab_learner_the_cost_and_how_to_keep_the_data(
    colab, monkeypatch, capsys
):
    monkeypatch.setattr(course, "gpu_name", lambda: None)
    course.setup_notebook(makes=["sky"])
    out = capsys.readouterr().out
    assert "With nothing cached, this chapter first has to draw the sky: about " in out
    assert "galaxylib.course.use_drive()" in out


def test_on_a_data_set_of_its_own_the_first_cell_gives_no_estimate_for_the_sky(
    colab, monkeypatch, tmp_path, capsys
):
    monkeypatch.setattr(course, "gpu_name", lambda: None)
    monkeypatch.setenv("GALAXYLIB_DATASET", str(tmp_path / "galaxyzoo"))
    course.setup_notebook(makes=["sky", "crops"])
    out = capsys.readouterr().out
    assert f"The chapter runs on {tmp_path / 'galaxyzoo'} (GALAXYLIB_DATASET)" in out
    assert "draw the sky" not in out and "With nothing cached" not in out


def test_use_drive_outside_colab_is_one_sentence(monkeypatch):
    monkeypatch.delitem(sys.modules, "google.colab", raising=False)
    with pytest.raises(course.GalaxyLibError, match="only Colab"):
        course.use_drive()


def test_a_second_colab_session_starts_from_what_the_first_saved_on_drive(
    colab, monkeypatch, tmp_path, capsys
):
    """Colab's Drive is a folder that drive.mount makes appear; google.colab is Colab's own."""

    def mount(mountpoint):
        (Path(mountpoint) / "MyDrive").mkdir(parents=True, exist_ok=True)

    monkeypatch.setitem(sys.modules, "google.colab.drive", types.SimpleNamespace(mount=mount))
    sys.modules["google.colab"].drive = sys.modules["google.colab.drive"]
    first, second = tmp_path / "session1" / "data", tmp_path / "session2" / "data"
    write_dataset(first / "sky-small", n=6)
    monkeypatch.delenv("GALAXYLIB_DRIVE_STORE", raising=False)
    monkeypatch.setenv("GALAXYLIB_DATA", str(first))
    store = course.use_drive(mountpoint=str(tmp_path / "drive"))
    assert "Nothing saved" in capsys.readouterr().out
    assert [p.name for p in course.save_to_drive()] == ["sky-small.tar"]
    monkeypatch.setenv("GALAXYLIB_DATA", str(second))
    assert course.use_drive(mountpoint=str(tmp_path / "drive")) == store
    assert "Restored sky-small from " in capsys.readouterr().out
    csv = "sky-small/training_solutions_rev1.csv"
    assert (second / csv).read_bytes() == (first / csv).read_bytes()


def keras_file(path, version):
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("metadata.json", json.dumps({"keras_version": version}))
    return path


def test_a_model_saved_by_a_newer_keras_is_trained_again(monkeypatch, tmp_path, capsys):
    import galaxylib.tools.train

    monkeypatch.setenv("GALAXYLIB_DATA", str(tmp_path))
    monkeypatch.setenv("GALAXYLIB_PROFILE", "small")
    monkeypatch.setenv("GALAXYLIB_DATASET", str(tmp_path / "sky"))  # no stored network fits
    model = keras_file(course._models_folder() / "report.keras", "99.0.0")
    trained = []
    monkeypatch.setattr(galaxylib.tools.train, "train", lambda *a, **k: trained.append(k["out"]))
    monkeypatch.setattr(course, "course_data", lambda: tmp_path / "sky")
    assert course.course_model("report") == model
    assert trained == [model]
    assert "saved by Keras 99.0.0, which this session's Keras" in capsys.readouterr().out
    keras_file(model, course._version("keras"))
    course.course_model("report")
    assert trained == [model]  # the same Keras reads its own files: no second training


def test_a_network_a_chapter_trains_has_the_stored_networks_remedies(monkeypatch, tmp_path, capsys):
    # under the full profile (Colab's, with a GPU) the chapters train their own networks:
    # they must be the networks the chapters describe, remedies and all
    import galaxylib.tools.train
    from galaxylib.course import networks

    monkeypatch.setenv("GALAXYLIB_DATA", str(tmp_path))
    monkeypatch.setenv("GALAXYLIB_PROFILE", "full")
    trained = {}
    monkeypatch.setattr(
        galaxylib.tools.train, "train", lambda *a, **k: trained.setdefault(k["model"], k)
    )
    monkeypatch.setattr(course, "_data", lambda: tmp_path / "sky")
    assert not networks.applies()
    for name in networks.NAMES:
        course.course_model(name)
        made = networks.provenance()["networks"][name]["settings"]
        for switch in networks.SWITCHES:
            assert trained[name][switch] is bool(made.get(switch)), (name, switch)
        assert (trained[name]["size"], trained[name]["epochs"]) == (150, 50)
    assert trained["improved"]["parts"] and trained["report"]["photographic"]
    shown = capsys.readouterr().out
    assert "with the stored improved network's remedies (--photographic, --parts)" in shown
    with pytest.raises(
        course.GalaxyLibError, match="'mine' is not a stored network .*make networks"
    ):
        networks.recipe("mine")


def test_only_a_newer_keras_counts(tmp_path):
    installed = course._version("keras")
    assert course._saved_by_newer_keras(keras_file(tmp_path / "a.keras", installed)) is None
    assert course._saved_by_newer_keras(keras_file(tmp_path / "b.keras", "3.0.0")) is None
    assert course._saved_by_newer_keras(keras_file(tmp_path / "c.keras", "4.1.0")) == "4.1.0"
    (tmp_path / "d.keras").write_bytes(b"not a zip")
    assert course._saved_by_newer_keras(tmp_path / "d.keras") is None


@pytest.mark.slow
def test_a_course_model_older_than_its_sky_is_trained_again(tmp_path, monkeypatch, capsys):
    from galaxylib import config
    from galaxylib.course import course_model
    from galaxylib.synthetic import SKY_FILE

    monkeypatch.setenv("GALAXYLIB_DATA", str(tmp_path))
    monkeypatch.setenv("GALAXYLIB_PROFILE", "tiny")
    monkeypatch.setitem(config.PROFILES, "tiny", config.Profile("tiny", 40, 32, 1, 8))
    path = course_model("report")
    made = path.stat().st_mtime_ns
    assert course_model("report") == path and path.stat().st_mtime_ns == made  # kept
    sky = tmp_path / "sky-tiny" / SKY_FILE
    later = path.stat().st_mtime + 60
    os.utime(sky, (later, later))  # the sky was made again after the model
    capsys.readouterr()
    course_model("report")
    assert path.stat().st_mtime_ns != made
    assert "was trained before the sky it is for was made" in capsys.readouterr().out
