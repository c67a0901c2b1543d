"""Shipped profiles, the profile format's errors, overrides and the lossless round trip."""

from __future__ import annotations

import json

import pytest

from advisor.errors import ExitCode, NotFoundError, ProfileError, UsageError
from advisor.probe import (
    list_profiles,
    load_profile,
    machine_fingerprint,
    machine_from_dict,
    machine_to_dict,
    resolve_machine,
)
from advisor.probe.unknowns import none_paths
from advisor.units import GIB

REQUIRED = {
    "office-laptop-8gb",
    "office-laptop-16gb",
    "macbook-air-m2-16gb",
    "macbook-pro-m3-pro-36gb",
    "macbook-pro-m4-max-128gb",
    "mac-studio-m3-ultra-512gb",
    "rtx-3060-desktop",
    "rtx-4060-laptop",
    "rtx-3090-desktop",
    "rtx-4090-desktop",
    "rtx-5090-desktop",
    "dual-rtx-3090",
    "strix-halo-128gb",
    "dgx-spark",
    "raspberry-pi-5-8gb",
    "h100-server",
}


def test_the_reference_machines_ship() -> None:
    assert set(list_profiles()) >= REQUIRED


@pytest.mark.parametrize("name", list_profiles())
def test_every_profile_loads_and_round_trips(name: str) -> None:
    m = load_profile(name)
    assert m.origin == f"profile:{name}" and m.profile_source
    assert m.memory.ram_total_bytes and m.memory.bandwidth_gbs  # decode on the CPU needs it
    for gpu in m.gpus:
        assert gpu.vram_total_bytes and gpu.memory_bandwidth_gbs, gpu.name
    assert [p for p in none_paths(m) if p not in m.unknown] == []
    again = machine_from_dict(json.loads(json.dumps(machine_to_dict(m))))
    assert again == m
    assert machine_fingerprint(again) == machine_fingerprint(m)


@pytest.mark.parametrize(
    ("name", "gpus", "vram_gib", "bandwidth", "backend"),
    [
        ("rtx-4090-desktop", 1, 24, 1010.0, "cuda"),
        ("dual-rtx-3090", 2, 24, 936.2, "cuda"),
        ("rtx-4060-laptop", 1, 8, 256.0, "cuda"),  # the laptop part, not the desktop 272 GB/s
        ("macbook-pro-m3-pro-36gb", 1, 24, 150.0, "metal"),  # 2/3 of 36 GiB
        ("macbook-pro-m4-max-128gb", 1, 96, 546.0, "metal"),  # 3/4 of 128 GiB
        ("strix-halo-128gb", 1, 124, 256.0, "vulkan"),
        ("dgx-spark", 1, 128, 273.2, "cuda"),
    ],
)
def test_profile_figures_come_from_the_spec_table(name, gpus, vram_gib, bandwidth, backend) -> None:
    m = load_profile(name)
    assert len(m.gpus) == gpus and m.backend == backend
    assert m.gpus[0].vram_total_bytes == vram_gib * GIB
    assert m.gpus[0].memory_bandwidth_gbs == bandwidth
    assert m.sources["gpus[0].memory_bandwidth_gbs"].startswith("spec table")


def test_probe_json_output_is_a_valid_profile(tmp_path) -> None:
    from advisor.probe.live.probe import probe_machine

    probed = probe_machine(measure_bandwidth=False)
    path = tmp_path / "me.json"
    path.write_text(json.dumps({"schema_version": 1, **machine_to_dict(probed)}))
    again = load_profile(path)
    assert again.memory.ram_total_bytes == probed.memory.ram_total_bytes
    assert again.cpu == probed.cpu and again.origin == f"profile:{path}"


def test_overrides_are_recorded() -> None:
    m = resolve_machine(profile="rtx-3060-desktop", ram_gb=16, vram_gb=8)
    assert m.memory.ram_total_bytes == 16 * GIB and m.gpus[0].vram_total_bytes == 8 * GIB
    assert m.sources["memory.ram_total_bytes"] == "override"
    assert m.sources["gpus[0].vram_total_bytes"] == "override"
    unified = resolve_machine(profile="macbook-air-m2-16gb", vram_gb=12)
    assert unified.gpu_working_set_bytes == 12 * GIB


def test_override_errors() -> None:
    with pytest.raises(UsageError, match="no GPU"):
        resolve_machine(profile="office-laptop-8gb", vram_gb=8)
    with pytest.raises(UsageError, match="positive"):
        resolve_machine(profile="office-laptop-8gb", ram_gb=-1)


def test_live_probe_with_ram_override_keeps_memory_in_use() -> None:
    m = resolve_machine(ram_gb=1000, measure_bandwidth=False)
    assert m.memory.ram_total_bytes == 1000 * GIB
    assert 0 < m.memory.ram_available_bytes <= 1000 * GIB


@pytest.mark.parametrize(
    ("text", "line", "key", "hint"),
    [
        (
            "name: x\nram_gb: 16\ngpus:\n  - name: RTX 4090\n    vram: 24\n",
            5,
            "gpus[0].vram",
            "vram_gb",
        ),
        ("name: x\nram_gb: lots\n", 2, "ram_gb", None),
        ("name: x\ncpu:\n  cores: 0\n", 3, "cpu.cores", None),
        ("name: x\nbackend: opencl\n", 2, "backend", None),
        ("name: x\ncpu:\n  simd: [avx2, sse9]\n", 3, "cpu.simd[1]", None),
        ("ram_gb: 16\n", 1, "name", None),
    ],
)
def test_profile_errors_name_file_line_and_key(tmp_path, text, line, key, hint) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    with pytest.raises(ProfileError) as info:
        load_profile(path)
    error = info.value
    assert (error.path, error.line, error.key) == (path, line, key)
    assert str(path) in error.message and error.exit_code == ExitCode.BAD_INPUT
    if hint:
        assert hint in error.hint


def test_broken_yaml_and_json(tmp_path) -> None:
    bad_yaml = tmp_path / "a.yaml"
    bad_yaml.write_text("name: x\ngpus: [\n")
    with pytest.raises(ProfileError, match="not valid YAML"):
        load_profile(bad_yaml)
    bad_json = tmp_path / "b.json"
    bad_json.write_text('{"name": "x",\n "ram_gb": }')
    with pytest.raises(ProfileError) as info:
        load_profile(bad_json)
    assert info.value.line == 2
    empty = tmp_path / "c.yaml"
    empty.write_text("")
    with pytest.raises(ProfileError, match="empty"):
        load_profile(empty)


def test_unknown_profile_name_suggests() -> None:
    with pytest.raises(NotFoundError) as info:
        load_profile("rtx-4090-desktp")
    assert "rtx-4090-desktop" in info.value.hint


def test_minimal_profile_unknowns_have_reasons(tmp_path) -> None:
    path = tmp_path / "mystery.yaml"
    path.write_text("name: mystery\ngpus:\n  - {name: Voodoo 5 6000}\n")
    m = load_profile(path)
    assert m.gpus[0].vram_total_bytes is None and m.gpus[0].memory_bandwidth_gbs is None
    assert "not stated" in m.unknown["gpus[0].vram_total_bytes"]
    assert m.total_vram_bytes is None


def test_machine_from_dict_rejects_bad_data() -> None:
    with pytest.raises(ProfileError, match="ram_gb"):
        machine_from_dict({"name": "x", "ram_gb": "many"})


@pytest.mark.parametrize("name", list_profiles())
def test_an_amd_profiles_flags_name_the_core_its_model_number_does(name: str) -> None:
    """The Ryzen 9 9950X profile listed AVX-512 without AVX-VNNI, the flags of a Zen 4 core
    (AVX-VNNI, the VEX form, came with Zen 5: AMD pub. 58455); a probe of a real 9950X
    reports both. Read without the model number, each AMD profile's flags must say the same
    core as its name does."""
    from advisor.estimate.speed.cpu_cores import core_width

    cpu = load_profile(name).cpu
    if not (cpu.name or "").startswith("AMD") or "avx512" not in cpu.simd_flags:
        pytest.skip("not an AMD AVX-512 CPU")
    by_name = core_width(cpu.name, cpu.simd_flags)
    assert core_width("AMD", cpu.simd_flags) == by_name, cpu.name
