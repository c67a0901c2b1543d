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
    from advisor.audit.render_table import render_table

    texts = {fmt: render(audit, fmt) for fmt in ("markdown", "html")}
    texts["table"] = render_table(audit, width=250)  # wide enough that no cell wraps
    for fmt, text in texts.items():
        assert "Shared servers" in text and "(hardware excluded)" in text, fmt
    doc = json.loads(render(audit, "json"))
    assert doc["schema_version"] == 3
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
