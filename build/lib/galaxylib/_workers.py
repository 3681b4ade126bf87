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
from multiprocessing.pool import Pool

import cv2

_PRELOAD = ["galaxylib.preprocess", "galaxylib.synthetic"]


def _one_thread() -> None:
    cv2.setNumThreads(1)


def worker_pool(workers: int | None = None) -> Pool:
    """A pool of ``workers`` processes (default: every core), safe to start anywhere."""
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(_PRELOAD)
    else:  # Windows
        context = multiprocessing.get_context("spawn")
    return context.Pool(workers or os.cpu_count() or 1, initializer=_one_thread)
