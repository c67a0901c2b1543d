"""The machine fingerprint (advisor.probe.fingerprint): stable for the machines it named before,
and given for every machine the probe or a profile can describe.

The copy test's figures, the stored throughput runs and a report's machine id are keyed by it,
so a change of its value for a machine loses them: the shipped profiles' values are pinned as
c35e241 computed them.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from advisor.probe import load_profile
from advisor.probe.fingerprint import machine_fingerprint
from advisor.units import GIB

PROFILES = sorted(p.stem for p in (Path(__file__).parents[2] / "profiles").glob("*.yaml"))
# machine_fingerprint(load_profile(name)) at c35e241
KEPT = {
    "arc-b580-desktop": "m-1b2794fbc8342f57",
    "dgx-spark": "m-1a6777d43a9c856d",
    "dual-rtx-3090": "m-9e1bbb8063565b62",
    "h100-server": "m-4f6d87ecc890c630",
    "jetson-agx-orin-64gb": "m-b3f466e6d1be6c92",
    "mac-studio-m3-ultra-512gb": "m-135a4f3a1fb86b1f",
    "macbook-air-m2-16gb": "m-836c5c04ce456f65",
    "macbook-pro-m3-pro-36gb": "m-94f58d8fb3b745d8",
    "macbook-pro-m4-max-128gb": "m-042e61abdb39882f",
    "office-laptop-16gb": "m-7efdca8909fc33a3",
    "office-laptop-8gb": "m-6f9b5e7a121b5785",
    "raspberry-pi-5-8gb": "m-74c08b7826d635d4",
    "rtx-3060-desktop": "m-4072cf343b6b5af4",
    "rtx-3090-desktop": "m-04b0fa1d2fc4acd7",
    "rtx-4060-laptop": "m-840183dbb92bde44",
    "rtx-4090-desktop": "m-35e5be407bd99df6",
    "rtx-5090-desktop": "m-1d5dbae55af40332",
    "rx-7900-xtx-desktop": "m-1d8bb3843fa51801",
    "strix-halo-128gb": "m-faaa7ac4c61e4034",
}


def test_every_shipped_profile_is_pinned() -> None:
    assert sorted(KEPT) == PROFILES


@pytest.mark.parametrize("profile", PROFILES)
def test_a_profiles_fingerprint_is_kept(profile: str) -> None:
    assert machine_fingerprint(load_profile(profile)) == KEPT[profile]


def test_alike_gpus_of_two_sizes_are_listed_by_size_in_either_order() -> None:
    machine = load_profile("dual-rtx-3090")
    first, second = machine.gpus
    smaller = dataclasses.replace(second, vram_total_bytes=12 * GIB)
    one = machine_fingerprint(dataclasses.replace(machine, gpus=(first, smaller)))
    other = machine_fingerprint(dataclasses.replace(machine, gpus=(smaller, first)))
    assert one == other == "m-01e7621376fe38ec"  # c35e241's value


def test_two_alike_gpus_of_which_one_has_no_known_vram_have_a_fingerprint() -> None:
    """Two GPUs of one vendor and name, one whose VRAM its driver (or a profile, for a card
    the spec table does not know) leaves unknown: the fingerprint compared None with a number
    and the report stopped with a TypeError (exit status 1)."""
    machine = load_profile("dual-rtx-3090")
    known, other = machine.gpus
    unknown = dataclasses.replace(other, vram_total_bytes=None, vram_free_bytes=None)
    one = machine_fingerprint(dataclasses.replace(machine, gpus=(known, unknown)))
    swapped = machine_fingerprint(dataclasses.replace(machine, gpus=(unknown, known)))
    assert one == swapped
    assert one not in (KEPT["dual-rtx-3090"], machine_fingerprint(machine))


def test_a_profile_with_such_gpus_gets_a_report(tmp_path: Path, monkeypatch) -> None:
    """The whole report on a profile of two cards the spec table does not know, one of which
    states no VRAM: every layer stays on the CPU (the unknown card's room is unknown)."""
    from advisor.cli import main

    monkeypatch.setenv("ADVISOR_HOME", str(tmp_path / "home"))
    profile = tmp_path / "two-cards.yaml"
    profile.write_text(
        "name: Two unknown cards\nos: linux\nram_gb: 64\nbackend: cuda\n"
        "cpu: {name: AMD Ryzen 9 5950X, architecture: x86_64, cores: 16, threads: 32,"
        " simd: [avx, avx2, fma, f16c], memory_bandwidth_gbs: 51.2}\n"
        "gpus:\n"
        "  - {name: Mystery Accelerator X, vendor: nvidia, vram_gb: 24}\n"
        "  - {name: Mystery Accelerator X, vendor: nvidia}\n",
        encoding="utf-8",
    )
    out = tmp_path / "report.json"
    code = main(["report", "--json", "--profile", str(profile), "--workload", "chat-assistant",
                 "-o", str(out)])  # fmt: skip
    assert code == 0 and out.stat().st_size > 0
