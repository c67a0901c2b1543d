"""The report document as pydantic models: the one description its JSON Schema comes from.

The leaves are the verdict stage's own dataclasses (LocalCost, Check, ApiCost, ...), so the
schema and the emitter (advisor/report/document.py) cannot drift apart without the tests that
validate real reports against these models failing. Each leaf states in its own
`__pydantic_config__` whether a report read back may carry keys it lacks. Not imported on the
`advisor --json` path, nor on any warm path (tests/test_startup_imports.py).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import ConfigDict, Field

from advisor.advise import PlacementKind, SpeedStatus, TopCandidate
from advisor.bench.measurement import Measurement
from advisor.probe.power.draw import PowerDraw
from advisor.probe.profiles.schema import ProfileEntry
from advisor.report import REPORT_KIND, SCHEMA_VERSION
from advisor.report.read_models import InputsJson, _Strict  # what a re-evaluation reads
from advisor.report.team_models import TeamJson
from advisor.verdict.cloud import ApiCost, SubscriptionCost
from advisor.verdict.confidence import InputBasis, Level
from advisor.verdict.economics import BreakEven
from advisor.verdict.hybrid import HybridReason
from advisor.verdict.local import LocalCost, LocalRun
from advisor.verdict.options import Check
from advisor.verdict.remedy import Remedy
from advisor.verdict.verdict import MonthlyCosts, QualityGap, VerdictKind


class LocalOptionJson(_Strict):
    """The local option a verdict is about: chosen, or the closest miss."""

    model_id: str
    model_name: str
    quant: str
    placement: PlacementKind
    gpu_layers: int
    fits: bool
    context_tokens: int
    memory_total_bytes: int
    speed_status: SpeedStatus
    quality_index: float | None
    quality_estimated: bool
    quality_note: str
    quality_pct_of_frontier: float | None
    decode_tokens_per_s: float | None = Field(description="tg128 at an empty context")
    prefill_tokens_per_s: float | None = Field(description="pp512")
    run: LocalRun | None
    power: PowerDraw
    checks: list[Check]


class HybridJson(_Strict):
    local_share: float = Field(ge=0, le=1)
    reason: HybridReason
    why: str
    local_usd_per_month: float
    local: LocalCost
    cloud_usd_per_month: float
    cloud_path: str
    usd_per_month: float


class CloudJson(_Strict):
    frontier: ApiCost | None
    frontier_index: float | None
    cheapest_api: ApiCost | None
    subscription: SubscriptionCost | None
    best_path: str | None
    best_usd_per_month: float | None
    notes: list[str]
    basis: list[str] = Field(
        description="the quality index (name, version, snapshot) and subscription limit assumed"
    )


class ConfidenceJson(_Strict):
    level: Level
    why: str
    measured: list[str]
    estimated: list[str]
    inputs: list[InputBasis]


class VerdictJson(_Strict):
    workload: str
    title: str
    verdict: VerdictKind
    summary: str
    reasons: list[str]
    local_option: LocalOptionJson | None
    local_cost: LocalCost | None
    hybrid: HybridJson | None
    cloud: CloudJson
    costs_usd_per_month: MonthlyCosts
    quality_gap: QualityGap | None
    break_even: BreakEven
    confidence: ConfidenceJson
    options_checked: int = Field(
        description="the model files the search checked that fit here: estimated, or shown "
        "by bounds to change nothing in the report (docs/report.md)"
    )
    rule: str = Field(description="how the local option shown was picked, in words")
    remedy: Remedy | None = Field(
        description="cloud and not-viable verdicts: the cheapest change that would make local "
        "work (null otherwise)"
    )


class Report(_Strict):
    """`advisor --json`: one machine, its measurements, the candidates and a verdict per workload.

    Amounts are USD. `machine` is in the hardware profile format (usable as --profile).
    """

    model_config = ConfigDict(extra="forbid", frozen=True, title="advisor report")

    schema_version: Literal[SCHEMA_VERSION]  # type: ignore[valid-type]
    kind: Literal[REPORT_KIND]  # type: ignore[valid-type]
    advisor_version: str
    catalog_version: str
    generated_at: str = Field(pattern=r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$")
    currency: Literal["USD"]
    anonymized: bool
    machine_id: str = Field(pattern=r"^m-[0-9a-f]{20}$")
    machine: ProfileEntry
    config_file: str | None
    inputs: InputsJson
    measurements: list[Measurement]
    candidates: list[TopCandidate]
    verdicts: list[VerdictJson]
    team: list[TeamJson] = Field(description="shared-server plans (advisor report --team N)")


def report_schema() -> dict[str, Any]:
    """The JSON Schema of the report, as shipped in advisor/report/report.schema.json."""
    schema = Report.model_json_schema(mode="validation")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = f"https://advisor.invalid/report/v{SCHEMA_VERSION}.schema.json"
    return schema


def validate_report(doc: dict[str, Any]) -> Report:
    return Report.model_validate(doc)
