"""Report tests: the real catalog and reference profiles, and a switch to regenerate goldens.

Regenerate golden files deliberately with `ADVISOR_REGEN_GOLDEN=1 pytest tests/report` (or
`pytest tests/report --regen-golden`); then review the diff before committing it.
"""

from __future__ import annotations

import os

import pytest

from advisor.catalog import load_catalog


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--regen-golden",
        action="store_true",
        default=False,
        help="rewrite tests/report/golden/* and the shipped report schema from current output",
    )


@pytest.fixture(scope="session")
def regen(request: pytest.FixtureRequest) -> bool:
    return bool(
        request.config.getoption("--regen-golden") or os.environ.get("ADVISOR_REGEN_GOLDEN")
    )


@pytest.fixture(scope="session")
def catalog():
    return load_catalog(overlay=False)
