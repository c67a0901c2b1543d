"""The shipped JSON Schema: generated from the report models, and real reports validate."""

from __future__ import annotations

import json

import jsonschema
import pytest

from advisor.advice_options import AdviceOptions
from advisor.advise import advise
from advisor.cli import main
from advisor.probe import load_profile
from advisor.report.document import build_document
from advisor.report.models import report_schema, validate_report
from advisor.report.schema import SCHEMA_FILE, render_schema, shipped_schema_text
from advisor.workload import load_workloads


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
        (("schema_version",), 5),
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


def test_the_models_leave_the_stage_dataclasses_as_they_are() -> None:
    """Importing the report models changes no class of another stage: each leaf dataclass
    states its own pydantic config, the same before and after the import."""
    import subprocess
    import sys

    code = (
        "from advisor.verdict.options import Check\n"
        "from advisor.bench.measurement import Measurement\n"
        "from advisor.team.plan import NoRoom\n"
        "before = [dict(c.__pydantic_config__) for c in (Check, Measurement, NoRoom)]\n"
        "import advisor.report.models\n"
        "after = [dict(c.__pydantic_config__) for c in (Check, Measurement, NoRoom)]\n"
        "assert before == after == [{'extra': 'forbid'}, {'extra': 'allow'}, "
        "{'extra': 'forbid'}], (before, after)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_a_check_with_a_key_it_lacks_is_refused(doc) -> None:
    from pydantic import ValidationError

    broken = json.loads(json.dumps(doc))
    option = next(v["local_option"] for v in broken["verdicts"] if v["local_option"])
    option["checks"][0]["surprise"] = 1
    with pytest.raises(ValidationError, match="surprise"):
        validate_report(broken)
