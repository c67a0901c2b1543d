"""A cache that cannot be written is a warning, never a failure: the command still answers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from advisor.cli import main
from advisor.errors import ExitCode


@pytest.mark.parametrize(
    "args",
    [
        ["probe", "--json"],
        ["models", "--json", "--limit", "1"],
        ["report", "--json", "--workload", "chat-assistant"],
    ],
)
def test_an_unwritable_cache_is_a_warning(args: list[str], advisor_home: Path, capsys) -> None:
    """No cached bandwidth and a cache folder that cannot be made (once exit 9, no output)."""
    (advisor_home / "cache").write_text("a file where the cache folder should be")
    assert main(args) == ExitCode.OK
    captured = capsys.readouterr()
    assert json.loads(captured.out)
    assert "warning: cannot write" in captured.err
    assert "the memory copy test will run again next time" in captured.err
