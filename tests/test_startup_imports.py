"""The warm paths import neither pydantic nor PyYAML: once the catalog, workloads, profile and
estimates sit in the user cache, `advisor report`, `advisor models`, `advisor --json` on this
machine (live probe) and the TUI's start parse and validate nothing (issue 7: advisor --json no
slower than llmfit). The first run fills the caches and may import anything."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

PARSERS = ("pydantic", "pydantic_core", "yaml")
CLI = (
    "import io, contextlib, sys, json; from advisor.cli import main\n"
    "out = io.StringIO()\n"
    "with contextlib.redirect_stdout(out):\n"
    "    code = main(sys.argv[1:])\n"
    f"print(json.dumps([code, [m for m in {PARSERS!r} if m in sys.modules]]))\n"
)


# Where a scan looks for model files: pointed at an empty home, so the TUI's scan finds none
# (reading a GGUF header needs the gguf package, which imports PyYAML).
_MODEL_DIRS = ("HF_HOME", "HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE", "XDG_CACHE_HOME",
               "OLLAMA_MODELS", "LLAMA_CACHE", "LOCALAPPDATA")  # fmt: skip


def _run(code: str, args: list[str], home: Path) -> tuple[int, list[str]]:
    env = {k: v for k, v in os.environ.items() if k not in _MODEL_DIRS}
    env.update(ADVISOR_HOME=str(home), HOME=str(home), TEXTUAL_ANIMATIONS="none")
    done = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                          env=env, check=True, timeout=600)  # fmt: skip
    status, loaded = json.loads(done.stdout.strip().splitlines()[-1])
    return status, loaded


@pytest.fixture(scope="module")
def warm_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A user home whose caches one run of `advisor --json --profile rtx-4090-desktop` filled."""
    home = tmp_path_factory.mktemp("warm-home")
    assert _run(CLI, ["--json", "--profile", "rtx-4090-desktop"], home)[0] == 0
    return home


@pytest.mark.parametrize(
    "args",
    [
        ["report", "--profile", "rtx-4090-desktop"],
        ["report", "--format", "markdown", "--profile", "rtx-4090-desktop"],
        ["models", "--profile", "rtx-4090-desktop"],
        ["models", "--json", "--task", "coding", "--profile", "rtx-4090-desktop"],
    ],
)
def test_a_warm_command_parses_nothing(warm_home: Path, args: list[str]) -> None:
    assert _run(CLI, args, warm_home) == (0, [])


def test_a_warm_report_on_this_machine_parses_nothing(tmp_path: Path) -> None:
    """The live probe names the machine by its fingerprint without the profile schema."""
    assert _run(CLI, ["--json"], tmp_path)[0] == 0  # fills the caches, measures bandwidth
    assert _run(CLI, ["--json"], tmp_path) == (0, [])


def test_the_contract_classes_import_without_pydantic(tmp_path: Path) -> None:
    code = (
        "import sys, json\n"
        "import advisor.catalog, advisor.workload, advisor.config, advisor.probe.live.probe\n"
        "import advisor.probe.profiles.serialize, advisor.probe.bandwidth.fill\n"
        "import advisor.probe.profiles.load\n"
        f"print(json.dumps([0, [m for m in {PARSERS!r} if m in sys.modules]]))\n"
    )
    assert _run(code, [], tmp_path) == (0, [])


TUI = (
    "import asyncio, json, sys\n"
    "from advisor.tui.app import make_app\n"
    "app = make_app(profile='rtx-4090-desktop')\n"
    "async def until_loaded(pilot):\n"
    "    await asyncio.wait_for(app.loaded.wait(), timeout=600)\n"
    "    app.exit()\n"
    "app.run(headless=True, size=(120, 40), auto_pilot=until_loaded)\n"
    f"print(json.dumps([0, [m for m in {PARSERS!r} if m in sys.modules]]))\n"
)


def test_the_tui_start_parses_nothing_once_warm(warm_home: Path) -> None:
    """Every stage of the app's start (machine, catalog, workloads, scan, ranking, advice)."""
    assert _run(TUI, [], warm_home) == (0, [])


# Imports only some runs need: numpy (the copy test used it), statistics (with decimal,
# fractions and random: stored runs' medians; estimate/speed/cpu_clocks.py takes its family
# median without it), platform (os.uname answers the probe).
RARE = ("numpy", "statistics", "platform")
CLI_RARE = CLI.replace(repr(PARSERS), repr(PARSERS + RARE))


def test_a_first_report_on_this_machine_reads_no_yaml_and_needs_no_numpy(tmp_path: Path) -> None:
    """The catalog and the workload presets come from their sealed compiled forms, and the
    copy test needs no numpy. (pydantic still loads on a first run: the remedy search builds
    its hypothetical GPU machines through the profile schema, probe/specs/upgrades.py.)"""
    status, loaded = _run(CLI_RARE, ["--json"], tmp_path)
    assert status == 0 and not set(loaded) & {"yaml", "numpy"}, loaded


def test_a_warm_report_skips_what_only_some_runs_need(tmp_path: Path) -> None:
    assert _run(CLI, ["--json"], tmp_path)[0] == 0
    assert _run(CLI_RARE, ["--json"], tmp_path) == (0, [])
