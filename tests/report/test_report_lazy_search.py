"""The lazy search decides exactly as checking every file of every model would."""

from __future__ import annotations

import pytest

from advisor.estimate.rank import rank_models
from advisor.probe import load_profile
from advisor.probe.power.draw import resolve_power
from advisor.verdict.candidates import to_candidate
from advisor.verdict.cloud import cloud_costs
from advisor.verdict.decide import decide, settles
from advisor.verdict.electricity import region_rate
from advisor.verdict.gather import workload_options
from advisor.verdict.local import HardwareCost
from advisor.verdict.options import check_option
from advisor.verdict.search import OptionSearch
from advisor.workload import load_workloads

OWNED = HardwareCost(None, 36)


def _summary(verdict):
    option = verdict.option
    chosen = (option.candidate.model_id, option.candidate.quant) if option else None
    return verdict.kind, chosen, verdict.costs


# Profiles where speed is not monotonic in file size (Vulkan, small GPUs) or nothing is fast;
# on the RTX 4060 laptop a routine model's best file (split with the CPU) costs more to run
# than its Q8_0 on the GPU, which alone makes the chat hybrid pay.
@pytest.mark.parametrize(
    "profile", ["strix-halo-128gb", "rtx-3060-desktop", "office-laptop-8gb", "rtx-4060-laptop"]
)
def test_lazy_and_exhaustive_searches_agree(catalog, profile) -> None:
    machine = load_profile(profile)
    power = resolve_power(machine)
    rate = region_rate(catalog, "us")
    search = OptionSearch(machine, catalog)
    for workload in load_workloads():
        cloud = cloud_costs(workload, catalog)

        def takes(option, workload=workload, cloud=cloud):
            return settles(workload, option, cloud, rate, OWNED)

        before = search.estimates_made
        lazy = workload_options(search, workload, cloud.frontier_index, lambda *_: power,
                                takes).options  # fmt: skip
        made = search.estimates_made - before
        context = workload.context_tokens * workload.concurrency
        every = rank_models(machine, catalog, task=workload.task, context_tokens=context,
                            all_quants=True, estimator=search.estimate).candidates  # fmt: skip
        full = [check_option(workload, to_candidate(r, False, lambda *_: power),
                             cloud.frontier_index) for r in every]  # fmt: skip
        assert _summary(decide(workload, lazy, cloud, rate, OWNED)) == _summary(
            decide(workload, full, cloud, rate, OWNED)
        ), workload.name
        assert made < sum(len(m.quants) for m in catalog.models) / 2
