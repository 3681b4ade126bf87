"""A data root packed into a few archives and back, as use_drive keeps it on Google Drive."""

import os
import tarfile
from pathlib import Path

import pytest
from conftest import write_dataset

from galaxylib.course.store import restore_data, save_data, units
from galaxylib.errors import GalaxyLibError
from galaxylib.preprocess import preprocess_catalog


def files_of(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and not any(part.startswith(".") for part in p.relative_to(root).parts)
    }


@pytest.fixture
def root(tmp_path):
    """A data root as a session leaves it: a sky, two caches, trained models."""
    root = tmp_path / "data"
    write_dataset(root / "sky-small", n=12)
    preprocess_catalog(root / "sky-small", size=32, workers=1, progress=False)
    preprocess_catalog(root / "sky-small", size=48, workers=1, progress=False, limit=4)
    models = root / "models" / "small"
    (models / "report.train").mkdir(parents=True)
    (models / "report.train" / "state.json").write_text("{}")
    (models / "report.keras").write_bytes(b"weights" * 1000)
    (models / "report.json").write_text('{"epochs": 8}')
    return root


def test_units_are_the_sky_each_finished_cache_and_the_models(root):
    found = units(root)
    assert sorted(found) == ["models/small", "sky-small", "sky-small/cache/improved-32-gray"]
    assert not any("cache" in str(p) for p in found["sky-small"])
    assert [p.name for p in found["models/small"]] == ["report.json", "report.keras"]


def test_the_round_trip_gives_back_every_file_of_every_unit(root, tmp_path):
    store = tmp_path / "drive"
    archives = save_data(root, store)
    assert sorted(str(a.relative_to(store)) for a in archives) == [
        "models/small.tar",
        "sky-small.tar",
        "sky-small/cache/improved-32-gray.tar",
    ]
    fresh = tmp_path / "fresh"
    restore_data(store, fresh)
    kept = {str(p.relative_to(root)) for files in units(root).values() for p in files}
    assert files_of(fresh) == {name: data for name, data in files_of(root).items() if name in kept}
    # the restored crops are used as they are, not made again (tar keeps a file's time to
    # the microsecond at best, so the cache must not tell its images by nanoseconds)
    restored = fresh / "sky-small" / "cache" / "improved-32-gray"
    before = {p.name: p.stat().st_mtime_ns for p in restored.iterdir()}
    preprocess_catalog(fresh / "sky-small", size=32, workers=1, progress=False)
    assert {p.name: p.stat().st_mtime_ns for p in restored.iterdir()} == before


def test_a_second_save_writes_only_what_changed(root, tmp_path):
    store = tmp_path / "drive"
    save_data(root, store)
    assert save_data(root, store) == []
    model = root / "models" / "small" / "report.keras"
    model.write_bytes(b"retrained")
    later = (store / "models" / "small.tar").stat().st_mtime + 5
    os.utime(model, (later, later))
    assert save_data(root, store) == [store / "models" / "small.tar"]


def test_restoring_never_overwrites_what_the_data_root_holds(root, tmp_path):
    store = tmp_path / "drive"
    save_data(root, store)
    model = root / "models" / "small" / "report.keras"
    model.write_bytes(b"made in this session")
    added = restore_data(store, root)
    assert added == []
    assert model.read_bytes() == b"made in this session"


def test_an_unreadable_archive_is_named(root, tmp_path):
    store = tmp_path / "drive"
    save_data(root, store)
    (store / "sky-small.tar").write_bytes(b"not a tar" * 100)
    with pytest.raises(GalaxyLibError, match="sky-small.tar cannot be read"):
        restore_data(store, tmp_path / "fresh")
    assert tarfile.is_tarfile(store / "models" / "small.tar")


def test_a_missing_store_is_one_sentence(tmp_path):
    with pytest.raises(GalaxyLibError, match="is not a folder"):
        restore_data(tmp_path / "nowhere", tmp_path / "data")


def test_an_interrupted_save_leaves_the_last_archive_and_nothing_to_restore(root, tmp_path):
    store = tmp_path / "drive"
    save_data(root, store)
    unfinished = store / f".tmp-{os.getpid()}-sky-small.tar"  # a save killed half-way
    unfinished.write_bytes(b"half a tar")
    restore_data(store, tmp_path / "fresh")
    assert sorted(p.name for p in (tmp_path / "fresh").iterdir()) == ["models", "sky-small"]
    assert tarfile.is_tarfile(store / "sky-small.tar")
