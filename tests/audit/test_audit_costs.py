"""The fleet's monthly cost today against the cost with local models: the cloud-path basis,
seats from flags or the config file, and the sums agreeing with the per-machine figures."""

from __future__ import annotations

import pytest

from advisor.audit.audit import AuditSettings, run_audit
from advisor.config import Seats
from advisor.errors import UsageError
from advisor.verdict.seats import parse_seats, seat_plans


def test_cloud_basis_sums_each_workload_on_its_path(fleet_audit) -> None:
    cost = fleet_audit.cost
    assert cost.basis == "cloud" and not cost.seats
    outcomes = [o for m in fleet_audit.machines for o in m.outcomes]
    assert cost.today_usd_per_month == pytest.approx(sum(o.cloud_usd_per_month for o in outcomes))
    assert cost.with_local_usd_per_month == pytest.approx(
        sum(o.path_usd_per_month for o in outcomes)
    )
    assert cost.saving_usd_per_month > 0  # the RTX 4090s run both workloads locally
    per_machine = sum(m.cost.today_usd_per_month for m in fleet_audit.machines)
    assert per_machine == pytest.approx(cost.today_usd_per_month)


def test_seats_are_given_up_where_every_workload_of_the_plan_runs_locally(fleet_dir, catalog):
    plans = seat_plans((Seats(plan="chatgpt-plus", count=16),), catalog)
    audit = run_audit([str(fleet_dir)], catalog, AuditSettings(seats=plans, upgrades=False))
    cost = audit.cost
    assert cost.basis == "seats"
    assert cost.today_usd_per_month == pytest.approx(16 * 20.0)
    free = [m for m in audit.machines if m.cost.seats_freed]
    assert free and all(len(m.local) == len(m.outcomes) for m in free)
    [line] = cost.seats
    kept_share = 1 - len(free) / len(audit.machines)
    assert line.kept == pytest.approx(16 * kept_share)
    running = sum(o.local_usd_per_month for m in free for o in m.outcomes)
    assert cost.local_running_usd_per_month == pytest.approx(running)
    assert cost.with_local_usd_per_month == pytest.approx(line.kept * 20.0 + running)


def test_an_unknown_plan_is_a_usage_error_naming_the_plans_there_are(catalog) -> None:
    with pytest.raises(UsageError) as caught:
        seat_plans((Seats(plan="chatgpt-platinum", count=3),), catalog)
    assert "chatgpt-plus" in caught.value.hint


@pytest.mark.parametrize("spec", ["chatgpt-plus", "chatgpt-plus=", "=4", "chatgpt-plus=many"])
def test_seat_flags_take_plan_equals_count(spec) -> None:
    with pytest.raises(UsageError):
        parse_seats([spec])


def test_seat_flags_parse() -> None:
    assert parse_seats(["chatgpt-plus=12", " copilot-business = 4"]) == (
        Seats(plan="chatgpt-plus", count=12),
        Seats(plan="copilot-business", count=4),
    )


def test_a_plan_for_tasks_no_audited_workload_has_keeps_every_seat(fleet_dir, catalog) -> None:
    plans = seat_plans((Seats(plan="copilot-business", count=8),), catalog)  # coding only
    audit = run_audit([str(fleet_dir)], catalog, AuditSettings(seats=plans, upgrades=False))
    cost = audit.cost
    assert cost.today_usd_per_month == pytest.approx(8 * 19.0)
    assert cost.with_local_usd_per_month == pytest.approx(cost.today_usd_per_month)
    assert cost.local_running_usd_per_month == 0 and cost.seats[0].kept == pytest.approx(8)
