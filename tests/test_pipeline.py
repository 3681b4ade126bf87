import numpy as np
import pytest
from conftest import write_dataset

from galaxylib.data import load_catalog
from galaxylib.errors import DataError
from galaxylib.hardware import setup
from galaxylib.pipeline import make_dataset
from galaxylib.preprocess import preprocess_catalog
from galaxylib.tools.bench import bench_pipeline, report_dataset, write_pngs


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    root = tmp_path_factory.mktemp("gz")
    write_dataset(root, 40, seed=3)
    cache = preprocess_catalog(root, size=32, workers=1, progress=False)
    return root, cache, load_catalog(root)


def _id_of(cache):
    """Galaxy ID of each cached image, by its bytes (the test images all differ)."""
    lookup = {image.tobytes(): gid for image, gid in zip(cache.images, cache.ids, strict=True)}
    assert len(lookup) == len(cache.ids)
    return lambda image: lookup[
        np.asarray(image, np.uint8).reshape(cache.images.shape[1:]).tobytes()
    ]


def _labels_by_id(catalog):
    return dict(zip(catalog.ids, catalog.targets, strict=True))


def test_each_batch_holds_the_labels_of_its_own_galaxies(data):
    _, cache, catalog = data
    ids = catalog.ids[::2]
    id_of, truth = _id_of(cache), _labels_by_id(catalog)
    seen = []
    for images, labels in make_dataset(cache, catalog, ids, batch_size=8, training=True, seed=1):
        assert images.dtype == "uint8" and images.shape[1:] == (32, 32, 1)
        for image, label in zip(images.numpy(), labels.numpy(), strict=True):
            seen.append(id_of(image))
            assert np.array_equal(label, truth[seen[-1]])
    assert sorted(seen) == sorted(ids)


def test_training_shuffles_every_epoch_and_evaluation_keeps_the_order(data):
    _, cache, catalog = data
    id_of = _id_of(cache)

    def order(dataset):
        return [id_of(image) for images, _ in dataset for image in images.numpy()]

    shuffled = make_dataset(cache, catalog, batch_size=16, training=True, seed=0)
    first, second = order(shuffled), order(shuffled)
    assert first != second and sorted(first) == sorted(second)
    assert first != list(cache.ids)
    assert order(make_dataset(cache, catalog, batch_size=16)) == list(cache.ids)


def test_images_alone_for_prediction(data):
    _, cache, _ = data
    ids = cache.ids[5:12]
    batches = list(make_dataset(cache, None, ids, batch_size=4))
    images = np.concatenate([b.numpy() for b in batches])
    assert np.array_equal(images[..., 0], cache.images[5:12])


def test_a_galaxy_without_labels_is_named(data):
    _, cache, catalog = data
    with pytest.raises(DataError, match=f"Galaxy {catalog.ids[0]} has no labels"):
        make_dataset(cache, catalog.labels.iloc[1:], catalog.ids[:3])


def test_the_reports_pipeline_gives_the_same_labels(data, tmp_path):
    _, cache, catalog = data
    id_of, truth = _id_of(cache), _labels_by_id(catalog)
    paths = write_pngs(cache, catalog.ids, tmp_path)
    seen = []
    for images, labels in report_dataset(paths, catalog.labels, batch_size=8):
        for image, label in zip(images.numpy(), labels.numpy(), strict=True):
            seen.append(id_of(np.round(image * 255)))
            assert np.allclose(label, truth[seen[-1]])
    assert sorted(seen) == sorted(catalog.ids)


def test_setup_on_a_cpu_uses_float32_and_one_replica():
    hardware = setup()
    assert hardware.policy == "float32" and hardware.replicas == 1
    assert "CPU" in str(hardware)


def test_bench_pipeline_times_both(data):
    root, _, _ = data
    figures = bench_pipeline(root, n=40, size=32, batch_size=8, min_seconds=0.2, workers=1)
    assert figures["ours_img_per_s"] > figures["report_img_per_s"] > 0
    assert figures["ratio"] == pytest.approx(
        figures["ours_img_per_s"] / figures["report_img_per_s"]
    )


def test_photographic_augmentation_varies_the_light_of_each_image_but_not_its_labels(data):
    import tensorflow as tf

    # The draws are random: about one image in 5,000 gets a brightness, black point and
    # stretch that all land near "unchanged", and a batch of 40 holds one in about one run
    # of 125. Seeded, the test sees the same draws every run.
    tf.random.set_seed(0)
    _, cache, catalog = data
    truth = _labels_by_id(catalog)
    plain = make_dataset(cache, catalog, batch_size=40)
    varied = make_dataset(cache, catalog, batch_size=40, photographic=True)
    (images, labels), (changed, same_labels) = next(iter(plain)), next(iter(varied))
    assert changed.dtype == "uint8" and changed.shape == images.shape
    np.testing.assert_array_equal(labels, same_labels)
    assert np.array_equal(labels[0], truth[cache.ids[0]])
    before = images.numpy().astype(float)
    after = changed.numpy().astype(float)
    # Every image's light moves, each by its own draw; the galaxy stays where it was.
    assert (np.abs(after - before).mean(axis=(1, 2, 3)) > 0.5).all()
    brightness = after.mean(axis=(1, 2, 3)) / before.mean(axis=(1, 2, 3))
    assert brightness.std() > 0.05
    for a, b in zip(before, after, strict=True):
        assert np.corrcoef(a.ravel(), b.ravel())[0, 1] > 0.5


def test_photographic_colour_balance_moves_the_channels_apart():
    import tensorflow as tf

    from galaxylib.augment import photographic

    grey_galaxy = np.zeros((64, 16, 16, 3), np.uint8)
    grey_galaxy[:, 4:12, 4:12] = 120
    out = photographic(tf.constant(grey_galaxy), noise=0.0).numpy().astype(float)
    centre = out[:, 4:12, 4:12].mean(axis=(1, 2))  # (64, 3): each image's colour
    assert (centre.max(axis=1) - centre.min(axis=1) > 3).mean() > 0.5  # no longer grey
    assert out.max() <= 255 and out[:, :2, :2].max() == 0  # a black sky stays black


def test_photographic_black_point_reaches_each_images_median_and_never_passes_it():
    import tensorflow as tf

    from galaxylib.augment import photographic

    # 60 % of each image's pixels at its own sky level, the rest at 200: the median is the
    # sky, the mean far above it. Nothing but the black point moves the light.
    rng = np.random.default_rng(0)
    skies = rng.integers(20, 100, 64)
    images = np.full((64, 10, 10, 1), 200, np.uint8)
    images[:, :6] = skies[:, None, None, None]
    neutral = {"brightness": (1.0, 1.0), "gamma": (1.0, 1.0), "noise": 0.0}
    out = photographic(tf.constant(images), **neutral).numpy().astype(float) / 255
    bright = out[:, -1, -1, 0]  # (200 / 255 - black) / (1 - black)
    black = (200 / 255 - bright) / (1 - bright)
    assert (black <= skies / 255 + 0.01).all()  # never above the median: the sky stays >= 0
    assert (black / (skies / 255)).max() > 0.9  # and drawn all the way up to it


def test_grey_turns_about_half_the_colour_images_grey_and_leaves_the_rest():
    import tensorflow as tf

    from galaxylib.augment import photographic

    rng = np.random.default_rng(0)
    colour = tf.constant(rng.integers(0, 256, (400, 6, 6, 3), dtype=np.uint8))
    outs = []
    for grey in (0.0, 0.5, 1.0):
        tf.random.set_seed(0)
        outs.append(photographic(colour, grey=grey).numpy())
    plain, half, every = outs
    chosen = (half == half[..., :1]).all(axis=(1, 2, 3))
    assert 0.4 < chosen.mean() < 0.6 and (every == every[..., :1]).all()
    # the grey ones are the mean of the very images the other draws made, as chapter 8's
    # probe makes them; the others are those images, untouched
    np.testing.assert_array_equal(half[chosen][..., 0], plain[chosen].mean(axis=-1).round())
    np.testing.assert_array_equal(half[~chosen], plain[~chosen])


def test_greyscale_leaves_a_grey_network_s_batches_as_they_were(data):
    import tensorflow as tf

    from galaxylib.augment import photographic

    _, cache, catalog = data
    assert cache.images.ndim == 3  # a grey cache: one channel
    runs = []
    for greyscale in (False, True):
        # One batch of all 40 galaxies: with several, tf.data's parallel map hands the
        # random draws to the batches in the order they happen to run.
        tf.random.set_seed(3)
        dataset = make_dataset(
            cache, catalog, batch_size=40, photographic=True, greyscale=greyscale
        )
        runs.append(next(iter(dataset))[0].numpy())
    np.testing.assert_array_equal(*runs)  # the same draws, the same images
    grey = tf.constant(cache.images[:8, ..., None])
    draws = []
    for share in (0.0, 0.5, 1.0):
        tf.random.set_seed(3)
        draws.append(photographic(grey, grey=share).numpy())
    np.testing.assert_array_equal(draws[0], draws[1])
    np.testing.assert_array_equal(draws[0], draws[2])


def _one_galaxy(n: int, size: int = 32, sky: int = 20) -> np.ndarray:
    """``n`` copies of a bright square galaxy, centred on a flat sky."""
    images = np.full((n, size, size, 3), sky, np.uint8)
    images[:, size // 2 - 4 : size // 2 + 4, size // 2 - 4 : size // 2 + 4] = 200
    return images


def test_framing_moves_and_resizes_each_galaxy_on_its_own_sky():
    import tensorflow as tf

    from galaxylib.augment import framing

    images = _one_galaxy(64)
    out = framing(tf.constant(images), stars=0, blur=1e-3).numpy().astype(float)
    grey = out.mean(axis=-1)
    light = grey > 110  # the galaxy's pixels
    area = light.sum(axis=(1, 2))
    rows, cols = np.indices(grey.shape[1:])
    centre_row = (light * rows).sum(axis=(1, 2)) / np.maximum(area, 1)
    assert area.std() > 5 and area.min() > 0  # zoomed by each image's own factor
    assert np.abs(centre_row - 15.5).max() > 1.5  # some galaxies moved off the centre
    assert np.abs(centre_row - 15.5).max() <= 0.15 * 32 + 1  # by at most the offset
    # What came into the frame at the corners is the image's own sky, not black.
    corners = grey[:, [0, -1]][:, :, [0, -1]]
    assert np.abs(corners - 20).max() <= 1


def test_framing_adds_stars_and_blur_without_touching_an_empty_frame_without_stars():
    import tensorflow as tf

    from galaxylib.augment import framing

    sky = np.full((64, 32, 32, 1), 20, np.uint8)
    starry = framing(tf.constant(sky), scale=(1.0, 1.0), offset=0.0).numpy()
    assert (starry.max(axis=(1, 2, 3)) > 60).mean() > 0.5  # most frames got a star
    assert (starry.max(axis=(1, 2, 3)) == 20).any()  # and some none (each star may be absent)
    quiet = framing(tf.constant(sky), stars=0, scale=(1.0, 1.0), offset=0.0).numpy()
    np.testing.assert_array_equal(quiet, sky)  # a flat sky stays flat under the blur
    sharp = _one_galaxy(64)
    soft = framing(tf.constant(sharp), stars=0, scale=(1.0, 1.0), offset=0.0).numpy()
    edge = soft[:, 16, 11, 0].astype(float)  # the pixel just outside the galaxy's edge
    assert edge.max() > 40 and edge.min() <= 21  # blurred by each image's own share
