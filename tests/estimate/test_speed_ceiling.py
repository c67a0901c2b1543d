"""The decode ceiling (advisor.estimate.speed.ceiling) is never below a real estimate's decode.

The search skips files on the ceiling's word, so it must hold for every file on every machine
at every placement and depth: checked here on every shipped profile against every catalog file
that fits, at every placement the estimator decides between (not only the one it picks), at
the depth every preset workload decodes at, and at forced -ngl placements on four profiles.
"""

from __future__ import annotations

import statistics
from pathlib import Path

import pytest

from advisor.catalog import load_catalog
from advisor.estimate import estimate
from advisor.estimate.assemble import _memo, _placed, _planner, _settings
from advisor.estimate.calibration.build import build_calibration
from advisor.estimate.calibration.values import Calibration, CalibrationRun, MeasuredModel
from advisor.estimate.speed.ceiling import DecodeCeilings
from advisor.estimate.speed.floor import PrefillFloors
from advisor.estimate.speed.predict import speed_of_placement
from advisor.probe import load_profile, machine_fingerprint
from advisor.workload import load_workloads
from tests.estimate.forced_placements import FORCED, forced_estimates

PROFILES = sorted(p.stem for p in (Path(__file__).parents[2] / "profiles").glob("*.yaml"))


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


@pytest.fixture(scope="module")
def depths() -> tuple[int, ...]:
    """The depths the preset workloads decode at (advisor.verdict.local.local_run), and 0."""
    found = {int(w.input_tokens_per_request + w.output_tokens_per_request / 2)
             for w in load_workloads()}  # fmt: skip
    return (0, *sorted(found))


def _assert_over(ceiling, speed, depths, where: str) -> None:
    assert ceiling is not None, where
    for depth in depths:
        assert ceiling.tokens_per_s_at(depth) >= speed.decode_tokens_per_s_at(depth), (where, depth)


@pytest.mark.parametrize("profile", PROFILES)
def test_the_ceiling_holds_for_every_file_at_every_placement(profile, catalog, depths) -> None:
    machine = load_profile(profile)
    ceilings = DecodeCeilings(machine)
    memo = _memo(machine)
    settings = _settings("f16", True)
    room = (machine.memory.ram_total_bytes or 0) + (machine.total_vram_bytes or 0)
    checked = 0
    for model in catalog.models:
        arch = model.architecture
        for quant in model.quants:
            if quant.size_bytes > room:
                continue
            planner = _planner(memo, arch, quant.type, settings, "dedicated")
            ceiling = ceilings.ceiling(model, quant)
            for tokens in (4096, 65536):
                for option, placement, memory in _placed(planner, arch, quant.type, settings,
                                                         tokens, None):  # fmt: skip
                    if not option.fits:
                        continue
                    speed = speed_of_placement(machine, model, quant.type, placement,
                                               memory.weights_bytes, basis=False)  # fmt: skip
                    where = f"{model.id} {quant.type} {placement.kind} {tokens}"
                    _assert_over(ceiling, speed, depths, where)
                    checked += 1
    assert checked > 20  # every profile runs some of the catalog


@pytest.mark.parametrize("profile", FORCED)
def test_the_ceiling_holds_at_forced_placements(profile: str, catalog, depths) -> None:
    ceilings = DecodeCeilings(machine := load_profile(profile))
    for model, quant, est, where in forced_estimates(machine, catalog):
        _assert_over(ceilings.ceiling(model, quant), est.speed, depths, where)


def test_a_calibration_raises_the_ceiling_by_its_largest_decode_ratio(catalog, depths) -> None:
    machine = load_profile("rtx-4090-desktop")
    model = catalog.find("qwen3-8b")
    quant = next(q for q in model.quants if q.type == "Q4_K_M")
    size = quant.size_bytes
    calibration = build_calibration(machine_fingerprint(machine), [
        CalibrationRun("fast", "cuda", "gpu", "kquant", size, 1.7, None),
        CalibrationRun("slow", "cpu", "cpu", "kquant", size, 0.6, None),
        CalibrationRun("other", "rocm", "gpu", "kquant", size, 3.0, None),  # not this backend
    ])  # fmt: skip
    plain = DecodeCeilings(machine).ceiling(model, quant)
    scaled = DecodeCeilings(machine, calibration=calibration).ceiling(model, quant)
    assert scaled.s_per_token == pytest.approx(plain.s_per_token / 1.7)
    est = estimate(machine, model, "Q4_K_M", context_tokens=8192, calibration=calibration)
    assert est.speed.calibrated_from_runs  # the calibration did speed the estimate up
    _assert_over(scaled, est.speed, depths, "calibrated")


@pytest.mark.parametrize(("bounds", "bound"),
                         ((DecodeCeilings, "ceiling"), (PrefillFloors, "floor")))  # fmt: skip
def test_a_measured_model_has_no_bound(catalog, bounds, bound) -> None:
    """A stored run speaks for its model: neither the decode ceiling nor the prefill floor
    bounds it (both take the measured models from calibration.apply.measured_models)."""
    machine = load_profile("rtx-4090-desktop")
    model = catalog.find("qwen3-8b")
    measured = MeasuredModel("Qwen3-8B", "Q8_0", "cuda", "gpu", 90.0, 9000.0)
    search = bounds(machine, calibration=Calibration(machine_fingerprint(machine), (),
                                                     (measured,)))  # fmt: skip
    assert getattr(search, bound)(model, model.quants[0]) is None
    other = catalog.find("gpt-oss-20b")
    assert getattr(search, bound)(other, other.quants[0]) is not None


def test_the_ceiling_is_tight_where_one_device_holds_the_file(catalog) -> None:
    """Not just a valid bound but a useful one: where the whole file sits on one device, the
    ceiling is that device's time at the file's own weights, so within a few percent of the
    estimate (a tied head, counted once in the tensors' total, is the only slack)."""
    cases = (("office-laptop-16gb", "qwen3-8b", "Q4_0", "cpu"),
             ("rtx-4090-desktop", "qwen3-8b", "Q4_K_M", "gpu"))  # fmt: skip
    for profile, model_id, quant_type, kind in cases:
        machine = load_profile(profile)
        model = catalog.find(model_id)
        quant = next(q for q in model.quants if q.type == quant_type)
        est = estimate(machine, model, quant_type, context_tokens=8192, detail=False)
        assert est.placement.kind == kind
        top = DecodeCeilings(machine).ceiling(model, quant).tokens_per_s_at(2000)
        assert 1.0 <= top / est.speed.decode_tokens_per_s_at(2000) < 1.05, profile


@pytest.mark.parametrize("profile", ("rtx-3060-desktop", "dual-rtx-3090"))
def test_a_layer_split_ceiling_counts_the_gpus_room(profile: str, catalog) -> None:
    """A file split between a GPU and the CPU streams no more of its layers from the GPU than
    its room holds: the ceiling takes that share at the GPU's rate and the rest at the CPU's,
    not the whole file at the GPU's. Over the files the estimator splits, the ceiling is then
    within half again of the estimate (median ratio 1.4 on both when written; 3.2 on the
    12 GB card and 4.7 on two 24 GB cards when the GPU was taken to stream the whole file)."""
    machine = load_profile(profile)
    ceilings = DecodeCeilings(machine)
    ratios = []
    for model in catalog.models:
        for quant in model.quants:
            est = estimate(machine, model, quant.type, context_tokens=8192, detail=False)
            split = est.fits and est.placement.kind == "partial"
            if not split or est.placement.experts_on_cpu:
                continue
            ceiling = ceilings.ceiling(model, quant)
            if ceiling is not None:
                ratios.append(ceiling.tokens_per_s_at(0) / est.speed.decode_tokens_per_s)
    assert len(ratios) > 50
    assert min(ratios) >= 1.0
    assert statistics.median(ratios) < 2.0, statistics.median(ratios)
