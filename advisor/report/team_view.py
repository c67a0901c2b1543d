"""The report's `team` section as typed values, mirroring advisor/report/team_models.py."""

from __future__ import annotations

from dataclasses import dataclass

from advisor.team.costs import ServerCosts
from advisor.team.demand import PeakBasis
from advisor.team.engines import EngineConfig
from advisor.team.plan import NoRoom
from advisor.team.server import Requirement
from advisor.verdict.seats import SeatPlan


@dataclass(frozen=True)
class TeamDemandView:
    users: int
    requests_per_day: float
    calls_per_day: float
    hours_per_day: float
    days_per_week: float
    peak_factor: float
    peak_basis: PeakBasis
    peak_words: str
    average_calls_per_s: float
    peak_calls_per_s: float


@dataclass(frozen=True)
class PeakView:
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


@dataclass(frozen=True)
class ServerRunView:
    model_id: str
    model_name: str
    quant: str
    quality_index: float
    quality_pct_of_frontier: float
    slots: int
    context_per_slot_tokens: int
    servers: int
    placement: str
    gpu_layers: int
    memory_total_bytes: int
    kv_cache_bytes: int
    prompt_tokens: float
    decode_depth_tokens: float
    single_decode_tokens_per_s: float
    prefill_tokens_per_s: float
    speed_basis: str
    peak: PeakView
    requirements: tuple[Requirement, ...]
    meets: bool
    average_busy_share: float


@dataclass(frozen=True)
class ComparisonView:
    seats: tuple[SeatPlan, ...]
    replaced: tuple[str, ...]
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
    other_tasks: tuple[str, ...]


@dataclass(frozen=True)
class TeamView:
    """A shared server planned for one workload (`advisor report --team N --json`)."""

    workload: str
    title: str
    server: str
    demand: TeamDemandView
    rule: str
    files_checked: int
    passed_over: tuple[str, ...]
    frontier_index: float | None
    servers: int | None
    plan: ServerRunView | None
    closest: ServerRunView | None
    no_room: NoRoom | None
    costs: ServerCosts | None
    comparison: ComparisonView | None
    configs: tuple[EngineConfig, ...]
    scale_out: tuple[str, ...]
    notes: tuple[str, ...]
