"""What the cloud charges for a workload: subscription plans, the frontier API, the cheapest API.

Prices come from the catalog's cloud section with their dates. Amounts are USD per month.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from advisor.catalog.cloud_offers import ApiModel, Subscription
from advisor.catalog.model import Catalog
from advisor.workload import Workload

MTOK = 1_000_000


@dataclass(frozen=True)
class ApiCost:
    """The workload's token volume on one API model."""

    __pydantic_config__ = {"extra": "forbid"}  # read back from a report: no other keys

    api_model_id: str
    vendor: str
    name: str
    open_weights: bool
    catalog_model: str | None  # the catalog id of the same open model, when hosted
    quality_index: float | None  # the workload's task index for this model
    usd_per_month: float
    usd_per_mtok: float  # blended over this workload's input, cached and output mix
    price_date: str
    source: str
    cached_price_used: bool  # False: the vendor lists no cached rate, so all input is billed full
    # Where quality_index comes from: the index and its version (its scale), and the snapshot.
    quality_scale: str | None = None
    quality_source: str | None = None
    quality_date: str | None = None


@dataclass(frozen=True)
class SubscriptionCost:
    """The cheapest flat-rate plan whose published limits cover the workload."""

    __pydantic_config__ = {"extra": "forbid"}  # read back from a report: no other keys

    subscription_id: str
    vendor: str
    product: str
    plan: str
    seats: int
    usd_per_month: float
    requests_per_day_per_seat: float | None  # None: covered by its included API usage instead
    included_usage_usd_per_month: float | None
    limits: str
    limits_basis: str | None
    price_date: str
    source: str
    # The limit this verdict assumed, in words, and how the vendor counts it.
    limit_used: str = ""
    limit_assumed: bool = False  # not a reading of a published number: an assumption
    counts: str = "prompts"  # "prompts" (agent steps inside one are not counted) or "usd"
    limits_published: tuple[str, ...] = ()  # in the vendor's units


@dataclass(frozen=True)
class CloudCosts:
    """What the workload costs in the cloud: the frontier model, the cheapest API model good
    enough, the best plan."""

    frontier: ApiCost | None  # the best frontier model on the task
    frontier_index: float | None  # its index: 100% on the quality scale
    cheapest_api: ApiCost | None  # the cheapest API model that meets the quality floor
    subscription: SubscriptionCost | None
    notes: tuple[str, ...]  # why plans or models were left out, in words

    @property
    def best_usd_per_month(self) -> float | None:
        """The cheapest way to pay that meets the floor."""
        costs = [c.usd_per_month for c in (self.cheapest_api, self.subscription) if c is not None]
        return min(costs) if costs else None

    @property
    def best_label(self) -> str | None:
        sub, api = self.subscription, self.cheapest_api
        if sub is not None and (api is None or sub.usd_per_month <= api.usd_per_month):
            return f"{sub.product} {sub.plan} × {sub.seats}"
        return api_label(api) if api is not None else None


def api_label(api: ApiCost) -> str:
    """The label of an API path, e.g. `GPT-5.4 mini API (openai)`; no vendor if the name has it."""
    if api.vendor.lower() in api.name.lower():
        return f"{api.name} API"
    return f"{api.name} API ({api.vendor})"


def index_of(api: ApiModel, index: str, catalog: Catalog) -> float | None:
    """An API model's index on the task; hosted open models fall back to their catalog entry."""
    value = getattr(api, index)
    if value is None and api.catalog_model:
        model = catalog.find(api.catalog_model)
        if model is not None and model.quality is not None:
            value = getattr(model.quality, index)
    return value


def api_usd_per_day(workload: Workload, api: ApiModel, share: float = 1.0) -> float:
    """USD a day for `share` of the workload's calls on `api`."""
    calls = workload.calls_per_day * share
    cached = workload.input_tokens_per_request * workload.cached_input_share
    new = workload.input_tokens_per_request - cached
    cached_rate = api.cached_input_usd_per_mtok
    if cached_rate is None:
        cached_rate = api.input_usd_per_mtok
    per_call = (
        new * api.input_usd_per_mtok
        + cached * cached_rate
        + workload.output_tokens_per_request * api.output_usd_per_mtok
    )
    return calls * per_call / MTOK


def api_cost(
    workload: Workload, api: ApiModel, quality: float | None, catalog: Catalog | None = None
) -> ApiCost:
    per_day = api_usd_per_day(workload, api)
    scale, source, date = _quality_basis(api, catalog)
    return ApiCost(
        api_model_id=api.id,
        vendor=api.vendor,
        name=api.name,
        open_weights=api.open_weights,
        catalog_model=api.catalog_model,
        quality_index=quality,
        usd_per_month=per_day * workload.days_per_month,
        usd_per_mtok=per_day / workload.tokens_per_day * MTOK,
        price_date=api.date,
        source=api.source,
        cached_price_used=api.cached_input_usd_per_mtok is not None,
        quality_scale=scale if quality is not None else None,
        quality_source=source if quality is not None else None,
        quality_date=date if quality is not None else None,
    )


def _quality_basis(api: ApiModel, catalog: Catalog | None) -> tuple[str | None, ...]:
    """(scale, source, date) of the API model's scores; a hosted open model's come from its
    catalog entry when the API row has none of its own."""
    if api.quality_scale is not None or catalog is None or api.catalog_model is None:
        return api.quality_scale, api.quality_source, api.quality_date
    model = catalog.find(api.catalog_model)
    if model is None or model.quality is None:
        return None, None, None
    q = model.quality
    return q.scale, q.source, q.snapshot_date


def scale_of(api: ApiModel, catalog: Catalog) -> str | None:
    """The index scale an API model's score is on (see Quality.scale)."""
    return _quality_basis(api, catalog)[0]


def frontier_model(catalog: Catalog, index: str) -> tuple[ApiModel, float] | None:
    """The best model on `index` among those flagged frontier (all API models if none are)."""
    pool = [a for a in catalog.cloud.api_models if a.frontier] or list(catalog.cloud.api_models)
    scored = [(a, v) for a in pool if (v := index_of(a, index, catalog)) is not None]
    scales = {scale_of(a, catalog) for a, _ in scored}
    if len(scales) > 1:  # never compare across scales: keep the scale most frontier models use
        common = max(scales, key=lambda sc: sum(scale_of(a, catalog) == sc for a, _ in scored))
        scored = [(a, v) for a, v in scored if scale_of(a, catalog) == common]
    if not scored:
        return None
    return max(scored, key=lambda pair: (pair[1], -pair[0].output_usd_per_mtok))


def cloud_costs(workload: Workload, catalog: Catalog) -> CloudCosts:
    """The cloud paths for `workload` at the catalog's prices."""
    notes: list[str] = []
    index = workload.quality_index
    top = frontier_model(catalog, index)
    if top is None:
        notes.append(f"no API model in the catalog publishes a {index.replace('_', ' ')}")
        frontier, frontier_index, cheapest = None, None, None
    else:
        frontier_index = top[1]
        frontier = api_cost(workload, top[0], top[1], catalog)
        scale = scale_of(top[0], catalog)
        cheapest = cheapest_api(workload, catalog, frontier_index, notes, scale=scale)
        _note_unscored(workload, catalog, scale, notes)
    return CloudCosts(
        frontier=frontier,
        frontier_index=frontier_index,
        cheapest_api=cheapest,
        subscription=cheapest_subscription(
            workload, catalog, cheapest, notes, frontier_index=frontier_index
        ),
        notes=tuple(notes),
    )


def _note_unscored(
    workload: Workload, catalog: Catalog, scale: str | None, notes: list[str]
) -> None:
    """API models the floor cannot judge: no score for the task, or one on another scale."""
    index = workload.quality_index
    unscored = [a.name for a in catalog.cloud.api_models if index_of(a, index, catalog) is None]
    scored = [a for a in catalog.cloud.api_models if index_of(a, index, catalog) is not None]
    other = [a.name for a in scored if scale_of(a, catalog) != scale]
    if unscored:
        notes.append(
            f"{len(unscored)} API model(s) publish no {index.replace('_', ' ')}, so the quality"
            f" floor cannot judge them and they are not priced: {', '.join(unscored)}"
        )
    if other:
        notes.append(
            f"{len(other)} API model(s) are scored on another index scale than the frontier's"
            f" ({scale}) and are not compared: {', '.join(other)}"
        )


def cheapest_api(
    workload: Workload,
    catalog: Catalog,
    frontier_index: float,
    notes: list[str],
    *,
    scale: str | None = None,
    vendor: str | None = None,
) -> ApiCost | None:
    """The cheapest API model meeting the floor, on the frontier's index scale (`scale`; None:
    any); `vendor`: only that vendor's models (what an included API credit buys)."""
    floor = workload.quality_floor_pct / 100 * frontier_index
    best: ApiCost | None = None
    short_context = 0
    for api in catalog.cloud.api_models:
        if vendor is not None and api.vendor != vendor:
            continue
        quality = index_of(api, workload.quality_index, catalog)
        if quality is None or quality < floor:
            continue
        if scale is not None and scale_of(api, catalog) != scale:
            continue
        if api.context_tokens is not None and api.context_tokens < workload.context_tokens:
            short_context += 1
            continue
        cost = api_cost(workload, api, quality, catalog)
        if best is None or cost.usd_per_month < best.usd_per_month:
            best = cost
    if short_context and vendor is None:
        notes.append(
            f"{short_context} API model(s) meet the quality floor but their context is shorter "
            f"than the {workload.context_tokens:,} tokens this workload needs"
        )
    return best


def cheapest_subscription(
    workload: Workload,
    catalog: Catalog,
    api: ApiCost | None,
    notes: list[str],
    *,
    frontier_index: float | None = None,
) -> SubscriptionCost | None:
    """`api` is the cheapest API path meeting the floor. A plan whose limit is a dollar amount
    of API usage covers the workload when that usage pays for it: on its own vendor's API
    where the credit is for that API only (Claude's), else on `api`."""
    best: SubscriptionCost | None = None
    left_out = {"interactive only": 0, "no published limit": 0, "free tier": 0, "limit too low": 0}
    unknown: list[str] = []
    for sub in catalog.cloud.subscriptions:
        if workload.task not in sub.tasks:
            continue
        usage = _usage_path(workload, catalog, sub, api, frontier_index)
        reason = _unusable(workload, sub, usage)
        if reason is not None:
            left_out[reason] += 1
            if reason == "no published limit" and sub.price_usd_per_month > 0:
                unknown.append(f"{sub.product} {sub.plan}")
            continue
        cost = _subscription_cost(workload, sub, usage)
        if best is None or cost.usd_per_month < best.usd_per_month:
            best = cost
    _note_left_out(workload, left_out, notes)
    if unknown:
        notes.append(
            f"limit unknown (no number published), so not counted as covering this workload:"
            f" {', '.join(unknown)}"
        )
    return best


def _usage_path(
    workload: Workload,
    catalog: Catalog,
    sub: Subscription,
    api: ApiCost | None,
    frontier_index: float | None,
) -> ApiCost | None:
    """What the plan's included API usage would be spent on: its vendor's cheapest model
    meeting the floor where the credit buys only that vendor's API."""
    if sub.included_usage_usd_per_month is None or sub.api_vendor is None:
        return api
    if frontier_index is None:
        return None
    return cheapest_api(workload, catalog, frontier_index, [], vendor=sub.api_vendor,
                        scale=_scale_of_cost(api, catalog))  # fmt: skip


def _scale_of_cost(api: ApiCost | None, catalog: Catalog) -> str | None:
    return api.quality_scale if api is not None else None


def _unusable(workload: Workload, sub: Subscription, usage: ApiCost | None) -> str | None:
    if workload.access == "programmatic" and not sub.api_access:
        return "interactive only"
    if sub.price_usd_per_month <= 0:
        return "free tier"
    limit = sub.requests_per_day_for(workload.task)
    if limit is not None:
        # Vendors count prompts: an agent's steps inside one prompt are not counted.
        return None if limit >= workload.requests_per_day / workload.users else "limit too low"
    allowance = sub.included_usage_usd_per_month
    if allowance is None:
        return "no published limit"
    if usage is None or usage.usd_per_month / workload.users > allowance:
        return "limit too low"
    return None


def _limit_used(workload: Workload, sub: Subscription, usage: ApiCost | None) -> str:
    """The limit the verdict assumed, in words, with what the workload needs of it."""
    limit = sub.requests_per_day_for(workload.task)
    basis = f" ({sub.limits_basis})" if sub.limits_basis else ""
    if limit is not None:
        need = workload.requests_per_day / workload.users
        steps = ""
        if workload.model_calls_per_request > 1:
            steps = (
                f"; the {workload.model_calls_per_request} agent steps of each prompt are not"
                " counted, as the vendor counts prompts"
            )
        word = "assumed" if sub.limit_assumed else "read as"
        return (
            f"{word} {limit:,g} prompts a day per seat{basis}; this workload needs"
            f" {need:,.0f}{steps}"
        )
    allowance = sub.included_usage_usd_per_month or 0.0
    where = f" on {usage.name}" if usage is not None else ""
    only = f" (usable only on the {sub.api_vendor} API)" if sub.api_vendor else ""
    cost = usage.usd_per_month / workload.users if usage is not None else 0.0
    return (
        f"{allowance:,g} USD of API usage a month per seat{only}; this workload spends"
        f" {cost:,.2f} of it{where}, every agent step included"
    )


def _subscription_cost(
    workload: Workload, sub: Subscription, usage: ApiCost | None = None
) -> SubscriptionCost:
    seats = max(workload.users, sub.min_seats)
    return SubscriptionCost(
        subscription_id=sub.id,
        vendor=sub.vendor,
        product=sub.product,
        plan=sub.plan,
        seats=seats,
        usd_per_month=sub.price_usd_per_month * seats,
        requests_per_day_per_seat=sub.requests_per_day_for(workload.task),
        included_usage_usd_per_month=sub.included_usage_usd_per_month,
        limits=sub.limits,
        limits_basis=sub.limits_basis,
        price_date=sub.date,
        source=sub.source,
        limit_used=_limit_used(workload, sub, usage),
        limit_assumed=sub.limit_assumed,
        counts=sub.counts,
        limits_published=tuple(limit.text for limit in sub.limits_published),
    )


def _note_left_out(workload: Workload, left_out: dict[str, int], notes: list[str]) -> None:
    words = {
        "interactive only": "are for interactive use only; a program calls this workload",
        "no published limit": "publish no limit we could turn into requests a day or dollars",
        "free tier": "are free tiers (throttled, and not sold for steady work)",
        "limit too low": (
            f"allow fewer than the {math.ceil(workload.requests_per_day / workload.users):,} "
            "requests a day per seat this workload needs, or less API usage than it costs"
        ),
    }
    for reason, count in left_out.items():
        if count:
            notes.append(f"{count} {workload.task} plan(s) left out: they {words[reason]}")
