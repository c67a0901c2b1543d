"""This computer probed in a forked child from the run's start (advisor.probe.live.early): the
machine it sends is the one the probe gives in line, the copy test it prepares is the one the
run takes, a child that sends nothing means a probe in line, and a child never taken (a profile
instead) is stopped and collected."""

from __future__ import annotations

import dataclasses
import gc
import os
import sys
import time
from datetime import datetime, timezone

import pytest

from advisor.probe.bandwidth import early as copy_early
from advisor.probe.bandwidth.copy_test import MIN_TESTS, BandwidthMeasurement
from advisor.probe.live import early
from advisor.probe.machine import Machine
from tests.children_kit import collected

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="the early probe forks on Linux")


@pytest.fixture(autouse=True)
def _one_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    """A run forks only with no other thread; earlier tests in this process may leave some
    (the children here run the probe and the fakes below, which take no lock)."""
    monkeypatch.setattr(copy_early.threading, "active_count", lambda: 1)


@pytest.fixture
def tagged_tests(monkeypatch: pytest.MonkeyPatch) -> None:
    """The copy test replaced by one that says (as `threads`) which process took it."""

    def measure(*, threads, budget_s, ready=None, **_kw):
        if ready is not None and not ready():
            return None
        stamp = datetime.now(timezone.utc).isoformat(timespec="seconds")
        return BandwidthMeasurement(30.0, os.getpid(), 8 << 20, 5, 0.1, stamp)

    monkeypatch.setattr(copy_early, "measure_memory_bandwidth", measure)


def _steady(machine: Machine) -> Machine:
    """The machine less what changes from one reading to the next (free memory, free VRAM,
    free disk)."""
    memory = dataclasses.replace(machine.memory, ram_available_bytes=0, swap_free_bytes=0)
    gpus = tuple(dataclasses.replace(g, vram_free_bytes=0) for g in machine.gpus)
    return dataclasses.replace(machine, memory=memory, gpus=gpus, disk_free_bytes=0)


def test_the_childs_machine_and_copy_test_are_the_runs(advisor_home, tagged_tests) -> None:
    from advisor.probe.bandwidth.copy_test import recorded_bandwidth
    from advisor.probe.fingerprint import machine_fingerprint
    from advisor.probe.live.probe import probe_machine
    from advisor.probe.resolve import resolve_machine_soon

    started = early.start_probe()
    assert started is not None and started.pid != os.getpid()
    machine = resolve_machine_soon(early=started)()
    in_line = probe_machine(measure_bandwidth=False)
    (kept,) = recorded_bandwidth(machine_fingerprint(in_line))
    assert kept.threads == started.pid  # the child that probed took the copy test
    assert machine.memory.bandwidth_measured_gbs == 30.0
    assert machine.sources["memory.bandwidth_measured_gbs"].startswith("measured (copy test, ")
    unmeasured = dataclasses.replace(
        machine.memory, bandwidth_measured_gbs=None, bandwidth_measured_on=None
    )
    probed = _steady(dataclasses.replace(machine, memory=unmeasured))
    for field in ("cpu", "memory", "gpus", "backend", "name", "host_id", "os", "notes"):
        assert getattr(probed, field) == getattr(_steady(in_line), field), field
    assert machine_fingerprint(machine) == machine_fingerprint(in_line)
    assert collected(started.pid)


def test_the_run_works_meanwhile_while_the_childs_test_prepares(advisor_home, tagged_tests):
    """The report's work meanwhile (advisor.advice_ahead.prepare) runs once the machine is taken,
    before the copy test's figure, and is told when the child's buffers are ready; a profile
    waits for nothing."""
    from advisor.probe.resolve import resolve_machine_soon

    started = early.start_probe()
    assert started is not None
    calls = []

    def meanwhile(ready, probed) -> None:
        while not ready():
            time.sleep(0.001)
        calls.append((ready(), probed.memory.bandwidth_measured_gbs, probed.cpu.name))

    machine = resolve_machine_soon(early=started)(meanwhile=meanwhile)
    # handed the machine as probed: the copy test's figure is not there yet
    assert calls == [(True, None, machine.cpu.name)]
    assert machine.memory.bandwidth_measured_gbs == 30.0
    soon = resolve_machine_soon(profile="rtx-4090-desktop")
    assert soon(meanwhile=lambda ready, _: pytest.fail("a profile waits for no copy test"))
    assert collected(started.pid)


def test_the_work_meanwhile_is_handed_the_machine_with_its_overrides(advisor_home, tagged_tests):
    """--ram given: the machine the work meanwhile sees has the RAM the run will use (what it
    reads of the machine is the room its files must fit, advisor.advice_ahead.prepare)."""
    from advisor.probe.resolve import resolve_machine_soon

    started = early.start_probe()
    assert started is not None
    seen = []

    def meanwhile(ready, machine) -> None:
        seen.append(machine.memory.ram_total_bytes)

    machine = resolve_machine_soon(early=started, ram_gb=64)(meanwhile=meanwhile)
    assert seen == [64 * 1024**3] == [machine.memory.ram_total_bytes]
    assert collected(started.pid)


def test_the_probe_is_the_in_line_one(advisor_home, monkeypatch) -> None:
    """Without a copy test to prepare (enough cached ones), the child sends the machine the
    probe gives in line and leaves; no copy test child is forked."""
    from advisor.probe.bandwidth.copy_test import store_bandwidth
    from advisor.probe.bandwidth.fill import fill_memory_bandwidth
    from advisor.probe.fingerprint import machine_fingerprint
    from advisor.probe.live.probe import probe_machine
    from advisor.probe.resolve import resolve_machine_soon

    in_line = probe_machine(measure_bandwidth=False)
    stamp = datetime.now(timezone.utc).isoformat(timespec="seconds")
    for gbs in (24.0, 39.0, 30.0)[:MIN_TESTS]:
        store_bandwidth(
            machine_fingerprint(in_line), BandwidthMeasurement(gbs, 2, 8 << 20, 5, 0.1, stamp)
        )
    started = early.start_probe()
    assert started is not None
    monkeypatch.setattr(os, "fork", lambda: pytest.fail("forked a copy test: none is needed"))
    machine = resolve_machine_soon(early=started)()
    assert machine.memory.bandwidth_measured_gbs == 39.0
    assert _steady(machine) == _steady(fill_memory_bandwidth(in_line))
    assert collected(started.pid)


def test_a_child_that_sends_no_machine_means_a_probe_in_line(
    advisor_home, tagged_tests, monkeypatch
) -> None:
    import advisor.probe.live.probe as live
    from advisor.probe.resolve import resolve_machine_soon

    parent, real = os.getpid(), live.probe_machine

    def probe(**kwargs) -> Machine:
        if os.getpid() != parent:
            raise RuntimeError("the child fails")
        return real(**kwargs)

    monkeypatch.setattr(live, "probe_machine", probe)
    started = early.start_probe()
    assert started is not None
    machine = resolve_machine_soon(early=started)()
    assert _steady(machine).cpu == _steady(real(measure_bandwidth=False)).cpu
    assert machine.memory.bandwidth_measured_gbs == 30.0  # from a copy test forked anew
    assert collected(started.pid)


def test_a_profile_instead_stops_the_child(advisor_home) -> None:
    from advisor.probe.resolve import resolve_machine, resolve_machine_soon

    started = early.start_probe()
    assert started is not None
    soon = resolve_machine_soon(profile="rtx-4090-desktop", ram_gb=32, early=started)
    assert soon() == resolve_machine(profile="rtx-4090-desktop", ram_gb=32)
    assert collected(started.pid)


def test_a_bad_override_fails_before_the_machine_is_taken(advisor_home) -> None:
    from advisor.errors import UsageError
    from advisor.probe.resolve import resolve_machine_soon

    started = early.start_probe()
    assert started is not None
    with pytest.raises(UsageError, match="--ram"):
        resolve_machine_soon(ram_gb=-1, early=started)
    started.cancel()
    assert collected(started.pid)


def test_a_probe_never_taken_stops_its_child(advisor_home) -> None:
    started = early.start_probe()
    assert started is not None
    pid = started.pid
    del started
    gc.collect()
    assert collected(pid)


def test_the_run_takes_the_probe_started_for_it_once(advisor_home, monkeypatch) -> None:
    monkeypatch.setattr(early, "_STARTED", [])
    early.start_for_this_run()
    taken = early.take_started()
    assert taken is not None and early.take_started() is None
    taken.cancel()
    assert collected(taken.pid)


def test_no_fork_beside_another_thread(monkeypatch) -> None:
    monkeypatch.setattr(copy_early.threading, "active_count", lambda: 2)
    monkeypatch.setattr(os, "fork", lambda: pytest.fail("forked beside another thread"))
    assert early.start_probe() is None


def test_a_warm_run_probes_in_line(advisor_home, monkeypatch) -> None:
    """With MIN_TESTS fresh copy tests cached (for any machine) nothing waits long enough to
    overlap: no child is forked, and the run probes in line as before."""
    from advisor.probe.bandwidth.copy_test import store_bandwidth, tested_enough_somewhere

    stamp = datetime.now(timezone.utc).isoformat(timespec="seconds")
    for _ in range(MIN_TESTS):
        assert not tested_enough_somewhere()
        store_bandwidth("m-0123456789abcdef", BandwidthMeasurement(30.0, 2, 8 << 20, 5, 0.1, stamp))
    assert tested_enough_somewhere()
    monkeypatch.setattr(early, "_STARTED", [])
    monkeypatch.setattr(os, "fork", lambda: pytest.fail("forked for a warm run"))
    early.start_for_this_run()
    assert early.take_started() is None
