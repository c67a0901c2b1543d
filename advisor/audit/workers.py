"""Worker processes for large audits: forked where the platform allows (they start with the
parent's catalog and the estimator's warm caches), spawned elsewhere."""

from __future__ import annotations

import multiprocessing
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from multiprocessing.pool import Pool

# How long stopping a pool may take before its last thread is left behind: CPython's
# Pool.terminate waits for ever on the result queue's lock when a worker it killed held it (in
# the middle of sending a result). Seen once, in tests/audit/test_audit_cli.py on a loaded
# 2-core machine, when a bad config stopped the reading workers (2026-12-07).
STOP_WAIT_S = 10.0


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
        stop_pool(pool)


def stop_pool(pool: Pool) -> None:
    """Stop the pool's workers now and collect them (Pool.terminate, then join), waiting at most
    STOP_WAIT_S: where terminate hangs on a lock a killed worker held, the workers still alive
    are killed here, and the thread that ran terminate (a daemon) is left waiting rather than
    the run."""
    stopper = threading.Thread(target=pool.terminate, name="advisor-pool-stop", daemon=True)
    stopper.start()
    stopper.join(STOP_WAIT_S)
    if not stopper.is_alive():
        pool.join()
        return
    for process in getattr(pool, "_pool", ()):  # the workers (terminate may not have got there)
        if process.exitcode is None:
            process.kill()
            process.join()


def can_fork() -> bool:
    return sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods()
