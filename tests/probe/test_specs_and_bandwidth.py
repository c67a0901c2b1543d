"""Spec-table name matching, and the RAM bandwidth copy test and its cache."""

from __future__ import annotations

import json

import pytest

from advisor.probe.bandwidth import (
    PHYSICAL_BOUND_GBS,
    cached_bandwidth,
    measure_memory_bandwidth,
    store_bandwidth,
)
from advisor.probe.machine import GIB
from advisor.probe.specs import lookup_spec, match_pci, match_spec, spec_table
from tests.clocks import TickClock


@pytest.mark.parametrize(
    ("query", "hints", "expected"),
    [
        ("NVIDIA GeForce RTX 4090", {}, "RTX 4090"),
        ("RTX 4090", {}, "RTX 4090"),
        ("NVIDIA GeForce RTX 4090 Laptop GPU", {}, "GeForce RTX 4090 Mobile"),
        ("NVIDIA GeForce RTX 4060 Laptop GPU", {}, "GeForce RTX 4060 Mobile"),
        ("NVIDIA GeForce RTX 4060", {}, "GeForce RTX 4060"),
        ("NVIDIA GeForce RTX 3060", {"memory_bytes": 12 * GIB}, "RTX 3060 12GB"),
        ("NVIDIA H100 80GB HBM3", {}, "H100 SXM5 80 GB"),
        ("NVIDIA H100 PCIe", {"memory_bytes": 81559 * 1024**2}, "H100 PCIe 80 GB"),
        ("NVIDIA A100-SXM4-80GB", {}, "A100 SXM4 80 GB"),
        ("NVIDIA GB10", {}, "GB10"),
        ("Apple M3 Pro", {"gpu_cores": 18}, "Apple M3 Pro (18-core GPU)"),
        ("Apple M4 Max", {"gpu_cores": 32}, "Apple M4 Max (32-core GPU)"),
        ("AMD Radeon RX 7900 XTX", {}, "RX 7900 XTX"),
        ("Intel(R) Arc(TM) A770 Graphics", {}, "Arc A770"),
        ("13th Gen Intel(R) Core(TM) i9-13900K", {}, "Intel Core i9-13900K"),
        ("AMD RYZEN AI MAX+ 395 w/ Radeon 8060S", {}, "AMD Ryzen AI Max+ 395"),
    ],
)
def test_names_drivers_report_find_their_row(query, hints, expected) -> None:
    assert lookup_spec(query, **hints).name == expected


def test_laptop_and_desktop_never_stand_in_for_each_other() -> None:
    assert lookup_spec("RTX 4060 Laptop GPU").memory_bandwidth_gbs == 256
    assert lookup_spec("RTX 4060").memory_bandwidth_gbs == 272
    assert lookup_spec("NVIDIA GeForce RTX 5090 Laptop GPU") is None or (
        lookup_spec("NVIDIA GeForce RTX 5090 Laptop GPU").laptop
    )


def test_ambiguous_variants_take_the_slowest_and_say_so() -> None:
    found = match_spec("Apple M3 Max")
    assert found.spec.memory_bandwidth_gbs == 300 and "variant unknown" in found.note


def test_pci_ids_and_gfx_targets() -> None:
    assert match_pci("1002:744c", memory_bytes=20 * GIB).spec.name == "RX 7900 XT"
    assert (
        match_pci(None, gfx_target="gfx1151", compute_units=40).spec.name == "AMD Ryzen AI Max+ 395"
    )
    assert lookup_spec("Voodoo 5 6000") is None


def test_table_rows_are_sourced_and_sane() -> None:
    for spec in spec_table():
        assert spec.source, spec.name
        if spec.memory_bandwidth_gbs is not None:
            assert 5 < spec.memory_bandwidth_gbs < 10000, spec.name
        if spec.price_usd is not None:
            assert spec.price_source, spec.name
        if spec.inference_power_w is not None:
            assert spec.inference_power_source and spec.inference_power_scope in ("gpu", "wall")


def test_copy_test_is_sane() -> None:
    """Real copies, timed on a clock that moves 10 ms a reading: each round takes one step,
    so the figure is exact whatever else the machine is doing."""
    buffer = 8 * 2**20
    measured = measure_memory_bandwidth(
        threads=2, budget_s=0.05, buffer_bytes=buffer, clock=TickClock(step_s=0.01)
    )
    assert measured is not None
    assert measured.gbs == pytest.approx(2 * buffer * 2 / 0.01 / 1e9, abs=0.1)
    assert measured.gbs < PHYSICAL_BOUND_GBS
    assert measured.rounds == 5 and measured.threads == 2


def test_cache_round_trip_and_corruption(advisor_home) -> None:
    measured = measure_memory_bandwidth(budget_s=0.02, clock=TickClock(step_s=0.01))
    store_bandwidth("m-test", measured)
    cached = cached_bandwidth("m-test")
    assert cached.gbs == measured.gbs and cached.cached
    assert cached.source.startswith("measured (cached ")
    path = advisor_home / "cache" / "memory_bandwidth.json"
    path.write_text("{not json")
    assert cached_bandwidth("m-test") is None
    path.write_text(json.dumps({"m-test": {"gbs": "fast"}}))
    assert cached_bandwidth("m-test") is None
    store_bandwidth("m-test", measured)  # a corrupt cache is replaced, not fatal
    assert cached_bandwidth("m-test").gbs == measured.gbs


def test_fill_memory_bandwidth_uses_the_cache(advisor_home) -> None:
    from advisor.probe.measure import fill_memory_bandwidth
    from advisor.probe.probe import probe_machine
    from advisor.probe.serialize import machine_fingerprint

    machine = probe_machine(measure_bandwidth=False)
    first = fill_memory_bandwidth(machine, budget_s=0.02)
    assert first.sources["memory.bandwidth_measured_gbs"] == "measured (copy test)"
    assert "memory.bandwidth_measured_gbs" not in first.unknown
    second = fill_memory_bandwidth(machine)
    assert second.memory.bandwidth_measured_gbs == first.memory.bandwidth_measured_gbs
    assert second.sources["memory.bandwidth_measured_gbs"].startswith("measured (cached")
    assert cached_bandwidth(machine_fingerprint(machine)) is not None
