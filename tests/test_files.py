"""The helpers every writer of galaxylib shares: atomic writes and ``--out`` checks."""

import pytest

from galaxylib._files import check_out_path
from galaxylib.errors import GalaxyLibError


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
