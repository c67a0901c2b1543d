"""Reading a report back: the inputs needed to re-evaluate a machine with today's catalog.

An audit runs advise() again on each report's machine, workloads and measurements, with the
current catalog and prices; electricity keeps a price the user set (flag or config) and
otherwise takes the region's current price. Only the parts needed are parsed, so thousands of
reports read quickly; `advisor.report.models.validate_report` checks a whole document.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from advisor.advise import AdviceOptions
from advisor.errors import AdvisorError, ReportError
from advisor.report import REPORT_KIND, SCHEMA_VERSION


@dataclass(frozen=True)
class ReportInputs:
    machine_id: str
    generated_at: str
    anonymized: bool
    machine: Any  # advisor.probe.machine.Machine
    workloads: tuple[Any, ...]  # advisor.verdict.workload.Workload
    measurements: tuple[Any, ...]  # advisor.bench.measurement.Measurement
    options: AdviceOptions


def inputs_from_report(doc: Any, *, path: str | Path | None = None) -> ReportInputs:
    """What advise() needs to judge the report's machine again; ReportError if it can't."""
    _check_header(doc, path)
    machine = _part(doc, "machine", path, _machine)
    workloads = _part(doc, "inputs", path, lambda d: tuple(_workloads(d["workloads"], path)))
    measurements = _part(doc, "measurements", path, _measurements)
    options = _part(doc, "inputs", path, _options)
    return ReportInputs(
        machine_id=_text(doc, "machine_id", path),
        generated_at=_text(doc, "generated_at", path),
        anonymized=bool(doc.get("anonymized", False)),
        machine=machine,
        workloads=workloads,
        measurements=measurements,
        options=options,
    )


def _check_header(doc: Any, path) -> None:
    if not isinstance(doc, Mapping) or doc.get("kind") != REPORT_KIND:
        raise ReportError('not an advisor report (no "kind": "advisor-report")', path=path)
    version = doc.get("schema_version")
    if not isinstance(version, int):
        raise ReportError("schema_version is missing or not a number", path=path)
    if version > SCHEMA_VERSION:
        raise ReportError(
            f"the report has schema version {version}; this advisor reads up to {SCHEMA_VERSION}",
            path=path,
            hint="upgrade advisor to read it",
        )


def _text(doc: Mapping, key: str, path) -> str:
    value = doc.get(key)
    if not isinstance(value, str):
        raise ReportError("is missing or not text", path=path, key=key)
    return value


def _part(doc: Mapping, key: str, path, read):
    if key not in doc:
        raise ReportError("is missing", path=path, key=key)
    try:
        return read(doc[key])
    except ReportError:
        raise
    except AdvisorError as exc:  # a ProfileError or WorkloadError inside the report
        inner = getattr(exc, "key", None)  # the field inside the part: machine.ram_gb
        where = f"{key}.{inner}" if inner else key
        raise ReportError(getattr(exc, "detail", exc.message), path=path, key=where) from exc
    except (KeyError, TypeError, ValueError) as exc:
        raise ReportError(f"is malformed ({exc!r})", path=path, key=key) from exc


def _machine(data: Any):
    from advisor.probe.serialize import machine_from_dict

    return machine_from_dict(data)


def _workloads(items: Any, path) -> list:
    from pydantic import ValidationError

    from advisor.strict import validate
    from advisor.verdict.workload import Workload

    found = []
    for index, item in enumerate(items):
        try:
            found.append(validate(Workload, item))
        except (ValidationError, TypeError) as exc:
            raise ReportError(
                f"is not a valid workload ({exc.__class__.__name__})",
                path=path,
                key=f"inputs.workloads[{index}]",
            ) from exc
    return found


def _measurements(items: Any) -> tuple:
    if not items:
        return ()
    from advisor.bench.codec import measurement_from_dict

    return tuple(measurement_from_dict(item) for item in items)


def _options(inputs: Mapping) -> AdviceOptions:
    electricity, hardware = inputs["electricity"], inputs["hardware"]
    kept = electricity["basis"] in ("flag", "config")
    bought = hardware["basis"] in ("flag", "config")
    return AdviceOptions(
        electricity_usd_per_kwh=electricity["usd_per_kwh"] if kept else None,
        region=electricity.get("region"),
        hardware_price_usd=hardware["price_usd"] if bought else None,
        lifetime_months=hardware["lifetime_months"],
    )
