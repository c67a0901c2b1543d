"""The audit's shared servers: the fleet's interactive workloads planned for the people behind
its machines on server profiles, in every format, never treating an unpriced server as free."""

from __future__ import annotations

import json

import pytest

from advisor.audit.audit import AuditSettings, run_audit
from advisor.cli import main
from advisor.commands.audit import render
from advisor.config import Seats
from advisor.errors import ExitCode
from advisor.verdict.seats import seat_plans

SERVERS = ("h100-server", "mac-studio-m3-ultra-512gb")


@pytest.fixture(scope="module")
def audit(fleet_dir, catalog):
    seats = seat_plans((Seats("chatgpt-business", 8),), catalog)
    settings = AuditSettings(seats=seats, upgrades=False, servers=SERVERS)
    return run_audit([str(fleet_dir)], catalog, settings)


def test_interactive_workloads_are_planned_for_one_person_per_machine(audit):
    servers = audit.servers
    assert servers is not None and servers.profiles == SERVERS
    [chat] = servers.workloads  # document-batch is programmatic: no shared server for it
    assert chat.workload == "chat-assistant" and chat.people == len(audit.machines) == 8
    for option in chat.options:  # no --hardware-price: no server is priced, none is free
        assert option.advice.costs.hardware_usd_per_month is None
    costs = [o.advice.costs.usd_per_month for o in chat.options]
    assert costs == sorted(costs)


def test_an_unpriced_server_says_hardware_is_excluded_in_every_format(audit):
    h100 = next(o for o in audit.servers.workloads[0].options if o.profile == "h100-server")
    assert "hardware excluded" in h100.advice.comparison.headline
    from advisor.audit.render.table import render_table

    texts = {fmt: render(audit, fmt) for fmt in ("markdown", "html")}
    texts["table"] = render_table(audit, width=250)  # wide enough that no cell wraps
    for fmt, text in texts.items():
        assert "Shared servers" in text and "(hardware excluded)" in text, fmt
    doc = json.loads(render(audit, "json"))
    assert doc["schema_version"] == 4
    section = doc["shared_servers"]
    assert section["profiles"] == list(SERVERS)
    [chat] = section["workloads"]
    assert chat["people"] == 8 and chat["best"] == chat["options"][0]["profile"]
    by_profile = {o["profile"]: o for o in chat["options"]}
    assert by_profile["h100-server"]["comparison"]["hardware_excluded"] is True
    assert by_profile["h100-server"]["plan"]["servers"] >= 1


def test_without_servers_asked_there_is_no_section(fleet_audit):
    assert fleet_audit.servers is None
    assert "Shared servers" not in render(fleet_audit, "markdown")
    assert json.loads(render(fleet_audit, "json"))["shared_servers"] is None


def test_seats_turn_the_section_on_and_no_servers_off(fleet_dir, capsys):
    code = main(
        [
            "audit",
            str(fleet_dir),
            "--seats",
            "chatgpt-business=8",
            "--no-upgrades",
            "--server",
            "h100-server",
            "--format",
            "json",
        ]
    )
    assert code == ExitCode.OK
    doc = json.loads(capsys.readouterr().out)
    assert doc["shared_servers"]["profiles"] == ["h100-server"]
    code = main(
        [
            "audit",
            str(fleet_dir),
            "--seats",
            "chatgpt-business=8",
            "--no-upgrades",
            "--no-servers",
            "--format",
            "json",
        ]
    )
    assert code == ExitCode.OK and json.loads(capsys.readouterr().out)["shared_servers"] is None
    code = main(["audit", str(fleet_dir), "--server", "h100-server", "--no-servers"])
    assert code == ExitCode.USAGE


def test_a_server_price_is_counted_and_names_its_source(fleet_dir, capsys):
    code = main(["audit", str(fleet_dir), "--seats", "chatgpt-business=8", "--no-upgrades",
                 "--server", "h100-server", "--server", "mac-studio-m3-ultra-512gb",
                 "--server-price", "h100-server=30000", "--format", "json",
                 "--server-price", "mac-studio-m3-ultra-512gb=list"])  # fmt: skip
    assert code == ExitCode.OK
    [chat] = json.loads(capsys.readouterr().out)["shared_servers"]["workloads"]
    by_profile = {o["profile"]: o for o in chat["options"]}
    for profile, price in (("h100-server", 30000), ("mac-studio-m3-ultra-512gb", 11699)):
        option = by_profile[profile]
        costs = option["costs"]
        assert costs["hardware_price_usd"] == pytest.approx(price * costs["servers"])
        assert costs["hardware_usd_per_month"] == pytest.approx(
            costs["hardware_price_usd"] / costs["lifetime_months"]
        )
        assert option["comparison"]["hardware_excluded"] is False
        assert "hardware excluded" not in option["comparison"]["headline"]


def test_an_unpriced_server_names_the_audit_flag(audit):
    h100 = next(o for o in audit.servers.workloads[0].options if o.profile == "h100-server")
    assert "pass --server-price PROFILE=USD" in h100.advice.comparison.headline


@pytest.mark.parametrize(
    "price",
    [
        "h100-server",
        "h100-server=",
        "h100-server=-3",
        "h100-server=x",
        "dual-rtx-3090=3000",
        "h100-server=list",
    ],  # fmt: skip
)
def test_bad_server_prices_are_usage_errors(fleet_dir, capsys, price):
    code = main(["audit", str(fleet_dir), "--seats", "chatgpt-business=8", "--no-upgrades",
                 "--server", "h100-server", "--server-price", price])  # fmt: skip
    assert code == ExitCode.USAGE
    assert "--server-price" in capsys.readouterr().err
