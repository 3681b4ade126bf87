import json

import cv2
import numpy as np
import pandas as pd
import pytest
from conftest import write_dataset

from galaxylib.course.crop_quality import crop_quality
from galaxylib.data import load_catalog
from galaxylib.errors import DataError
from galaxylib.preprocess import (
    Box,
    Settings,
    crop,
    crop_box,
    crop_file,
    improved_box,
    open_cache,
    preprocess_catalog,
    report_box,
)
from galaxylib.tools.cli import main
from galaxylib.tools.crop_cache import stored_settings


def scene(
    cx=212.0, cy=212.0, r=40.0, axis_ratio=1.0, angle=0.0, star=None, sky=8.0, noise=3.0, seed=0
):
    """An RGB image of an elliptical Gaussian galaxy, an optional star, and a noisy sky."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[:424, :424].astype(float)
    cos, sin = np.cos(np.radians(angle)), np.sin(np.radians(angle))
    u, v = (xx - cx) * cos + (yy - cy) * sin, (yy - cy) * cos - (xx - cx) * sin
    light = 200 * np.exp(-((u / r) ** 2 + (v / (r * axis_ratio)) ** 2))
    if star is not None:
        sx, sy, width = star
        light += 255 * np.exp(-((xx - sx) ** 2 + (yy - sy) ** 2) / (2 * width**2))
    gray = np.clip(light + rng.normal(sky, noise, light.shape), 0, 255).astype(np.uint8)
    return np.dstack([gray] * 3)


def contains(box: Box, cx, cy, half_width, half_height) -> bool:
    return (
        box.x <= cx - half_width
        and box.y <= cy - half_height
        and box.x + box.side >= cx + half_width
        and box.y + box.side >= cy + half_height
    )


def test_improved_box_is_centred_on_the_galaxy_and_holds_it_whole():
    image = scene(cx=230, cy=200, r=50, axis_ratio=0.4)
    box = improved_box(image)
    assert box.center == pytest.approx((230, 200), abs=2)
    assert contains(box, 230, 200, 50 * 1.5, 20 * 1.5)
    assert box.side < 424


@pytest.mark.parametrize("n", [1, 2, 7, 636, 637])
def test_the_sky_level_is_numpys_median_to_the_bit(n):
    from galaxylib.preprocess.boxes import _median

    values = np.random.default_rng(n).normal(30, 5, n).astype(np.float32)
    values[: n // 3] = values[0]  # ties, as grey levels have
    assert _median(values) == float(np.median(values))
    assert _median(np.abs(values - _median(values))) == float(
        np.median(np.abs(values - float(np.median(values))))
    )


def test_a_bright_star_fools_the_report_but_not_the_improved_crop():
    # a small faint galaxy at the centre, a big saturated star near a corner
    image = scene(r=14, star=(110, 110, 18), noise=0.5)
    star_box = report_box(image)
    assert contains(star_box, 110, 110, 20, 20) and not contains(star_box, 212, 212, 5, 5)
    box = improved_box(image)
    assert box.center == pytest.approx((212, 212), abs=2)
    assert not contains(box, 110, 110, 5, 5)


def test_with_nothing_at_the_centre_the_nearest_object_is_the_galaxy():
    # a small galaxy off-centre; a larger, brighter star farther out comes first in raster
    # order. Neither covers the centre.
    image = scene(cx=262, cy=212, r=12, star=(60, 60, 16), noise=0.5)
    box = improved_box(image)
    assert box.center == pytest.approx((262, 212), abs=2)
    assert not contains(box, 60, 60, 5, 5)


def test_report_crop_follows_the_report():
    image = scene(noise=0.5)
    gray = image[..., 0]
    _, thresh = cv2.threshold(gray, 10, 255, 0)
    contours, _ = cv2.findContours(thresh, cv2.RETR_LIST, cv2.CHAIN_APPROX_SIMPLE)
    x, y, w, h = max((cv2.boundingRect(c) for c in contours), key=lambda b: b[2] * b[3])
    pad = int(max(w, h) * 0.1)
    expected = gray[y - pad : y + max(w, h) + pad, x - pad : x + max(w, h) + pad]
    expected = cv2.resize(expected, (150, 150), interpolation=cv2.INTER_AREA)
    np.testing.assert_array_equal(crop(image, report_box(image)), expected)
    # near the edge the padded square leaves the frame and the report keeps everything
    assert report_box(scene(cx=390, noise=0.5)) == Box(0, 0, 424)
    assert improved_box(scene(cx=390, noise=0.5)).center == pytest.approx((390, 212), abs=2)


def test_black_images_keep_their_frame_instead_of_crashing():
    black = np.zeros((424, 424, 3), np.uint8)
    assert report_box(black) == Box(0, 0, 424)
    assert improved_box(black) == Box(0, 0, 424)
    assert crop(black, report_box(black)).shape == (150, 150)


def test_crop_sizes_colours_and_black_padding():
    image = scene()
    assert crop(image, improved_box(image)).shape == (150, 150)
    assert crop(image, improved_box(image), size=64, color=True).shape == (64, 64, 3)
    outside = crop(np.full((100, 100), 200, np.uint8), Box(50, 50, 100), size=10)
    assert outside[:4, :4].min() == 200 and outside[-4:, -4:].max() == 0


@pytest.fixture
def data(tmp_path):
    root = tmp_path / "gz"
    write_dataset(root, 30, seed=5)
    return root


def test_cache_rows_line_up_with_the_catalog(data):
    # galaxies that differ in what a crop keeps: the direction of their long axis
    for i, gid in enumerate(load_catalog(data).ids):
        image = scene(r=60, axis_ratio=0.25, angle=6 * i, seed=i)
        cv2.imwrite(str(data / "images_training_rev1" / f"{gid}.jpg"), image)
    cache = preprocess_catalog(data, size=48, workers=2, chunk=7, progress=False)
    catalog = load_catalog(data)
    np.testing.assert_array_equal(cache.ids, catalog.ids)
    assert cache.images.shape == (30, 48, 48) and cache.images.dtype == np.uint8
    assert isinstance(cache.images, np.memmap)
    # the batch finds its box on a decode at 1/8 size, so its crops differ slightly from
    # the full image's; each row must still be nearest to the crop of its own galaxy
    images = [catalog.read_image(g) for g in catalog.ids]
    singles = np.array([crop(image, improved_box(image), size=48) for image in images])
    distance = np.abs(cache.images[:, None].astype(int) - singles[None]).mean(axis=(2, 3))
    np.testing.assert_array_equal(distance.argmin(axis=1), np.arange(30))
    assert distance.diagonal().max() < 6
    np.testing.assert_array_equal(cache.rows_of(catalog.ids[[4, 2]]), [4, 2])
    assert cache.problems.empty
    colour = preprocess_catalog(data, size=32, color=True, crop="report", progress=False)
    assert colour.images.shape == (30, 32, 32, 3) and colour.path.name == "report-32-rgb"


def test_resumes_after_an_interruption_and_returns_at_once_when_done(data):
    partial = preprocess_catalog(data, size=40, chunk=4, limit=12, progress=False)
    status = np.load(partial.path / "status.npy")
    assert (status > 0).sum() == 12
    with pytest.raises(DataError, match="is unfinished; run `galaxylib preprocess"):
        open_cache(data, size=40)
    assert json.loads((partial.path / "meta.json").read_text())["complete"] is False
    done = preprocess_catalog(data, size=40, chunk=4, progress=False)
    fresh = preprocess_catalog(data, size=40, progress=False)
    np.testing.assert_array_equal(done.images, fresh.images)
    stamp = (done.path / "images.npy").stat().st_mtime_ns
    preprocess_catalog(data, size=40, progress=False)
    assert (done.path / "images.npy").stat().st_mtime_ns == stamp
    # a different catalog makes the cache stale: it is rebuilt for the new rows
    path = data / "training_solutions_rev1.csv"
    pd.read_csv(path).iloc[5:].to_csv(path, index=False, float_format="%.6f")
    rebuilt = preprocess_catalog(data, size=40, progress=False)
    np.testing.assert_array_equal(rebuilt.ids, load_catalog(data).ids)
    np.testing.assert_array_equal(rebuilt.images, fresh.images[5:])
    # other votes for the same galaxies change no crop: the cache is kept as it is
    stamp = (rebuilt.path / "images.npy").stat().st_mtime_ns
    table = pd.read_csv(path)
    table.iloc[:, 1:] = table.iloc[::-1, 1:].to_numpy()
    table.to_csv(path, index=False, float_format="%.6f")
    kept = preprocess_catalog(data, size=40, progress=False)
    assert (kept.path / "images.npy").stat().st_mtime_ns == stamp
    open_cache(data, size=40)  # and it is current


def test_bad_images_get_their_fallback_and_are_listed(data):
    ids = load_catalog(data).ids
    images = data / "images_training_rev1"
    truncated = images / f"{ids[1]}.jpg"
    truncated.write_bytes(truncated.read_bytes()[:2000])
    (images / f"{ids[2]}.jpg").write_bytes(b"garbage")
    cv2.imwrite(str(images / f"{ids[3]}.jpg"), np.zeros((424, 424, 3), np.uint8))
    cv2.imwrite(str(images / f"{ids[4]}.jpg"), np.full((200, 200, 3), 90, np.uint8))
    for crop_name in ("improved", "report"):
        cache = preprocess_catalog(data, crop=crop_name, size=32, progress=False)
        assert len(cache) == 30
        problems = dict(zip(cache.problems["GalaxyID"], cache.problems["problem"], strict=True))
        assert sorted(problems) == sorted(ids[1:5])
        assert "truncated JPEG" in problems[ids[1]]
        assert "not a readable image" in problems[ids[2]]
        assert "whole frame kept" in problems[ids[3]]
        assert "not 424x424" in problems[ids[4]]
        assert cache.images[1].max() == 0 and cache.images[2].max() == 0


def test_missing_cache_says_what_to_run(data):
    with pytest.raises(DataError, match=r"no improved-64-rgb cache .* --size 64 --color`"):
        open_cache(data, size=64, color=True)
    with pytest.raises(DataError, match="Unknown crop 'fancy'"):
        preprocess_catalog(data, crop="fancy")


def test_crop_quality_measures_against_the_truth(data):
    ids = load_catalog(data).ids
    with pytest.raises(DataError, match="truth.csv does not exist"):
        crop_quality(data)
    truth = []
    for i, gid in enumerate(ids):
        star = (90, 330, 20) if i % 2 else None  # a bright star fools the report's crop
        image = scene(cx=205 + i % 5, cy=215, r=18, star=star, noise=0.5, seed=i)
        cv2.imwrite(str(data / "images_training_rev1" / f"{gid}.jpg"), image)
        truth.append({"GalaxyID": gid, "x": 205 + i % 5, "y": 215, "r90_px": 27})
    pd.DataFrame(truth).to_csv(data / "truth.csv", index=False)
    quality = crop_quality(data, size=64, workers=2)
    assert len(quality) == 2 * len(ids)
    pd.testing.assert_frame_equal(crop_quality(data, size=64, workers=1), quality)
    improved = quality[quality["crop"] == "improved"]
    report = quality[quality["crop"] == "report"].reset_index(drop=True)
    assert improved["whole"].all() and improved["offset_px"].max() < 4
    fooled = report.index % 2 == 1
    assert not report.loc[fooled, "whole"].any()
    assert (report.loc[fooled, "offset_px"] > 100).all()
    assert ((improved["fill"] > 0.2) & (improved["fill"] < 1)).all()


def test_the_cache_and_crop_file_give_the_same_crops(data):
    catalog = load_catalog(data)
    for settings in (Settings("improved", 40, False), Settings("report", 24, True)):
        cache = preprocess_catalog(data, **settings.as_dict(), workers=1, progress=False)
        for row, gid in enumerate(catalog.ids[:5]):
            crop_of_file, _ = crop_file(catalog.image_path(gid), settings)
            np.testing.assert_array_equal(crop_of_file, cache.images[row])


def test_crop_file_crops_relative_to_the_frame_whatever_its_size(tmp_path):
    settings = Settings("improved", 48, False)
    full = scene(cx=240, cy=190, r=30, noise=0.5)
    cv2.imwrite(str(tmp_path / "full.jpg"), full)
    reference, note = crop_file(tmp_path / "full.jpg", settings)
    assert note == ""
    for side in (106, 212, 300, 848):
        path = tmp_path / f"{side}.png"
        cv2.imwrite(str(path), cv2.resize(full, (side, side), interpolation=cv2.INTER_AREA))
        found, note = crop_file(path, settings)
        assert f"not {424}x{424}: cropped as found" in note
        assert np.abs(found.astype(int) - reference).mean() < 4, side
    wide = np.zeros((300, 500, 3), np.uint8)
    wide[:, 100:400] = cv2.resize(full, (300, 300))
    cv2.imwrite(str(tmp_path / "wide.png"), wide)
    assert crop_file(tmp_path / "wide.png", settings)[0].shape == (48, 48)


def test_crop_box_is_the_box_crop_file_cuts_in_the_files_own_pixels(tmp_path):
    # A photograph twice the size of a Galaxy Zoo image, its galaxy off-centre: the box
    # is found on a small copy, but reported in the file's pixels, around the galaxy.
    image = cv2.resize(scene(cx=260, cy=180, r=30, noise=0.5), (848, 848))
    cv2.imwrite(str(tmp_path / "big.png"), image)
    settings = Settings("improved", 48, False)
    box = crop_box(tmp_path / "big.png", settings)
    assert box.center == pytest.approx((520, 360), abs=6)
    assert contains(box, 520, 360, 60, 60) and box.side < 848 / 2
    # Cutting that box from the decoded file gives the crop crop_file made.
    grey = cv2.imread(str(tmp_path / "big.png"), cv2.IMREAD_GRAYSCALE)
    ours = crop(grey, box, size=48, color=False).astype(int)
    assert np.abs(ours - crop_file(tmp_path / "big.png", settings)[0]).mean() < 2


def test_a_repaired_image_is_cropped_again_and_force_rebuilds(data, capsys):
    gid = load_catalog(data).ids[3]
    path = data / "images_training_rev1" / f"{gid}.jpg"
    good = path.read_bytes()
    path.write_bytes(b"broken")
    cache = preprocess_catalog(data, size=32, progress=False)
    assert list(cache.problems["GalaxyID"]) == [gid] and cache.images[3].max() == 0
    path.write_bytes(good)  # the learner repairs the image
    cache = preprocess_catalog(data, size=32, progress=False)
    assert cache.problems.empty and cache.images[3].max() > 0
    stamp = (cache.path / "images.npy").stat().st_mtime_ns
    assert main(["preprocess", str(data), "--size", "32", "--force", "--workers", "1"]) == 0
    assert (cache.path / "images.npy").stat().st_mtime_ns != stamp
    assert "30 galaxies, 0 with a fallback" in capsys.readouterr().out


def test_bad_settings_are_one_sentence(data):
    with pytest.raises(DataError, match=r"--size is 4; use a whole number of pixels, at least 8"):
        preprocess_catalog(data, size=4)
    with pytest.raises(DataError, match=r"model.json does not say how the images were cropped"):
        stored_settings({"crop": "improved"}, "model.json")


def test_a_cache_folder_that_is_a_file_is_one_sentence(data, tmp_path, monkeypatch, capsys):
    afile = tmp_path / "afile"
    afile.write_text("not a folder")
    for argv in (["--cache", str(afile)], ["--cache", str(afile / "below")]):
        assert main(["preprocess", str(data), "--size", "16", "--workers", "1", *argv]) == 1
        err = capsys.readouterr().err.strip().splitlines()
        assert err == [
            f"galaxylib preprocess: --cache names {argv[1]}, but {afile} is a file, not a "
            "folder; name a folder to keep the caches in."
        ]
    monkeypatch.setenv("GALAXYLIB_CACHE", str(afile))
    assert main(["preprocess", str(data), "--size", "16", "--workers", "1"]) == 1
    assert "GALAXYLIB_CACHE names" in capsys.readouterr().err
    assert not (data / "cache").exists()
