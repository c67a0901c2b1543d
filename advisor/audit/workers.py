"""Worker processes for large audits: forked where the platform allows (they start with the
parent's catalog and the estimator's warm caches), spawned elsewhere."""

from __future__ import annotations

import multiprocessing
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from multiprocessing.pool import Pool


def new_pool(jobs: int, initializer: Callable | None = None, initargs: tuple = ()) -> Pool:
    context = multiprocessing.get_context("fork" if can_fork() else None)
    return context.Pool(jobs, initializer=initializer, initargs=initargs)


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
