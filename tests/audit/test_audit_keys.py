"""Two reports with equal evaluation keys must get equal verdicts: the fields the key leaves
out (names, serials, free memory, drivers, ...) change nothing in advise()."""

from __future__ import annotations

import copy

import pytest

from advisor.advice_options import AdviceOptions
from advisor.advise import advise
from advisor.audit.keys import GPU_IDENTITY, MACHINE_IDENTITY, machine_key
from advisor.probe import machine_from_dict
from advisor.report.verdict_json import verdict_json


def _scrambled(machine: dict) -> dict:
    """Every field the key drops set to something else, as another probe would see it."""
    data = copy.deepcopy(machine)
    data.update(
        name="someone's desk",
        hostname="ws-0042",
        host_id="0f5c7d52a3a44e4e9b1e2c3d4e5f6a7b",
        source="probed",
        origin="probe",
        notes=["measured on a Tuesday"],
        unknown={"disk_free_bytes": "no disk"},
        ram_available_gb=3.0,
        swap_free_gb=1.0,
        disk_free_gb=12.0,
        on_battery=False,
    )
    for gpu in data["gpus"]:
        gpu.update(
            uuid="GPU-1234",
            serial="0324",
            pci_bus_id="00000000:01:00.0",
            vram_free_gb=1.5,
            driver_version="580.1",
            power_draw_w=31.0,
        )
        if gpu["vendor"] == "nvidia":
            gpu["cuda_version"] = "13.0"
    return data


def _verdicts(machine, catalog, workloads) -> list[dict]:
    advice = advise(machine, catalog, workloads, AdviceOptions(cache=False))
    return [verdict_json(v) for v in advice.verdicts]


# Power classes read the hardware only (advisor.probe.power.figures), never the machine's
# name or battery, which the key leaves out: the MacBook Air's verdicts stay the same.
@pytest.mark.parametrize("profile", ["rtx-3060-desktop", "macbook-air-m2-16gb"])
def test_fields_left_out_of_the_key_change_no_verdict(profile, docs, catalog, workloads) -> None:
    entry = docs[profile]["machine"]
    other = _scrambled(entry)
    assert machine_key(other) == machine_key(entry)
    assert _verdicts(machine_from_dict(other), catalog, workloads) == _verdicts(
        machine_from_dict(entry), catalog, workloads
    )


def test_the_key_lists_only_fields_of_the_report_format(docs) -> None:
    machine = docs["rtx-3060-desktop"]["machine"]
    assert set(MACHINE_IDENTITY) <= set(machine)
    assert set(GPU_IDENTITY) <= set(machine["gpus"][0])


@pytest.mark.parametrize(
    "change",
    [
        lambda m: m.update(ram_gb=m["ram_gb"] * 2),
        lambda m: m["cpu"].update(memory_bandwidth_measured_gbs=41.3),
        lambda m: m["gpus"][0].update(vram_gb=16.0),
        lambda m: m.update(backend="vulkan"),
        lambda m: m["sources"].update({"gpus[0].memory_bandwidth_gbs": "profile"}),
    ],
)
def test_what_a_verdict_reads_changes_the_key(change, docs) -> None:
    machine = docs["rtx-3060-desktop"]["machine"]
    other = copy.deepcopy(machine)
    change(other)
    assert machine_key(other) != machine_key(machine)


def test_a_profile_power_draw_stays_in_the_key(docs) -> None:
    machine = copy.deepcopy(docs["rtx-3060-desktop"]["machine"])
    machine["sources"]["gpus[0].power_draw_w"] = "profile"
    machine["gpus"][0]["power_draw_w"] = 150.0
    other = copy.deepcopy(machine)
    other["gpus"][0]["power_draw_w"] = 90.0
    assert machine_key(other) != machine_key(machine)
