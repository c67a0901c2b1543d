"""Prices and scores older than 120 days on the report's date print a warning with their date,
in every format (text, markdown, JSON, `advisor models`), on the real catalog."""

from __future__ import annotations

import datetime
import json

import pytest

from advisor import advise
from advisor.cli import main
from advisor.verdict.staleness import MAX_AGE_DAYS, age_in_days, stale

PROFILE = "rtx-4090-desktop"
TODAY = datetime.date(2026, 12, 6)


@pytest.mark.parametrize(
    ("date", "age"),
    [("2026-12-06", 0), ("2026-08-08", 120), ("2026-08-07", 121), ("2026-04", 249),
     ("not a date", None)],
)  # fmt: skip
def test_age_in_days(date: str, age: int | None) -> None:
    assert age_in_days(date, TODAY) == age


def test_only_what_is_past_the_limit_is_stale_each_once_oldest_first() -> None:
    facts = [("a", "2026-08-08", "s"), ("b", "2026-08-07", "s"), ("c", "2026-04", "s"),
             ("c", "2026-04", "s"), ("d", None, "s")]  # fmt: skip
    assert [(f.what, f.age_days) for f in stale(facts, TODAY)] == [("c", 249), ("b", 121)]
    assert MAX_AGE_DAYS == 120


def _at(monkeypatch: pytest.MonkeyPatch, when: str) -> None:
    monkeypatch.setattr(advise, "now_utc", lambda: when)


def _warnings(err: str) -> list[str]:
    return [line for line in err.splitlines() if line.startswith("warning: ")]


@pytest.mark.parametrize("fmt", [["--json"], ["--format", "text"], ["--format", "markdown"]])
def test_every_report_format_warns_of_each_old_price_and_score_with_its_date(
    monkeypatch: pytest.MonkeyPatch, capsys, fmt: list[str]
) -> None:
    _at(monkeypatch, "2030-01-01T00:00:00Z")  # everything the catalog has is old by then
    assert main(["report", "--profile", PROFILE, "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert main(["report", "--profile", PROFILE, *fmt]) == 0
    warned = "\n".join(_warnings(capsys.readouterr().err))
    rate = doc["inputs"]["electricity"]
    assert f"the electricity price for {rate['region']} is dated {rate['date']}" in warned
    for verdict in doc["verdicts"]:
        for api in (verdict["cloud"]["frontier"], verdict["cloud"]["cheapest_api"]):
            if api:
                assert f"the API price of {api['name']} is dated {api['price_date']}" in warned
                assert (
                    f"the quality score of {api['name']} is dated {api['quality_date']}" in warned
                )
        sub = verdict["cloud"]["subscription"]
        if sub:
            assert (
                f"the price of {sub['vendor']} {sub['plan']} is dated {sub['price_date']}" in warned
            )


def test_fresh_facts_give_no_warning(monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    _at(monkeypatch, "2026-04-20T00:00:00Z")  # 19 days after the electricity table's month
    assert main(["report", "--profile", PROFILE]) == 0
    assert not [w for w in _warnings(capsys.readouterr().err) if "electricity" in w]


def test_models_warns_of_old_scores(monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    _at(monkeypatch, "2030-01-01T00:00:00Z")
    assert main(["models", "--profile", PROFILE, "--json", "--limit", "3"]) == 0
    out, err = capsys.readouterr()
    names = [c["name"] for c in json.loads(out)["candidates"]]
    warned = _warnings(err)
    assert len(warned) == len(set(names))
    assert all("the quality score of" in w and "days before this report" in w for w in warned)


TEAM = ["report", "--team", "25", "--seats", "chatgpt-business=25", "--profile", "h100-server"]


@pytest.mark.parametrize("fmt", [[], ["--format", "markdown"], ["--json"]])
def test_the_team_report_warns_of_its_seats_electricity_and_model_once_each(
    monkeypatch: pytest.MonkeyPatch, capsys, fmt: list[str]
) -> None:
    from advisor.catalog import load_catalog

    _at(monkeypatch, "2030-01-01T00:00:00Z")
    assert main([*TEAM, "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert main([*TEAM, *fmt]) == 0
    warned = _warnings(capsys.readouterr().err)
    assert len(warned) == len(set(warned))  # the verdict and the plan share facts: once each
    text = "\n".join(warned)
    catalog = load_catalog()
    seat = next(s for s in catalog.cloud.subscriptions if s.id == "chatgpt-business")
    assert f"the price of {seat.vendor} {seat.plan} is dated {seat.date}" in text
    rate = doc["inputs"]["electricity"]
    assert f"the electricity price for {rate['region']} is dated {rate['date']}" in text
    chosen = catalog.find(doc["team"][0]["plan"]["model_id"])
    assert f"the quality score of {chosen.name} is dated {chosen.quality.snapshot_date}" in text
