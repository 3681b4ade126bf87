"""The process pool of the batch jobs: rendering a sky, preprocessing a catalog.

Workers are forked from a server process that has only imported galaxylib, never
from the caller. A fork copies OpenCV's thread pool in whatever state the caller left
it, and an OpenCV call in the child can then wait forever for threads that do not
exist -- as happened when a test drew a crop just before rendering a sky. Each worker
runs OpenCV on one thread; the pool gives the parallelism.

Workers never import the caller's ``__main__`` script, which multiprocessing would
otherwise run again in each of them.

The server imports, before it forks any worker, this module and the module of every
function a pool was made to run (``worker_pool(runs=...)``), so that workers start with
them loaded. It starts with the first pool of the process: a later pool whose function
lives in a module the server has not imported still works, each worker importing it.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from multiprocessing.context import BaseContext
from multiprocessing.pool import Pool

import cv2

from galaxylib.errors import GalaxyLibError

_preload = [__name__]  # what the fork server imports: this module, then each pool's `runs`


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


def worker_pool(workers: int | None = None, *, runs: Callable | None = None) -> Pool:
    """A pool of processes, safe to start anywhere.

    Parameters
    ----------
    workers : int, optional
        Processes; every core by default.
    runs : callable, optional
        The function the pool will run; the fork server imports its module (see above).

    Returns
    -------
    multiprocessing.pool.Pool
    """
    if "forkserver" in multiprocessing.get_all_start_methods():
        if runs is not None and runs.__module__ not in _preload:
            _preload.append(runs.__module__)
        forkserver = multiprocessing.get_context("forkserver")
        forkserver.set_forkserver_preload(list(_preload))
        context: BaseContext = forkserver
    else:  # Windows
        context = multiprocessing.get_context("spawn")
    with _main_left_out():
        return context.Pool(resolve_workers(workers), initializer=_start_worker)


@contextmanager
def _main_left_out() -> Iterator[None]:
    """Start workers that do not import the caller's script first.

    multiprocessing has every new worker import the ``__main__`` module. Ours only run
    galaxylib's functions, and a script without an ``if __name__ == "__main__":`` guard
    would run again in each of them -- calling galaxylib, which waits for the lock its
    caller holds, forever.
    """
    main = sys.modules.get("__main__")
    names = ("__spec__", "__file__")
    saved: dict[str, object] = {k: main.__dict__[k] for k in names if main and k in main.__dict__}
    try:
        if main is not None:
            main.__spec__ = None
            main.__dict__.pop("__file__", None)
        yield
    finally:
        if main is not None:
            main.__dict__.update(saved)
