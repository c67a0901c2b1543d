"""Reading a report back: the inputs needed to re-evaluate a machine with today's catalog.

An audit runs advise() again on each report's machine, workloads and measurements, with the
current catalog and prices; electricity keeps a price the user set (flag or config) and
otherwise takes the region's current price. Only the parts needed are parsed, so thousands of
reports read quickly; `advisor.report.models.validate_report` checks a whole document.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from advisor.advice_options import AdviceOptions
from advisor.errors import ReportError
from advisor.files.strict import shown
from advisor.report import REPORT_KIND, SCHEMA_VERSION

if TYPE_CHECKING:
    from advisor.bench.measurement import Measurement
    from advisor.probe.machine import Machine
    from advisor.workload import Workload

# The top-level keys read back (all but candidates and verdicts, which are recomputed).
READ = (
    "schema_version", "kind", "advisor_version", "catalog_version", "generated_at", "currency",
    "anonymized", "machine_id", "machine", "config_file", "inputs", "measurements",
)  # fmt: skip


@dataclass(frozen=True)
class ReportInputs:
    machine_id: str
    generated_at: str
    anonymized: bool
    machine: Machine
    workloads: tuple[Workload, ...]
    measurements: tuple[Measurement, ...]
    options: AdviceOptions


def inputs_from_report(doc: Any, *, path: str | Path | None = None) -> ReportInputs:
    """What advise() needs to judge the report's machine again; ReportError if it can't.

    Every part read is validated first, strictly and with its bounds (advisor.report.read_models
    .ReadBack): a report that passes cannot crash the re-evaluation, and one that fails names
    the key at fault.
    """
    check_header(doc, path)
    parts = _validated(doc, path)
    return ReportInputs(
        machine_id=parts.machine_id,
        generated_at=parts.generated_at,
        anonymized=parts.anonymized,
        machine=_machine(parts.machine),
        workloads=tuple(parts.inputs.workloads),
        measurements=tuple(parts.measurements),
        options=_options(parts.inputs),
    )


def check_header(doc: Any, path: str | Path | None = None) -> None:
    """ReportError unless `doc` is an advisor report of a schema version this advisor reads."""
    if not isinstance(doc, Mapping) or doc.get("kind") != REPORT_KIND:
        raise ReportError('not an advisor report (no "kind": "advisor-report")', path=path)
    version = doc.get("schema_version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise ReportError("schema_version is missing or not a whole number", path=path)
    if version < 1:
        raise ReportError(
            f"schema_version must be 1 or more, got {shown(version)}", path=path,
            key="schema_version",
        )  # fmt: skip
    if version > SCHEMA_VERSION:
        raise ReportError(
            f"the report has schema version {shown(version)}; this advisor reads up to "
            f"{SCHEMA_VERSION}",
            path=path,
            hint="upgrade advisor to read it",
        )


def _validated(doc: Mapping, path):
    """The parts read, validated as the JSON they came from (lists for tuples, no numbers as
    text, no NaN or Infinity)."""
    from pydantic import ValidationError

    from advisor.files.strict import adapter
    from advisor.report.read_models import ReadBack

    parts = {key: doc[key] for key in READ if key in doc}
    try:
        text = json.dumps(parts, allow_nan=False)
    except (ValueError, TypeError, RecursionError) as exc:
        _check_absurd(parts, path)  # said first, as ever
        raise _not_json(exc, path) from exc
    if _maybe_absurd(parts):  # the keyed walk is exact; most reports need none
        _check_absurd(parts, path)
    try:
        parts = adapter(ReadBack).validate_json(text, strict=True)
    except ValidationError as exc:
        key, message = _first_problem(exc)
        raise ReportError(message, path=path, key=key) from exc
    pairs = zip(doc.get("measurements") or [], parts.measurements, strict=True)
    for index, (raw, measurement) in enumerate(pairs):
        _check_derived(raw, measurement, index, path)
    return parts


# Keys a measurement carries beside its fields, derived from them (advisor.bench.store.codec).
_DERIVED = ("mean_tokens_per_s", "stdev_tokens_per_s", "runs")


def _check_derived(raw: Mapping, measurement, index: int, path) -> None:
    """The derived keys are not read back, but they must agree with what the fields give: a
    report whose means, spreads, run counts or model identity disagree with its own samples
    was edited or corrupted."""
    where = f"measurements[{index}]"
    identity = raw["model"].get("identity")
    if identity is not None and identity != measurement.model.identity:
        raise ReportError("does not match the model's file facts", path=path,
                          key=f"{where}.model.identity")  # fmt: skip
    for part in ("prefill", "decode"):
        result, given = getattr(measurement, part), raw.get(part)
        if result is None or not isinstance(given, Mapping):
            continue
        for name in _DERIVED:
            if name in given and not _agrees(given[name], getattr(result, name)):
                raise ReportError("does not match the samples", path=path,
                                  key=f"{where}.{part}.{name}")  # fmt: skip


def _agrees(given: Any, computed: float | int | None) -> bool:
    """Equal up to the rounding a report applies (six significant digits)."""
    import math

    if computed is None:
        return given is None
    if isinstance(given, bool) or not isinstance(given, int | float):
        return False
    return math.isclose(float(given), float(computed), rel_tol=1e-5, abs_tol=1e-9)


def _not_json(exc: Exception, path) -> ReportError:
    if isinstance(exc, ValueError):  # NaN or an infinity (1e999 parses as one)
        return ReportError(
            "holds a number that is not finite (NaN or Infinity); the report was edited or "
            "corrupted", path=path,
        )  # fmt: skip
    return ReportError(f"is not JSON data ({exc.__class__.__name__})", path=path)


def _check_absurd(parts: Mapping[str, Any], path) -> None:
    huge = _absurd_number(parts)
    if huge is not None:
        raise ReportError(
            f"holds a number too large to be real ({shown(huge[1])}); the report was edited or "
            "corrupted", path=path, key=huge[0],
        )  # fmt: skip


# No figure a report carries comes near this (a petabyte in bytes is 1.1e15): larger numbers
# are an edit or corruption, and would only overflow the arithmetic downstream.
ABSURD = 1e16


def _maybe_absurd(value: Any) -> bool:
    """Whether `value` may hold a number _absurd_number names: the same walk without the keys
    (a fifth of its CPU), True for any type it does not know. It replaced a search of the
    json text for an exponent or 17 digits, which cost more than this walk where it found
    none and matched most reports anyway (a float's fraction, an id's digits): 300 reports'
    check took 0.056 s of CPU with the text search, 0.010 s with this (2026-12-07)."""
    stack = [value]
    while stack:
        item = stack.pop()
        kind = type(item)
        if kind is dict:
            stack.extend(item.values())
        elif kind is list:
            stack.extend(item)
        elif kind is int or kind is float:
            if item >= ABSURD or item <= -ABSURD:
                return True
        elif not (kind is str or kind is bool or item is None):
            return True
    return False


def _absurd_number(value: Any, key: str = "") -> tuple[str, float] | None:
    """(dotted key, number) of the first number whose magnitude reaches ABSURD, if any."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        finite = value == value and abs(value) != float("inf")  # json.dumps says "not finite"
        return (key, value) if finite and abs(value) >= ABSURD else None
    if isinstance(value, Mapping):
        items = ((f"{key}.{k}" if key else str(k), v) for k, v in value.items())
    elif isinstance(value, list):
        items = ((f"{key}[{i}]", v) for i, v in enumerate(value))
    else:
        return None
    for inner, item in items:
        found = _absurd_number(item, inner)
        if found is not None:
            return found
    return None


def _first_problem(exc) -> tuple[str, str]:
    """The first validation error as (dotted key, message)."""
    from advisor.files.strict import KeyProblem
    from advisor.files.yamlpos import key_path

    first = exc.errors()[0]
    loc = tuple(first["loc"])
    cause = first.get("ctx", {}).get("error")
    if isinstance(cause, KeyProblem):  # its loc is relative to the object that raised it
        loc += cause.loc
    message = first["msg"].removeprefix("Value error, ")
    if first["type"] == "missing":
        message = "is required but missing"
    elif first["type"] in ("extra_forbidden", "unexpected_keyword_argument"):
        message = "is not a key this report format has"
    return key_path(loc), message


def _machine(entry):
    from advisor.probe.profiles.build import entry_to_machine

    return entry_to_machine(entry, origin=entry.origin or f"profile:{entry.name}", lookup=False)


def _options(inputs) -> AdviceOptions:
    electricity, hardware = inputs.electricity, inputs.hardware
    kept = electricity.basis in ("flag", "config")
    bought = hardware.basis in ("flag", "config")
    return AdviceOptions(
        electricity_usd_per_kwh=electricity.usd_per_kwh if kept else None,
        region=electricity.region,
        hardware_price_usd=hardware.price_usd if bought else None,
        lifetime_months=hardware.lifetime_months,
    )
