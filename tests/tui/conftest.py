"""Fixtures for the TUI tests: a reference profile machine, never the live probe."""

from __future__ import annotations

import pytest

from advisor.probe import load_profile
from advisor.probe.machine import Machine

REFERENCE_PROFILE = "rtx-4090-desktop"  # the machine of DESIGN.md's profile example


@pytest.fixture(scope="session")
def reference_machine() -> Machine:
    return load_profile(REFERENCE_PROFILE)
