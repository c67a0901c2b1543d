"""The calibration maths: medians per file, shrinkage toward 1, scope, and applying it."""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path

import pytest

from advisor.bench.calibrate.estimates import Observation
from advisor.bench.calibrate.from_store import load_calibration, measured_models
from advisor.bench.store.db import BenchStore
from advisor.estimate.calibration.apply import apply_calibration, scaling_for
from advisor.estimate.calibration.build import build_calibration, combine, shrink
from advisor.estimate.calibration.values import RUN_NOISE, Calibration, CalibrationRun, Target
from advisor.estimate.speed.figures import Figure, Speed
from advisor.units import GIB
from tests.bench.helpers import measurement


@pytest.mark.parametrize(
    ("raw", "files", "expected"),
    [
        (1.0, 5, 1.0),
        (0.5, 1, 0.5**0.5 * math.exp(0.03)),  # one file: halfway, beyond the noise band
        (0.5, 3, 0.5**0.75 * math.exp(0.045)),
        (2.0, 9, 2.0**0.9 * math.exp(-0.054)),
        (1.05, 9, 1.0),  # within run-to-run noise (6%): no evidence
        (0.95, 1, 1.0),
        (0.8, 0, 1.0),  # no evidence, no change
    ],
)
def test_shrink(raw: float, files: int, expected: float) -> None:
    assert shrink(raw, files) == pytest.approx(expected)


def test_combine_takes_a_median_per_file_then_across_files() -> None:
    # File a ran five times (one outlier); it must count once, as its median 0.8.
    factor = combine({"a": [0.8, 0.8, 0.79, 0.81, 5.0], "b": [0.9], "c": [0.6, 0.62]})
    assert factor is not None
    assert factor.raw_median == pytest.approx(0.8)
    assert factor.files == 3 and factor.runs == 8
    assert factor.value == pytest.approx(shrink(0.8, 3))


def test_combine_with_nothing_is_none() -> None:
    assert combine({}) is None


def _run(
    file: str,
    decode: float | None,
    prefill: float | None = None,
    *,
    backend="cpu",
    placement="cpu",
    path="kquant",
    size=4 * GIB,
    spread=0.02,
    probe=None,
) -> CalibrationRun:
    return CalibrationRun(file, backend, placement, path, size, decode, prefill,  # type: ignore[arg-type]
                          spread, spread, probe)  # fmt: skip


def _target(placement="cpu", quant="Q4_K_M", size=4 * GIB, backend="cpu", fp="m-1") -> Target:
    return Target(fp, backend, placement, "some-model", quant, weights_bytes=size)  # type: ignore[arg-type]


def test_runs_speak_for_their_backend_and_placement() -> None:
    cal = build_calibration("m-1", [_run("a", 0.8), _run("b", 0.9),
                                    _run("c", 1.5, backend="cuda", placement="gpu")])  # fmt: skip
    cpu = scaling_for(cal, _target())
    gpu = scaling_for(cal, _target("gpu", backend="cuda"))
    assert cpu is not None and cpu.decode is not None and cpu.prefill is None
    assert cpu.decode.raw_median == pytest.approx(0.85)
    assert cpu.decode.value == pytest.approx(shrink(0.85, 2))
    assert gpu is not None and gpu.decode is not None
    assert gpu.decode.value == pytest.approx(shrink(1.5, 1))
    assert scaling_for(cal, _target("partial", backend="cuda")) is None
    assert cal.runs == 3


def test_runs_of_one_file_count_once() -> None:
    runs = [_run("a", r) for r in (0.8, 0.8, 0.79, 0.81, 5.0)] + [_run("b", 0.9), _run("c", 0.6)]
    scaling = scaling_for(build_calibration("m-1", runs), _target())
    assert scaling is not None and scaling.decode is not None
    assert scaling.decode.raw_median == pytest.approx(0.8)
    assert scaling.decode.files == 3 and scaling.decode.runs == 7


def test_runs_without_an_estimate_do_not_count() -> None:
    cal = build_calibration("m-1", [Observation(measurement(), None, None).run])
    assert cal.files == ()


def _speed() -> Speed:
    return Speed(
        decode_tokens_per_s=20.0,
        prefill_tokens_per_s=200.0,
        decode_range=(16.0, 24.0),
        prefill_range=(150.0, 250.0),
        basis=(Figure("cpu.memory_bandwidth_gbs", 60.0, "measured", "copy test"),),
        decode_s_per_token_per_depth=1e-6,
        prefill_s_per_token_per_depth=2e-7,
    )


def _unshrunk(factor: float) -> float:
    """The raw ratio two files must say for shrink() to give `factor`."""
    log = math.log(factor)
    return math.exp(math.copysign(abs(log) * 1.5 + RUN_NOISE, log))


def _calibration(decode: float, prefill: float, runs: int = 4) -> Calibration:
    """Two files, `runs` runs in all, that shrink to `decode` and `prefill`."""
    raw_d, raw_p = _unshrunk(decode), _unshrunk(prefill)
    each = [_run(f, raw_d, raw_p) for f in ("a", "b") for _ in range(runs // 2)]
    return build_calibration("m-1", each)


CPU = _target()


def test_apply_scales_rates_ranges_and_depth_costs() -> None:
    speed = apply_calibration(_speed(), _calibration(0.8, 1.25), CPU)
    assert speed.decode_tokens_per_s == pytest.approx(16.0)
    assert speed.decode_range == pytest.approx((12.8, 19.2))
    assert speed.prefill_tokens_per_s == pytest.approx(250.0)
    assert speed.prefill_range == pytest.approx((187.5, 312.5))
    assert speed.decode_s_per_token_per_depth == pytest.approx(1.25e-6)
    assert speed.prefill_s_per_token_per_depth == pytest.approx(1.6e-7, rel=1e-6, abs=0)
    assert speed.calibrated_from_runs == 4
    calibrated = [f for f in speed.basis if f.status == "calibrated"]
    assert [f.name for f in calibrated] == [
        "calibration.cpu.cpu.kquant.decode_factor",
        "calibration.cpu.cpu.kquant.prefill_factor",
    ]
    assert calibrated[0].value == pytest.approx(0.8)
    assert speed.basis[0].status == "measured"  # what was there stays


@pytest.mark.parametrize(
    "target",
    [
        _target("gpu"),  # another placement
        _target(backend="cuda"),  # another backend
        _target(fp="m-2"),  # another machine
        _target(size=40 * GIB),  # ten times the measured files' size
        _target(size=GIB // 10),
        _target(quant="Q4_0"),  # another kernel path, and no probes to carry it there
        _target(size=None),  # a size nobody knows
    ],
)
def test_apply_to_what_the_runs_do_not_speak_for_changes_nothing(target: Target) -> None:
    assert apply_calibration(_speed(), _calibration(0.8, 1.25), target) == _speed()


def test_apply_without_calibration_changes_nothing() -> None:
    assert apply_calibration(_speed(), None, CPU) == _speed()


def test_disturbed_tests_do_not_calibrate() -> None:
    """A tg128 whose repetitions spread by 161% (a busy machine) says nothing; the same run's
    steady pp512 still counts."""
    noisy = CalibrationRun("a", "cpu", "cpu", "kquant", 4 * GIB, 0.4, 0.7, 1.61, 0.03)
    cal = build_calibration("m-1", [noisy])
    scaling = scaling_for(cal, CPU)
    assert scaling is not None and scaling.decode is None and scaling.prefill is not None
    assert cal.disturbed_tests == 1
    assert scaling_for(build_calibration("m-1", [dataclasses.replace(noisy, prefill_spread=0.5)]),
                       CPU) is None  # fmt: skip


def test_another_kernel_path_speaks_through_the_probes() -> None:
    """A Q4_K_M file 30% slow, and probes that find Q4_0 10% slower than Q4_K_M relative to
    the estimate: a Q4_0 file of similar size gets the Q4_K_M file's ratio times 0.9/1.0."""
    runs = [
        _run("file", 0.7),
        _run("probe-k", 1.0, path="kquant", size=GIB, probe="p1"),
        _run("probe-0", 0.9, path="legacy", size=GIB, probe="p1"),
    ]
    cal = build_calibration("m-1", runs)
    q4_0 = scaling_for(cal, _target(quant="Q4_0"))
    assert q4_0 is not None and q4_0.decode is not None and q4_0.decode.through_probes
    # the file (0.7 x 0.9) and the Q4_0 probe itself (0.9): two files
    assert q4_0.decode.raw_median == pytest.approx((0.63 + 0.9) / 2)
    assert q4_0.decode.files == 2
    # Q8_0 has no probe: nothing carries there.
    assert scaling_for(cal, _target(quant="Q8_0")) is None


def test_measured_models_keep_runs_with_the_standard_test() -> None:
    runs = [
        measurement(model_id="qwen3-8b", quant="Q4_K_M", decode=10.0),
        measurement(model_id="qwen3-8b", quant="Q4_K_M", decode=12.0),
        measurement(file="x", decode=30.0),
        measurement(model_id="qwen3-8b", quant="Q8_0", n_prompt=32),
    ]
    found = measured_models(runs)
    assert [(m.quant, m.decode_tokens_per_s) for m in found] == [
        ("Q4_K_M", pytest.approx(10.0)),
        ("Q4_K_M", pytest.approx(12.0)),
        (None, pytest.approx(30.0)),
    ]
    cal = Calibration("m-1", (), found)
    latest = cal.measured_for("Qwen3-8B", "q4_k_m", "cpu", "cpu")
    assert latest is not None and latest.decode_tokens_per_s == pytest.approx(12.0)
    by_file = cal.measured_for(None, None, "cpu", "cpu", runs[2].model.identity)
    assert by_file is not None and by_file.decode_tokens_per_s == pytest.approx(30.0)
    assert cal.measured_for("qwen3-8b", "Q8_0", "cpu", "cpu") is None
    assert cal.measured_for("qwen3-8b", "Q4_K_M", "cuda", "gpu") is None


def test_load_calibration_from_the_store(tmp_path: Path, advisor_home: Path) -> None:
    from advisor.probe import load_profile, machine_fingerprint

    machine = _any_profile(load_profile)
    fp = machine_fingerprint(machine)
    store_path = tmp_path / "s.sqlite"
    with BenchStore(store_path) as store:
        # The files are gone from disk, so the estimates stored with the runs are used.
        cores = machine.cpu.physical_cores
        for kw in (
            dict(fingerprint=fp, file="a", decode=16),
            dict(fingerprint=fp, file="b", decode=18),
            dict(fingerprint="m-other", file="c", decode=50),  # another machine
            dict(fingerprint=fp, file="d", decode=1, n_prompt=32),  # not pp512/tg128
            dict(fingerprint=fp, file="e", decode=2, n_threads=cores + 1),  # not every core
        ):
            kw.setdefault("n_threads", cores)
            store.add(measurement(**kw, estimated_decode=20))
        cal = load_calibration(machine, store)
    assert cal is not None and cal.machine_fingerprint == fp
    assert sorted(f.decode for f in cal.files) == pytest.approx([0.8, 0.9])
    assert {f.prefill for f in cal.files} == {None}  # no prefill estimates stored
    assert len(cal.measured) == 2
    assert load_calibration(machine, store_path) is not None  # a path works too


def test_no_store_means_no_calibration(advisor_home: Path) -> None:
    from advisor.probe import load_profile

    assert load_calibration(_any_profile(load_profile)) is None


def _any_profile(load_profile):
    from advisor.probe import list_profiles

    return load_profile(list_profiles()[0])


def test_observe_asks_the_estimator_afresh_while_the_file_is_there(tiny_f16: Path) -> None:
    import dataclasses

    from advisor.bench.calibrate.estimates import observe
    from advisor.bench.model_file.identity import describe_file
    from advisor.probe import load_profile

    machine = _any_profile(load_profile)
    stale = measurement(estimated_decode=1.0, estimated_prefill=1.0)
    stale = dataclasses.replace(
        stale,
        model=dataclasses.replace(describe_file(tiny_f16), n_layers=2),
        settings=dataclasses.replace(stale.settings, n_threads=machine.cpu.physical_cores),
    )
    (fresh,) = observe(machine, [stale])
    assert fresh.estimated_decode_tokens_per_s not in (None, 1.0)
    assert fresh.estimated_decode_tokens_per_s > 100  # a 0.4 M-parameter model is fast
    changed = dataclasses.replace(
        stale, model=dataclasses.replace(stale.model, header_sha256="0" * 64)
    )
    (kept,) = observe(machine, [changed])  # not the file that ran: the stored estimate
    assert kept.estimated_decode_tokens_per_s == 1.0
    elsewhere = dataclasses.replace(
        stale, settings=dataclasses.replace(stale.settings, n_threads=1000)
    )
    assert observe(machine, [elsewhere]) == []  # not on every core: cannot calibrate
