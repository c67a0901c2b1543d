"""Runs `advisor bench` in a child process for the app, so llama.cpp never shares its terminal.

llama.cpp writes to the stderr file descriptor, which is where Textual draws the screen, and a
failed native assert ends the whole process. In a child process neither can touch the app. The
child stores its result like any `advisor bench` run; its `--json` output comes back here as a
Measurement. Stopping sends it SIGINT, which keeps the repetitions already finished; on Linux the
signal waits until the child no longer ignores it (see ignores_sigint).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from advisor.bench.measurement import Measurement
from advisor.bench.run.stop_signal import STOP_BY_SIGINT
from advisor.errors import AdvisorError, BenchError, ExitCode, MissingDependencyError

DEFAULT_BUDGET_S = 30.0
TICK_S = 0.25


@dataclass(frozen=True)
class BenchRequest:
    """Which file to test and, when scan identified it, which catalog model and quant it is."""

    path: Path
    model_id: str | None = None
    quant: str | None = None
    budget_s: float = DEFAULT_BUDGET_S
    catalog_path: Path | None = None

    def command(self) -> list[str]:
        # The app's test keeps to its budget: the kernel-path probes (about a minute more,
        # with no progress to show here) are left to `advisor bench` on the command line.
        args = [sys.executable, "-m", "advisor", "bench", str(self.path), "--json"]
        args += ["--budget", f"{self.budget_s:g}", "--no-probes"]
        if self.model_id and self.quant:
            args += ["--model", self.model_id, "--quant", self.quant]
        if self.catalog_path is not None:
            args += ["--catalog", str(self.catalog_path)]
        return args


def _error_from(stderr: str, code: int) -> AdvisorError:
    """The child's `error:` and `hint:` lines as the error of the same kind."""
    lines = stderr.splitlines()
    message = next((ln[7:] for ln in reversed(lines) if ln.startswith("error: ")), None)
    hint = next((ln[6:] for ln in reversed(lines) if ln.startswith("hint: ")), None)
    message = message or f"advisor bench stopped with exit code {code}"
    if code == ExitCode.MISSING_DEPENDENCY:
        return MissingDependencyError(message, hint=hint)
    return BenchError(message, hint=hint)


def ignores_sigint(pid: int) -> bool:
    """Whether process `pid` ignores SIGINT now (Linux: its SigIgn mask in /proc; elsewhere,
    or once it has gone, False). A child started by an app that ignores SIGINT (launched in
    the background or under nohup) ignores it too until its first line takes it as Ctrl-C
    (bench/run/stop_signal.py): a Stop sent before then would be lost, so it waits for that."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    for line in status.splitlines():
        if line.startswith("SigIgn:"):
            return bool(int(line.split()[1], 16) >> (signal.SIGINT - 1) & 1)
    return False


def _measurement(stdout: str) -> Measurement:
    from advisor.bench.store.codec import measurement_from_dict

    data = json.loads(stdout)
    data.pop("id", None)
    return measurement_from_dict(data)


def run_bench_process(
    request: BenchRequest,
    stop: threading.Event,
    on_tick: Callable[[float], None],
) -> Measurement | None:
    """Run the test; `on_tick(elapsed_s)` while it runs. None when stopped before any result."""
    child = subprocess.Popen(
        request.command(),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # the terminal's Ctrl-C belongs to the app, not to the test
        env={**os.environ, "NO_COLOR": "1", STOP_BY_SIGINT: "1"},
    )
    output: dict[str, str] = {}

    def read() -> None:
        output["out"], output["err"] = child.communicate()

    reader = threading.Thread(target=read)
    reader.start()
    started = time.monotonic()
    interrupted = False
    while reader.is_alive():
        if stop.is_set() and not interrupted and not ignores_sigint(child.pid):
            child.send_signal(signal.SIGINT)
            interrupted = True
        on_tick(time.monotonic() - started)
        reader.join(TICK_S)
    code = child.returncode
    if code == ExitCode.OK or (code == ExitCode.INTERRUPTED and output.get("out", "").strip()):
        return _measurement(output["out"])
    if interrupted:
        return None
    raise _error_from(output.get("err", ""), code)
