"""Cloud costs: token arithmetic, the frontier, the cheapest API meeting the floor, plans."""

from __future__ import annotations

import pytest
from verdict_builders import api, make_catalog, make_workload, plan

from advisor.verdict.cloud import api_usd_per_day, cloud_costs, frontier_model


def test_api_cost_bills_new_cached_and_output_tokens() -> None:
    w = make_workload(requests_per_day=100, model_calls_per_request=2, cached_input_share=0.75,
                      input_tokens_per_request=4000, output_tokens_per_request=500)  # fmt: skip
    model = api("x", 2.0, 10.0, cached=0.2)
    # 200 calls × (1000 new × 2 + 3000 cached × 0.2 + 500 out × 10) / 1e6
    assert api_usd_per_day(w, model) == pytest.approx(200 * (2000 + 600 + 5000) / 1e6)


def test_no_cached_rate_bills_all_input_in_full() -> None:
    w = make_workload(cached_input_share=0.5)
    model = api("x", 1.0, 1.0)
    assert api_usd_per_day(w, model) == pytest.approx(100 * (1000 + 200) / 1e6)


def test_frontier_is_the_best_flagged_model_on_the_task_index(catalog) -> None:
    model, index = frontier_model(catalog, "coding_index")
    assert model.id == "frontier" and index == 77


def test_cheapest_api_meets_the_floor_and_the_context(catalog) -> None:
    # floor 50% of 60 = 30: "open-host" (30) qualifies and is cheapest; "tiny" (10) does not.
    costs = cloud_costs(make_workload(quality_floor_pct=50), catalog)
    assert costs.cheapest_api.api_model_id == "open-host"
    assert costs.frontier.api_model_id == "frontier" and costs.frontier_index == 60
    # floor 60%: only "mid" (40) and the frontier reach 36.
    assert (
        cloud_costs(make_workload(quality_floor_pct=60), catalog).cheapest_api.api_model_id == "mid"
    )


def test_short_context_models_are_left_out_and_said_so() -> None:
    catalog = make_catalog(apis=[api("f", 5, 25, index=60, frontier=True),
                                 api("cheap", 0.1, 0.1, index=59, context=4096)])  # fmt: skip
    costs = cloud_costs(make_workload(), catalog)
    assert costs.cheapest_api.api_model_id == "f"
    assert any("context is shorter" in note for note in costs.notes)


def test_monthly_cost_uses_days_per_week() -> None:
    catalog = make_catalog()
    daily = api_usd_per_day(make_workload(days_per_week=5), catalog.cloud.api_models[0])
    costs = cloud_costs(make_workload(days_per_week=5), catalog)
    assert costs.frontier.usd_per_month == pytest.approx(daily * 5 * 365.25 / 7 / 12)


def test_subscription_is_the_cheapest_paid_plan_that_covers_the_requests(catalog) -> None:
    sub = cloud_costs(make_workload(requests_per_day=50), catalog).subscription
    assert sub.subscription_id == "plus" and sub.usd_per_month == 20 and sub.seats == 1
    big = cloud_costs(make_workload(requests_per_day=500), catalog).subscription
    assert big.subscription_id == "pro"


def test_seats_follow_users_and_minimum_seats() -> None:
    catalog = make_catalog(plans=[plan("team", 25, 100, min_seats=5)])
    sub = cloud_costs(make_workload(requests_per_day=300, users=3), catalog).subscription
    assert sub.seats == 5 and sub.usd_per_month == 125


def test_programmatic_workloads_cannot_use_interactive_plans(catalog) -> None:
    costs = cloud_costs(make_workload(access="programmatic"), catalog)
    assert costs.subscription is None
    assert any("interactive use only" in note for note in costs.notes)


def test_plans_not_sold_for_the_task_are_ignored() -> None:
    catalog = make_catalog(plans=[plan("chat-only", 10, 1000, tasks=("chat",))])
    assert cloud_costs(make_workload(task="coding"), catalog).subscription is None


def test_best_path_is_the_cheaper_of_plan_and_api(catalog) -> None:
    costs = cloud_costs(make_workload(requests_per_day=50), catalog)
    # 50 × (1000 × 0.1 + 200 × 0.4) / 1e6 × 30.4 days ≈ 0.27 USD: the API beats a 20 USD plan.
    assert costs.best_usd_per_month == pytest.approx(costs.cheapest_api.usd_per_month)
    assert "OPEN-HOST" in costs.best_label


def test_no_index_anywhere_says_so() -> None:
    catalog = make_catalog(apis=[api("blind", 1, 1)])
    costs = cloud_costs(make_workload(), catalog)
    assert costs.frontier is None and costs.cheapest_api is None
    assert any("publishes" in note for note in costs.notes)


def test_a_task_specific_limit_beats_the_headline() -> None:
    sub = plan("codex", 20, 200)
    sub = type(sub)(**{**sub.__dict__, "requests_per_day_by_task": {"coding": 30}})
    catalog = make_catalog(plans=[sub])
    assert cloud_costs(make_workload(task="chat", requests_per_day=100), catalog).subscription
    assert (
        cloud_costs(make_workload(task="coding", requests_per_day=100), catalog).subscription
        is None
    )


def test_included_api_usage_covers_a_workload_that_fits_the_allowance() -> None:
    sub = plan("cursor", 20, None)
    sub = type(sub)(**{**sub.__dict__, "included_usage_usd_per_month": 20.0})
    catalog = make_catalog(plans=[sub])
    small = cloud_costs(make_workload(requests_per_day=100), catalog)
    assert small.subscription.subscription_id == "cursor"
    assert small.subscription.requests_per_day_per_seat is None
    # 200,000 calls a day on the cheapest qualifying API is far beyond 20 USD a month.
    assert cloud_costs(make_workload(requests_per_day=200_000), catalog).subscription is None


def test_included_api_credit_buys_only_its_own_vendors_api() -> None:
    """Issue 13 item 5: a plan's included API credit was judged against the cheapest API of
    any vendor. 100 calls a day (1,000 in, 200 out) cost 100 × 30.44 days × (1,000 × 0.1 + 200
    × 0.4) / 1e6 = 0.55 USD a month on the open host, 100 × 30.44 × (1,000 × 5 + 200 × 25) / 1e6
    = 30.4 USD on the frontier vendor's API: a 20 USD credit at the frontier vendor does not
    cover it, one at the open host does."""
    import dataclasses

    base = plan("credit", 20, None)

    def covered(vendor: str):
        sub = dataclasses.replace(base, included_usage_usd_per_month=20.0, api_vendor=vendor)
        return cloud_costs(make_workload(requests_per_day=100), make_catalog(plans=[sub]))

    assert covered("v-frontier").subscription is None
    cost = covered("v-open-host").subscription
    assert cost is not None and cost.subscription_id == "credit"
    assert "usable only on the v-open-host API" in cost.limit_used
    assert "spends 0.55 of it on OPEN-HOST" in cost.limit_used


def test_a_prices_session_prices_each_workload_once(monkeypatch) -> None:
    """judge() on many machines with one CloudPrices (an audit, the remedy search) prices each
    workload once, and equal workloads (rebuilt from another report) share the price."""
    import dataclasses

    from advisor.advice_options import AdviceOptions
    from advisor.advise import judge
    from advisor.catalog import load_catalog
    from advisor.probe import load_profile
    from advisor.verdict import cloud, cloud_prices
    from advisor.workload import load_workloads

    shipped = load_catalog(overlay=False)
    workloads = load_workloads(["chat-assistant", "coding-agent"])
    priced: list[str] = []
    real = cloud.cloud_costs

    def counted(workload, catalog):
        priced.append(workload.name)
        return real(workload, catalog)

    monkeypatch.setattr(cloud_prices, "cloud_costs", counted)
    prices = cloud_prices.CloudPrices(shipped)
    options = AdviceOptions(cache=False)
    first = judge(load_profile("rtx-3060-desktop"), shipped, workloads, options, prices=prices)
    again = [dataclasses.replace(w) for w in workloads]  # equal, not the same objects
    second = judge(load_profile("office-laptop-16gb"), shipped, again, options, prices=prices)
    assert sorted(priced) == ["chat-assistant", "coding-agent"]
    assert [v.cloud for v in first] == [v.cloud for v in second]


def test_a_prices_session_finds_a_workload_it_was_asked_about_by_identity(monkeypatch) -> None:
    """The same workload object asked about again (an audit's workers hold their workloads by
    key) is found without writing its text; an equal copy is found by its text, and all three
    answers are the one priced first."""
    import dataclasses

    from advisor.catalog import load_catalog
    from advisor.verdict import cloud_prices
    from advisor.workload import Workload, load_workloads

    (workload,) = load_workloads(["chat-assistant"])
    texts: list[str] = []
    real = Workload.__repr__

    def counted(self) -> str:
        texts.append(self.name)
        return real(self)

    monkeypatch.setattr(Workload, "__repr__", counted)
    prices = cloud_prices.CloudPrices(load_catalog(overlay=False))
    first = prices.costs(workload)
    assert prices.costs(workload) is first
    assert texts == ["chat-assistant"]
    assert prices.costs(dataclasses.replace(workload)) is first
    assert texts == ["chat-assistant", "chat-assistant"]
