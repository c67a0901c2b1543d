"""Reading a report back gives advise() the same inputs: a re-evaluation reaches the same
verdicts with the same catalog, and foreign or newer documents are refused with a reason."""

from __future__ import annotations

import json

import pytest

from advisor.advice_options import AdviceOptions
from advisor.advise import advise, machine_id
from advisor.errors import ReportError
from advisor.probe import load_profile
from advisor.report.document import build_document
from advisor.report.read import inputs_from_report
from advisor.workload import load_workloads


@pytest.fixture(scope="module")
def first(catalog):
    machine = load_profile("macbook-pro-m3-pro-36gb")
    options = AdviceOptions(hardware_price_usd=2000.0, lifetime_months=48)
    advice = advise(machine, catalog, load_workloads(), options)
    return json.loads(json.dumps(build_document(advice, anonymize=True)))


def test_a_re_evaluation_reaches_the_same_verdicts(first, catalog) -> None:
    inputs = inputs_from_report(first)
    assert inputs.machine_id == first["machine_id"]
    # anonymized: keyed with the writing installation's salt, so not recomputable from it
    assert machine_id(inputs.machine) != first["machine_id"]
    assert inputs.options.hardware_price_usd == 2000.0 and inputs.options.lifetime_months == 48
    assert inputs.options.electricity_usd_per_kwh is None  # the region's price, re-read
    options = inputs.options
    again = build_document(advise(inputs.machine, catalog, inputs.workloads, options))
    for before, after in zip(first["verdicts"], again["verdicts"], strict=True):
        assert before["verdict"] == after["verdict"]
        assert before["costs_usd_per_month"] == after["costs_usd_per_month"]


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (lambda d: d.update(kind="something-else"), "not an advisor report"),
        (lambda d: d.update(schema_version=99), "schema version 99"),
        (lambda d: d.pop("machine"), "machine: is required but missing"),
        (lambda d: d["machine"].update(ram_gb="lots"), "machine.ram_gb: Input should be a valid"),
        (lambda d: d["inputs"]["workloads"][0].update(task="poetry"), "inputs.workloads[0]"),
        (lambda d: d["inputs"].pop("electricity"), "inputs.electricity: is required but missing"),
    ],
)
def test_broken_reports_are_refused_with_a_reason(first, change, words) -> None:
    doc = json.loads(json.dumps(first))
    change(doc)
    with pytest.raises(ReportError) as caught:
        inputs_from_report(doc, path="r.json")
    assert words in str(caught.value) and "r.json" in str(caught.value)


def test_a_user_set_electricity_price_is_kept(first) -> None:
    doc = json.loads(json.dumps(first))
    doc["inputs"]["electricity"].update(basis="flag", usd_per_kwh=0.42)
    assert inputs_from_report(doc).options.electricity_usd_per_kwh == 0.42


def test_a_version_1_report_is_still_read(first) -> None:
    """Schema 2 added keys a version 1 report lacks (the workload's `cloud`, the hardware's
    list price): a reader of version 2 takes their defaults."""
    old = json.loads(json.dumps(first))
    old["schema_version"] = 1
    del old["inputs"]["hardware"]["list_price_usd"]
    for workload in old["inputs"]["workloads"]:
        del workload["cloud"]
    inputs = inputs_from_report(old)
    assert all(w.cloud == "allowed" for w in inputs.workloads)
    assert inputs.options.hardware_price_usd == 2000.0


def test_an_absurdly_large_number_is_refused_with_its_key(first) -> None:
    doc = json.loads(json.dumps(first))
    doc["inputs"]["workloads"][0]["requests_per_day"] = 1e300
    with pytest.raises(ReportError, match="too large to be real") as caught:
        inputs_from_report(doc)
    assert "inputs.workloads[0].requests_per_day" in str(caught.value)


_RATE = "inputs.workloads[{}].requests_per_day"


@pytest.mark.parametrize(
    ("where", "value", "key"),
    [
        (("inputs", "workloads", 1, "requests_per_day"), 10**16, _RATE.format(1)),
        (("inputs", "workloads", 0, "requests_per_day"), -(10**17), _RATE.format(0)),
        (("machine", "ram_gb"), 1e16, "machine.ram_gb"),  # at the bound: json writes 1e+16
        (("machine", "ram_gb"), -2.5e18, "machine.ram_gb"),
        (("machine", "cpu", "simd"), ["neon", 3e20], "machine.cpu.simd[1]"),
    ],
)  # fmt: skip
def test_an_absurd_number_is_found_wherever_it_is(first, where, value, key) -> None:
    """The keyed walk for absurd numbers runs only when a walk without keys finds a number that
    large: every such number must still be found, with its key."""
    doc = json.loads(json.dumps(first))
    target = doc
    for step in where[:-1]:
        target = target[step]
    target[where[-1]] = value
    with pytest.raises(ReportError, match="too large to be real") as caught:
        inputs_from_report(doc)
    assert caught.value.key == key


def test_text_that_looks_like_an_absurd_number_passes(first) -> None:
    doc = json.loads(json.dumps(first))
    doc["machine"]["cpu"]["name"] = "Ryzen e+ 12345678901234567890"
    assert inputs_from_report(doc).machine.cpu.name == "Ryzen e+ 12345678901234567890"


def test_an_absurd_number_is_said_before_a_non_finite_one(first) -> None:
    doc = json.loads(json.dumps(first))
    doc["inputs"]["workloads"][0]["requests_per_day"] = float("nan")
    doc["machine"]["ram_gb"] = 1e300
    with pytest.raises(ReportError, match="too large to be real"):
        inputs_from_report(doc)
    doc["machine"]["ram_gb"] = 16.0
    with pytest.raises(ReportError, match="not finite"):
        inputs_from_report(doc)


def test_a_long_fraction_or_id_does_not_start_the_walk(first, monkeypatch) -> None:
    """A float's 17-digit fraction (0.30000000000000004) or a string of digits is no absurd
    number: the keyed walk over the report (a sixth of an audit's reading CPU when most
    reports started it) is not run; a 17-digit whole number still starts it."""
    import advisor.report.read as read

    walks = []
    monkeypatch.setattr(read, "_check_absurd", lambda *a: walks.append(a))
    doc = json.loads(json.dumps(first))
    doc["machine"]["ram_gb"] = 0.1 + 0.2  # json writes 0.30000000000000004
    doc["inputs"]["workloads"][0]["requests_per_day"] = 12345.678901234567
    doc["machine_id"] = "m-00000000000000000001"
    inputs_from_report(doc)
    assert walks == []
    doc["inputs"]["workloads"][0]["requests_per_day"] = 12345678901234567
    with pytest.raises(ReportError):
        inputs_from_report(doc)
    assert len(walks) == 1
