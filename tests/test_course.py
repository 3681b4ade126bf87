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
