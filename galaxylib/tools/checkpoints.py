"""What a training run on disk keeps while it runs, written so that a kill leaves it whole.

:func:`galaxylib.tools.train.train` adds :func:`run_callbacks` to Keras's ``fit``: the best
epoch's weights, one log row per epoch and a backup of the whole state after every
epoch, each written atomically (Keras's ``ModelCheckpoint`` and ``BackupAndRestore``
write in place, so a kill or a full disk while they write leaves a truncated file that
the next run cannot resume from). :func:`save` writes the finished model so that it loads
anywhere.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import time
from pathlib import Path

import keras
import numpy as np
import pandas as pd

from galaxylib.data import Catalog, Split
from galaxylib.hardware import Setup
from galaxylib.models import with_fractions
from galaxylib.tools.files import atomic_path, require_space, write_text
from galaxylib.tools.model_files import ModelFiles, build_as_trained, digests, read_history
from galaxylib.tools.sky import sky_identity

__all__ = ["keep_best", "require_room", "room_needed", "run_callbacks", "save"]


class HistoryLogger(keras.callbacks.CSVLogger):
    """Keras's CSV log, with each epoch's wall-clock ``seconds`` added.

    The seconds go to the file only: Keras's progress line already shows the epoch's time.
    """

    def on_epoch_begin(self, epoch, logs=None):
        self._start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        super().on_epoch_end(epoch, {**(logs or {}), "seconds": time.perf_counter() - self._start})


def _write_weights(net: keras.Model, path: Path) -> None:
    """Write ``net``'s weights to ``path`` atomically, after checking that they fit.

    HDF5 can crash the whole process (a segmentation fault, no exception) when the disk
    fills while it writes, so a disk without room for the file is refused before HDF5
    opens it, with the ``OSError`` that training turns into one sentence.
    """
    needed = 4 * net.count_params() + 1_000_000
    if shutil.disk_usage(path.parent).free < needed:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))
    with atomic_path(path) as tmp:
        net.save_weights(tmp)


class KeepBest(keras.callbacks.Callback):
    """``ModelCheckpoint(save_best_only=True)`` on ``val_loss``, written atomically."""

    def __init__(self, path: Path, best: float | None = None):
        super().__init__()
        self.path, self.best = path, np.inf if best is None else best

    def on_epoch_end(self, epoch, logs=None):
        loss = (logs or {}).get("val_loss")
        if loss is not None and np.isfinite(loss) and loss < self.best:
            self.best = float(loss)
            _write_weights(self.model, self.path)


class Backup(keras.callbacks.BackupAndRestore):
    """``BackupAndRestore`` whose files are written atomically, the weights first."""

    def _save_model(self):
        Path(self.backup_dir).mkdir(parents=True, exist_ok=True)
        _write_weights(self.model, Path(self._weights_path))
        state = {"epoch": self._current_epoch, "batch": self._last_batch_seen}
        write_text(self._training_metadata_path, json.dumps(state))


def _best(files: ModelFiles) -> Path:
    return files.work / "best.weights.h5"


def run_callbacks(files: ModelFiles) -> list[keras.callbacks.Callback]:
    """The best weights, the history and a backup of a run writing ``files``."""
    history = read_history(files.history)
    best_so_far = float(history["val_loss"].min()) if len(history) else None
    return [
        KeepBest(_best(files), best_so_far),  # the best of the epochs before a resume, too
        HistoryLogger(files.history, append=True),
        Backup(files.work / "backup"),
    ]


def keep_best(net: keras.Model, files: ModelFiles) -> None:
    """Give ``net`` the weights of the run's best epoch (a resumed run's too)."""
    if _best(files).exists():  # absent only if no epoch gave a finite validation loss
        net.load_weights(_best(files))


def room_needed(net: keras.Model) -> int:
    """Bytes a training run of ``net`` may hold on disk at once.

    Twelve ``float32`` copies of the weights and a megabyte for the history: the model
    (with the optimizer's two moments), the best weights, the backup and a temporary
    copy of each as it is replaced. A run of either book network at 64 pixels, polled
    every 5 ms, held at most 36.4 bytes per weight (30.3 MB for 833,285 weights; 2 CPU
    cores, December 2026); twelve copies are 48.
    """
    return 12 * 4 * net.count_params() + 1_000_000


def require_room(net: keras.Model, files: ModelFiles) -> None:
    """Refuse to start when the disk cannot hold what the run still has to write.

    :func:`room_needed`, less what a resumed run's checkpoints already hold.
    """
    there = sum(p.stat().st_size for p in files.work.rglob("*") if p.is_file())
    needed = room_needed(net) - there
    require_space(
        files.model.parent, needed, f"Training {files.model.name}", "choose another --out"
    )


def save(
    net: keras.Model,
    hardware: Setup,
    files: ModelFiles,
    settings: dict,
    parts: Split,
    catalog: Catalog,
) -> None:
    """Save the model (as float32, loadable anywhere), its split and settings, atomically.

    The split lists the galaxies it trained and was validated on, each with the digest
    of its vote fractions (:func:`~galaxylib.tools.model_files.digests`), so that evaluation
    can refuse them in any copy of the catalog. The settings, with the identity of the
    synthetic sky it learnt from, come last: a model file without them is not taken for
    finished.
    """
    if hardware.policy != "float32":
        keras.mixed_precision.set_global_policy("float32")
        portable = build_as_trained(settings)
        if settings.get("output") == "votes":
            portable = with_fractions(portable)
        portable.set_weights(net.get_weights())
        keras.mixed_precision.set_global_policy(hardware.policy)
        net = portable
    files.settings.unlink(missing_ok=True)
    with atomic_path(files.model) as tmp:
        net.save(tmp)
    table = pd.concat(
        [
            pd.DataFrame({"GalaxyID": ids, "part": part, "digest": digests(catalog, ids)})
            for part, ids in (("train", parts.train), ("val", parts.val))
        ]
    )
    with atomic_path(files.split) as tmp:
        table.to_csv(tmp, index=False)
    settings = dict(settings)
    split = settings.pop("split")
    settings |= {"sky": sky_identity(Path(settings["data"])), "split": split}
    write_text(files.settings, json.dumps(settings, indent=2))
