"""Shared test setup: every test gets its own user dirs, so nothing touches the real ones."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _isolated_user_dirs(tmp_path_factory: pytest.TempPathFactory, monkeypatch) -> Path:
    home = tmp_path_factory.mktemp("advisor-home")
    monkeypatch.setenv("ADVISOR_HOME", str(home))
    return home


@pytest.fixture(autouse=True)
def _virtual_bench_clock(monkeypatch) -> None:
    """`advisor bench` run in-process keeps its budget on a clock that moves 1 ms a reading:
    its runs end on --runs, never on how busy the machine is."""
    from advisor.commands import bench
    from tests.clocks import TickClock

    monkeypatch.setattr(bench, "clock", TickClock())


@pytest.fixture
def advisor_home(_isolated_user_dirs: Path) -> Path:
    """The per-test ADVISOR_HOME (data/, config/ and cache/ live under it)."""
    return _isolated_user_dirs


@pytest.fixture
def validations(monkeypatch: pytest.MonkeyPatch) -> list[type]:
    """The classes validated with pydantic during the test (a sealed file validates none)."""
    from advisor.files import strict

    seen: list[type] = []
    real = strict.validate

    def counting(cls: type, data: Any) -> Any:
        seen.append(cls)
        return real(cls, data)

    monkeypatch.setattr(strict, "validate", counting)
    return seen
