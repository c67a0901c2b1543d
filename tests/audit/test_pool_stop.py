"""Stopping a pool of audit workers never hangs the run (advisor.audit.workers.stop_pool).

CPython's Pool.terminate waits for ever on the result queue's lock when a worker it kills held
that lock (in the middle of sending a result): a config error raised while the reading workers
sent their results hung tests/audit/test_audit_cli.py once on a loaded machine. Here a worker
takes that lock and keeps it, as one killed mid-send does."""

from __future__ import annotations

import sys
import threading
import time
from pathlib import Path

import pytest

from advisor.audit import workers


def _hold_the_result_lock(ready: str) -> None:
    """In a worker: take the result queue's write lock (multiprocessing.pool.worker's
    `outqueue`, the caller's frame) and keep it until killed."""
    outqueue = sys._getframe(1).f_locals["outqueue"]
    outqueue._wlock.acquire()
    Path(ready).write_text("held", encoding="utf-8")
    threading.Event().wait()


def test_a_pool_whose_worker_holds_the_result_lock_is_stopped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(workers, "STOP_WAIT_S", 0.2)
    pool = workers.new_pool(1)
    ready = tmp_path / "ready"
    pool.apply_async(_hold_the_result_lock, (str(ready),))
    deadline = time.monotonic() + 120  # the worker's start, however loaded the machine
    while not ready.exists():
        assert time.monotonic() < deadline, "the worker never took the lock"
        time.sleep(0.01)
    processes = list(pool._pool)
    workers.stop_pool(pool)
    assert all(p.exitcode is not None for p in processes)  # killed, and collected
    # still held by the dead worker: Pool.terminate waits on it for ever, in the thread that
    # stop_pool leaves behind (a daemon, as in a run that met it)
    assert not pool._outqueue._wlock.acquire(block=False)


def test_a_pool_is_stopped_and_joined() -> None:
    before = set(threading.enumerate())
    pool = workers.new_pool(2)
    assert pool.apply(sum, ([1, 2],)) == 3
    processes = list(pool._pool)
    workers.stop_pool(pool)
    assert all(p.exitcode is not None for p in processes)
    assert set(threading.enumerate()) <= before  # the pool's threads and the stopper joined
