"""`advisor report` and `advisor --json` end to end, on a reference profile."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from advisor.cli import main
from advisor.errors import ExitCode
from advisor.report.models import validate_report

PROFILE = ["--profile", "rtx-3060-desktop"]


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_json_report_validates_and_names_no_config(capsys) -> None:
    code, out, _ = run(capsys, "report", *PROFILE, "--json", "--workload", "chat-assistant")
    assert code == 0
    doc = json.loads(out)
    validate_report(doc)
    assert doc["config_file"] is None and doc["currency"] == "USD"
    assert [v["workload"] for v in doc["verdicts"]] == ["chat-assistant"]


def test_bare_json_is_the_report(capsys) -> None:
    code, bare, _ = run(capsys, "--json", *PROFILE)
    assert code == 0
    code, full, _ = run(capsys, "report", "--json", *PROFILE)
    assert code == 0
    first, second = json.loads(bare), json.loads(full)
    first.pop("generated_at"), second.pop("generated_at")
    assert first == second
    assert len(first["verdicts"]) >= 5


def test_text_and_markdown_say_amounts_are_usd(capsys) -> None:
    code, text, _ = run(capsys, "report", *PROFILE, "--workload", "support-bot")
    assert code == 0 and "amounts in USD" in text and "Support bot" in text
    code, md, _ = run(
        capsys, "report", *PROFILE, "--format", "markdown", "--workload", "support-bot"
    )
    assert code == 0 and md.startswith("# advisor report: ")
    assert "All amounts are in US dollars (USD)" in md and "## Support bot:" in md


def test_output_file_is_written_and_announced(tmp_path: Path, capsys) -> None:
    out = tmp_path / "reports" / "box.json"
    code, stdout, err = run(capsys, "report", *PROFILE, "--json", "-o", str(out), "--anonymize")
    assert code == 0 and stdout == "" and f"wrote {out}" in err
    doc = json.loads(out.read_text())
    assert doc["anonymized"] is True
    assert not list(out.parent.glob(".*.tmp"))


def test_an_unwritable_output_keeps_the_old_file(tmp_path: Path, capsys) -> None:
    target = tmp_path / "report.md"
    target.write_text("old report\n")
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where a folder should be")
    code, _, err = run(capsys, "report", *PROFILE, "-o", str(blocker / "r.md"))
    assert code == ExitCode.WRITE_FAILED and "could not write" in err
    assert target.read_text() == "old report\n"


def test_config_prices_and_defaults_apply_and_flags_win(advisor_home: Path, capsys) -> None:
    config = advisor_home / "config" / "config.yaml"
    config.parent.mkdir(parents=True)
    config.write_text(
        "prices: {electricity_usd_per_kwh: 0.5, hardware_price_usd: 900}\n"
        "defaults: {workloads: [chat-assistant], format: markdown}\n",
        encoding="utf-8",
    )
    code, md, _ = run(capsys, "report", *PROFILE)
    assert code == 0 and md.startswith("# advisor report") and str(config) in md
    code, out, _ = run(capsys, "report", *PROFILE, "--json")
    doc = json.loads(out)
    assert doc["config_file"] == str(config)
    assert doc["inputs"]["electricity"]["usd_per_kwh"] == 0.5
    assert doc["inputs"]["electricity"]["basis"] == "config"
    hardware = {
        "price_usd": 900.0,
        "lifetime_months": 36.0,
        "counted": True,
        "basis": "config",
        "list_price_usd": None,
    }
    assert doc["inputs"]["hardware"] == hardware
    code, out, _ = run(capsys, "report", *PROFILE, "--json", "--electricity-price", "0.1",
                       "--hardware-price", "0")  # fmt: skip
    doc = json.loads(out)
    assert doc["inputs"]["electricity"]["basis"] == "flag"
    assert doc["inputs"]["hardware"]["basis"] == "flag"


@pytest.mark.parametrize("region", ["de", "us-ca"])
def test_region_picks_the_catalog_price(region, capsys) -> None:
    code, out, _ = run(capsys, "report", *PROFILE, "--json", "--region", region,
                       "--workload", "chat-assistant")  # fmt: skip
    assert code == 0
    electricity = json.loads(out)["inputs"]["electricity"]
    assert electricity["basis"] == "region" and electricity["region"] == region
    assert electricity["date"]
