"""Every front end applies the same calibration: one rule decides where a run speaks."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from advisor.bench.store import BenchStore, default_store_path
from advisor.catalog import load_catalog
from advisor.cli import main
from advisor.errors import ExitCode
from advisor.estimate import estimate
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
        run, model=dataclasses.replace(run.model, n_layers=model.architecture.n_layers)
    )
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
    statuses = {c["speed_status"] for c in report["candidates"]}
    assert statuses == {"calibrated"}


def test_another_machine_is_not_calibrated(slow_runs, capsys) -> None:
    """More RAM is other hardware (another fingerprint): this laptop's runs do not speak."""
    est = _json(["estimate", "--profile", PROFILE, "--ram", "32", "--model", MODEL, "--quant",
                 QUANT, "--context", "640", "--json"], capsys)  # fmt: skip
    assert est["speed"]["calibrated_from_runs"] == 0
