from pathlib import Path

import pytest

from galaxylib.config import PROFILES, data_root, profile
from galaxylib.errors import GalaxyLibError


def test_profile_follows_the_environment(monkeypatch):
    monkeypatch.delenv("GALAXYLIB_PROFILE", raising=False)
    assert profile().name == "small"
    monkeypatch.setenv("GALAXYLIB_PROFILE", "full")
    full = profile()
    assert (full.n_galaxies, full.image_size, full.epochs) == (61578, 150, 50)
    assert profile("small") is PROFILES["small"]


def test_unknown_profile_is_one_sentence(monkeypatch):
    monkeypatch.setenv("GALAXYLIB_PROFILE", "huge")
    with pytest.raises(GalaxyLibError, match="'huge', but the profiles are small, full"):
        profile()


def test_data_root(monkeypatch, tmp_path):
    monkeypatch.delenv("GALAXYLIB_DATA", raising=False)
    assert data_root() == Path("data")
    monkeypatch.setenv("GALAXYLIB_DATA", str(tmp_path))
    assert data_root() == tmp_path
