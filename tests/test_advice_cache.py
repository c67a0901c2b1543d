"""advisor.advice_cache: a second advise() on the same inputs reads the verdicts and top
candidates back; any input it depends on that changes (the workloads, the prices, the catalog,
the machine, the stored runs) searches again and answers as an uncached run would."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path

import pytest

import advisor.advise as advise_module
from advisor.advice_options import AdviceOptions
from advisor.advise import advise
from advisor.catalog import load_catalog
from advisor.catalog.model import Catalog
from advisor.probe import load_profile
from advisor.probe.machine import Machine
from advisor.units import GIB
from advisor.workload import load_workloads

PROFILE = "office-laptop-16gb"  # a cloud verdict with a remedy: every part of the answer


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog(overlay=False)


@pytest.fixture
def searches(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """One entry per search advise() makes (a cache hit makes none)."""
    made: list[int] = []
    search = advise_module._verdicts

    def counted(*args, **kwargs):
        made.append(1)
        return search(*args, **kwargs)

    monkeypatch.setattr(advise_module, "_verdicts", counted)
    return made


def _answer(advice) -> tuple:
    return advice.verdicts, advice.candidates


def test_a_second_report_reads_the_answer_back(catalog: Catalog, searches: list[int]) -> None:
    machine = load_profile(PROFILE)
    workloads = load_workloads(["chat-assistant", "coding-agent"])
    first = advise(machine, catalog, workloads)
    again = advise(machine, catalog, workloads)
    assert len(searches) == 1
    assert _answer(again) == _answer(first)
    assert any(v.remedy is not None for v in again.verdicts)
    uncached = advise(machine, catalog, workloads, AdviceOptions(cache=False))
    assert _answer(uncached) == _answer(first)


def _cheaper_power(options: AdviceOptions) -> AdviceOptions:
    return dataclasses.replace(options, electricity_usd_per_kwh=0.01)


def _better_model(catalog: Catalog) -> Catalog:
    """The catalog with its best-scored model's quality raised by 30 points on every index."""
    model = max(
        (m for m in catalog.models if m.quality and m.quality.intelligence_index),
        key=lambda m: m.quality.intelligence_index,  # type: ignore[union-attr]
    )
    quality = model.quality
    assert quality is not None
    raised = dataclasses.replace(
        quality,
        intelligence_index=(quality.intelligence_index or 0) + 30,
        coding_index=(quality.coding_index or 0) + 30,
    )
    models = tuple(dataclasses.replace(m, quality=raised) if m is model else m
                   for m in catalog.models)  # fmt: skip
    return dataclasses.replace(catalog, models=models)


def _more_ram(machine: Machine) -> Machine:
    memory = dataclasses.replace(machine.memory, ram_total_bytes=128 * GIB)
    return dataclasses.replace(machine, memory=memory)


CHANGES: dict[str, Callable[[dict], None]] = {
    "workload": lambda i: i.update(workloads=load_workloads(["document-batch"])),
    "electricity price": lambda i: i.update(options=_cheaper_power(i["options"])),
    "top candidates": lambda i: i.update(options=AdviceOptions(top_candidates=2)),
    "cloud ruled out": lambda i: i.update(options=AdviceOptions(no_cloud=True)),
    "catalog": lambda i: i.update(catalog=_better_model(i["catalog"])),
    "machine": lambda i: i.update(machine=_more_ram(i["machine"])),
}


@pytest.mark.parametrize("change", sorted(CHANGES))
def test_a_changed_input_searches_again(catalog: Catalog, searches: list[int], change: str) -> None:
    inputs = {
        "machine": load_profile(PROFILE),
        "catalog": catalog,
        "workloads": load_workloads(["chat-assistant"]),
        "options": AdviceOptions(),
    }
    before = advise(**inputs)
    CHANGES[change](inputs)
    after = advise(**inputs)
    assert len(searches) == 2
    uncached = advise(**{**inputs, "options": dataclasses.replace(inputs["options"], cache=False)})
    assert _answer(after) == _answer(uncached)
    assert _answer(after) != _answer(before)


def test_a_run_without_the_cache_neither_reads_nor_writes_it(
    catalog: Catalog, searches: list[int], advisor_home: Path
) -> None:
    machine = load_profile(PROFILE)
    workloads = load_workloads(["chat-assistant"])
    for _ in range(2):
        advise(machine, catalog, workloads, AdviceOptions(cache=False))
    assert len(searches) == 2
    assert not list(advisor_home.rglob("advice-*.pickle"))


def test_a_first_report_reads_the_catalog_once_for_its_keys(
    catalog: Catalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The advice key and the remedy search's key both name the catalog by Catalog.digest, the
    SHA-256 of its repr, made once per catalog object."""
    import hashlib

    fresh = dataclasses.replace(catalog)  # no digest made yet
    reprs: list[int] = []
    whole = Catalog.__repr__

    def counted(self: Catalog) -> str:
        reprs.append(1)
        return whole(self)

    monkeypatch.setattr(Catalog, "__repr__", counted)
    machine = load_profile(PROFILE)
    verdicts = advise(machine, fresh, load_workloads()).verdicts
    assert any(v.remedy is not None for v in verdicts)  # the remedy search ran, with its key
    assert len(reprs) == 1
    monkeypatch.setattr(Catalog, "__repr__", whole)
    assert fresh.digest == hashlib.sha256(repr(fresh).encode()).hexdigest()


def test_the_remedy_key_leaves_out_the_copy_test() -> None:
    """A remedy is about hardware: the measured RAM bandwidth, its date and its source text
    (which change over a machine's first runs) leave the remedy search's hardware key as it is;
    a change of the hardware itself does not."""
    from advisor.estimate.cache import machine_text
    from advisor.remedies import _hardware_text

    machine = load_profile(PROFILE)
    measured = dataclasses.replace(
        machine,
        memory=dataclasses.replace(
            machine.memory, bandwidth_measured_gbs=61.5, bandwidth_measured_on="2026-12-07"
        ),
        sources={**machine.sources,
                 "memory.bandwidth_measured_gbs": "measured (best of 2 copy tests, 2026-12-07)"},
    )  # fmt: skip
    assert machine_text(measured) != machine_text(machine)
    assert _hardware_text(machine_text(measured)) == _hardware_text(machine_text(machine))
    more_ram = dataclasses.replace(
        machine, memory=dataclasses.replace(machine.memory, ram_total_bytes=64 * GIB)
    )
    assert _hardware_text(machine_text(more_ram)) != _hardware_text(machine_text(machine))


def test_the_remedy_cache_keeps_its_newest_entries_only(
    catalog: Catalog, monkeypatch: pytest.MonkeyPatch, advisor_home: Path
) -> None:
    """Every price, machine or catalog a user tries adds a remedy answer; like the advice
    cache, only the newest are kept, so the folder does not grow one file a run forever."""
    from advisor.files import disk_cache

    monkeypatch.setattr(disk_cache, "KEEP_ANSWERS", 2)
    machine = load_profile(PROFILE)
    workloads = load_workloads(["chat-assistant"])
    for price in (0.10, 0.20, 0.30, 0.40):
        advice = advise(machine, catalog, workloads, AdviceOptions(electricity_usd_per_kwh=price))
        assert any(v.remedy is not None for v in advice.verdicts)
    kept = list((advisor_home / "cache" / "remedies").glob("*.pickle"))
    assert len(kept) == 2, kept
