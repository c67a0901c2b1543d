"""This machine's batched runs calibrate the batched estimate: the rule and its plumbing."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from advisor.bench.batched import BatchedMeasurement, BatchPoint
from advisor.bench.calibrate.estimates import with_batched_estimates
from advisor.bench.calibrate.from_store import batched_runs, load_calibration
from advisor.bench.kernels.synthetic import TINY, write_synthetic_gguf
from advisor.bench.model_file.identity import describe_file
from advisor.bench.store.db import BenchStore
from advisor.catalog import load_catalog
from advisor.estimate import estimate
from advisor.estimate.calibration.apply import batched_group_for
from advisor.estimate.calibration.build import build_batched, shrink, step_growth_ratio
from advisor.estimate.calibration.values import BatchedFile, BatchedRun, Calibration, Target
from advisor.estimate.speed.batched import batch_model
from advisor.estimate.speed.predict import TG_DEPTH
from advisor.probe import resolve_machine
from advisor.probe.fingerprint import machine_fingerprint
from tests.bench.helpers import settings
from tests.estimate.estimate_machines import cpu_machine


def test_growth_ratio_is_measured_over_estimated_growth_of_a_step() -> None:
    # A step grows x1.33 (B=2) and x2 (B=4) where the estimate said x1.11 and x1.33: 3x both.
    points = [(1, 10.0, 10.0), (2, 15.0, 18.0), (4, 20.0, 30.0)]
    assert step_growth_ratio(points) == pytest.approx(3.0)
    assert step_growth_ratio(points[1:]) is None  # no B = 1 to grow from
    assert step_growth_ratio(points[:1]) is None  # no B >= 2


def test_batched_runs_follow_the_calibration_rule() -> None:
    gib = 1024**3
    runs = [BatchedRun("a", "cpu", "cpu", 4.0, "q8_0", 4 * gib),
            BatchedRun("a", "cpu", "cpu", 4.0, "q8_0", 4 * gib),
            BatchedRun("b", "cuda", "gpu", 0.5, "q8_0", 4 * gib),
            BatchedRun("c", "cpu", "cpu", 9.0, None, 4 * gib)]  # fmt: skip
    files = build_batched(runs)
    assert [(f.file_identity, f.runs) for f in files] == [("a", 2), ("b", 1)]  # c: path unknown
    calibration = Calibration("fp", (), batched=files)
    group = batched_group_for(calibration, Target("fp", "cpu", "cpu", quant="Q8_0",
                                                  weights_bytes=3 * gib))  # fmt: skip
    assert group.growth.value == pytest.approx(shrink(4.0, 1))  # one file: halfway, in logs
    assert (group.growth.runs, group.growth.files) == (2, 1)
    cuda = batched_group_for(calibration, Target("fp", "cuda", "gpu", quant="Q8_0",
                                                 weights_bytes=3 * gib))  # fmt: skip
    assert cuda.growth.value == pytest.approx(shrink(0.5, 1))


def test_batched_runs_speak_only_for_similar_sizes_and_their_kernel_path() -> None:
    # Like single-stream runs: a 60 MB file's growth says nothing of a 30 GB model's, and a
    # Q8_0 file's nothing of a Q4_K_M file's matrix work.
    small = BatchedFile("tiny", "cpu", "cpu", "q8_0", 60 * 1024**2, 3.0, 2)
    calibration = Calibration("fp", (), batched=(small,))
    near = Target("fp", "cpu", "cpu", quant="Q8_0", weights_bytes=200 * 1024**2)
    assert batched_group_for(calibration, near) is not None
    for target in (
        Target("fp", "cpu", "cpu", quant="Q8_0", weights_bytes=30 * 1024**3),
        Target("fp", "cpu", "cpu", quant="Q4_K_M", weights_bytes=200 * 1024**2),
        Target("fp", "cpu", "cpu", quant="Q8_0"),  # size unknown
        Target("fp", "cpu", "gpu", quant="Q8_0", weights_bytes=200 * 1024**2),
        Target("other", "cpu", "cpu", quant="Q8_0", weights_bytes=200 * 1024**2),
    ):
        assert batched_group_for(calibration, target) is None, target


@pytest.fixture(scope="module")
def spark():
    machine = resolve_machine(profile="dgx-spark")
    model = load_catalog(overlay=False).find("qwen2.5-coder-7b-instruct")
    return machine, model, estimate(machine, model, "Q8_0", context_tokens=16384)


def test_a_growth_factor_scales_what_extra_sequences_add(spark) -> None:
    machine, model, est = spark
    # One Q8_0 file of about this size, growth x4 over 3 runs: halfway in logs beyond the
    # run-noise band, about x1.94.
    group = BatchedFile("f", "cuda", "gpu", "q8_0", est.memory.weights_bytes, 4.0, 3)
    mine = Calibration(machine_fingerprint(machine), (), batched=(group,))
    plain, scaled = batch_model(machine, model, est), batch_model(machine, model, est,
                                                                  calibration=mine)  # fmt: skip
    one = plain.decode_step_s(1, TG_DEPTH)
    assert scaled.decode_step_s(1, TG_DEPTH) == pytest.approx(one)
    extra = plain.decode_step_s(8, TG_DEPTH) - one
    assert scaled.decode_step_s(8, TG_DEPTH) - one == pytest.approx(shrink(4.0, 1) * extra)
    speed = scaled.speed(8)
    assert speed.calibrated_from_runs == 3
    assert any(f.name == "calibration.cuda.gpu.batched_growth_factor" and
               f.status == "calibrated" for f in speed.basis)  # fmt: skip
    other = Calibration("m-someone-else", (), batched=(group,))
    assert batch_model(machine, model, est, calibration=other).speed(8) == plain.speed(8)


def test_stored_batched_runs_calibrate_this_machine(tmp_path: Path) -> None:
    machine = cpu_machine()
    path = write_synthetic_gguf(tmp_path / "tiny.gguf", "F16", TINY)
    fingerprint = machine_fingerprint(machine)
    m = BatchedMeasurement(
        machine_fingerprint=fingerprint,
        model=dataclasses.replace(describe_file(path), file_type="F16"),  # as the run reads it
        settings=settings(n_threads=16, n_prompt=64, n_gen=16, n_ctx=4 * 80), placement="cpu",
        sequences_asked=(1, 2, 4),
        points=(BatchPoint(1, 64, 16, 0.01, 0.16), BatchPoint(2, 64, 16, 0.02, 0.24),
                BatchPoint(4, 64, 16, 0.04, 0.40)),
        load_s=0.1, started_at="2026-12-06T18:00:00+00:00", duration_s=2.0, budget_s=30.0,
    )  # fmt: skip
    with BenchStore(tmp_path / "bench.sqlite") as store:
        store.add_batched(m)
        store.add_batched(m.__class__(**{**m.__dict__, "settings": settings(n_threads=3)}))
    fresh = with_batched_estimates(machine, m)
    assert all(p.estimated_decode_tokens_per_s for p in fresh.points)
    (run,) = batched_runs(machine, [m])
    points = [(p.sequences, p.decode_tokens_per_s, p.estimated_decode_tokens_per_s)
              for p in fresh.points]  # fmt: skip
    expected = step_growth_ratio(points)
    assert run.growth_ratio == pytest.approx(expected)
    calibration = load_calibration(machine, tmp_path / "bench.sqlite")
    (file,) = calibration.batched
    # One run counts: the 3-thread one does not test the cores the estimate assumes.
    assert (file.backend, file.placement, file.quant_class, file.runs) == ("cpu", "cpu", "f16", 1)
    assert file.file_bytes == path.stat().st_size
    target = Target(fingerprint, "cpu", "cpu", quant="F16", weights_bytes=file.file_bytes)
    group = batched_group_for(calibration, target)
    assert group.growth.value == pytest.approx(shrink(expected, 1))
