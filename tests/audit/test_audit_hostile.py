"""Hostile and broken reports: one bad value in one report is listed and skipped with its
reason, never a crash of the whole audit; and a fuzz of a real report (with a throughput
test) finds no value that crashes reading, judging, the upgrade search or a rendering."""

from __future__ import annotations

import copy
import json
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from audit_kit import WORKLOADS, as_machine, write

from advisor.advice_options import AdviceOptions
from advisor.advise import advise
from advisor.audit.audit import AuditSettings, run_audit
from advisor.cli import main
from advisor.commands.audit import FORMATS, render
from advisor.errors import ExitCode
from advisor.probe import load_profile
from advisor.report.document import build_document
from tests.measurement_kit import gpu_measurement

# JSON text a value stands for where Python's json cannot write it (1e999 parses as infinity).
_HUGE = "__1e999__"


@pytest.fixture(scope="module")
def measured(catalog, workloads) -> dict[str, Any]:
    """The anonymized report of an RTX 3090 desktop carrying one throughput test."""
    machine = load_profile("rtx-3090-desktop")
    pick = advise(machine, catalog, workloads[:1], AdviceOptions(cache=False)).verdicts[0]
    option = pick.option.candidate
    test = gpu_measurement(machine, option.model_id, option.quant, 31.0, 1100.0)
    advice = advise(machine, catalog, workloads, AdviceOptions(cache=False, measurements=(test,)))
    doc = json.loads(json.dumps(build_document(advice, anonymize=True)))
    assert doc["measurements"] and [w["name"] for w in doc["inputs"]["workloads"]] == list(
        WORKLOADS
    )
    return doc


def _text(doc: Any) -> str:
    return json.dumps(doc, indent=2).replace(f'"{_HUGE}"', "1e999")


def _set(doc: dict, path: tuple, value: Any) -> dict:
    doc = copy.deepcopy(doc)
    target = doc
    for key in path[:-1]:
        target = target[key]
    if value is _DELETE:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return doc


_DELETE = object()

# The values the fuzz found crashes with, one per line of the report they broke.
TRIGGERS = [
    (("inputs", "workloads", 0, "requests_per_day"), 1e308, "requests_per_day"),
    (("inputs", "workloads", 0, "requests_per_day"), float("nan"), "not JSON"),
    (("inputs", "workloads", 0, "requests_per_day"), float("inf"), "not JSON"),
    (("inputs", "workloads", 0, "requests_per_day"), _HUGE, "not finite"),
    (("machine", "ram_available_gb"), 1e308, "machine.ram_available_gb"),
    (("measurements", 0, "model", "path"), None, "measurements[0].model.path"),
    (("measurements", 0, "decode", "samples_tokens_per_s"), [], "at least one rate"),
    (("measurements", 0, "decode", "samples_tokens_per_s", 0), 1e308, "samples_tokens_per_s[0]"),
    (("measurements", 0, "settings", "kv_type"), None, "measurements[0].settings.kv_type"),
    (("measurements", 0, "settings", "n_ctx"), 1e308, "measurements[0].settings.n_ctx"),
    (("measurements", 0, "model", "model_id"), True, "measurements[0].model.model_id"),
    (("measurements", 0, "mean_power_w"), "", "measurements[0].mean_power_w"),
    (("inputs", "electricity", "region"), True, "inputs.electricity.region"),
    (("inputs", "electricity", "usd_per_kwh"), -1, "inputs.electricity.usd_per_kwh"),
    (("inputs", "hardware", "lifetime_months"), "[/]", "inputs.hardware.lifetime_months"),
    (("machine", "sources"), 5, "machine.sources"),
    (("machine", "sources"), True, "machine.sources"),
    (("schema_version",), 0, "schema_version must be 1 or more"),
    (("schema_version",), -1, "schema_version must be 1 or more"),
    (("schema_version",), True, "schema_version is missing or not a whole number"),
    (("schema_version",), 1.0, "schema_version is missing or not a whole number"),
]


@pytest.mark.parametrize(("path", "value", "words"), TRIGGERS)
def test_one_bad_value_skips_that_report_alone(
    tmp_path, catalog, measured, path, value, words
) -> None:
    folder = tmp_path / "fleet"
    write(folder, "good.json", as_machine(measured, 1))
    write(folder, "bad.json", _text(_set(as_machine(measured, 2), path, value)))
    audit = run_audit([str(folder)], catalog, AuditSettings(jobs=1))
    assert [Path(m.origin).name for m in audit.machines] == ["good.json"]
    [skipped] = audit.skipped
    assert Path(skipped.origin).name == "bad.json" and words in skipped.reason


def test_a_bad_report_read_first_does_not_take_its_twin_down(tmp_path, catalog, measured) -> None:
    """The same configuration, one copy broken in a part the configuration leaves out (its
    free memory): only that copy is skipped, whichever is read first."""
    folder = tmp_path / "fleet"
    write(folder, "a-bad.json", _set(as_machine(measured, 1), ("machine", "ram_available_gb"), -5))
    write(folder, "b-good.json", as_machine(measured, 2))
    write(folder, "c-bad.json", _set(as_machine(measured, 3), ("machine", "name"), 7))
    audit = run_audit([str(folder)], catalog, AuditSettings(jobs=1, upgrades=False))
    assert [Path(m.origin).name for m in audit.machines] == ["b-good.json"]
    reasons = {Path(s.origin).name: s.reason for s in audit.skipped}
    assert reasons.keys() == {"a-bad.json", "c-bad.json"}
    assert reasons["a-bad.json"].startswith("machine.ram_available_gb: ")
    assert reasons["c-bad.json"].startswith("machine.name: ")


def test_the_command_lists_the_bad_report_and_exits_8(capsys, tmp_path, measured) -> None:
    folder = tmp_path / "fleet"
    write(folder, "good.json", as_machine(measured, 1))
    nan = _set(as_machine(measured, 2), ("inputs", "workloads", 0, "requests_per_day"), 1e308)
    write(folder, "bad.json", nan)
    code = main(["audit", "--jobs", "1", "--no-cache", str(folder)])
    out, err = capsys.readouterr()
    assert code == ExitCode.PARTIAL
    assert f"warning: skipped {folder / 'bad.json'}: inputs.workloads[0].requests_per_day" in err
    assert "Traceback" not in err and "good.json" in out


# --- the fuzz -------------------------------------------------------------------------------

HOSTILE = [None, True, 0, -1, 1e308, -1e308, _HUGE, float("nan"), "", "[/]", [], {}, 2**70,
           "x" * 300, _DELETE]  # fmt: skip


# Keys advisor.bench.store.codec writes beside a measurement's fields and reads back as nothing.
_DERIVED = frozenset({"identity", "mean_tokens_per_s", "stdev_tokens_per_s", "runs"})


def _leaves(value: Any, path: tuple = ()) -> Iterator[tuple]:
    if path:
        yield path
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _leaves(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _leaves(item, (*path, index))


def _mutations(doc: dict, count: int, seed: int) -> list[tuple[tuple, Any]]:
    """`count` (path, value) pairs over every part of the report an audit reads."""
    read = {k: v for k, v in doc.items() if k not in ("candidates", "verdicts", "team")}
    paths = [p for p in _leaves(read) if not (p[0] == "inputs" and "justification" in p)]
    rng = random.Random(seed)
    chosen = [(path, rng.choice(HOSTILE)) for path in paths]
    chosen += [(rng.choice(paths), rng.choice(HOSTILE)) for _ in range(count - len(chosen))]
    return chosen


def test_a_fuzz_of_a_real_report_crashes_nothing(tmp_path, catalog, measured) -> None:
    """Every part of a real report gets a hostile value (a wrong type, a huge or non-finite
    number, markup, a missing key): the audit reads, judges, searches upgrades and renders
    every format, and each report is either judged or skipped with a reason; one made
    non-finite or absurdly large is never judged."""
    folder = tmp_path / "fleet"
    folder.mkdir()
    mutations = _mutations(measured, 400, seed=17)
    assert len(mutations) >= 300  # every leaf once, then random ones
    must_skip = set()
    for number, (path, value) in enumerate(mutations):
        doc = _set(as_machine(measured, number), path, value)
        name = f"r{number:03d}.json"
        (folder / name).write_text(_text(doc))
        derived = path[-1] in _DERIVED  # recomputed from the samples; a reader ignores them
        if (isinstance(value, float) or value == _HUGE or value == 2**70) and not derived:
            must_skip.add(name)
    audit = run_audit([str(folder)], catalog, AuditSettings(jobs=1, ram_usd_per_gb=3.0))
    judged = {Path(m.origin).name for m in audit.machines}
    skipped = {Path(s.origin).name: s.reason for s in audit.skipped}
    assert len(judged) + len(skipped) + len(audit.replaced) == len(mutations)
    assert all(skipped.values())
    names = {f"r{n:03d}.json": m for n, m in enumerate(mutations)}
    assert not must_skip & judged, [names[n] for n in sorted(must_skip & judged)]
    for fmt in FORMATS:
        assert render(audit, fmt)
