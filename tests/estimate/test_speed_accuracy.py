"""The speed model against the committed calibration set: pinned accuracy and shipped constants."""

from __future__ import annotations

import statistics
from pathlib import Path

import pytest

from advisor.estimate.speed_fit import fit_constants, leave_one_device_out
from advisor.estimate.speed_model import load_constants
from advisor.estimate.speed_rows import (
    base_quant,
    load_rows,
    load_spec_table,
    parse_test,
    repository_catalog,
    row_weight,
)

DATA = Path(__file__).resolve().parents[2] / "benchmarks" / "data"


@pytest.fixture(scope="module")
def rows():
    found, skipped = load_rows(
        DATA / "throughput_calibration.csv",
        load_spec_table(DATA / "hardware_specs.csv"),
        repository_catalog(),
    )
    assert len(found) == 194 and len(skipped) == 26
    return found


@pytest.fixture(scope="module")
def held_out(rows):
    return leave_one_device_out(rows)


def _errors(predictions, kind):
    return [abs(p.error) for p in predictions if p.row.kind == kind]


def test_decode_on_unseen_devices_holds_the_pinned_accuracy(held_out):
    errors = _errors(held_out, "decode")
    assert statistics.median(errors) <= 0.08  # 7.4% when pinned
    assert sum(e <= 0.2 for e in errors) / len(errors) >= 0.74  # 75.2% when pinned


def test_prefill_on_unseen_devices_holds_the_pinned_accuracy(held_out):
    assert statistics.median(_errors(held_out, "prefill")) <= 0.205  # 19.9% when pinned


def test_shipped_constants_are_the_fit_of_the_committed_rows(rows):
    fitted = fit_constants(rows)
    shipped = load_constants()
    for backend, value in fitted["decode"]["alpha"].items():
        assert shipped.alpha[backend] == pytest.approx(value, rel=1e-4)
    for backend, value in fitted["prefill"]["kappa"].items():
        assert shipped.kappa[backend] == pytest.approx(value, rel=1e-4)
    assert shipped.mu_moe == pytest.approx(fitted["prefill"]["mu_moe"], rel=1e-4)


@pytest.mark.parametrize(
    ("test", "parsed"),
    [
        ("pp512", ("prefill", 512)),
        ("tg128", ("decode", 128)),
        ("other: pp2048", ("prefill", 2048)),
        ("other: tg32", ("decode", 32)),
        ("other: tg eval rate", None),
        ("other: prompt eval ~494 tok", None),
    ],
)
def test_only_llama_bench_tests_with_a_length_are_used(test, parsed):
    assert parse_test(test) == parsed


def test_row_rules():
    assert base_quant("Q4_K_M (UD-Q4_K_XL file)") == "Q4_K_M"
    assert row_weight("build x; secondary_single_copy") == 0.5
    assert row_weight("crowd-sourced; low confidence") == 0.25
    assert row_weight("secondary_xcheck(>=2 copies)") == 1.0
