"""The shipped Ansible playbook, run for real against localhost (local connection): it runs
`advisor report` on the host, fetches the report, cleans up, and the audit reads what came back."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from advisor.audit.audit import AuditSettings, run_audit

REPO = Path(__file__).resolve().parents[2]
PLAYBOOK = REPO / "deploy" / "ansible" / "audit.yml"
BIN = Path(sys.executable).parent


def _tool(name: str) -> str | None:
    beside = BIN / name  # the virtualenv's own, installed with the `test` extra
    return str(beside) if beside.exists() else shutil.which(name)


@pytest.fixture(scope="module")
def playbook_bin() -> str:
    if sys.platform == "win32":
        pytest.skip("Ansible control nodes run on Linux and macOS, not Windows")
    found = _tool("ansible-playbook")
    if found is None:
        pytest.skip("ansible-playbook is not installed (pip install -e '.[test]' brings it)")
    return found


def _advisor_command(folder: Path) -> str:
    """An `advisor` executable running this interpreter's advisor, installed or not."""
    script = folder / "advisor"
    script.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m advisor "$@"\n')
    script.chmod(0o755)
    return str(script)


def test_the_playbook_collects_a_report_from_localhost(playbook_bin, tmp_path, catalog) -> None:
    reports = tmp_path / "reports"
    extra = {
        "advisor_command": _advisor_command(tmp_path),
        "advisor_extra_args": ["--profile", "office-laptop-8gb", "--workload", "chat-assistant"],
        "reports_dir": str(reports),
        "ansible_python_interpreter": sys.executable,
    }
    host_tmp = tmp_path / "host-tmp"  # the host's temporary folder, to see it cleaned up
    host_tmp.mkdir()
    env = dict(
        os.environ,
        TMPDIR=str(host_tmp),
        ANSIBLE_LOCAL_TEMP=str(tmp_path / "ansible-local"),
        ANSIBLE_REMOTE_TEMP=str(tmp_path / "ansible-remote"),
        ANSIBLE_NOCOLOR="1",
        ANSIBLE_RETRY_FILES_ENABLED="0",
    )
    done = subprocess.run(
        [playbook_bin, "-i", "localhost,", "-c", "local", str(PLAYBOOK), "-e", json.dumps(extra)],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,  # a hang guard, not a speed limit
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "failed=0" in done.stdout
    [report] = reports.iterdir()
    assert report.name == "localhost.json"
    doc = json.loads(report.read_text())
    assert doc["kind"] == "advisor-report" and doc["anonymized"] is True
    assert [v["workload"] for v in doc["verdicts"]] == ["chat-assistant"]
    assert not list(host_tmp.glob("advisor-report-*")), "the private folder was left behind"
    audit = run_audit([str(reports)], catalog, AuditSettings(upgrades=False, jobs=1))
    assert [m.origin for m in audit.machines] == [str(report)] and not audit.skipped


def test_the_example_inventory_parses(tmp_path) -> None:
    inventory = _tool("ansible-inventory")
    if inventory is None:
        pytest.skip("ansible-inventory is not installed (pip install -e '.[test]' brings it)")
    env = dict(os.environ, ANSIBLE_LOCAL_TEMP=str(tmp_path / "ansible-local"))
    done = subprocess.run(
        [inventory, "-i", str(REPO / "deploy" / "ansible" / "inventory.example.ini"), "--list"],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    hosts = json.loads(done.stdout)
    assert "dev-ws-01.example.internal" in hosts["workstations"]["hosts"]
