"""Estimates cached on disk: a second report estimates nothing and says the same; a changed
machine misses; a broken cache file is ignored and replaced."""

from __future__ import annotations

import dataclasses

import pytest

from advisor.advice_options import AdviceOptions
from advisor.advise import advise
from advisor.estimate.cache import EstimateCache
from advisor.probe import load_profile
from advisor.report.document import build_document
from advisor.verdict import search as search_module
from advisor.workload import load_workloads


@pytest.fixture
def counted(monkeypatch) -> list[str]:
    """Every call that reaches the estimator (cache and memo misses)."""
    calls: list[str] = []
    real = search_module.OptionSearch._estimate

    def spy(self, machine, model, quant, *rest):
        calls.append(f"{model.id} {quant}")
        return real(self, machine, model, quant, *rest)

    monkeypatch.setattr(search_module.OptionSearch, "_estimate", spy)
    return calls


def _verdicts(machine, catalog):
    doc = build_document(advise(machine, catalog, load_workloads(["chat-assistant"])))
    return [(v["verdict"], v["summary"], v["costs_usd_per_month"]) for v in doc["verdicts"]]


def test_a_second_report_estimates_nothing(catalog, counted) -> None:
    machine = load_profile("rtx-3090-desktop")
    first = _verdicts(machine, catalog)
    assert counted and EstimateCache(machine).path.exists()
    counted.clear()
    assert _verdicts(machine, catalog) == first
    assert counted == []


def test_another_machine_misses(catalog, counted) -> None:
    machine = load_profile("rtx-3090-desktop")
    _verdicts(machine, catalog)
    counted.clear()
    bigger = dataclasses.replace(machine, memory=dataclasses.replace(
        machine.memory, ram_total_bytes=2 * machine.memory.ram_total_bytes))  # fmt: skip
    _verdicts(bigger, catalog)
    assert counted


def test_free_memory_does_not_change_the_key(catalog) -> None:
    machine = load_profile("rtx-3090-desktop")
    busier = dataclasses.replace(
        machine, memory=dataclasses.replace(machine.memory, ram_available_bytes=1024**3)
    )
    assert EstimateCache(machine).path == EstimateCache(busier).path


def _copy_tested(machine, gbs: float, on: str, source: str):
    memory = dataclasses.replace(machine.memory, bandwidth_measured_gbs=gbs,
                                 bandwidth_measured_on=on)  # fmt: skip
    sources = {**machine.sources, "memory.bandwidth_measured_gbs": source}
    return dataclasses.replace(machine, memory=memory, sources=sources)


def test_the_copy_tests_date_and_count_do_not_change_the_key(catalog) -> None:
    # A fresh machine's first runs each add a copy test: the source text counts them and the
    # date may move while the best figure stays. The estimator reads neither, so the estimates
    # stay; a better figure is another key.
    from advisor.estimate import estimate

    base = load_profile("office-laptop-16gb")
    first = _copy_tested(base, 21.5, "2026-12-06", "measured (copy test, 2026-12-06)")
    third = _copy_tested(base, 21.5, "2026-12-07",
                         "measured (best of 3 copy tests, 2026-12-07, cached)")  # fmt: skip
    faster = _copy_tested(base, 23.0, "2026-12-07", "measured (best of 3 copy tests, 2026-12-07)")
    assert EstimateCache(first).path == EstimateCache(third).path
    assert EstimateCache(faster).path != EstimateCache(first).path
    models = [m for m in catalog.models if m.quants][:12]
    for model in models:
        quant = model.quants[0].type
        one, other = (estimate(m, model, quant, context_tokens=4096) for m in (first, third))
        assert one == other, model.id
    assert any(
        estimate(faster, m, m.quants[0].type, context_tokens=4096)
        != estimate(first, m, m.quants[0].type, context_tokens=4096)
        for m in models
    )


def test_a_broken_cache_file_is_ignored_and_replaced(catalog, counted) -> None:
    machine = load_profile("rtx-3090-desktop")
    path = EstimateCache(machine).path
    path.parent.mkdir(parents=True)
    path.write_bytes(b"not a pickle")
    first = _verdicts(machine, catalog)
    assert counted and path.read_bytes() != b"not a pickle"
    counted.clear()
    assert _verdicts(machine, catalog) == first and counted == []


def test_an_unwritable_cache_does_not_fail_the_report(catalog, advisor_home) -> None:
    (advisor_home / "cache").write_text("a file where the cache folder should be")
    machine = load_profile("rtx-3090-desktop")
    assert _verdicts(machine, catalog)


def test_audits_can_turn_it_off(catalog) -> None:
    machine = load_profile("rtx-3090-desktop")
    advise(machine, catalog, load_workloads(["chat-assistant"]), AdviceOptions(cache=False))
    assert not EstimateCache(machine).path.exists()


def test_a_lookup_answers_as_the_full_key_and_digests_only_stored_files(catalog) -> None:
    """find() is get(key(...)): a stored file and context hits under its model entry's digest,
    a changed entry of the same id misses, and a file no entry is about misses without the
    model's digest being worked out (a first report's search asks about ~2,000 of them)."""
    from advisor.estimate import estimate

    machine = load_profile("office-laptop-16gb")
    model, other = [m for m in catalog.models if m.quants][:2]
    quant = model.quants[0].type
    found = estimate(machine, model, quant, context_tokens=4096)
    cache = EstimateCache(machine)
    assert cache.find(other, other.quants[0].type, 4096, "f16", "dedicated", "brief") is None
    assert cache._digests == {}  # nothing stored about it: no digest asked for
    cache.put((*cache.key(model, quant, 4096, "f16", "dedicated"), "brief"), found)
    assert cache.find(model, quant, 4096, "f16", "dedicated", "brief") is found
    assert cache.find(model, quant, 4096, "f16", "dedicated") is None  # not the brief one
    assert cache.find(model, quant, 8192, "f16", "dedicated", "brief") is None
    cache.save()
    again = EstimateCache(machine)  # read back from disk: the same answers
    assert again.find(model, quant, 4096, "f16", "dedicated", "brief") == found
    renamed = dataclasses.replace(model, name=model.name + " (edited)")  # another entry
    assert EstimateCache(machine).find(renamed, quant, 4096, "f16", "dedicated", "brief") is None
