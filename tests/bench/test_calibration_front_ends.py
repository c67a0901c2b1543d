"""Every front end applies the same calibration: one rule decides where a run speaks."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from advisor.bench.store.db import BenchStore, default_store_path
from advisor.catalog import load_catalog
from advisor.cli import main
from advisor.errors import ExitCode
from advisor.estimate import estimate
from advisor.estimate.speed.load import quant_class
from advisor.probe import load_profile, machine_fingerprint
from tests.bench.helpers import measurement

PROFILE = "office-laptop-16gb"  # CPU only: every estimate is a "cpu" placement
MODEL, QUANT = "qwen3-8b", "Q4_K_M"


@pytest.fixture
def slow_runs(advisor_home: Path) -> float:
    """Two stored runs of the catalog file at 60% of its estimate, on the profile's hardware
    (as if this machine were that laptop). Returns the uncalibrated decode estimate."""
    machine = load_profile(PROFILE)
    model = load_catalog().find(MODEL)
    plain = estimate(machine, model, QUANT, context_tokens=640)
    decode = plain.speed.decode_tokens_per_s
    run = measurement(fingerprint=machine_fingerprint(machine), model_id=MODEL, quant=QUANT,
                      decode=decode * 0.6, prefill=plain.speed.prefill_tokens_per_s * 0.6,
                      n_threads=machine.cpu.physical_cores)  # fmt: skip
    run = dataclasses.replace(
        run,
        model=dataclasses.replace(
            run.model, n_layers=model.architecture.n_layers, size_bytes=plain.memory.weights_bytes
        ),
    )
    # fmt: skip
    path = default_store_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    with BenchStore(path) as store:
        store.add(run)
        store.add(dataclasses.replace(run, started_at="2026-11-24T11:00:00+00:00"))
    return decode


def _json(argv: list[str], capsys: pytest.CaptureFixture[str]) -> dict:
    assert main(argv) == ExitCode.OK
    return json.loads(capsys.readouterr().out)


def test_estimate_and_report_calibrate_a_profile_of_this_machine(slow_runs, capsys) -> None:
    """`advisor estimate` used to skip the calibration for any --profile, while `advisor
    report` applied it to the same machine: the fingerprint alone decides now."""
    est = _json(["estimate", "--profile", PROFILE, "--model", MODEL, "--quant", QUANT,
                 "--context", "640", "--json"], capsys)  # fmt: skip
    assert est["speed"]["calibrated_from_runs"] == 2
    assert est["speed"]["decode_tokens_per_s"] < slow_runs * 0.9
    report = _json(["report", "--profile", PROFILE, "--json"], capsys)
    calibrated = [c for c in report["candidates"] if c["speed_status"] == "calibrated"]
    assert calibrated  # K-quant files near the measured one's size
    assert all(quant_class(c["quant"]) == "kquant" for c in calibrated)


def test_models_applies_the_same_calibration(slow_runs, capsys) -> None:
    """`advisor models` used to ignore the calibration that estimate and report apply."""
    est = _json(["estimate", "--profile", PROFILE, "--model", MODEL, "--quant", QUANT,
                 "--context", "8192", "--json"], capsys)  # fmt: skip
    ranking = _json(["models", "--profile", PROFILE, "--all-quants", "--json"], capsys)
    row = next(c for c in ranking["candidates"]
               if (c["model_id"], c["quant"]) == (MODEL, QUANT))  # fmt: skip
    assert row["decode_tokens_per_s"] == pytest.approx(est["speed"]["decode_tokens_per_s"], 0.01)
    assert row["decode_tokens_per_s"] < slow_runs * 0.9


def test_another_machine_is_not_calibrated(slow_runs, capsys) -> None:
    """More RAM is other hardware (another fingerprint): this laptop's runs do not speak."""
    est = _json(["estimate", "--profile", PROFILE, "--ram", "32", "--model", MODEL, "--quant",
                 QUANT, "--context", "640", "--json"], capsys)  # fmt: skip
    assert est["speed"]["calibrated_from_runs"] == 0


def test_a_tiny_noisy_file_rewrites_no_estimate_of_a_big_model(tiny_f16: Path, advisor_home,
                                                                capsys) -> None:  # fmt: skip
    """Issue 13 item 9: `advisor bench` on a 0.4 MB synthetic GGUF (decode 1,165 tokens/s
    ±161%) used to slow every estimate on the machine (Qwen3.6 35B-A3B 7.3 -> 3.1 tokens/s)
    and flip the document-batch verdict. It speaks only for files of its size and path now."""
    from advisor.bench.calibrate.estimates import predict
    from advisor.bench.measurement import Throughput
    from advisor.bench.model_file.identity import describe_file
    from advisor.probe import resolve_machine

    machine = resolve_machine(profile=PROFILE, ram_gb=64)
    big = ["--profile", PROFILE, "--ram", "64", "--model", "qwen3.6-35b-a3b", "--quant", "Q4_K_M",
           "--context", "8192", "--json"]  # fmt: skip
    report = ["report", "--profile", PROFILE, "--ram", "64", "--workload", "document-batch",
              "--json"]  # fmt: skip
    before = _json(["estimate", *big], capsys)["speed"]
    verdicts_before = [v["verdict"] for v in _json(report, capsys)["verdicts"]]
    model_file = dataclasses.replace(describe_file(tiny_f16), n_layers=2)
    guess = predict(machine, model_file, context_tokens=640, gpu_layers=0)
    decode = guess.decode_tokens_per_s * 0.43
    run = measurement(fingerprint=machine_fingerprint(machine),
                      n_threads=machine.cpu.physical_cores)  # fmt: skip
    run = dataclasses.replace(
        run, model=model_file,
        decode=Throughput("tg128", 128, (decode * 0.1, decode * 2.75, decode * 0.15)),
        prefill=Throughput("pp512", 512, (guess.prefill_tokens_per_s * 0.5,) * 3),
    )  # fmt: skip
    assert run.decode.stdev_tokens_per_s / run.decode.mean_tokens_per_s > 1.4
    path = default_store_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    with BenchStore(path) as store:
        store.add(run)
    after = _json(["estimate", *big], capsys)["speed"]
    assert after["calibrated_from_runs"] == 0
    assert after["decode_tokens_per_s"] == before["decode_tokens_per_s"]
    assert after["prefill_tokens_per_s"] == before["prefill_tokens_per_s"]
    assert [v["verdict"] for v in _json(report, capsys)["verdicts"]] == verdicts_before
