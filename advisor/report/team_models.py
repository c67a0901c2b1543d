"""The report's `team` section as pydantic models, for the JSON Schema (see models.py)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from advisor.team.costs import ServerCosts
from advisor.team.demand import PeakBasis
from advisor.team.engines import EngineConfig
from advisor.team.plan import NoRoom
from advisor.team.server import Requirement
from advisor.verdict.seats import SeatPlan


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TeamDemandJson(_Strict):
    users: int = Field(ge=1)
    requests_per_day: float
    calls_per_day: float
    hours_per_day: float
    days_per_week: float
    peak_factor: float = Field(ge=1)
    peak_basis: PeakBasis
    peak_words: str
    average_calls_per_s: float
    peak_calls_per_s: float


class PeakJson(_Strict):
    """One server at the peak hour, from the queue model; null waits: the queue never settles."""

    slots: int
    stable: bool
    prefill_share: float
    busy_share: float
    wait_probability: float
    mean_busy_slots: float
    ttft_p50_s: float | None
    ttft_p95_s: float | None
    decode_p50_tokens_per_s: float
    decode_p5_tokens_per_s: float
    max_arrivals_per_s: float
    arrivals_per_s: float
    load: float
    within_validated_range: bool


class ServerRunJson(_Strict):
    model_id: str
    model_name: str
    quant: str
    quality_index: float
    quality_pct_of_frontier: float
    slots: int = Field(ge=1)
    context_per_slot_tokens: int
    servers: int = Field(ge=1)
    placement: str
    gpu_layers: int
    memory_total_bytes: int
    kv_cache_bytes: int
    prompt_tokens: float
    decode_depth_tokens: float
    single_decode_tokens_per_s: float
    prefill_tokens_per_s: float
    speed_basis: str
    peak: PeakJson
    requirements: list[Requirement]
    meets: bool
    average_busy_share: float


class ComparisonJson(_Strict):
    seats: list[SeatPlan]
    replaced: list[str] = Field(description="plan ids the server replaces (they serve its task)")
    seats_usd_per_month: float | None
    replaced_usd_per_month: float | None
    subscription_label: str | None
    subscription_usd_per_month: float | None
    api_label: str | None
    api_usd_per_month: float | None
    saving_usd_per_month: float | None
    payback_months: float | None
    payback_at_list_months: float | None
    hardware_excluded: bool
    headline: str
    other_tasks: list[str] = Field(description="tasks the replaced seats also serve")


class TeamJson(_Strict):
    """`advisor report --team N --json`: a shared server planned for one workload."""

    workload: str
    title: str
    server: str
    demand: TeamDemandJson
    rule: str
    files_checked: int
    passed_over: list[str] = Field(description="better files the plan passed over, and why")
    frontier_index: float | None
    servers: int | None
    plan: ServerRunJson | None
    closest: ServerRunJson | None
    no_room: NoRoom | None
    costs: ServerCosts | None
    comparison: ComparisonJson | None
    configs: list[EngineConfig]
    scale_out: list[str]
    notes: list[str]
