"""Worker processes for large audits: forked where the platform allows (they start with the
parent's catalog and the estimator's warm caches), spawned elsewhere."""

from __future__ import annotations

import multiprocessing
import signal
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from multiprocessing.pool import Pool


def new_pool(jobs: int, initializer: Callable | None = None, initargs: tuple = ()) -> Pool:
    """`jobs` workers, each running `initializer(*initargs)` first; Ctrl-C is the parent's."""
    context = multiprocessing.get_context("fork" if can_fork() else None)
    return context.Pool(jobs, initializer=_start_worker, initargs=(initializer, *initargs))


def _start_worker(initializer: Callable | None, *initargs) -> None:
    """A worker's start. Ctrl-C sends SIGINT to the terminal's whole process group: the parent
    turns it into "error: interrupted" (exit code 130) and stops its workers (Pool.terminate),
    so a worker ignores it rather than print a KeyboardInterrupt traceback of its own."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if initializer is not None:
        initializer(*initargs)


@contextmanager
def worker_pool(jobs: int, initializer: Callable | None = None) -> Iterator[Pool]:
    """A pool for one phase, stopped when it ends; `initializer` runs in each worker first."""
    pool = new_pool(jobs, initializer)
    try:
        yield pool
    finally:
        pool.terminate()
        pool.join()


def can_fork() -> bool:
    return sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods()
