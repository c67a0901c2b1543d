"""What the cloud charges for a workload: subscription plans, the frontier API, the cheapest API.

Prices come from the catalog's cloud section with their dates. Amounts are USD per month.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from advisor.catalog.model import ApiModel, Catalog, Subscription
from advisor.verdict.workload import Workload

MTOK = 1_000_000


@dataclass(frozen=True)
class ApiCost:
    """The workload's token volume on one API model."""

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


@dataclass(frozen=True)
class SubscriptionCost:
    """The cheapest flat-rate plan whose published limits cover the workload."""

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


@dataclass(frozen=True)
class CloudCosts:
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


def api_cost(workload: Workload, api: ApiModel, quality: float | None) -> ApiCost:
    per_day = api_usd_per_day(workload, api)
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
    )


def frontier_model(catalog: Catalog, index: str) -> tuple[ApiModel, float] | None:
    """The best model on `index` among those flagged frontier (all API models if none are)."""
    pool = [a for a in catalog.cloud.api_models if a.frontier] or list(catalog.cloud.api_models)
    scored = [(a, v) for a in pool if (v := index_of(a, index, catalog)) is not None]
    if not scored:
        return None
    return max(scored, key=lambda pair: (pair[1], -pair[0].output_usd_per_mtok))


# (id(catalog), id(workload)) -> (catalog, workload, costs): the costs depend on nothing else,
# and an audit asks about the same workloads on thousands of machines. The entry keeps both
# objects alive, so their ids cannot be reused while it stands.
_COSTS: dict[tuple[int, int], tuple[Catalog, Workload, CloudCosts]] = {}


def cloud_costs(workload: Workload, catalog: Catalog) -> CloudCosts:
    """The cloud paths for `workload` at the catalog's prices (remembered per object pair)."""
    key = (id(catalog), id(workload))
    hit = _COSTS.get(key)
    if hit is not None and hit[0] is catalog and hit[1] is workload:
        return hit[2]
    costs = _cloud_costs(workload, catalog)
    if len(_COSTS) >= 256:
        _COSTS.clear()
    _COSTS[key] = (catalog, workload, costs)
    return costs


def _cloud_costs(workload: Workload, catalog: Catalog) -> CloudCosts:
    notes: list[str] = []
    index = workload.quality_index
    top = frontier_model(catalog, index)
    if top is None:
        notes.append(f"no API model in the catalog publishes a {index.replace('_', ' ')}")
        frontier, frontier_index, cheapest = None, None, None
    else:
        frontier_index = top[1]
        frontier = api_cost(workload, top[0], top[1])
        cheapest = cheapest_api(workload, catalog, frontier_index, notes)
    return CloudCosts(
        frontier=frontier,
        frontier_index=frontier_index,
        cheapest_api=cheapest,
        subscription=cheapest_subscription(workload, catalog, cheapest, notes),
        notes=tuple(notes),
    )


def cheapest_api(
    workload: Workload, catalog: Catalog, frontier_index: float, notes: list[str]
) -> ApiCost | None:
    floor = workload.quality_floor_pct / 100 * frontier_index
    best: ApiCost | None = None
    short_context = 0
    for api in catalog.cloud.api_models:
        quality = index_of(api, workload.quality_index, catalog)
        if quality is None or quality < floor:
            continue
        if api.context_tokens is not None and api.context_tokens < workload.context_tokens:
            short_context += 1
            continue
        cost = api_cost(workload, api, quality)
        if best is None or cost.usd_per_month < best.usd_per_month:
            best = cost
    if short_context:
        notes.append(
            f"{short_context} API model(s) meet the quality floor but their context is shorter "
            f"than the {workload.context_tokens:,} tokens this workload needs"
        )
    return best


def cheapest_subscription(
    workload: Workload, catalog: Catalog, api: ApiCost | None, notes: list[str]
) -> SubscriptionCost | None:
    """`api` is the cheapest API path meeting the floor: plans that include API usage cover
    the workload when that path's cost per seat fits in their allowance."""
    best: SubscriptionCost | None = None
    left_out = {"interactive only": 0, "no published limit": 0, "free tier": 0, "limit too low": 0}
    for sub in catalog.cloud.subscriptions:
        if workload.task not in sub.tasks:
            continue
        reason = _unusable(workload, sub, api)
        if reason is not None:
            left_out[reason] += 1
            continue
        cost = _subscription_cost(workload, sub)
        if best is None or cost.usd_per_month < best.usd_per_month:
            best = cost
    _note_left_out(workload, left_out, notes)
    return best


def _unusable(workload: Workload, sub: Subscription, api: ApiCost | None) -> str | None:
    if workload.access == "programmatic" and not sub.api_access:
        return "interactive only"
    if sub.price_usd_per_month <= 0:
        return "free tier"
    limit = sub.requests_per_day_for(workload.task)
    if limit is not None:
        return None if limit >= workload.requests_per_day / workload.users else "limit too low"
    allowance = sub.included_usage_usd_per_month
    if allowance is None:
        return "no published limit"
    if api is None or api.usd_per_month / workload.users > allowance:
        return "limit too low"
    return None


def _subscription_cost(workload: Workload, sub: Subscription) -> SubscriptionCost:
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
