"""`advisor --json` stays light: a report whose estimates are cached imports no numpy, gguf,
rich, textual or llama_cpp (the slow imports the issue asks to keep off the hot path), and with
its catalog, workloads and profile in the user cache no pydantic or PyYAML either."""

from __future__ import annotations

import json
import os
import subprocess
import sys

HEAVY = ("numpy", "gguf", "rich", "textual", "llama_cpp", "pydantic", "yaml")
CODE = (
    "import io, contextlib, sys, json; from advisor.cli import main\n"
    "out = io.StringIO()\n"
    "with contextlib.redirect_stdout(out):\n"
    "    code = main(['--json', '--profile', 'rtx-4090-desktop'])\n"
    "json.loads(out.getvalue())\n"
    f"print(json.dumps([code, [m for m in {HEAVY!r} if m in sys.modules]]))\n"
)


def _run(env) -> tuple[int, list[str]]:
    done = subprocess.run([sys.executable, "-c", CODE], capture_output=True, text=True,
                          env=env, check=True)  # fmt: skip
    code, loaded = json.loads(done.stdout.strip().splitlines()[-1])
    return code, loaded


def test_a_cached_report_imports_nothing_heavy(advisor_home) -> None:
    env = {**os.environ, "ADVISOR_HOME": str(advisor_home)}
    code, first = _run(env)  # fills the estimate cache: the estimator needs gguf (numpy)
    assert code == 0 and "textual" not in first and "llama_cpp" not in first
    code, second = _run(env)
    assert code == 0 and second == []


TEAM_CODE = (
    "import io, contextlib, sys, json; from advisor.cli import main\n"
    "out = io.StringIO()\n"
    "with contextlib.redirect_stdout(out):\n"
    "    code = main(['report', '--profile', 'rtx-4090-desktop'])\n"
    "print(json.dumps([code, sorted(m for m in sys.modules if m.startswith('advisor.team')\n"
    "                                or m == 'advisor.report.team_view')]))\n"
)


def test_a_report_without_team_plans_loads_no_team_code(advisor_home) -> None:
    """The shared-server planner (advisor.team) and the team part of the typed report load only
    when --team asks for plans: the staleness warnings imported them on every report."""
    env = {**os.environ, "ADVISOR_HOME": str(advisor_home)}
    done = subprocess.run([sys.executable, "-c", TEAM_CODE], capture_output=True, text=True,
                          env=env, check=True)  # fmt: skip
    assert json.loads(done.stdout.strip().splitlines()[-1]) == [0, []]
