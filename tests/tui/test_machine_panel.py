"""The machine panel says what each figure is, where it came from, and why one is unknown."""

from __future__ import annotations

import dataclasses

from advisor.probe import load_profile
from advisor.tui.widgets.machine_panel import machine_text, short_source


def test_profile_machine_lines(reference_machine) -> None:
    text = machine_text(reference_machine).plain
    assert "RTX 4090 desktop" in text
    assert "profile rtx-4090-desktop" in text
    assert "backend cuda" in text
    assert "AMD Ryzen 9 7950X · 16 cores / 32 threads" in text
    assert "64.0 GiB · bandwidth 83 GB/s (profile)" in text
    assert "NVIDIA GeForce RTX 4090 · 24.0 GiB VRAM · 1,010 GB/s (spec table)" in text


def test_unknown_bandwidth_says_why(reference_machine) -> None:
    reason = "Intel(R) Xeon(R) Processor has no spec-table row"
    memory = dataclasses.replace(reference_machine.memory, bandwidth_theoretical_gbs=None)
    machine = dataclasses.replace(
        reference_machine,
        memory=memory,
        unknown={**reference_machine.unknown, "memory.bandwidth_measured_gbs": reason},
    )
    assert f"bandwidth unknown ({reason})" in machine_text(machine).plain
    assert "bandwidth measuring…" in machine_text(machine, bandwidth_pending=True).plain


def test_measured_bandwidth_beside_the_spec(reference_machine) -> None:
    memory = dataclasses.replace(reference_machine.memory, bandwidth_measured_gbs=71.5)
    text = machine_text(dataclasses.replace(reference_machine, memory=memory)).plain
    assert "bandwidth 72 GB/s measured (spec 83 GB/s)" in text


def test_unknown_vram_says_why(reference_machine) -> None:
    gpu = dataclasses.replace(reference_machine.gpus[0], vram_total_bytes=None)
    machine = dataclasses.replace(
        reference_machine,
        gpus=(gpu,),
        unknown={"gpus[0].vram_total_bytes": "NVML raised NVMLError_NoPermission"},
    )
    assert "VRAM unknown (NVML raised NVMLError_NoPermission)" in machine_text(machine).plain


def test_cpu_only_machine_says_why_there_is_no_gpu() -> None:
    machine = load_profile("office-laptop-8gb")
    text = machine_text(machine).plain
    assert "GPU     none" in text
    assert "backend cpu" in text


def test_unified_memory_gpu_shares_ram() -> None:
    text = machine_text(load_profile("macbook-air-m2-16gb")).plain
    assert "Apple M2 · shares RAM, GPU may use 10.7 GiB" in text


def test_compact_leaves_out_simd_and_tflops(reference_machine) -> None:
    wide = machine_text(reference_machine).plain
    narrow = machine_text(reference_machine, compact=True).plain
    assert "avx512" in wide and "TFLOPS" in wide
    assert "avx512" not in narrow and "TFLOPS" not in narrow


def test_short_source() -> None:
    assert short_source("spec table: RTX 4090") == "spec table"
    assert short_source("measured (cached 2026-11-24)") == "measured"
    assert short_source("nvml (bus width x max memory clock x 2)") == "NVML"
    assert short_source("profile") == "profile"
