"""Machines alike in what the prefill floor and the decode ceiling read share them.

The floor and the ceiling read of a machine only its devices' rates, the GPUs a placement may
use, their room (the floor) and the KV bytes (the ceiling), and the calibration's bound. An
audit's upgrade that adds RAM leaves all of those as they were, so its searches reuse the
floors and ceilings of the machine it upgrades; a machine that differs in any of them gets
its own. Either way each figure is the one worked out for that machine alone.
"""

from __future__ import annotations

import dataclasses

import pytest

from advisor.catalog import load_catalog
from advisor.estimate.speed import ceiling as ceiling_module
from advisor.estimate.speed import floor as floor_module
from advisor.estimate.speed.ceiling import DecodeCeilings
from advisor.estimate.speed.devices import machine_rate
from advisor.estimate.speed.floor import PrefillFloors
from advisor.probe import load_profile
from advisor.probe.resolve import apply_overrides
from advisor.units import GIB


@pytest.fixture(scope="module")
def files():
    return [(m, q) for m in load_catalog().models for q in m.quants]


def _more_ram(machine):
    return apply_overrides(machine, ram_gb=machine.memory.ram_total_bytes / GIB + 64, vram_gb=None)


def _alone(machine, files):
    """Every file's floor and ceiling on `machine`, worked out with nothing shared."""
    for module in (floor_module, ceiling_module):
        module._alike.cache_clear()
        module._rate_terms.cache_clear()
    floors, ceilings = PrefillFloors(machine), DecodeCeilings(machine)
    return [(floors.floor(m, q), ceilings.ceiling(m, q)) for m, q in files]


@pytest.mark.parametrize("profile", ["dual-rtx-3090", "rtx-3060-desktop", "office-laptop-16gb"])
def test_an_upgrade_that_adds_ram_shares_them_and_they_are_its_own(profile: str, files) -> None:
    machine = load_profile(profile)
    upgraded = _more_ram(machine)
    assert upgraded != machine
    expected = _alone(upgraded, files)
    _alone(machine, files)  # the machine's figures are known first, as in an audit
    floors, ceilings = PrefillFloors(upgraded), DecodeCeilings(upgraded)
    assert floors._shared is PrefillFloors(machine)._shared
    assert ceilings._shared is DecodeCeilings(machine)._shared
    shared_before = (len(floors._shared), len(ceilings._shared))
    got = [(floors.floor(m, q), ceilings.ceiling(m, q)) for m, q in files]
    assert got == expected
    assert (len(floors._shared), len(ceilings._shared)) == shared_before  # nothing worked again


def test_machines_that_differ_in_their_devices_do_not_share(files) -> None:
    fast, slow = load_profile("dual-rtx-3090"), load_profile("rtx-3060-desktop")
    expected = _alone(slow, files)
    _alone(fast, files)
    floors, ceilings = PrefillFloors(slow), DecodeCeilings(slow)
    assert floors._shared is not PrefillFloors(fast)._shared
    assert ceilings._shared is not DecodeCeilings(fast)._shared
    assert [(floors.floor(m, q), ceilings.ceiling(m, q)) for m, q in files] == expected
    assert expected != _alone(fast, files)


@pytest.mark.parametrize("profile", ["rtx-3060-desktop", "dual-rtx-3090"])
def test_machines_with_one_gpu_rate_share_its_terms_and_their_figures_are_their_own(
    profile: str, files
) -> None:
    """Another CPU beside the same GPUs (an audit's configurations with one GPU model; its
    upgrades, which swap the GPU and keep the CPU, share the CPU's): the GPUs' per-device
    terms are shared, the CPU's are not, and every floor and ceiling is the one worked out
    for the machine alone."""
    machine = load_profile(profile)
    memory = dataclasses.replace(machine.memory, bandwidth_measured_gbs=23.5)
    other = dataclasses.replace(machine, memory=memory)
    assert machine_rate(other, "cpu") != machine_rate(machine, "cpu")
    assert machine_rate(other, "gpu0") == machine_rate(machine, "gpu0")
    expected = _alone(other, files)
    _alone(machine, files)
    floors, ceilings = PrefillFloors(other), DecodeCeilings(other)
    for mine, theirs in ((floors, PrefillFloors(machine)), (ceilings, DecodeCeilings(machine))):
        assert mine._shared is not theirs._shared
        assert mine._by_device["cpu"] is not theirs._by_device["cpu"]
        for gpu in mine.gpus:
            assert mine._by_device[gpu] is theirs._by_device[gpu]
    gpu_terms = [len(t) for b in (floors, ceilings) for d, t in b._by_device.items() if d != "cpu"]
    assert gpu_terms and all(gpu_terms)
    got = [(floors.floor(m, q), ceilings.ceiling(m, q)) for m, q in files]
    after = [len(t) for b in (floors, ceilings) for d, t in b._by_device.items() if d != "cpu"]
    assert got == expected
    assert after == gpu_terms  # the GPUs' terms were all worked out for `machine` already
    assert expected != _alone(machine, files)
