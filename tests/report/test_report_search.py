"""The lazy search finds what ranking the whole catalog finds, with far fewer estimates."""

from __future__ import annotations

import pytest

from advisor.estimate.rank import rank_models
from advisor.probe import load_profile
from advisor.verdict.cloud import cloud_costs
from advisor.verdict.gather import workload_options
from advisor.verdict.power import resolve_power
from advisor.verdict.search import OptionSearch
from advisor.verdict.workload import load_workloads


@pytest.mark.parametrize("profile", ["rtx-4090-desktop", "office-laptop-16gb", "dgx-spark"])
@pytest.mark.parametrize(("task", "context"), [("chat", 8192), ("coding", 32768)])
def test_top_matches_the_full_ranking(catalog, estimator, profile, task, context) -> None:
    machine = load_profile(profile)
    full = rank_models(machine, catalog, task=task, context_tokens=context, estimator=estimator)
    search = OptionSearch(machine, catalog, estimator=estimator)
    top = search.top(task, context, 5)
    assert [(c.model_id, c.quant) for c in top] == [
        (c.model_id, c.quant) for c in full.candidates[:5]
    ]
    every_quant = sum(len(m.quants) for m in catalog.models)
    assert search.estimates_made < every_quant


def test_a_workload_that_runs_locally_stops_early(catalog, estimator) -> None:
    machine = load_profile("rtx-5090-desktop")
    workload = load_workloads(["chat-assistant"])[0]
    cloud = cloud_costs(workload, catalog)
    search = OptionSearch(machine, catalog, estimator=estimator)
    power = resolve_power(machine)
    options = workload_options(
        search, workload, cloud.frontier_index, lambda *_: power, lambda o: o.passed()
    )
    assert any(o.passed() for o in options)
    assert search.estimates_made <= 2 * sum(len(m.quants) for m in catalog.models) // 10
