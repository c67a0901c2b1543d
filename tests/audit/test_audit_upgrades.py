"""Upgrade suggestions on a small fleet of reference profiles, each checked independently: the
probe builds the upgraded machine from a profile (or --ram), advise() judges it, and the
suggested change is the smallest of its kind that makes the workload local."""

from __future__ import annotations

import json

import pytest
from audit_kit import FLEET_COUNTS, PROFILES

from advisor.advice_options import AdviceOptions
from advisor.advise import advise
from advisor.probe import load_profile, machine_to_dict, resolve_machine
from advisor.probe.specs.upgrades import (
    GPU_MENU,
    RAM_STEPS_GB,
    gpu_changes,
    is_laptop,
    ram_changes,
    vram_changes,
)

PROFILE_OF = {}
_number = 0
for _profile, _count in zip(PROFILES, FLEET_COUNTS, strict=True):
    for _ in range(_count):
        _number += 1
        PROFILE_OF[f"m-{_number:020x}"] = _profile


def _kind(machine, catalog, workload) -> str:
    advice = advise(machine, catalog, [workload], AdviceOptions(cache=False))
    return advice.verdicts[0].kind


def _with_card(profile: str, card: str, tmp_path):
    """The profile's machine with its discrete GPU swapped for `card`, read back as a profile."""
    data = machine_to_dict(load_profile(profile))
    data["gpus"] = [{"name": card}]
    for key in ("backend", "backend_reason", "sources", "unknown"):
        data.pop(key)
    path = tmp_path / f"{profile}-{card.replace(' ', '-')}.json"
    path.write_text(json.dumps(data))
    return load_profile(str(path))


def _upgraded(profile: str, change, tmp_path):
    if change.kind == "ram":
        base = load_profile(profile)
        return resolve_machine(
            profile=profile, ram_gb=base.memory.ram_total_bytes / 2**30 + change.size_gb
        )
    return _with_card(profile, change.spec_name, tmp_path)


def test_the_fleet_gets_ram_suggestions(fleet_audit) -> None:
    # Since the 2026-12 catalog the RTX 3060 desktop already runs both workloads (Qwen3.8 27B
    # Q2_K, Qwen3.5 35B-A3B), so no GPU is suggested; +32 GB lets the 8 GB laptops run the
    # document batch on the CPU (Qwen3.6 35B-A3B: 3B active, 32% of the frontier).
    kinds = {s.change.kind for s in fleet_audit.suggestions}
    assert "ram" in kinds
    for s in fleet_audit.suggestions:
        profiles = {PROFILE_OF[m] for m in s.machine_ids}
        assert len(profiles) == 1, s  # machines of one configuration move together
        [profile] = profiles
        assert s.machines == FLEET_COUNTS[PROFILES.index(profile)]
        assert s.text.startswith(f"{s.change.label} on {s.machines} machines makes the ")


def test_every_suggestion_is_the_smallest_change_that_works(
    fleet_audit, catalog, workloads, tmp_path
) -> None:
    by_name = {w.name: w for w in workloads}
    for s in fleet_audit.suggestions:
        profile = PROFILE_OF[s.machine_ids[0]]
        workload = by_name[s.workload]
        assert _kind(load_profile(profile), catalog, workload) != "local"
        assert _kind(_upgraded(profile, s.change, tmp_path), catalog, workload) == "local"
        ladder = _ladder(load_profile(profile), s.change.kind)
        smaller = ladder[: ladder.index(s.change)]
        for change in smaller:
            upgraded = _upgraded(profile, change, tmp_path)
            assert _kind(upgraded, catalog, workload) != "local", (s.text, change.label)


def _ladder(machine, kind: str):
    return {
        "ram": lambda: ram_changes(machine, 3.0),
        "vram": lambda: vram_changes(machine),
        "gpu": lambda: gpu_changes(machine),
    }[kind]()


def test_prices_come_from_the_spec_table_or_the_ram_price_given(fleet_audit) -> None:
    for s in fleet_audit.suggestions:
        if s.change.kind == "ram":
            assert s.change.unit_price_usd == pytest.approx(3.0 * s.change.size_gb)
            assert "--ram-price" in s.change.price_source
        else:
            assert s.change.spec_name in GPU_MENU
        if s.change.unit_price_usd is not None:
            assert s.total_price_usd == pytest.approx(s.change.unit_price_usd * s.machines)


def test_without_a_ram_price_ram_is_price_unknown() -> None:
    machine = load_profile("office-laptop-8gb")
    changes = ram_changes(machine, None)
    assert [c.size_gb for c in changes] == [float(s) for s in RAM_STEPS_GB]
    assert all(c.unit_price_usd is None and c.price_source is None for c in changes)


@pytest.mark.parametrize(
    ("profile", "ram", "gpu"),
    [
        ("macbook-air-m2-16gb", False, False),  # unified memory: nothing can be added
        ("strix-halo-128gb", False, False),
        ("office-laptop-8gb", True, False),  # a laptop CPU: RAM maybe, no desktop card
        ("rtx-4060-laptop", True, False),
        ("raspberry-pi-5-8gb", False, False),  # an ARM board, its LPDDR4X soldered on
        ("dual-rtx-3090", True, False),  # two cards already
        ("rtx-3060-desktop", True, True),
    ],
)
def test_what_each_machine_can_take(profile, ram, gpu) -> None:
    machine = load_profile(profile)
    assert bool(ram_changes(machine, None)) is ram
    assert bool(gpu_changes(machine)) is gpu


def test_gpu_changes_only_offer_more_memory_than_the_card_has() -> None:
    machine = load_profile("rtx-3060-desktop")
    sizes = [c.size_gb for c in gpu_changes(machine)]
    assert sizes == sorted(sizes) and min(sizes) > 12


def test_a_larger_memory_variant_of_the_same_card(tmp_path) -> None:
    path = tmp_path / "ti.json"
    path.write_text(
        json.dumps(
            {
                "name": "4060 Ti box",
                "ram_gb": 32,
                "cpu": {"name": "AMD Ryzen 5 7600", "architecture": "x86_64"},
                "gpus": [{"name": "NVIDIA GeForce RTX 4060 Ti", "vram_gb": 8}],
            }
        )
    )
    machine = load_profile(str(path))
    [change] = vram_changes(machine)
    assert change.size_gb == 16 and change.label == "NVIDIA GeForce RTX 4060 Ti with 16 GB"
    assert not is_laptop(machine)


def test_a_floor_no_model_reaches_is_not_searched(catalog, workloads, monkeypatch) -> None:
    """Quality does not depend on the hardware: a workload whose floor no catalog model
    reaches is left out of the upgrade search, and what the search finds is unchanged."""
    import dataclasses

    from advisor.audit import suggest
    from advisor.audit.evaluate import Evaluator, Request
    from advisor.audit.keys import digest
    from advisor.verdict.cloud import cloud_costs
    from advisor.verdict.reach import best_on_task, out_of_reach

    chat = next(w for w in workloads if w.name == "chat-assistant")
    frontier = cloud_costs(chat, catalog).frontier_index
    impossible = dataclasses.replace(chat, name="impossible", quality_floor_pct=100.0)
    assert out_of_reach(chat, best_on_task(catalog, chat, frontier)) is None
    assert out_of_reach(impossible, best_on_task(catalog, impossible, frontier)) is not None
    assert out_of_reach(chat, best_on_task(catalog, chat, None)) is not None

    machine = load_profile("rtx-3060-desktop")
    failing = ((chat, b"chat"), (impossible, b"impossible"))
    target = suggest.Target(b"g", machine, (), digest([]), AdviceOptions(cache=False),
                            digest(["options"]), failing)  # fmt: skip
    asked: list[Request] = []

    def run(prune: bool) -> list:
        if not prune:
            monkeypatch.setattr(suggest, "_reachable", lambda targets, _: (list(targets), []))
        with Evaluator(catalog) as evaluator:
            real = evaluator.evaluate

            def evaluate(requests) -> None:
                requests = list(requests)
                asked.extend(requests)
                real(requests)

            monkeypatch.setattr(evaluator, "evaluate", evaluate)
            return suggest.search([target], evaluator, 3.0).found

    pruned = run(prune=True)
    assert asked and all(r.workload_keys == (b"chat",) for r in asked)
    asked.clear()
    full = run(prune=False)
    assert any(b"impossible" in r.workload_keys for r in asked)
    assert pruned == full and {f.workload for f in full} == {"chat-assistant"}


def test_soldered_ram_gets_no_ram_change_and_says_why(tmp_path) -> None:
    """Issue 13 leftover: a Raspberry Pi 5 (LPDDR4X on the board) and a Lunar Lake laptop
    (LPDDR5X in the package) were offered "+8 GB RAM". They get no RAM change, and the reason
    names the part and the source; a laptop whose slots nobody knows keeps the change, with a
    label that says it holds only if its RAM is in slots."""
    from advisor.probe.specs.upgrades import limits

    pi = load_profile("raspberry-pi-5-8gb")
    assert ram_changes(pi, None) == []
    (why, *_) = limits(pi)
    assert why.startswith("its RAM is soldered: the Broadcom BCM2712 takes LPDDR4X-4267")
    assert "spec table: Raspberry Pi 5 product brief" in why and why.endswith(
        "no RAM change goes in"
    )
    path = tmp_path / "lunar.json"
    cpu = {"name": "Intel Core Ultra 7 258V", "architecture": "x86_64"}
    path.write_text(json.dumps({"name": "thin laptop", "ram_gb": 16, "cpu": cpu}))
    lunar = load_profile(str(path))
    assert ram_changes(lunar, None) == []
    assert "the Intel Core Ultra 7 258V takes LPDDR5X in or beside its package" in limits(lunar)[0]
    office = ram_changes(load_profile("office-laptop-8gb"), None)
    assert office[0].label == "+8 GB RAM (if the laptop's RAM is in slots)"
    assert ram_changes(load_profile("rtx-3060-desktop"), None)[0].label == "+8 GB RAM"
