"""The audit's worker processes leave Ctrl-C to the parent, and still run their initializer."""

from __future__ import annotations

import os
import signal

from advisor.audit.workers import new_pool, worker_pool


def _handler_and_marker() -> tuple[object, str | None]:
    return signal.getsignal(signal.SIGINT), os.environ.get("ADVISOR_TEST_WORKER_INIT")


def _mark(value: str) -> None:
    os.environ["ADVISOR_TEST_WORKER_INIT"] = value


def test_a_worker_ignores_ctrl_c_and_runs_its_initializer() -> None:
    """Ctrl-C reaches the terminal's whole process group: the parent says "error:
    interrupted" and stops the workers, which print no KeyboardInterrupt traceback of their own
    (each did, mid-read, before)."""
    pool = new_pool(1, _mark, ("started",))
    try:
        assert pool.apply(_handler_and_marker) == (signal.SIG_IGN, "started")
    finally:
        pool.terminate()
        pool.join()
    with worker_pool(2) as pool:  # no initializer
        assert pool.apply(_handler_and_marker) == (signal.SIG_IGN, None)
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # the parent's own


def test_ctrl_c_in_a_worker_leaves_it_working(capfd) -> None:
    """(Before, the worker died printing a traceback, and could die holding the pool's task
    lock, leaving its replacement waiting forever: the bound below only ends such a wait.)"""
    with worker_pool(1) as pool:
        pid = pool.apply(os.getpid)
        os.kill(pid, signal.SIGINT)
        assert pool.apply_async(os.getpid).get(timeout=120) == pid  # the same worker, running
    assert "KeyboardInterrupt" not in capfd.readouterr().err
