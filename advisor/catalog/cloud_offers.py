"""The cloud offers the catalog compares local runs with: flat-rate plans, per-token APIs and
electricity prices, each dated and sourced (the `cloud:` section of `models.yaml`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Literal

from advisor.catalog.fields import (
    Date,
    OptionalCount,
    OptionalDate,
    OptionalIndex,
    OptionalPerDay,
    OptionalTokens,
    OptionalUsd,
    PerDay,
    Seats,
    Task,
    Usd,
)
from advisor.files.strict import FORBID, between


@dataclass(frozen=True)
class PublishedLimit:
    """One limit as the vendor (or the source) publishes it: `count` `unit` per `per`."""

    __pydantic_config__ = FORBID

    count: OptionalCount  # None: the unit is published without a number (compute-based quota)
    unit: str  # "messages", "Codex local messages", "AI credits", "x Pro usage", ...
    per: Literal["5 hours", "day", "week", "month"]
    task: Task | None = None  # the one task it applies to; None: the plan's headline limit
    note: str | None = None

    @property
    def text(self) -> str:
        count = "unknown" if self.count is None else f"{self.count:,g}"
        task = f" ({self.task})" if self.task else ""
        note = f"; {self.note}" if self.note else ""
        return f"{count} {self.unit} per {self.per}{task}{note}"


@dataclass(frozen=True)
class Subscription:
    """A flat-rate plan (ChatGPT Plus, Claude Max, Copilot Pro, ...)."""

    __pydantic_config__ = FORBID

    id: str
    vendor: str
    product: str
    plan: str
    price_usd_per_month: Usd
    tasks: tuple[Task, ...]  # what the plan is sold for
    limits: str  # the published limits, as published
    # Our reading of the published limits as typical requests per day for one seat;
    # None where no number is published. limits_basis says how it was read.
    requests_per_day: OptionalPerDay
    limits_basis: str | None
    source: str
    date: Date
    min_seats: Seats = 1
    api_access: bool = False  # False: interactive use only, a program may not call it
    annual_price_usd_per_month: OptionalUsd = None
    note: str | None = None
    # Where the plan publishes a separate limit for a task (ChatGPT's Codex limits).
    requests_per_day_by_task: dict[Task, PerDay] = field(default_factory=dict)
    # Usage sold as a dollar amount at API prices (Cursor, Claude's included API credit).
    included_usage_usd_per_month: OptionalUsd = None
    # The limits in the vendor's own units (messages per 5 hours, weekly caps, credits).
    limits_published: tuple[PublishedLimit, ...] = ()
    # What the limit counts: a user prompt (an agent's steps inside it are not counted) or
    # dollars of usage at API prices (every model call spends them).
    counts: Literal["prompts", "usd"] = "prompts"
    # requests_per_day is an assumption, not a reading of a published number (limits_basis).
    limit_assumed: bool = False
    # The only vendor whose API the included usage buys (Claude's credit: the Claude API);
    # None: any vendor's models (Cursor).
    api_vendor: str | None = None

    def requests_per_day_for(self, task: str) -> float | None:
        """Our reading of the limits for `task`: the task's own figure, else the headline."""
        return self.requests_per_day_by_task.get(task, self.requests_per_day)  # type: ignore


@dataclass(frozen=True)
class ApiModel:
    """A model sold per token, closed frontier or a hosted open model."""

    __pydantic_config__ = FORBID

    id: str
    vendor: str  # who sells it: openai, anthropic, deepinfra, ...
    name: str
    input_usd_per_mtok: Usd
    output_usd_per_mtok: Usd
    source: str
    date: Date
    cached_input_usd_per_mtok: OptionalUsd = None
    context_tokens: OptionalTokens = None
    intelligence_index: OptionalIndex = None
    coding_index: OptionalIndex = None
    quality_source: str | None = None
    open_weights: bool = False
    catalog_model: str | None = None  # the catalog id of the same open model, if hosted
    frontier: bool = False  # counts as the frontier model for the tasks it is best at
    note: str | None = None
    aa_name: str | None = None  # the Artificial Analysis row the indexes were read from
    quality_estimated: bool = False  # AA marks the index as its own estimate
    deprecation_date: OptionalDate = None  # the vendor retires the model on this date
    quality_date: OptionalDate = None  # the snapshot the indexes were read from
    quality_index_name: str | None = None
    quality_index_version: str | None = None  # the scale (see Quality.index_version)

    @property
    def quality_scale(self) -> str | None:
        if self.quality_index_name is None or self.quality_index_version is None:
            return None
        return f"{self.quality_index_name} {self.quality_index_version}"


@dataclass(frozen=True)
class ElectricityPrice:
    __pydantic_config__ = FORBID

    region: str  # "us", "eu", "de", "us-ca", ...
    usd_per_kwh: Annotated[float, between(0, 100)]
    source: str
    date: Date
    note: str | None = None
    exchange_rate_source: str | None = None  # for prices converted to USD from another currency


@dataclass(frozen=True)
class Cloud:
    __pydantic_config__ = FORBID

    subscriptions: tuple[Subscription, ...]
    api_models: tuple[ApiModel, ...]
    electricity: tuple[ElectricityPrice, ...] = ()
