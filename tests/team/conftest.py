"""Team tests: the real catalog and reference profiles."""

from __future__ import annotations

import pytest

from advisor.catalog import load_catalog


@pytest.fixture(scope="session")
def catalog():
    return load_catalog(overlay=False)
