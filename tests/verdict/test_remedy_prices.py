"""The remedy search judges its changed machines at the prices advise() judged the verdicts at:
each workload is priced once in a report, not again for the changed machines (the same
workloads at the same catalog's prices), and the remedies are what a search pricing anew
finds."""

from __future__ import annotations

from collections import Counter

import pytest

from advisor.advice_options import AdviceOptions
from advisor.advise import advise
from advisor.catalog import load_catalog
from advisor.probe.resolve import resolve_machine
from advisor.verdict import cloud, cloud_prices
from advisor.workload import load_workloads


@pytest.fixture
def priced(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """How many times each workload was priced (cloud.cloud_costs, as the prices session calls
    it) in the test (the costs a report's shared session keeps for the process, from earlier
    tests, forgotten first)."""
    cloud_prices._costs_on.cache_clear()
    seen: Counter[str] = Counter()
    real = cloud.cloud_costs

    def counted(workload, catalog):
        seen[workload.name] += 1
        return real(workload, catalog)

    monkeypatch.setattr(cloud_prices, "cloud_costs", counted)
    return seen


def test_a_report_prices_each_workload_once(priced, advisor_home) -> None:
    machine = resolve_machine(profile="office-laptop-8gb")
    workloads = load_workloads()
    advice = advise(machine, load_catalog(), workloads, AdviceOptions(cache=False))
    assert any(v.remedy is not None and v.remedy.kind != "none" for v in advice.verdicts)
    assert priced == Counter({w.name: 1 for w in workloads})


def test_the_remedies_are_those_a_new_pricing_finds(advisor_home, monkeypatch) -> None:
    from advisor import remedies

    machine = resolve_machine(profile="office-laptop-8gb")
    catalog, workloads = load_catalog(), load_workloads()
    shared = advise(machine, catalog, workloads, AdviceOptions(cache=False))
    real = remedies.with_remedies

    def priced_anew(*args, **kwargs):
        return real(*args[:6])  # no prices passed: the search prices the workloads itself

    monkeypatch.setattr(remedies, "with_remedies", priced_anew)
    anew = advise(machine, catalog, workloads, AdviceOptions(cache=False))
    assert [v.remedy for v in shared.verdicts] == [v.remedy for v in anew.verdicts]
    assert shared.verdicts == anew.verdicts
