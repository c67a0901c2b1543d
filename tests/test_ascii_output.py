"""A terminal that cannot show Unicode gets ASCII, not a UnicodeEncodeError (issue 17, "Non-UTF-8
stdout"): PYTHONIOENCODING=ascii, or a C locale with UTF-8 mode off."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from advisor.cli import main

PROFILE = ["--profile", "rtx-4090-desktop"]
ENVIRONMENTS = {
    "ascii": {"PYTHONIOENCODING": "ascii"},
    "c-locale": {"LC_ALL": "C", "LANG": "C", "PYTHONUTF8": "0", "PYTHONCOERCECLOCALE": "0"},
}


def _advisor(argv: list[str], home: Path, extra: dict[str, str]) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHONIO", "LC_", "LANG"))}
    env.update(ADVISOR_HOME=str(home), **extra)
    code = "import sys; from advisor.cli import main; sys.exit(main())"
    return subprocess.run(
        [sys.executable, "-c", code, *argv], capture_output=True, env=env, timeout=300
    )


@pytest.mark.parametrize("where", ENVIRONMENTS, ids=list(ENVIRONMENTS))
def test_report_models_and_audit_print_ascii(tmp_path: Path, advisor_home: Path, where) -> None:
    report = tmp_path / "report.json"
    assert main([*PROFILE, "report", "--json", "-o", str(report)]) == 0
    for argv in (["report", *PROFILE], ["models", *PROFILE], ["audit", str(report)]):
        done = _advisor(argv, advisor_home, ENVIRONMENTS[where])
        assert done.returncode == 0, done.stderr.decode(errors="replace")
        assert b"UnicodeEncodeError" not in done.stderr
        done.stdout.decode("ascii")  # nothing but ASCII
        assert len(done.stdout.splitlines()) > 3


def test_degraded_text_keeps_its_meaning(monkeypatch, capsys) -> None:
    """In-process: the handler maps advisor's own symbols to their ASCII spelling."""
    from advisor.console import fit_streams, out

    stream = io.TextIOWrapper(io.BytesIO(), encoding="ascii")
    monkeypatch.setattr(sys, "stdout", stream)
    fit_streams()
    out("RTX \u00b7 chat \u2026 8 \u2192 16 \u00b1 2 \u2248 caf\u00e9 \u4e2d")
    stream.flush()
    assert stream.buffer.getvalue() == b"RTX - chat ... 8 -> 16 +/- 2 ~ cafe ?\n"
