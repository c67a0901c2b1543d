"""Put the measured RAM bandwidth into a Machine: from the cache when fresh, else a copy test."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from advisor.probe.bandwidth.copy_test import (
    BUDGET_S,
    MIN_TESTS,
    PHYSICAL_BOUND_GBS,
    BandwidthMeasurement,
    best_of,
    measure_memory_bandwidth,
    recorded_bandwidth,
    store_bandwidth,
)
from advisor.probe.fingerprint import machine_fingerprint
from advisor.probe.machine import Machine
from advisor.probe.unknowns import with_reasons


def fill_memory_bandwidth(
    machine: Machine, *, use_cache: bool = True, budget_s: float = BUDGET_S
) -> Machine:
    """`machine` with memory.bandwidth_measured_gbs filled: the best of the cached copy tests
    once there are MIN_TESTS fresh ones, else a new test joins them (use_cache False: a new
    test alone, still recorded)."""
    fingerprint = machine_fingerprint(machine)
    earlier = recorded_bandwidth(fingerprint) if use_cache else ()
    if len(earlier) >= MIN_TESTS:
        return _with_bandwidth(machine, best_of(earlier))
    fresh = measure_memory_bandwidth(threads=machine.cpu.physical_cores, budget_s=budget_s)
    return _with_test(machine, fingerprint, earlier, fresh)


# Work of the caller's own, done while a copy test's child allocates: it is handed a function
# that says whether the child is ready (advisor.probe.bandwidth.early.EarlyCopyTest) and the
# machine as probed, without the test's figure
Meanwhile = Callable[[Callable[[], bool], "Machine"], None]


def fill_memory_bandwidth_soon(
    machine: Machine,
    *,
    budget_s: float = BUDGET_S,
    prepared: Callable[[], tuple[int, int, int] | None] | None = None,
) -> Callable[..., Machine]:
    """What fill_memory_bandwidth(machine) gives, as a function to call when the figure is
    needed: a copy test it needs starts now, beside the caller's other work
    (advisor.probe.bandwidth.early), and its timed copies run when the function is called.
    `prepared` gives a child already preparing that test, if any (advisor.probe.live.early);
    it is asked only when a test is needed. The function takes `meanwhile`, work of the
    caller's own that does not need the figure: called only while a child prepares the test,
    before its timed copies, until the child is ready (EarlyCopyTest), with `ready` and the
    machine."""
    fingerprint = machine_fingerprint(machine)
    earlier = recorded_bandwidth(fingerprint)
    if len(earlier) >= MIN_TESTS:
        filled = _with_bandwidth(machine, best_of(earlier))
        return lambda meanwhile=None: filled
    from advisor.probe.bandwidth.early import EarlyCopyTest, start_copy_test

    pending = start_copy_test(
        threads=machine.cpu.physical_cores,
        budget_s=budget_s,
        prepared=prepared() if prepared is not None else None,
    )

    def filled_after_test(meanwhile: Meanwhile | None = None) -> Machine:
        if not isinstance(pending, EarlyCopyTest) or meanwhile is None:
            fresh = pending()
        else:
            fresh = pending(lambda ready: meanwhile(ready, machine))
        return _with_test(machine, fingerprint, earlier, fresh)

    return filled_after_test


def _with_test(
    machine: Machine,
    fingerprint: str,
    earlier: tuple[BandwidthMeasurement, ...],
    fresh: BandwidthMeasurement | None,
) -> Machine:
    """`machine` with the best of the earlier tests and the fresh one, which joins the cache."""
    if fresh is not None and 0 < fresh.gbs < PHYSICAL_BOUND_GBS:
        _keep(fingerprint, fresh)
        return _with_bandwidth(machine, best_of((*earlier, fresh)))
    return _with_bandwidth(machine, fresh)


def remeasure_memory_bandwidth(machine: Machine, *, budget_s: float = 0.3) -> Machine:
    """A new copy test joins the cached ones, whatever their number: for when a throughput
    test disagrees with the figure. The figure stays the best fresh test."""
    fingerprint = machine_fingerprint(machine)
    fresh = measure_memory_bandwidth(threads=machine.cpu.physical_cores, budget_s=budget_s)
    if fresh is not None and 0 < fresh.gbs < PHYSICAL_BOUND_GBS:
        _keep(fingerprint, fresh)
        return _with_bandwidth(machine, best_of(recorded_bandwidth(fingerprint)) or fresh)
    return machine


def _keep(fingerprint: str, fresh: BandwidthMeasurement) -> None:
    """Cache the test; a cache that cannot be written is a warning, never a failure."""
    from advisor.console import warning
    from advisor.errors import WriteError

    try:
        store_bandwidth(fingerprint, fresh)
    except WriteError as exc:
        warning(f"{exc.message}; the memory copy test will run again next time")


def _with_bandwidth(machine: Machine, measurement: BandwidthMeasurement | None) -> Machine:
    unknown = dict(machine.unknown)
    sources = dict(machine.sources)
    path = "memory.bandwidth_measured_gbs"
    if measurement is None or not 0 < measurement.gbs < PHYSICAL_BOUND_GBS:
        unknown[path] = (
            "the copy test could not run here"
            if measurement is None
            else (f"the copy test gave an implausible {measurement.gbs} GB/s")
        )
        return dataclasses.replace(machine, unknown=unknown)
    sources[path] = measurement.source
    memory = dataclasses.replace(
        machine.memory,
        bandwidth_measured_gbs=measurement.gbs,
        bandwidth_measured_on=measurement.measured_at[:10],  # ISO 8601, UTC: the date
    )
    return with_reasons(
        dataclasses.replace(machine, memory=memory, sources=sources, unknown=unknown), ""
    )
