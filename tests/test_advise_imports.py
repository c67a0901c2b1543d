"""What advise() leaves unimported. A warm `advisor --json` answers without the speed model:
the search imports the prefill floor's physics (advisor.estimate.speed, ~50 ms of imports) only
when it asks for a floor, and a report's search over cached estimates asks for none (nor does
a report read back whole: advisor.advice_cache). A first report on a machine with no stored
throughput tests imports no bench code, the remedy search's changed machines included
(advisor.bench.calibrate, ~30-75 ms of imports, only to find nothing to calibrate with)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

SPEED = ("advisor.estimate.speed.model", "advisor.estimate.speed.floor",
         "advisor.estimate.assemble", "advisor.bench.calibrate.from_store")  # fmt: skip
CLI = (
    "import io, contextlib, sys, json; from advisor.cli import main\n"
    "out = io.StringIO()\n"
    "with contextlib.redirect_stdout(out):\n"
    "    code = main(sys.argv[1:])\n"
    f"print(json.dumps([code, [m for m in {SPEED!r} if m in sys.modules]]))\n"
)


def _run(args: list[str], home: Path) -> tuple[int, list[str]]:
    env = {**os.environ, "ADVISOR_HOME": str(home), "HOME": str(home)}
    done = subprocess.run([sys.executable, "-c", CLI, *args], capture_output=True, text=True,
                          env=env, check=True, timeout=600)  # fmt: skip
    status, loaded = json.loads(done.stdout.strip().splitlines()[-1])
    return status, loaded


def test_a_warm_report_imports_no_speed_model(tmp_path: Path) -> None:
    args = ["--json", "--profile", "rtx-4090-desktop"]
    status, loaded = _run(args, tmp_path)  # fills the caches: it estimates
    assert status == 0 and "advisor.estimate.speed.model" in loaded
    assert _run(args, tmp_path) == (0, [])


def test_a_first_report_with_remedies_and_no_stored_runs_imports_no_bench_code(
    tmp_path: Path,
) -> None:
    args = ["--json", "--profile", "office-laptop-16gb"]  # cloud verdicts: remedies searched
    status, loaded = _run(args, tmp_path)
    assert status == 0 and "advisor.estimate.speed.model" in loaded
    assert "advisor.bench.calibrate.from_store" not in loaded
