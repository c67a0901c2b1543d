"""The copy test started early in a forked child (advisor.probe.bandwidth.early): its timed copies
wait until the run asks for the figure, its answer is the child's own measurement, a child that
fails or is never asked leaves nothing behind, and a machine resolved this way is the machine
resolve_machine gives."""

from __future__ import annotations

import ctypes
import dataclasses
import gc
import mmap
import os
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import pytest

from advisor.probe.bandwidth import early as copy_test
from advisor.probe.bandwidth.copy_test import (
    MIN_TESTS,
    BandwidthMeasurement,
    measure_memory_bandwidth,
)
from tests.clocks import TickClock

needs_fork = pytest.mark.skipif(sys.platform != "linux", reason="the early test forks on Linux")


@pytest.fixture(autouse=True)
def _one_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    """A run forks only with no other thread; earlier tests in this process may leave some
    (the children here run only the fakes below, which take no lock)."""
    monkeypatch.setattr(copy_test.threading, "active_count", lambda: 1)


def _tagged(tag: int, rounds: int = 5) -> BandwidthMeasurement:
    """A measurement whose `threads` says which process took it."""
    stamp = datetime.now(timezone.utc).isoformat(timespec="seconds")
    return BandwidthMeasurement(30.0, tag, 8 << 20, rounds, 0.15, stamp)


@pytest.fixture
def asked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The copy test replaced by one that waits for `ready`, then reports its process id and
    (as rounds) whether the parent had already marked `asked` when the copies were let go."""
    marker = tmp_path / "asked"

    def measure(*, threads, budget_s, ready=None, **_kw):
        if ready is not None and not ready():
            return None
        return _tagged(os.getpid(), rounds=int(marker.exists()))

    monkeypatch.setattr(copy_test, "measure_memory_bandwidth", measure)
    return marker


@needs_fork
def test_the_child_measures_once_asked(asked: Path) -> None:
    pending = copy_test.start_copy_test(threads=2, budget_s=0.15)
    assert isinstance(pending, copy_test.EarlyCopyTest)
    asked.touch()  # the parent's loading is done: only now may the timed copies run
    found = pending()
    assert found is not None and found.threads == pending.pid != os.getpid()
    assert found.rounds == 1  # the child copied after the parent asked, not before
    copy_test.collect_stopped()  # as the run's exit does
    with pytest.raises(ChildProcessError):
        os.waitpid(pending.pid, os.WNOHANG)  # collected


@needs_fork
def test_the_figure_is_read_without_waiting_for_the_child_to_exit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The child sends its line and then unmaps its buffers while exiting: the run takes the
    line and goes on (a child that never exits here: the old read to the pipe's end waited
    ANSWER_WAIT_S for it and then tested in line, in the parent), and the child is collected
    at the run's end."""
    import signal

    parent = os.getpid()

    def measure(*, threads, budget_s, ready=None, hold=None, **_kw):
        if ready is None:
            return _tagged(parent)  # the test in line, in the parent
        assert ready()
        if hold is not None:
            hold.append(bytearray(1 << 20))  # the buffers, held past the answer
        measured = _tagged(os.getpid())
        real_exit = os._exit

        def exit_slowly(code: int) -> None:  # the answer is out; the exit does not end
            signal.pause()
            real_exit(code)

        monkeypatch.setattr(os, "_exit", exit_slowly)
        return measured

    monkeypatch.setattr(copy_test, "measure_memory_bandwidth", measure)
    monkeypatch.setattr(copy_test, "ANSWER_WAIT_S", 60.0)  # a loaded CI: never the limit
    pending = copy_test.start_copy_test(threads=2, budget_s=0.15)
    found = pending()
    assert found is not None and found.threads == pending.pid != parent
    copy_test.collect_stopped()
    with pytest.raises(ChildProcessError):
        os.waitpid(pending.pid, os.WNOHANG)


@needs_fork
def test_begin_lets_the_copies_run_before_the_figure_is_asked_for(asked: Path) -> None:
    """begin() (which a benchmark uses to time copies beside other work) sends the child on
    once; the figure asked for afterwards is the one the child took then."""
    import select

    pending = copy_test.start_copy_test(threads=2, budget_s=0.15)
    assert isinstance(pending, copy_test.EarlyCopyTest)
    pending.begin()
    pending.begin()
    while not pending.ready():  # its buffers are ready (the byte it sends first)...
        select.select([pending._answer], [], [], 60)
    assert select.select([pending._answer], [], [], 60)[0]  # ...and it answered unasked
    asked.touch()
    found = pending()
    assert found is not None and found.threads == pending.pid and found.rounds == 0


@needs_fork
def test_work_meanwhile_runs_until_the_child_is_ready_and_before_its_copies(asked: Path) -> None:
    """The run's own work while the child allocates (advisor.advice_ahead.prepare) is told when
    the child's buffers are ready, and the timed copies wait until it returns: they still run
    alone."""
    pending = copy_test.start_copy_test(threads=2, budget_s=0.15)
    assert isinstance(pending, copy_test.EarlyCopyTest)
    seen = []

    def meanwhile(ready) -> None:
        while not ready():  # the child sends READY once its buffers are allocated
            time.sleep(0.001)
        seen.append(ready())
        asked.touch()  # the copies have not run yet: they see the mark

    found = pending(meanwhile)
    assert seen == [True]
    assert found is not None and found.threads == pending.pid and found.rounds == 1


@needs_fork
def test_a_child_gone_before_its_buffers_are_ready_ends_the_wait(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A child that fails while allocating counts as ready (nothing is worth waiting for), and
    the test runs in line."""
    parent = os.getpid()

    def measure(*, threads, budget_s, ready=None, **_kw):
        if ready is not None:  # in the child
            raise MemoryError
        return _tagged(parent)

    monkeypatch.setattr(copy_test, "measure_memory_bandwidth", measure)
    pending = copy_test.start_copy_test(threads=2, budget_s=0.15)

    def meanwhile(ready) -> None:
        while not ready():
            time.sleep(0.001)

    found = pending(meanwhile)
    assert found is not None and found.threads == parent


def test_no_work_meanwhile_without_a_child(monkeypatch: pytest.MonkeyPatch) -> None:
    """A test in line (no fork here) or a figure from the cache waits for nothing: the work
    is not done ahead (advise() does it when it needs it)."""
    monkeypatch.setattr(copy_test.threading, "active_count", lambda: 2)
    monkeypatch.setattr(copy_test, "measure_memory_bandwidth", lambda **_kw: _tagged(os.getpid()))
    from advisor.probe.bandwidth.fill import fill_memory_bandwidth_soon
    from advisor.probe.live.probe import probe_machine

    never = pytest.fail
    soon = fill_memory_bandwidth_soon(probe_machine(measure_bandwidth=False))
    assert soon(lambda ready, _: never("work meanwhile without a child")) is not None


@needs_fork
def test_a_failing_child_means_a_test_in_line(monkeypatch: pytest.MonkeyPatch) -> None:
    parent = os.getpid()

    def measure(*, threads, budget_s, ready=None, **_kw):
        if ready is not None:  # in the child
            raise RuntimeError("no memory")
        return _tagged(parent)

    monkeypatch.setattr(copy_test, "measure_memory_bandwidth", measure)
    found = copy_test.start_copy_test(threads=2, budget_s=0.15)()
    assert found is not None and found.threads == parent


@needs_fork
def test_a_test_never_asked_for_stops_its_child(asked: Path) -> None:
    pending = copy_test.start_copy_test(threads=2, budget_s=0.15)
    pid = pending.pid
    del pending
    gc.collect()
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)


def test_with_other_threads_it_runs_in_line(monkeypatch: pytest.MonkeyPatch) -> None:
    """A fork copies one thread and the locks the others hold: no fork then."""
    monkeypatch.setattr(copy_test.threading, "active_count", lambda: 2)
    monkeypatch.setattr(os, "fork", lambda: pytest.fail("forked beside another thread"))
    monkeypatch.setattr(copy_test, "measure_memory_bandwidth", lambda **_kw: _tagged(os.getpid()))
    found = copy_test.start_copy_test(threads=2, budget_s=0.15)()
    assert found is not None and found.threads == os.getpid()


def test_the_wait_is_not_the_tests_time() -> None:
    """Time spent waiting in `ready` counts neither in the test's seconds nor its budget."""
    clock = TickClock(step_s=0.01)
    waited = []

    def ready() -> bool:
        clock.advance(100.0)
        waited.append(True)
        return True

    buffer = 8 * 2**20
    measured = measure_memory_bandwidth(threads=2, budget_s=0.05, buffer_bytes=buffer,
                                        clock=clock, ready=ready)  # fmt: skip
    assert waited and measured is not None and measured.seconds < 1.0
    assert measured.rounds == 5 and measured.gbs == pytest.approx(
        2 * buffer * 2 / 0.01 / 1e9, abs=0.1
    )
    assert measure_memory_bandwidth(threads=1, buffer_bytes=buffer, ready=lambda: False) is None


def test_the_source_buffer_holds_data() -> None:
    """Untouched pages read as the kernel's shared zero page, from cache: the source is
    written through first, and the destination is a copy of it."""
    from advisor.probe.bandwidth.copy_test import _buffers

    source, destination = _buffers(1 << 20)
    assert ctypes.string_at(source, 16) == b"\x01" * 16 == ctypes.string_at(destination, 16)


@pytest.mark.skipif(not hasattr(mmap, "MAP_POPULATE"), reason="Linux's MAP_POPULATE")
def test_the_buffers_are_mapped_with_their_pages_faulted_in(monkeypatch) -> None:
    from advisor.probe.bandwidth.copy_test import _buffers

    flags: list[int] = []
    real = mmap.mmap

    def mapped(*args, **kwargs):
        flags.append(kwargs["flags"])
        return real(*args, **kwargs)

    monkeypatch.setattr(mmap, "mmap", mapped)
    source, destination = _buffers(1 << 20)
    assert len(flags) == 2 and all(f & mmap.MAP_POPULATE for f in flags)
    assert len(source) == len(destination) == 1 << 20
    assert ctypes.string_at(destination, 1 << 20) == b"\x01" * (1 << 20)


def test_without_such_a_mapping_the_buffers_are_ctypes_own(monkeypatch) -> None:
    from advisor.probe.bandwidth.copy_test import _buffers

    def refused(*_args, **_kwargs):
        raise OSError(12, "Cannot allocate memory")

    monkeypatch.setattr(mmap, "mmap", refused)
    source, destination = _buffers(1 << 20)
    assert ctypes.string_at(destination, 16) == b"\x01" * 16
    monkeypatch.delattr(mmap, "MAP_POPULATE", raising=False)  # not Linux
    source, destination = _buffers(1 << 20)
    assert len(source) == 1 << 20 and ctypes.string_at(destination, 16) == b"\x01" * 16


def test_enough_cached_tests_start_no_child(advisor_home, monkeypatch) -> None:
    from advisor.probe.bandwidth.copy_test import store_bandwidth
    from advisor.probe.bandwidth.fill import fill_memory_bandwidth, fill_memory_bandwidth_soon
    from advisor.probe.fingerprint import machine_fingerprint
    from advisor.probe.live.probe import probe_machine

    machine = probe_machine(measure_bandwidth=False)
    for gbs in (24.0, 39.0, 30.0, 28.0)[:MIN_TESTS]:
        store_bandwidth(machine_fingerprint(machine), dataclasses.replace(_tagged(2), gbs=gbs))
    monkeypatch.setattr(os, "fork", lambda: pytest.fail("forked with enough cached tests"))
    filled = fill_memory_bandwidth_soon(machine)()
    assert filled == fill_memory_bandwidth(machine) and filled.memory.bandwidth_measured_gbs == 39.0


@needs_fork
def test_an_early_test_joins_the_cache_as_one_in_line_does(advisor_home, asked: Path) -> None:
    from advisor.probe.bandwidth.copy_test import recorded_bandwidth
    from advisor.probe.bandwidth.fill import fill_memory_bandwidth_soon
    from advisor.probe.fingerprint import machine_fingerprint
    from advisor.probe.live.probe import probe_machine

    machine = probe_machine(measure_bandwidth=False)
    filled = fill_memory_bandwidth_soon(machine)()
    (kept,) = recorded_bandwidth(machine_fingerprint(machine))
    assert kept.threads != os.getpid() and filled.memory.bandwidth_measured_gbs == kept.gbs
    assert filled.sources["memory.bandwidth_measured_gbs"].startswith("measured (copy test, ")


def test_a_profile_resolves_now_and_a_bad_override_fails_now() -> None:
    from advisor.errors import UsageError
    from advisor.probe.resolve import resolve_machine, resolve_machine_soon

    soon = resolve_machine_soon(profile="rtx-4090-desktop", ram_gb=32)
    assert soon() == resolve_machine(profile="rtx-4090-desktop", ram_gb=32)
    with pytest.raises(UsageError, match="--ram"):
        resolve_machine_soon(ram_gb=-1)


@needs_fork
def test_a_child_that_raises_never_returns_into_the_run() -> None:
    """fork_child's child leaves with os._exit whatever its function raises, even before the
    function's own guard (a Ctrl-C just after the fork): it never goes back into the run's code,
    to print, exit through its handlers or flush its output a second time."""

    def interrupted(go: int, out: int) -> None:
        raise KeyboardInterrupt

    run = os.getpid()
    try:
        forked = copy_test.fork_child(interrupted)
    finally:
        if os.getpid() != run:  # the child came back here: it leaves, and the run sees 99
            os._exit(99)
    assert forked is not None
    pid, go, answer = forked
    os.close(go)
    os.close(answer)
    assert os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) == 1
