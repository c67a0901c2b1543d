"""The parts of a report a later re-evaluation reads, as pydantic models: what an audit (and
advisor.report.read) validates every report against. The whole report's models
(advisor.report.models) are built from these and the verdicts' own; this module imports only
what reading needs, so an audit, whose start runs alone before its workers read, does not
build the verdicts' and teams' models it never validates (about 60 ms of CPU; 2026-12-07).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from advisor.advice_options import HardwareBasis
from advisor.bench.measurement import Measurement
from advisor.probe.profiles.schema import ProfileEntry
from advisor.report import REPORT_KIND, SCHEMA_VERSION
from advisor.verdict.electricity import ElectricityRate
from advisor.workload import Workload


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class HardwareJson(_Strict):
    price_usd: float | None = Field(ge=0, le=1e9)
    lifetime_months: float = Field(gt=0, le=1200)
    counted: bool = Field(description="whether the monthly share is in the local cost")
    basis: HardwareBasis = Field(
        description="flag or config: bought at price_usd; profile or none: owned"
    )
    list_price_usd: float | None = Field(
        default=None, description="the profile's list price, for reference: never counted"
    )


class InputsJson(_Strict):
    """What a later re-evaluation (an audit with a newer catalog) needs besides the machine."""

    electricity: ElectricityRate
    hardware: HardwareJson
    workloads: list[Workload]


class Envelope(_Strict):
    """A report's own top-level values, beside the parts a re-evaluation reads: checked on
    every report an audit reads, typed as in Report."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    advisor_version: str = Field(min_length=1, max_length=100)
    catalog_version: str = Field(min_length=1, max_length=100)
    currency: Literal["USD"]
    anonymized: bool = False
    config_file: str | None = Field(default=None, max_length=4096)


class ReadBack(Envelope):
    """The parts of a report a later re-evaluation reads (advisor.report.read), typed as in
    Report: validated strictly, as JSON, before anything is computed from them."""

    schema_version: int = Field(ge=1, le=SCHEMA_VERSION)
    kind: Literal[REPORT_KIND]  # type: ignore[valid-type]
    generated_at: str = Field(min_length=1, max_length=64)
    machine_id: str = Field(min_length=1, max_length=200)
    machine: ProfileEntry
    inputs: InputsJson
    measurements: list[Measurement]
