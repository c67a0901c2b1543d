"""Which power draw a model file's verdict counts on one machine: its own throughput test's
reading, else the median of this machine's tests, else the figure of the GPUs its placement
uses (advisor.probe.power.draw)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from advisor.probe.power.draw import PowerDraw, resolve_power

if TYPE_CHECKING:
    from advisor.bench.measurement import Measurement
    from advisor.estimate.estimate import Estimate
    from advisor.probe.machine import Machine

# (model id, quant, estimate) -> watts while generating (the estimate's placement says which
# GPUs are busy; None: the machine's general figure)
PowerFor = Callable[[str, str, "Estimate | None"], PowerDraw]


def power_lookup(machine: Machine, measurements: Sequence[Measurement]) -> PowerFor:
    """(model id, quant[, estimate]) -> PowerDraw: that file's measured power, else the
    machine's figure for the GPUs the estimate's placement uses."""
    # A stored run from before counters that went backwards were caught may hold a power of
    # 0 or less: no GPU draws that, so such a run says nothing about power.
    powered = [m for m in measurements if m.mean_power_w is not None and m.mean_power_w > 0]
    if powered:
        import statistics  # here: ~10 ms of imports (decimal, fractions, random) runs skip

        watts = statistics.median(m.mean_power_w for m in powered if m.mean_power_w)
        general = resolve_power(
            machine,
            measured_gpu_w=watts,
            measured_source=f"{len(powered)} throughput test(s) on this machine (median)",
        )
    else:
        general = resolve_power(machine)
    own = {(m.model.model_id, m.model.quant): m for m in powered if m.model.model_id}
    several = sum(1 for g in machine.gpus if not g.integrated and not g.unified_memory) > 1
    by_gpus: dict[frozenset[int], PowerDraw] = {}

    def power_for(model_id: str, quant: str, estimate: Estimate | None = None) -> PowerDraw:
        match = own.get((model_id, quant))
        if match is None:
            if powered or not several or estimate is None:
                return general
            used = gpus_used(estimate)  # only the GPUs the placement puts layers on
            if used not in by_gpus:
                by_gpus[used] = resolve_power(machine, gpus_used=used)
            return by_gpus[used]
        return resolve_power(
            machine,
            measured_gpu_w=match.mean_power_w,
            measured_source=f"the throughput test of {model_id} {quant}",
        )

    return power_for


def gpus_used(estimate: Estimate) -> frozenset[int]:
    """The indexes of the GPUs an estimate's placement puts layers on."""
    return frozenset(
        int(share.device[3:])
        for share in estimate.placement.shares
        if share.device.startswith("gpu") and share.layers > 0
    )
