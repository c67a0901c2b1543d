"""The probe on recorded answers of real machine kinds: every path, every failure."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from probe_fakes import (
    H100_PCIE,
    PI5_CPUINFO,
    RTX_3060,
    RTX_4090,
    RTX_5090,
    linux,
    mac,
    nvidia_gpu,
    ok,
    with_drm_card,
    with_nvidia,
)

from advisor.probe.profiles.serialize import machine_from_dict, machine_to_dict
from advisor.probe.record.replay import ReplayHost, replay_machine
from advisor.probe.unknowns import none_paths
from advisor.units import GIB, MIB

FIXTURES = Path(__file__).parent / "fixtures"


def _every_none_has_a_reason(machine) -> None:
    missing = [p for p in none_paths(machine) if p not in machine.unknown]
    assert missing == []


def test_no_gpu_linux_box() -> None:
    m = replay_machine(linux())
    assert m.gpus == () and m.backend == "cpu"
    assert m.cpu.name == "AMD Ryzen 9 7950X 16-Core Processor"
    assert set(m.cpu.simd_flags) == {"avx", "avx2", "fma", "f16c", "avx512"}
    assert m.memory.ram_total_bytes == 64 * GIB
    assert m.disk_free_bytes == 750 * GIB  # nearest existing parent of the HF cache
    assert m.on_battery is False and m.virtualization is None
    assert m.cpu.max_clock_mhz == 5700.0 and m.sources["cpu.max_clock_mhz"] == "psutil cpu_freq"
    _every_none_has_a_reason(m)


def test_one_nvidia_gpu() -> None:
    m = replay_machine(with_nvidia(linux(), [nvidia_gpu(**RTX_4090)]))
    (gpu,) = m.gpus
    assert (gpu.name, gpu.vendor, m.backend) == ("NVIDIA GeForce RTX 4090", "nvidia", "cuda")
    assert gpu.vram_total_bytes == 24564 * MIB and gpu.vram_free_bytes == (24564 - 500) * MIB
    assert gpu.memory_bandwidth_gbs == pytest.approx(1008.1, abs=0.05)  # 384 bit x 10501 MHz x 2
    assert m.sources["gpus[0].memory_bandwidth_gbs"].startswith("nvml")
    assert gpu.compute_capability == "8.9" and gpu.cuda_version == "12.4"
    assert (gpu.power_limit_w, gpu.power_draw_w, gpu.tdp_w) == (450.0, 30.0, 450.0)
    assert gpu.pci_id == "10de:2684" and gpu.fp16_tflops == 82.58
    assert gpu.serial is None and "not supported" in m.unknown["gpus[0].serial"]
    _every_none_has_a_reason(m)


@pytest.mark.parametrize("gpu", [RTX_3060, RTX_4090, RTX_5090, H100_PCIE])
def test_nvml_bandwidth_matches_the_spec_table(gpu) -> None:
    """Bus width x NVML max memory clock x 2 agrees with the sourced table for GDDR6/6X/7/HBM2e."""
    from advisor.probe.specs.table import lookup_spec

    m = replay_machine(with_nvidia(linux(), [nvidia_gpu(**gpu)]))
    spec = lookup_spec(gpu["name"], memory_bytes=m.gpus[0].vram_total_bytes)
    assert m.gpus[0].memory_bandwidth_gbs == pytest.approx(spec.memory_bandwidth_gbs, rel=0.02)
    assert m.notes == ()  # no disagreement note


def test_two_mixed_nvidia_gpus() -> None:
    m = replay_machine(with_nvidia(linux(), [nvidia_gpu(**RTX_4090), nvidia_gpu(**RTX_3060)]))
    assert [g.name for g in m.gpus] == ["NVIDIA GeForce RTX 4090", "NVIDIA GeForce RTX 3060"]
    assert [g.index for g in m.gpus] == [0, 1]
    assert m.total_vram_bytes == (24564 + 12288) * MIB
    assert m.gpus[1].memory_bandwidth_gbs == pytest.approx(360.0, abs=0.1)


def test_nvml_failing_midway_leaves_the_rest() -> None:
    second = nvidia_gpu(**RTX_3060)
    second["nvmlDeviceGetMemoryInfo"] = {"code": 15}  # GPU fell off the bus on the 2nd GPU
    m = replay_machine(with_nvidia(linux(), [nvidia_gpu(**RTX_4090), second]))
    assert m.gpus[0].vram_total_bytes == 24564 * MIB
    assert m.gpus[1].vram_total_bytes is None and m.gpus[1].vram_free_bytes is None
    assert "fallen off the bus" in m.unknown["gpus[1].vram_total_bytes"]
    assert m.gpus[1].memory_bandwidth_gbs == pytest.approx(360.0, abs=0.1)
    assert m.total_vram_bytes is None  # unknown, never counted as 0


def test_nvml_library_absent() -> None:
    m = replay_machine(with_nvidia(linux(), [], init_code=12))
    assert m.gpus == () and m.backend == "cpu"
    assert any("libnvidia-ml" in n for n in m.notes)


def test_nvml_permission_denied() -> None:
    denied = nvidia_gpu(**RTX_4090)
    denied["nvmlDeviceGetPowerUsage"] = {"code": 4}
    m = replay_machine(with_nvidia(linux(), [denied]))
    assert m.gpus[0].power_draw_w is None
    assert "permission denied" in m.unknown["gpus[0].power_draw_w"]
    init_denied = replay_machine(with_nvidia(linux(), [], init_code=4))
    assert init_denied.gpus == () and any("permission denied" in n for n in init_denied.notes)


def test_gb10_unified_memory_falls_back_to_host_ram() -> None:
    gb10 = nvidia_gpu(
        name="NVIDIA GB10",
        total_mib=1,
        bus=256,
        mem_clock=4266,
        cc=(12, 1),
        limit_w=140,
        pci_device=0x2E1210DE,
    )
    gb10["nvmlDeviceGetMemoryInfo"] = {"code": 3}
    gb10["nvmlDeviceGetMaxClockInfo"] = {"code": 3}  # no clock: bandwidth comes from the table
    m = replay_machine(
        with_nvidia(linux(ram_gb=119.7, available_gb=110, machine="aarch64"), [gb10])
    )
    gpu = m.gpus[0]
    assert gpu.unified_memory and m.unified_memory and m.backend == "cuda"
    assert gpu.vram_total_bytes == int(119.7 * GIB) == m.gpu_working_set_bytes
    assert "host RAM" in m.sources["gpus[0].vram_total_bytes"]
    assert m.memory.bandwidth_theoretical_gbs == 273.2 == gpu.memory_bandwidth_gbs
    assert m.sources["gpus[0].memory_bandwidth_gbs"] == "spec table: GB10"


def _amd_discrete(dump):
    return with_drm_card(
        dump,
        "card1",
        {
            "vendor": "0x1002\n",
            "device": "0x744c\n",
            "mem_info_vram_total": "25753026560\n",
            "mem_info_vram_used": "1073741824\n",
            "mem_info_gtt_total": "33554432000\n",
        },
        bus_id="0000:03:00.0",
        kfd={
            "cpu_cores_count": 0,
            "simd_count": 192,
            "simd_per_cu": 2,
            "gfx_target_version": 110000,
        },
    )


def test_amd_discrete_gpu() -> None:
    dump = _amd_discrete(linux())
    dump["reads"]["dirs"]["/opt/rocm"] = ok(["bin", "lib"])
    m = replay_machine(dump)
    (gpu,) = m.gpus
    assert gpu.vendor == "amd" and not gpu.unified_memory
    assert gpu.name == "AMD Radeon RX 7900 XTX"  # 744c is XT and XTX: 24 GiB picks the XTX
    assert gpu.vram_total_bytes == 25753026560 and gpu.vram_free_bytes == 25753026560 - GIB
    assert (gpu.compute_capability, gpu.core_count) == ("gfx1100", 96)
    assert gpu.memory_bandwidth_gbs == 960.0 and gpu.pci_bus_id == "0000:03:00.0"
    assert m.backend == "rocm"
    no_rocm = replay_machine(_amd_discrete(linux()))
    assert no_rocm.backend == "vulkan" and "ROCm" in no_rocm.backend_reason


@pytest.mark.parametrize(
    ("device", "gfx", "simd", "gtt_gib", "ram_gb", "name"),
    [
        ("0x15bf", 110003, 24, 15.5, 32, "AMD Radeon 780M"),  # 780M laptop, 512 MB carve-out
        ("0x1586", 110501, 80, 120.0, 128, "AMD Ryzen AI Max+ 395"),  # Strix Halo, id not in table
    ],
)
def test_amd_apu_small_carve_out_uses_gtt(device, gfx, simd, gtt_gib, ram_gb, name) -> None:
    dump = with_drm_card(
        linux(ram_gb=ram_gb),
        "card0",
        {
            "vendor": "0x1002\n",
            "device": f"{device}\n",
            "mem_info_vram_total": f"{512 * MIB}\n",
            "mem_info_vram_used": f"{100 * MIB}\n",
            "mem_info_gtt_total": f"{int(gtt_gib * GIB)}\n",
        },
        bus_id="0000:c4:00.0",
        kfd={"cpu_cores_count": 0, "simd_count": simd, "simd_per_cu": 2, "gfx_target_version": gfx},
    )
    m = replay_machine(dump)
    gpu = m.gpus[0]
    assert gpu.name.endswith(name.split("AMD ")[-1])
    assert gpu.unified_memory and m.unified_memory
    usable = 512 * MIB + int(gtt_gib * GIB)
    assert gpu.vram_total_bytes == usable == m.gpu_working_set_bytes
    assert any("carve-out 0.5 GiB" in n for n in m.notes)


def test_apple_m_series() -> None:
    m = replay_machine(mac(chip="Apple M3 Pro", ram_gb=36, gpu_cores=18, p_cores=6, e_cores=6))
    gpu = m.gpus[0]
    assert (m.backend, m.os, gpu.vendor, gpu.core_count) == ("metal", "darwin", "apple", 18)
    assert m.gpu_working_set_bytes == 36 * GIB * 2 // 3 == gpu.vram_total_bytes
    assert gpu.memory_bandwidth_gbs == 150 and m.memory.bandwidth_theoretical_gbs == 150
    assert set(m.cpu.simd_flags) == {"neon", "dotprod", "i8mm"}
    assert m.on_battery is True
    assert any("6 performance and 6 efficiency" in n for n in m.notes)
    big = replay_machine(mac(chip="Apple M4 Max", ram_gb=128, gpu_cores=40, p_cores=12, e_cores=4))
    assert big.gpu_working_set_bytes == 96 * GIB and big.gpus[0].memory_bandwidth_gbs == 546
    wired = replay_machine(
        mac(
            chip="Apple M4 Max",
            ram_gb=128,
            gpu_cores=40,
            p_cores=12,
            e_cores=4,
            wired_limit_mb=120000,
        )
    )
    assert wired.gpu_working_set_bytes == 120000 * MIB
    assert wired.sources["gpu_working_set_bytes"] == "sysctl iogpu.wired_limit_mb"


def test_intel_arc_discrete() -> None:
    dump = with_drm_card(
        linux(),
        "card0",
        {"vendor": "0x8086\n", "device": "0x56a0\n"},
        bus_id="0000:03:00.0",
    )
    dump["reads"]["files"]["/sys/class/drm/card0/lmem_total_bytes"] = ok(f"{16 * GIB}\n")
    m = replay_machine(dump)
    gpu = m.gpus[0]
    assert gpu.name == "Intel Arc A770" and not gpu.unified_memory
    assert gpu.vram_total_bytes == 16 * GIB and gpu.memory_bandwidth_gbs == 512.0
    assert m.backend == "vulkan"  # no oneAPI in the recording


def test_raspberry_pi_names_arm_cores() -> None:
    m = replay_machine(
        linux(ram_gb=8, available_gb=7, cpuinfo=PI5_CPUINFO, cores=4, threads=4, machine="aarch64")
    )
    assert m.cpu.name == "4x Cortex-A76"
    assert set(m.cpu.simd_flags) == {"neon", "dotprod"}


def test_container_memory_limit_and_wsl() -> None:
    dump = linux(ram_gb=64)
    dump["reads"]["files"]["/.dockerenv"] = ok("")
    dump["reads"]["files"]["/sys/fs/cgroup/memory.max"] = ok(f"{8 * GIB}\n")
    m = replay_machine(dump)
    assert m.virtualization == "container" and m.memory.ram_total_bytes == 8 * GIB
    assert any("container memory limit" in n for n in m.notes)
    wsl = linux(release="5.15.153.1-microsoft-standard-WSL2")
    wsl = with_nvidia(wsl, [nvidia_gpu(**RTX_4090)])
    del wsl["reads"]["dirs"]["/proc/driver/nvidia"]  # WSL has no /proc/driver/nvidia, NVML works
    m = replay_machine(wsl)
    assert m.virtualization == "wsl" and m.gpus[0].name == "NVIDIA GeForce RTX 4090"


def test_recorded_doctor_dump_replays(tmp_path) -> None:
    """A dump recorded by `advisor doctor` on a real (CPU-only container) machine."""
    dump = json.loads((FIXTURES / "doctor-linux-container-cpu.json").read_text())
    m = replay_machine(dump)
    # recorded before the probe read the installation id; the dump has no /etc/machine-id read;
    # and before the copy test's date had its own key (its bandwidth was not measured)
    cpu = {**dump["machine"]["cpu"], "memory_bandwidth_measured_on": None}
    assert machine_to_dict(m) == {**dump["machine"], "host_id": None, "cpu": cpu}


def test_live_doctor_dump_replays_to_the_same_machine() -> None:
    from advisor.probe.record.doctor import doctor_dump

    dump = json.loads(json.dumps(doctor_dump(measure_bandwidth=False)))
    replayed = replay_machine(dump)
    recorded = machine_from_dict(dump["machine"])
    assert replayed == recorded


def test_replay_host_answers_unknown_reads_as_missing() -> None:
    host = ReplayHost(linux())
    assert host.file("/nope") == (None, "not in the recording")
    assert host.nvml_module()[0] is None


def test_the_installation_id_is_read_where_the_os_keeps_it() -> None:
    """/etc/machine-id on Linux (the D-Bus copy when it is missing), IOPlatformUUID on macOS,
    kept only as a hash keyed for advisor; none is an answer, not a gap."""
    import hashlib

    def keyed(raw: str) -> str:
        return hashlib.sha256(f"advisor-host-id:{raw}".encode()).hexdigest()[:32]

    box = linux()
    assert replay_machine(box).host_id is None
    assert "host_id" not in replay_machine(box).unknown
    raw = "9f0c1e2d3b4a59687766554433221100"
    box["reads"]["files"]["/var/lib/dbus/machine-id"] = ok(raw + "\n")
    m = replay_machine(box)
    assert m.host_id == keyed(raw) and raw not in json.dumps(machine_to_dict(m))
    assert m.sources["host_id"] == "/var/lib/dbus/machine-id"
    apple = mac(chip="Apple M3 Pro", ram_gb=36, gpu_cores=18, p_cores=6, e_cores=6)
    apple["reads"]["commands"]["ioreg -rd1 -c IOPlatformExpertDevice"] = ok(
        "+-o J514sAP  <class IOPlatformExpertDevice>\n"
        '    "IOPlatformUUID" = "8A1B2C3D-4E5F-6071-8293-A4B5C6D7E8F9"\n'
    )
    assert replay_machine(apple).host_id == keyed("8A1B2C3D-4E5F-6071-8293-A4B5C6D7E8F9")


def test_the_report_header_says_the_nvml_bandwidth_is_the_peak_from_the_bus() -> None:
    """A probed NVIDIA GPU's bandwidth is bus width × max memory clock (no test measures it):
    the report header says so, where a profile's figure reads "(spec)"."""
    from advisor.advice_options import AdviceOptions
    from advisor.advise import advise
    from advisor.catalog import load_catalog
    from advisor.report.document import build_document
    from advisor.report.text import render_text
    from advisor.report.view_read import report_view
    from advisor.workload import load_workloads

    machine = replay_machine(with_nvidia(linux(), [nvidia_gpu(**RTX_4090)]))
    advice = advise(machine, load_catalog(), load_workloads(["chat-assistant"]), AdviceOptions())
    text = " ".join(render_text(report_view(build_document(advice))).split())
    assert "RTX 4090, 24 GiB, 1008.1 GB/s (peak: bus width × memory clock)" in text
