"""The shipped JSON Schema: generated from the report models, and real reports validate."""

from __future__ import annotations

import json

import jsonschema
import pytest

from advisor.advise import AdviceOptions, advise
from advisor.cli import main
from advisor.probe import load_profile
from advisor.report.document import build_document
from advisor.report.models import report_schema, validate_report
from advisor.report.schema import SCHEMA_FILE, render_schema, shipped_schema_text
from advisor.verdict.workload import load_workloads


@pytest.fixture(scope="module")
def doc(catalog) -> dict:
    machine = load_profile("rtx-3060-desktop")
    advice = advise(machine, catalog, load_workloads(), AdviceOptions())
    return json.loads(json.dumps(build_document(advice)))


def test_shipped_schema_is_generated_from_the_models(regen) -> None:
    text = render_schema(report_schema())
    if regen:
        SCHEMA_FILE.write_text(text, encoding="utf-8")
    assert shipped_schema_text() == text, "regenerate with --regen-golden and review"


def test_a_real_report_validates_against_the_shipped_schema(doc) -> None:
    schema = json.loads(shipped_schema_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.Draft202012Validator(schema).validate(doc)
    validate_report(doc)


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("schema_version",), 3),
        (("currency",), "EUR"),
        (("verdicts", 0, "verdict"), "maybe"),
        (("verdicts", 0, "costs_usd_per_month", "local"), "cheap"),
        (("inputs", "workloads", 0, "task"), "poetry"),
        (("machine_id",), "host-1"),
    ],
)
def test_the_schema_refuses_broken_reports(doc, path, value) -> None:
    broken = json.loads(json.dumps(doc))
    target = broken
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    validator = jsonschema.Draft202012Validator(json.loads(shipped_schema_text()))
    assert list(validator.iter_errors(broken))


def test_unknown_keys_are_refused(doc) -> None:
    broken = json.loads(json.dumps(doc))
    broken["verdicts"][0]["costs_usd_per_month"]["lunch"] = 12.0
    validator = jsonschema.Draft202012Validator(json.loads(shipped_schema_text()))
    assert list(validator.iter_errors(broken))


def test_advisor_schema_prints_the_shipped_file(capsys) -> None:
    assert main(["schema"]) == 0
    assert capsys.readouterr().out == shipped_schema_text()


def test_advisor_schema_writes_a_file(tmp_path, capsys) -> None:
    out = tmp_path / "report.schema.json"
    assert main(["schema", "-o", str(out)]) == 0
    assert json.loads(out.read_text()) == json.loads(shipped_schema_text())
    assert "wrote" in capsys.readouterr().err
