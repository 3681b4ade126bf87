"""``galaxylib export``: the stored networks as ONNX files that answer as Keras does."""

from pathlib import Path

import numpy as np
import pytest

from galaxylib.course import networks
from galaxylib.errors import GalaxyLibError
from galaxylib.evaluation import load_model
from galaxylib.models import dihedral_views, predict_tta
from galaxylib.preprocess import crop_file
from galaxylib.tools import export
from galaxylib.tools.cli import main
from galaxylib.tools.export import TOLERANCE, export_onnx, onnx_session
from galaxylib.tools.sky import make_sky


@pytest.fixture(scope="module")
def sky(tmp_path_factory) -> Path:
    """A synthetic sky of 24 galaxies, whose crops the two runtimes are compared on."""
    out = tmp_path_factory.mktemp("sky") / "sky"
    make_sky(out, 24, seed=5, workers=1)
    return out


@pytest.fixture(scope="module")
def exported(sky, tmp_path_factory) -> dict:
    """Each stored network, its crops of the sky and its ONNX file, exported once."""
    folder = tmp_path_factory.mktemp("exported")
    out = {}
    for name in networks.NAMES:
        model = load_model(networks.install(name, folder / f"{name}.keras"))
        crops = np.stack(
            [crop_file(path, model.preprocessing)[0] for path in sorted(sky.rglob("*.jpg"))]
        ).reshape(-1, *model.preprocessing.input_shape)
        out[name] = (
            model,
            crops,
            export_onnx(model.files.model, folder / f"{name}.onnx", images=crops),
        )
    return out


@pytest.mark.parametrize("name", networks.NAMES)
def test_onnx_runtime_gives_keras_answers_on_every_crop(name, exported):
    model, crops, done = exported[name]
    session = onnx_session(done.path)
    got = session.run(None, {"image": crops})[0]
    expected = model.net.predict(crops, verbose=0)  # the whole network, augmentation and all
    assert got.shape == (len(crops), 37)
    assert np.abs(got - expected).max() <= TOLERANCE
    assert done.max_difference == pytest.approx(np.abs(got - expected).max(), abs=1e-7)
    views = [
        session.run(None, {"image": np.ascontiguousarray(v)})[0] for v in dihedral_views(crops)
    ]
    assert np.abs(np.mean(views, axis=0) - predict_tta(model.net, crops)).max() <= TOLERANCE


def test_the_same_network_gives_the_same_file(exported, tmp_path):
    model, _, first = exported["improved"]
    second = export_onnx(model.files.model, tmp_path / "second.onnx")
    # the converter's own names differ from run to run
    assert first.path.read_bytes() == second.path.read_bytes()


def test_a_file_that_disagrees_with_keras_is_not_written(tmp_path, monkeypatch):
    model = networks.install("report", tmp_path / "report.keras")
    monkeypatch.setattr(export, "TOLERANCE", 0.0)  # float32 runtimes never agree to 0
    with pytest.raises(GalaxyLibError, match="differ from Keras's"):
        export_onnx(model, tmp_path / "report.onnx")
    assert list(tmp_path.glob("*.onnx*")) == []


def test_the_command_writes_once_and_says_so(tmp_path, capsys):
    model = networks.install("report", tmp_path / "report.keras")
    out = tmp_path / "report.onnx"
    assert main(["export", str(model), "--out", str(out)]) == 0
    said = capsys.readouterr().out
    assert f"Wrote {out}: takes uint8 crops of 64x64x1" in said
    before = out.read_bytes()

    assert main(["export", str(model), "--out", str(out)]) == 1
    assert capsys.readouterr().err.strip() == (
        f"galaxylib export: {out} exists; add --force to overwrite it."
    )
    assert out.read_bytes() == before
    assert main(["export", str(model), "--out", str(out), "--force"]) == 0


@pytest.mark.parametrize(
    "args, says",
    [
        (["missing.keras", "--out", "x.onnx"], "missing.keras does not exist"),
        (["{model}", "--out", "x.onx"], "must end in .onnx; rename it."),
        (["{model}", "--out", "nowhere/x.onnx"], "The folder nowhere does not exist"),
    ],
)
def test_bad_arguments_get_one_sentence(args, says, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    model = networks.install("report", tmp_path / "report.keras")
    code = main(["export", *[a.format(model=model) for a in args]])
    err = capsys.readouterr().err.strip()
    assert code == 1
    assert err.startswith("galaxylib export: ") and says in err
    assert "\n" not in err
