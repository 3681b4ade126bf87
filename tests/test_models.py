import keras
import numpy as np
import pytest

from galaxylib.models import (
    AUGMENTATION,
    NETWORKS,
    DecisionTree,
    JoinParts,
    Parts,
    Standardise,
    build_model,
    dihedral_views,
    improved_cnn,
    multiply_adds,
    predict_tta,
    report_cnn,
    report_pools,
)
from galaxylib.taxonomy import check_tree
from galaxylib.training import compile_model


def _conv_layers(model: keras.Model) -> list:
    return [layer for layer in model.layers if isinstance(layer, keras.layers.Conv2D)]


def test_report_cnn_is_the_reports_network_with_849285_parameters():
    model = report_cnn((150, 150, 1))
    assert model.count_params() == 849_285
    convs = _conv_layers(model)
    assert [c.filters for c in convs] == [32, 32, 64, 64, 128, 256]
    assert [c.kernel_size for c in convs] == [(7, 7)] * 2 + [(5, 5)] * 2 + [(3, 3)] * 2
    pools = [p.pool_size for p in model.layers if isinstance(p, keras.layers.MaxPooling2D)]
    assert pools == [(2, 2)] * 4 + [(1, 1)] * 2
    assert model.output_shape == (None, 37)


def test_the_small_profiles_report_cnn_only_moves_the_pooling():
    assert report_pools(150) == (2, 2, 2, 2, 1, 1)
    assert report_pools(64) == (2, 1, 2, 1, 1, 1)
    model = report_cnn((64, 64, 1))
    assert model.count_params() == 849_285
    assert _conv_layers(model)[-1].output.shape[1:3] == (1, 1)
    with pytest.raises(ValueError, match="at least 25 pixels"):
        report_pools(24)


def test_the_decision_tree_layer_always_obeys_the_tree():
    rng = np.random.default_rng(0)
    values = np.concatenate(
        [rng.normal(scale=10, size=(500, 37)), np.full((5, 37), -1000.0)]
    ).astype("float32")
    out = keras.ops.convert_to_numpy(DecisionTree()(values))
    assert check_tree(out, tol=1e-5).empty
    assert out.min() >= 0 and out.max() <= 1 + 1e-6
    assert np.allclose(out[-1, :3], 1 / 3)  # all values vanish: equal fractions


@pytest.mark.parametrize("training", [False, True])
def test_improved_cnn_predicts_tree_consistent_fractions(training):
    model = improved_cnn((32, 32, 1), width=8)
    images = np.random.default_rng(1).integers(0, 256, (16, 32, 32, 1), dtype=np.uint8)
    out = keras.ops.convert_to_numpy(model(images, training=training))
    assert out.shape == (16, 37)
    assert check_tree(out, tol=1e-5).empty
    assert out.min() >= 0 and out.max() <= 1 + 1e-6


def test_test_time_augmentation_does_not_care_how_a_galaxy_is_turned():
    images = np.random.default_rng(2).integers(0, 256, (3, 24, 24, 1), dtype=np.uint8)
    views = dihedral_views(images)
    assert len({v.tobytes() for v in views}) == 8
    model = improved_cnn((24, 24, 1), width=4)
    turned = np.rot90(images[:, ::-1], 1, axes=(1, 2))
    assert np.allclose(predict_tta(model, images), predict_tta(model, turned), atol=1e-5)
    assert check_tree(predict_tta(model, images), tol=1e-5).empty


@pytest.mark.parametrize("name", NETWORKS)
def test_every_network_of_the_registry_trains_saves_and_loads(name, tmp_path):
    # What a network added to NETWORKS must do for every command and chapter to take it.
    network = NETWORKS[name]
    channels = 3 if network.color else 1
    rng = np.random.default_rng(3)
    images = rng.integers(0, 256, (4, 32, 32, channels), dtype=np.uint8)
    model = compile_model(build_model(name, (32, 32, channels)))
    assert model.output_shape == (None, 37)
    model.fit(images, rng.uniform(0, 1, (4, 37)), epochs=1, verbose=0)
    pred = model.predict(images, verbose=0)
    assert pred.shape == (4, 37) and pred.min() >= 0 and pred.max() <= 1
    model.save(tmp_path / "m.keras")
    again = keras.saving.load_model(tmp_path / "m.keras")
    assert np.allclose(pred, again.predict(images, verbose=0), atol=1e-6)
    assert network.called and network.label


def test_multiply_adds_counts_what_each_layer_does_per_image():
    model = keras.Sequential(
        [
            keras.Input((10, 10, 3)),
            keras.layers.Conv2D(4, 3),  # 8 x 8 positions x 3 x 3 x 3 inputs x 4 filters
            keras.layers.MaxPooling2D(2),  # free
            keras.layers.Flatten(),
            keras.layers.Dense(5),  # 4 x 4 x 4 inputs x 5 units
        ]
    )
    assert multiply_adds(model) == 8 * 8 * 3 * 3 * 3 * 4 + 64 * 5


def test_the_arithmetic_is_what_the_docstring_says():
    # improved_cnn's docstring: 51 and 58 million multiply-adds (grey, colour) against
    # the report's 54 million, although it has more layers.
    report, improved = report_cnn((64, 64, 1)), improved_cnn((64, 64, 1))
    in_colour = improved_cnn((64, 64, 3))
    millions = [round(multiply_adds(net) / 1e6) for net in (report, improved, in_colour)]
    assert millions == [54, 51, 58]
    assert len(_conv_layers(improved)) > len(_conv_layers(report))


@pytest.mark.parametrize("name", list(NETWORKS))
def test_either_network_may_end_in_sigmoids_or_in_the_tree(name):
    images = np.random.default_rng(0).integers(0, 255, (3, 64, 64, 1), dtype=np.uint8)
    with_tree = build_model(name, (64, 64, 1), output="tree")
    plain = build_model(name, (64, 64, 1), output="sigmoid")
    assert isinstance(with_tree.layers[-1], DecisionTree)
    assert plain.layers[-1].get_config()["activation"] == "sigmoid"
    assert check_tree(with_tree.predict(images, verbose=0)).empty
    # every layer before the last ones is the network's own
    own = build_model(name, (64, 64, 1))
    kinds = [type(layer).__name__ for layer in own.layers[:-2]]
    assert [type(layer).__name__ for layer in plain.layers[: len(kinds)]] == kinds
    with pytest.raises(ValueError, match="output must be one of sigmoid, tree"):
        build_model(name, (64, 64, 1), output="cubic")


@pytest.mark.parametrize("name", list(NETWORKS))
def test_a_standardised_network_answers_alike_whatever_a_channels_gain_and_black_point(
    name, tmp_path
):
    keras.utils.set_random_seed(5)
    channels = 3 if NETWORKS[name].color else 1
    images = np.random.default_rng(5).integers(20, 80, (3, 64, 64, channels)).astype(np.uint8)
    gain = np.array([2, 1, 3][:channels])  # a photographer's levels, channel by channel
    relit = (images * gain + np.array([10, 40, 0][:channels])).astype(np.uint8)  # exact, < 256
    net = build_model(name, (64, 64, channels), standardise=True)
    kinds = [type(layer) for layer in net.layers]
    assert kinds.count(Standardise) == 1
    # after every augmentation layer (RandomContrast clips at 0), before every convolution
    assert (
        max(i for i, kind in enumerate(kinds) if kind in AUGMENTATION)
        < kinds.index(Standardise)
        < kinds.index(keras.layers.Conv2D)
    )
    assert net.count_params() == build_model(name, (64, 64, channels)).count_params()
    before, after = net.predict(images, verbose=0), net.predict(relit, verbose=0)
    assert np.allclose(before, after, atol=1e-4)
    plain = build_model(name, (64, 64, channels))  # without it, the levels reach the network
    lit = np.abs(plain.predict(images, verbose=0) - plain.predict(relit, verbose=0))
    assert lit.max() > 1e-3  # ten times the tolerance above
    net.save(tmp_path / "standardised.keras")
    again = keras.saving.load_model(tmp_path / "standardised.keras")
    assert np.allclose(before, again.predict(images, verbose=0), atol=1e-6)


def test_dielemans_parts_are_the_four_turned_corners_and_join_back_per_image(tmp_path):
    images = np.random.default_rng(4).integers(0, 256, (2, 16, 16, 3), dtype=np.uint8)
    parts = keras.ops.convert_to_numpy(Parts()(images))
    assert parts.shape == (8, 10, 10, 3)  # 4 parts of 2 images, 10 = 0.625 x 16 pixels
    for k in range(4):  # the k-th quarter turn's top-left corner holds the centre bottom-right
        turned = np.rot90(images, k, axes=(1, 2))
        assert np.array_equal(parts[2 * k : 2 * k + 2], turned[:, :10, :10])
    features = np.arange(8 * 3, dtype="float32").reshape(8, 3)  # row = part * 2 + image
    joined = keras.ops.convert_to_numpy(JoinParts()(features))
    assert joined.tolist()[1] == [3, 4, 5, 9, 10, 11, 15, 16, 17, 21, 22, 23]  # image 1's parts
    net = build_model("improved", (64, 64, 3), parts=True)
    plain = build_model("improved", (64, 64, 3))
    assert net.count_params() == plain.count_params()  # 4 parts of 2x2 = one map of 4x4
    assert multiply_adds(net) < multiply_adds(plain) / 2  # per part: four parts cost 1.6x
    net.save(tmp_path / "parts.keras")
    again = keras.saving.load_model(tmp_path / "parts.keras")
    pred = net.predict(images.repeat(4, axis=1).repeat(4, axis=2), verbose=0)
    assert check_tree(pred, tol=1e-5).empty
    assert np.allclose(pred, again.predict(images.repeat(4, 1).repeat(4, 2), verbose=0))
