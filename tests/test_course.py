import sys
import types

import pytest

from galaxylib import course


@pytest.fixture
def colab(monkeypatch):
    monkeypatch.setitem(sys.modules, "google.colab", types.ModuleType("google.colab"))
    monkeypatch.delenv("GALAXYLIB_PROFILE", raising=False)


def test_colab_with_a_gpu_runs_the_full_profile(colab, monkeypatch, capsys):
    monkeypatch.setattr(course, "gpu_name", lambda: "Tesla T4")
    assert course.setup_notebook().name == "full"
    out = capsys.readouterr().out
    assert "Running on Colab, GPU: Tesla T4." in out and "61,578 galaxies" in out


def test_colab_without_a_gpu_says_how_to_switch_it_on(colab, monkeypatch, capsys):
    monkeypatch.setattr(course, "gpu_name", lambda: None)
    assert course.setup_notebook().name == "small"
    assert "Runtime > Change runtime type" in capsys.readouterr().out


def test_a_local_machine_keeps_the_chosen_profile(monkeypatch, capsys):
    monkeypatch.setattr(course, "gpu_name", lambda: "H100")
    monkeypatch.setenv("GALAXYLIB_PROFILE", "small")
    assert course.setup_notebook().name == "small"
    assert "Running on a local machine, GPU: H100." in capsys.readouterr().out


def test_course_data_can_point_at_the_real_data(monkeypatch, tmp_path):
    monkeypatch.setenv("GALAXYLIB_DATASET", str(tmp_path))
    assert course.course_data() == tmp_path


def test_no_nvidia_smi_means_no_gpu(monkeypatch):
    monkeypatch.setattr(course.shutil, "which", lambda name: None)
    assert course.gpu_name() is None


def test_glue_writes_what_myst_nb_pastes_with_numpy_scalars_made_plain():
    import nbformat
    import numpy as np
    from IPython.core.interactiveshell import InteractiveShell
    from IPython.utils.capture import capture_output
    from myst_nb.core.variables import format_plain_text
    from myst_nb.ext.glue import extract_glue_data_cell

    from galaxylib.course import glue

    InteractiveShell.instance()
    with capture_output() as captured:
        glue("ch9_rmse", np.float64(0.123456))
        glue("ch9_word", "lower")
    outputs = [
        nbformat.v4.new_output("display_data", data=o.data, metadata=o.metadata)
        for o in captured.outputs
    ]
    cell = nbformat.v4.new_code_cell("", outputs=outputs)
    found = dict(extract_glue_data_cell(cell))
    assert set(found) == {"ch9_rmse", "ch9_word"}
    assert format_plain_text(found["ch9_rmse"].data["text/plain"], ".4f") == "0.1235"
    assert format_plain_text(found["ch9_word"].data["text/plain"], "") == "lower"
    assert all(not key.startswith("text/") for o in captured.outputs for key in o.data)


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
