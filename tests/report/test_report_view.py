"""The report's typed values (advisor.report.view): the renderers' input, read from the JSON.

They mirror the pydantic models the JSON Schema comes from (advisor/report/models.py) field for
field, read every golden report back value for value, and a truncated or edited report raises a
ReportError naming the file and the key."""

from __future__ import annotations

import copy
import dataclasses
import json
import typing

import pytest
from pydantic import BaseModel
from report_helpers import GOLDEN

from advisor.advice_options import AdviceOptions
from advisor.advise import advise
from advisor.bench.store.db import BenchStore
from advisor.cli import main
from advisor.errors import ExitCode, ReportError
from advisor.probe import load_profile
from advisor.report.document import build_document
from advisor.report.models import Report
from advisor.report.view import ReportView
from advisor.report.view_read import field_type, report_view
from advisor.workload import load_workloads
from tests.measurement_kit import gpu_measurement

GOLDENS = sorted(GOLDEN.glob("*.json"))


def _classes(annotation: typing.Any) -> set[type]:
    """The classes (dataclasses and pydantic models) an annotation names, at any depth."""
    if isinstance(annotation, type) and (
        dataclasses.is_dataclass(annotation) or issubclass(annotation, BaseModel)
    ):
        return {annotation}
    return set().union(*(_classes(arg) for arg in typing.get_args(annotation)))


def _pairs(view: type, model: type, seen: set) -> None:
    """Assert `view` (a dataclass) names the fields of `model` (a pydantic model) in its order,
    and that each field holds the same leaf dataclass or a view of the same model."""
    if (view, model) in seen:
        return
    seen.add((view, model))
    names = [f.name for f in dataclasses.fields(view)]
    assert names == list(model.model_fields), (
        f"{view.__name__} (advisor/report/view.py) must name the fields of {model.__name__}, "
        "in its order"
    )
    for name, info in model.model_fields.items():
        wanted, have = _classes(info.annotation), _classes(field_type(view, name))
        models = {c for c in wanted if issubclass(c, BaseModel)}
        assert wanted - models <= have, f"{view.__name__}.{name} holds other leaves"
        views = have - wanted
        assert len(views) == len(models), f"{view.__name__}.{name}: {views} vs {models}"
        for inner_view, inner_model in zip(
            sorted(views, key=lambda c: c.__name__), sorted(models, key=lambda c: c.__name__),
            strict=True,
        ):  # fmt: skip
            _pairs(inner_view, inner_model, seen)


def test_the_typed_values_name_the_fields_of_the_schema_models() -> None:
    seen: set = set()
    _pairs(ReportView, Report, seen)
    assert len(seen) >= 15  # report, machine, cpu, gpu, inputs, verdict parts, team parts


def _kept(back, given):
    """`back` with only the keys `given` has, at every depth."""
    if isinstance(given, dict):
        return {k: _kept(back[k], v) for k, v in given.items()}
    if isinstance(given, list):
        return [_kept(b, g) for b, g in zip(back, given, strict=True)]
    return back


def _same_values(view, doc: dict) -> None:
    back = json.loads(json.dumps(dataclasses.asdict(view)))
    for key, value in doc.items():
        if key == "machine":  # the profile format leaves out keys without a value
            assert _kept(back[key], value) == value
        elif key != "measurements":  # which carry derived means (test below)
            assert back[key] == value, key


@pytest.mark.parametrize("path", GOLDENS, ids=lambda p: p.stem)
def test_a_golden_report_reads_back_value_for_value(path) -> None:
    doc = json.loads(path.read_text(encoding="utf-8"))
    _same_values(report_view(doc, path=path), doc)


def test_team_plans_and_measurements_read_back(capsys, catalog) -> None:
    argv = ["report", "--team", "25", "--seats", "chatgpt-business=25", "--profile",
            "h100-server", "--workload", "chat-assistant", "--json"]  # fmt: skip
    assert main(argv) == ExitCode.OK
    doc = json.loads(capsys.readouterr().out)
    view = report_view(doc)
    assert view.team[0].plan is not None and view.team[0].demand.users == 25
    _same_values(view, doc)

    machine = load_profile("rtx-3090-desktop")
    with BenchStore() as store:
        store.add(gpu_measurement(machine, "qwen3.6-27b", "Q4_K_M", 30.0, 1000.0, 280.0))
    advice = advise(machine, catalog, load_workloads(["support-bot"]), AdviceOptions(cache=False))
    assert report_view(build_document(advice)).measurements == advice.measurements


@pytest.fixture(scope="module")
def golden() -> dict:
    return json.loads((GOLDEN / "rtx-4090-desktop.json").read_text(encoding="utf-8"))


def _edited(doc: dict, edit) -> dict:
    doc = copy.deepcopy(doc)
    edit(doc)
    return doc


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda d: d["verdicts"][1].pop("cloud"), "verdicts[1].cloud: is required but missing"),
        (lambda d: d.pop("inputs"), "inputs: is required but missing"),
        (lambda d: d["machine"].update(ram_gb="lots"), "machine.ram_gb: must be a number, got str"),
        (lambda d: d["verdicts"][0].update(verdict="maybe"), "verdicts[0].verdict: must be one of"),
        (
            lambda d: d["verdicts"][0]["confidence"].update(inputs={}),
            "verdicts[0].confidence.inputs: must be a list",
        ),  # fmt: skip
        (lambda d: d["candidates"][0].update(rank=True), "candidates[0].rank: must be a whole"),
        (
            lambda d: d["inputs"]["workloads"][0].update(justification=[]),
            "inputs.workloads[0].justification: must be an object",
        ),  # fmt: skip
    ],
)
def test_a_truncated_or_edited_report_names_the_file_and_key(golden, edit, message) -> None:
    with pytest.raises(ReportError) as caught:
        report_view(_edited(golden, edit), path="fleet/a.json")
    assert str(caught.value).startswith(f"fleet/a.json: {message}")


def test_a_document_that_is_not_an_object_is_refused() -> None:
    with pytest.raises(ReportError, match="must be an object"):
        report_view([1, 2], path="a.json")
