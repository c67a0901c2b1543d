"""The prefill floor (advisor.estimate.speed.floor) is never above a real estimate's prefill.

The search skips files on the floor's word, so the floor must hold for every file on every
machine at every placement: checked here on every shipped profile against every catalog file
that fits, at the placement the estimator picks and at forced partial and CPU placements.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from advisor.catalog import load_catalog
from advisor.estimate import estimate
from advisor.estimate.calibration.build import build_calibration
from advisor.estimate.calibration.values import CalibrationRun
from advisor.estimate.speed.floor import PrefillFloors
from advisor.estimate.speed.predict import PP_DEPTH
from advisor.probe import load_profile, machine_fingerprint
from tests.estimate.forced_placements import FORCED, forced_estimates

PROFILES = sorted(p.stem for p in (Path(__file__).parents[2] / "profiles").glob("*.yaml"))
# (new prompt tokens, tokens already cached): a chat turn, a RAG call, a long agent step.
PROMPTS = ((1_000, 0), (4_000, 2_000), (30_000, 60_000))


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


def _prefill_s(speed, new: int, cached: int) -> float:
    """advisor.verdict.local.local_run's prefill time."""
    return new / speed.prefill_tokens_per_s + (
        speed.prefill_s_per_token_per_depth * new * (cached + new / 2)
    )


def _assert_under(floor, speed, where: str) -> None:
    per_token = 1 / speed.prefill_tokens_per_s
    assert floor.s_per_token + floor.s_per_token_per_depth * PP_DEPTH <= per_token, where
    assert floor.s_per_token_per_depth <= speed.prefill_s_per_token_per_depth * (1 + 1e-12), where
    for new, cached in PROMPTS:
        assert floor.time_to_first_token_s(new, cached) <= _prefill_s(speed, new, cached), where


@pytest.mark.parametrize("profile", PROFILES)
def test_the_floor_holds_for_every_file_that_fits(profile: str, catalog) -> None:
    machine = load_profile(profile)
    floors = PrefillFloors(machine)
    room = (machine.memory.ram_total_bytes or 0) + (machine.total_vram_bytes or 0)
    checked = 0
    for model in catalog.models:
        for quant in model.quants:
            if quant.size_bytes > room:
                continue
            est = estimate(machine, model, quant.type, context_tokens=8192, detail=False)
            if not est.fits:
                continue
            floor = floors.floor(model, quant)
            _assert_under(floor, est.speed, f"{model.id} {quant.type} ({est.placement.kind})")
            checked += 1
    assert checked > 20  # every profile runs some of the catalog


@pytest.mark.parametrize("profile", FORCED)
def test_the_floor_holds_at_forced_placements(profile: str, catalog) -> None:
    floors = PrefillFloors(machine := load_profile(profile))
    for model, quant, est, where in forced_estimates(machine, catalog):
        _assert_under(floors.floor(model, quant), est.speed, where)


def test_a_calibration_lowers_the_floor_by_its_largest_prefill_ratio(catalog) -> None:
    machine = load_profile("rtx-4090-desktop")
    model = catalog.find("qwen3-8b")
    quant = next(q for q in model.quants if q.type == "Q4_K_M")
    size = quant.size_bytes
    calibration = build_calibration(machine_fingerprint(machine), [
        CalibrationRun("fast", "cuda", "gpu", "kquant", size, None, 1.8),
        CalibrationRun("slow", "cpu", "cpu", "kquant", size, None, 0.6),
        CalibrationRun("other", "rocm", "gpu", "kquant", size, None, 3.0),  # not this backend
    ])  # fmt: skip
    plain = PrefillFloors(machine).floor(model, quant)
    scaled = PrefillFloors(machine, calibration=calibration).floor(model, quant)
    assert scaled.s_per_token == pytest.approx(plain.s_per_token / 1.8)
    est = estimate(machine, model, "Q4_K_M", context_tokens=8192, calibration=calibration)
    _assert_under(scaled, est.speed, "calibrated")


def test_the_floor_is_tight_on_a_cpu_only_machine(catalog) -> None:
    """Not just a valid bound but a useful one: within a factor of two of the estimate of a
    legacy-quant file on a CPU, where the floor's only slack is the weight reads."""
    machine = load_profile("office-laptop-16gb")
    model = catalog.find("qwen3-8b")
    quant = next(q for q in model.quants if q.type == "Q4_0")
    est = estimate(machine, model, "Q4_0", context_tokens=8192, detail=False)
    floor = PrefillFloors(machine).floor(model, quant)
    ratio = floor.time_to_first_token_s(4000, 0) / _prefill_s(est.speed, 4000, 0)
    assert 0.5 < ratio <= 1.0


@pytest.mark.parametrize("profile", ("office-laptop-16gb", "raspberry-pi-5-8gb"))
def test_the_floor_is_the_estimate_where_the_cpu_runs_everything(profile: str, catalog) -> None:
    """With no GPU there is one placement: the floor counts every term its prefill adds (the
    routed experts' and the weight reads too, not the FLOPs alone), so it is the estimate's
    own prefill time, a rounding margin under it. The FLOPs alone left a mixture-of-experts
    file's floor at about 0.6 of it, and the searches estimated files they can skip."""
    machine = load_profile(profile)
    floors = PrefillFloors(machine)
    moe = 0
    for model in catalog.models:
        for quant in model.quants:
            if quant.size_bytes > (machine.memory.ram_total_bytes or 0):
                continue
            est = estimate(machine, model, quant.type, context_tokens=8192, detail=False)
            if not est.fits:
                continue
            floor = floors.floor(model, quant)
            per_token = floor.s_per_token + floor.s_per_token_per_depth * PP_DEPTH
            assert per_token * est.speed.prefill_tokens_per_s > 1 - 1e-6, (model.id, quant.type)
            moe += model.architecture.moe is not None
    assert moe > 5
