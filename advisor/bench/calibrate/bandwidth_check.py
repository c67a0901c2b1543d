"""A throughput test that disagrees with the RAM bandwidth figure runs the copy test again.

CPU decode is memory-bound: the estimate divides the bytes a token reads by the measured RAM
bandwidth. A run far from that estimate may mean the copy test behind the figure ran on a
busy machine; one more test joins the cached ones, and the figure stays the best of them
(advisor.probe.bandwidth.copy_test), so a low reading is corrected and a good one is never lowered.
"""

from __future__ import annotations

from advisor.bench.measurement import Measurement
from advisor.probe.machine import Machine

DISAGREEMENT = 1.25  # measured/estimated decode beyond 1/1.25 .. 1.25: test the bandwidth again


def recheck_bandwidth(
    machine: Machine, measurement: Measurement, estimated_decode_tokens_per_s: float | None
) -> tuple[Machine, str | None]:
    """(the machine with its figure after a new copy test, a note) when a CPU run's decode
    disagrees with its estimate; else (machine, None)."""
    if measurement.placement != "cpu" or measurement.decode is None:
        return machine, None
    if not estimated_decode_tokens_per_s or estimated_decode_tokens_per_s <= 0:
        return machine, None
    ratio = measurement.decode.mean_tokens_per_s / estimated_decode_tokens_per_s
    if 1 / DISAGREEMENT <= ratio <= DISAGREEMENT:
        return machine, None
    from advisor.probe.bandwidth.fill import remeasure_memory_bandwidth

    before = machine.memory.bandwidth_measured_gbs
    after = remeasure_memory_bandwidth(machine)
    figure = after.memory.bandwidth_measured_gbs
    source = after.sources.get("memory.bandwidth_measured_gbs", "")
    was = f"{before:g} GB/s" if before is not None else "unknown"
    return after, (
        f"decode ran at {ratio:.0%} of the estimate, so the RAM copy test ran again: "
        f"{was} before, {figure:g} GB/s now ({source})"
        if figure is not None
        else f"decode ran at {ratio:.0%} of the estimate; the RAM copy test ran again but "
        "gave no figure"
    )
