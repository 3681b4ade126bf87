"""The process pool of the batch jobs: rendering a sky, preprocessing a catalog.

Workers are forked from a server process that has only imported galaxylib, never
from the caller. A fork copies OpenCV's thread pool in whatever state the caller left
it, and an OpenCV call in the child can then wait forever for threads that do not
exist -- as happened when a test drew a crop just before rendering a sky. Each worker
runs OpenCV on one thread; the pool gives the parallelism.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
from multiprocessing.pool import Pool

import cv2

from galaxylib.errors import GalaxyLibError

_PRELOAD = ["galaxylib.preprocess", "galaxylib.synthetic"]


def _start_worker() -> None:
    cv2.setNumThreads(1)
    # Ctrl-C reaches the whole process group: the caller stops the pool and says so once,
    # rather than every worker printing its own KeyboardInterrupt traceback.
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def resolve_workers(workers: int | None) -> int:
    """The number of processes to use: ``workers``, or every core when it is ``None``.

    Raises
    ------
    GalaxyLibError
        If ``workers`` is less than 1.
    """
    if workers is None:
        return os.cpu_count() or 1
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise GalaxyLibError(f"--workers is {workers!r}; use 1 or more processes.")
    return workers


def worker_pool(workers: int | None = None) -> Pool:
    """A pool of ``workers`` processes (default: every core), safe to start anywhere."""
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(_PRELOAD)
    else:  # Windows
        context = multiprocessing.get_context("spawn")
    return context.Pool(resolve_workers(workers), initializer=_start_worker)
