"""Shared test setup: every test gets its own user dirs, so nothing touches the real ones."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent

_APPROX = getattr(pytest.approx, "__wrapped__", pytest.approx)  # conftest may load twice


def _approx_with_a_tolerance_that_counts(expected: Any, *args: Any, **kwargs: Any) -> Any:
    """pytest.approx, refusing a comparison that would pass whatever the value.

    Its default absolute tolerance is 1e-12, so `approx(3.4e-14)` accepts anything from -1e-12
    to 1e-12: a seconds-per-FLOP coefficient compared that way is not tested at all. Such a
    value must say its tolerance (`abs=0` with `rel=`, or an `abs` it means)."""
    tiny = isinstance(expected, (int, float)) and not isinstance(expected, bool)
    if tiny and 0 < abs(expected) < 1e-6 and "abs" not in kwargs:
        raise AssertionError(
            f"pytest.approx({expected!r}) without abs=: its default abs=1e-12 is at least "
            f"{1e-12 / abs(expected):.0e} of the value; give abs=0 and a rel= tolerance"
        )
    return _APPROX(expected, *args, **kwargs)


_approx_with_a_tolerance_that_counts.__wrapped__ = _APPROX  # type: ignore[attr-defined]
pytest.approx = _approx_with_a_tolerance_that_counts


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
