"""estimate() on every shipped profile, and with this machine's throughput-test calibration."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from estimate_archs import model
from estimate_machines import gpu_machine

from advisor.catalog import load_catalog
from advisor.estimate import estimate
from advisor.estimate.calibration.build import build_calibration, shrink
from advisor.estimate.calibration.values import CalibrationRun
from advisor.probe import load_profile, machine_fingerprint
from advisor.probe.machine import Gpu

PROFILES = sorted(p.stem for p in (Path(__file__).parents[2] / "profiles").glob("*.yaml"))
CASES = [("qwen3-8b", "Q4_K_M", 8192), ("gpt-oss-20b", "MXFP4", 32768),
         ("llama-3.3-70b-instruct", "Q4_K_M", 8192)]  # fmt: skip


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


@pytest.mark.parametrize("profile", PROFILES)
def test_every_profile_gets_a_consistent_estimate(profile: str, catalog) -> None:
    machine = load_profile(profile)
    for model_id, quant, context in CASES:
        est = estimate(machine, catalog.find(model_id), quant, context_tokens=context)
        shares = est.placement.shares
        assert est.memory.total_bytes == sum(s.total_bytes for s in shares)
        assert shares[-1].device == "cpu"
        if est.fits:
            assert all(s.total_bytes <= s.available_bytes for s in shares)
            assert est.speed is not None and est.max_context_tokens >= context
        else:
            assert est.speed is None and est.reasons[0].startswith("does not fit")
        expected_pool = {"cpu": "ram"}.get(
            est.placement.kind, "unified" if machine.unified_memory else "vram"
        )
        assert est.placement.pool == expected_pool


def test_unknown_vram_keeps_the_model_on_the_cpu_and_says_so() -> None:
    base = gpu_machine(24)
    gpu = Gpu(index=0, name="Mystery GPU", vendor="nvidia", vram_total_bytes=None,
              vram_free_bytes=None, memory_bandwidth_gbs=None, fp16_tflops=None)  # fmt: skip
    machine = dataclasses.replace(base, gpus=(gpu,))
    est = estimate(machine, model("llama-3.1-8b-instruct"), "Q4_K_M", context_tokens=8192)
    assert est.placement.kind == "cpu"
    assert any("VRAM size unknown" in r for r in est.reasons)


def test_calibration_rescales_the_speed() -> None:
    machine, m = gpu_machine(24), model("llama-3.1-8b-instruct")
    plain = estimate(machine, m, "Q4_K_M", context_tokens=8192)
    size = plain.memory.weights_bytes
    runs = [CalibrationRun(f, "cuda", "gpu", "kquant", size, 0.8**1.5, 0.8**1.5)
            for f in ("a", "a", "b")]  # fmt: skip
    calibration = build_calibration(machine_fingerprint(machine), runs)
    scaled = estimate(machine, m, "Q4_K_M", context_tokens=8192, calibration=calibration)
    factor = shrink(0.8**1.5, 2)  # two files, beyond the run-noise band, shrunk
    assert scaled.speed.decode_tokens_per_s == pytest.approx(
        plain.speed.decode_tokens_per_s * factor
    )
    assert scaled.speed.calibrated_from_runs == 3
    assert scaled.memory == plain.memory
