"""A CPU core's FP32 FLOPs per cycle from its name and flags (advisor.estimate.speed.cpu_cores),
and the compute figure the estimate takes from it."""

from __future__ import annotations

import dataclasses

import pytest

from advisor.estimate.speed.cpu_cores import core_width
from advisor.estimate.speed.devices import cpu_flops_per_cycle, machine_rate
from advisor.probe.profiles.load import load_profile

AVX512 = ("avx", "avx2", "fma", "f16c", "avx512")


@pytest.mark.parametrize(
    ("name", "flags", "flops"),
    [
        # This project's VM: /proc/cpuinfo says only "AMD EPYC" (family 25 model 17, Zen 4),
        # AVX-512 without the VEX AVX-VNNI that Zen 5 added.
        ("AMD EPYC", AVX512, 32),
        ("AMD EPYC", (*AVX512, "avx_vnni"), 64),
        ("AMD Ryzen 9 7950X", AVX512, 32),  # profiles/rtx-4090-desktop.yaml (Zen 4)
        ("AMD Ryzen 7 7800X3D", AVX512, 32),
        ("AMD Ryzen 9 9950X", AVX512, 64),  # Zen 5 desktop, whatever its profile's flags say
        ("AMD EPYC 9654 96-Core Processor", AVX512, 32),  # Genoa
        ("AMD EPYC 9755 128-Core Processor", AVX512, 64),  # Turin
        ("AMD Ryzen AI 9 HX 370 w/ Radeon 890M", (*AVX512, "avx_vnni"), 32),  # Strix Point
        ("AMD Ryzen 5 7530U", ("avx", "avx2", "fma", "f16c"), 32),  # Zen 3 in a 7000 name
        ("AMD Ryzen 7 1700X Eight-Core Processor", ("avx", "avx2", "fma", "f16c"), 16),
        ("Intel Xeon Platinum 8468", (*AVX512, "amx", "avx_vnni"), 64),  # profiles/h100-server
        ("Intel(R) Xeon(R) Silver 4214 CPU @ 2.20GHz", AVX512, 32),
        ("Intel(R) Xeon(R) Gold 5218 CPU @ 2.30GHz", AVX512, 32),
        ("Intel(R) Xeon(R) Gold 5122 CPU @ 3.60GHz", AVX512, 64),
        ("Intel(R) Xeon(R) Gold 6248 CPU @ 2.50GHz", AVX512, 64),
        ("11th Gen Intel(R) Core(TM) i7-1165G7 @ 2.80GHz", AVX512, 32),
        ("Intel(R) N100", ("avx", "avx2", "fma", "f16c"), 16),
        ("Intel Core i5-14400F", ("avx", "avx2", "fma", "f16c", "avx_vnni"), 32),
    ],
)
def test_fma_width_by_name_and_flags(name, flags, flops) -> None:
    width = core_width(name, flags, "x86_64", "linux")
    assert width.flops_per_cycle == flops
    assert width.source


def test_apple_and_arm_cores() -> None:
    assert (
        core_width("Apple M2", ("neon", "dotprod", "i8mm"), "arm64", "darwin").flops_per_cycle == 32
    )
    assert (
        core_width("Broadcom BCM2712", ("neon", "dotprod"), "aarch64", "linux").flops_per_cycle
        == 16
    )


def test_a_zen_4_profile_gets_half_the_old_avx512_compute() -> None:
    machine = load_profile("rtx-4090-desktop")  # Ryzen 9 7950X, 16 cores
    assert cpu_flops_per_cycle(machine) == 32
    cpu_only = dataclasses.replace(machine, gpus=(), backend="cpu")
    ghz = machine.cpu.max_clock_mhz / 1000
    assert machine_rate(cpu_only, "cpu").compute_tflops == pytest.approx(16 * ghz * 32 / 1000)
