"""Verdict test fixtures; the builders live in verdict_builders.py."""

from __future__ import annotations

import pytest
from verdict_builders import make_catalog

from advisor.catalog.model import Catalog


@pytest.fixture
def catalog() -> Catalog:
    return make_catalog()
