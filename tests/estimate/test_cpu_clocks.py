"""The clock a CPU core is taken to run at (advisor.estimate.speed.cpu_clocks), and what the
estimate makes of a measured RAM bandwidth."""

from __future__ import annotations

import dataclasses
import statistics

import pytest

from advisor.estimate.speed.cpu_clocks import ASSUMED_CPU_GHZ, EPYC_9004_GHZ, core_clock
from advisor.estimate.speed.devices import cpu_clock, machine_rate
from advisor.estimate.speed.model import COPY_TEST_READ_ALPHA, coefficients, load_constants
from advisor.probe.profiles.load import load_profile

AVX512 = ("avx", "avx2", "fma", "f16c", "avx512")


def test_a_vm_that_names_no_epyc_model_gets_the_9004_median_boost_with_the_family_range() -> None:
    # This project's VM: "AMD EPYC", no cpufreq, AVX-512 without AVX-VNNI (Zen 4).
    clock = core_clock("AMD EPYC", AVX512, None, None, "x86_64", "linux")
    boosts = sorted(boost for _, boost in EPYC_9004_GHZ.values())
    assert len(boosts) == 24  # 18 Genoa, 3 Genoa-X, 3 Bergamo SKUs
    assert clock.mhz == pytest.approx(statistics.median(boosts) * 1000) == 3775
    assert (clock.low_mhz, clock.high_mhz) == (2200, 4400)  # EPYC 9734's base, 9174F's boost
    assert clock.status == "estimated" and clock.from_table
    assert "EPYC 9004" in clock.source and "amd.com" in clock.source
    low, high = clock.spread
    assert low == pytest.approx(2200 / 3775) and high == pytest.approx(4400 / 3775)


@pytest.mark.parametrize(
    ("name", "flags", "base", "max_mhz", "mhz", "status"),
    [
        ("AMD EPYC 9654 96-Core Processor", AVX512, None, None, 3700, "spec"),
        ("AMD EPYC 9174F 16-Core Processor", AVX512, None, None, 4400, "spec"),
        ("AMD EPYC 9654 96-Core Processor", AVX512, None, 3550.0, 3550, "estimated"),  # reported
        ("AMD EPYC 9R14", AVX512, None, None, 3775, "estimated"),  # a cloud SKU: the family's
        ("AMD EPYC 7R13 48-Core Processor", ("avx", "avx2", "fma"), None, None, 3000, "assumed"),
        ("AMD EPYC", (*AVX512, "avx_vnni"), None, None, 3000, "assumed"),  # Zen 5: no table
        ("Intel(R) Xeon(R) Gold 6248 CPU @ 2.50GHz", AVX512, 2500.0, None, 2500, "estimated"),
        (None, (), None, None, ASSUMED_CPU_GHZ * 1000, "assumed"),
    ],
)
def test_clock_rules(name, flags, base, max_mhz, mhz, status) -> None:
    clock = core_clock(name, flags, base, max_mhz, "x86_64", "linux")
    assert clock.mhz == pytest.approx(mhz)
    assert clock.status == status
    if status != "estimated" or max_mhz or base:
        assert clock.spread == (1.0, 1.0)  # only a family guess is quoted as a range


def _vm_like(profile: str = "rtx-4090-desktop"):
    machine = load_profile(profile)
    cpu = dataclasses.replace(
        machine.cpu, name="AMD EPYC", simd_flags=AVX512, max_clock_mhz=None,
        base_clock_mhz=None, physical_cores=2,
    )  # fmt: skip
    return dataclasses.replace(machine, cpu=cpu, gpus=(), backend="cpu")


def test_the_vm_compute_rests_on_the_family_clock_and_widens_only_prefill() -> None:
    machine = _vm_like()
    rate = machine_rate(machine, "cpu")
    assert cpu_clock(machine).mhz == 3775
    assert rate.compute_tflops == pytest.approx(2 * 3.775 * 32 / 1000)
    assert rate.compute_range == pytest.approx((2200 / 3775, 4400 / 3775))


def test_a_measured_bandwidth_is_read_at_its_own_rate_a_spec_one_through_alpha() -> None:
    constants = load_constants()
    machine = _vm_like()
    measured = dataclasses.replace(
        machine, memory=dataclasses.replace(machine.memory, bandwidth_measured_gbs=22.3)
    )
    spec = dataclasses.replace(
        machine,
        memory=dataclasses.replace(
            machine.memory, bandwidth_measured_gbs=None, bandwidth_theoretical_gbs=22.3
        ),
    )
    got = coefficients(constants, machine_rate(measured, "cpu"), "f16")
    rated = coefficients(constants, machine_rate(spec, "cpu"), "f16")
    assert got.read_s_per_byte == pytest.approx(COPY_TEST_READ_ALPHA / 22.3e9)
    # the CPU's own alpha, else the shared one (no fitted CPU row informs it since the M2 Max
    # decode rows' compute is counted: scripts/fitting/speed_fit.fit_decode)
    alpha = constants.get(constants.alpha, "cpu")
    assert rated.read_s_per_byte == pytest.approx(alpha / 22.3e9, rel=1e-9, abs=0)
    assert alpha > COPY_TEST_READ_ALPHA  # the old rule read 22.3 as ~18 GB/s
