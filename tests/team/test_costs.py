"""A team's demand at the peak, and what its servers cost against seats and APIs."""

from __future__ import annotations

import pytest

from advisor.advise import HardwareChoice
from advisor.config import Seats
from advisor.errors import UsageError
from advisor.probe.power.draw import PowerDraw
from advisor.team.costs import DAYS_PER_MONTH, Uptime, compare, server_costs
from advisor.team.demand import ASSUMED_PEAK_FACTOR
from advisor.verdict.cloud import cloud_costs
from advisor.verdict.electricity import ElectricityRate
from advisor.verdict.local import HardwareCost
from advisor.verdict.seats import seat_plans
from advisor.workload import WEEKS_PER_MONTH
from tests.team.team_kit import chat_team

RATE = ElectricityRate(0.20, "flag", None, "--electricity-price", None)
POWER = PowerDraw(500.0, "given", "500 W (test)")


def test_a_team_asks_each_person_s_share_and_peaks_by_the_factor():
    team = chat_team(25)
    w = team.workload
    assert w.users == 25 and w.requests_per_day == pytest.approx(40 * 25)
    assert team.average_calls_per_s == pytest.approx(1000 / (8 * 3600))
    assert team.peak_factor == ASSUMED_PEAK_FACTOR and team.peak_basis == "assumed"
    assert team.peak_calls_per_s == pytest.approx(2 * 1000 / (8 * 3600))
    flagged = chat_team(25, 3.0)
    assert flagged.peak_basis == "flag" and flagged.peak_calls_per_s == pytest.approx(
        3 * 1000 / (8 * 3600)
    )


@pytest.mark.parametrize("bad", [0.99, 8.5])
def test_a_peak_factor_outside_one_to_the_working_hours_is_refused(bad):
    with pytest.raises(UsageError, match="--peak-factor must be at least 1"):
        chat_team(25, bad)


def _costs(price: float | None, **kwargs):
    hardware = HardwareChoice(HardwareCost(price, 36.0), "flag" if price else "none")
    return server_costs(chat_team(25), 2, 0.25, POWER, RATE, hardware, **kwargs)


def test_electricity_counts_the_busy_hours_of_every_server():
    c = _costs(None, hosting_usd_per_month=50.0)
    busy_kwh = 0.25 * 8 * 0.5 * 5 * WEEKS_PER_MONTH  # h busy × kW × working days, per server
    assert c.busy_hours_per_day == pytest.approx(2.0)
    assert c.kwh_per_month == pytest.approx(2 * busy_kwh)
    assert c.electricity_usd_per_month == pytest.approx(2 * busy_kwh * 0.20)
    assert c.hosting_usd_per_month == 100.0
    assert c.hardware_usd_per_month is None
    assert c.usd_per_month == pytest.approx(c.electricity_usd_per_month + 100.0)
    assert c.on_hours_per_day == 24.0 and Uptime().days_per_week == 7 and DAYS_PER_MONTH > 30


def test_without_a_price_the_saving_says_hardware_is_excluded(catalog):
    team = chat_team(25)
    seats = seat_plans((Seats("chatgpt-business", 25),), catalog)
    cmp = compare(team, _costs(None), seats, cloud_costs(team.workload, catalog))
    assert cmp.replaced_usd_per_month == pytest.approx(25 * 25.0)
    assert cmp.hardware_excluded and cmp.payback_months is None
    assert cmp.other_tasks == ("coding", "reasoning", "vision")  # the seats serve those too
    assert "hardware excluded" in cmp.headline and "leaves the servers' price out" in cmp.headline


def test_a_priced_server_pays_back_against_the_seats(catalog):
    team = chat_team(25)
    seats = seat_plans((Seats("chatgpt-business", 25),), catalog)
    costs = _costs(9000.0)
    cmp = compare(team, costs, seats, cloud_costs(team.workload, catalog))
    assert costs.hardware_usd_per_month == pytest.approx(2 * 9000 / 36)
    margin = 625.0 - costs.running_usd_per_month
    assert cmp.payback_months == pytest.approx(18000 / margin)
    assert cmp.saving_usd_per_month == pytest.approx(625.0 - costs.usd_per_month)
    assert f"pays back in {18000 / margin:,.1f} months" in cmp.headline


def test_seats_for_another_task_are_not_replaced(catalog):
    team = chat_team(25)
    seats = seat_plans((Seats("copilot-business", 25),), catalog)
    cmp = compare(team, _costs(None), seats, cloud_costs(team.workload, catalog))
    assert cmp.replaced == () and cmp.saving_usd_per_month is None
    assert "do not cover chat work" in cmp.headline


def test_an_api_cheaper_than_the_servers_is_said_in_the_headline(catalog):
    team = chat_team(25)
    cloud = cloud_costs(team.workload, catalog)
    assert cloud.cheapest_api is not None
    cmp = compare(team, _costs(90000.0), (), cloud)
    assert cloud.cheapest_api.usd_per_month < cmp.api_usd_per_month + 1e-9
    assert "would serve the same volume" in cmp.headline


def test_idle_power_counts_for_every_hour_on_but_not_serving():
    power = PowerDraw(500.0, "given", "500 W (test)", idle_watts=60.0, idle_source="60 W (test)")
    hardware = HardwareChoice(HardwareCost(None, 36.0), "none")
    team = chat_team(25)
    c = server_costs(team, 1, 0.25, power, RATE, hardware, uptime=Uptime(hours_per_day=12))
    work_days, on_days = 5 * WEEKS_PER_MONTH, 7 * WEEKS_PER_MONTH
    busy_kwh = 2.0 * 0.5 * work_days  # 2 h busy a working day at 500 W
    idle_kwh = (12 * on_days - 2.0 * work_days) * 0.060
    assert c.kwh_per_month == pytest.approx(busy_kwh + idle_kwh)
    assert c.idle_watts == 60.0 and c.idle_source == "60 W (test)"
    assert c.on_hours_per_day == 12
