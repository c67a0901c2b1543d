"""The disk caches are keyed by the code they depend on (advisor.files.cache_files.source_stamp):
every source a cache names must exist, or editing that code would not invalidate it (a module
turned into a package, estimate/calibration.py into estimate/calibration/, is the usual way)."""

from __future__ import annotations

import pytest

from advisor.audit import cache as audit_cache
from advisor.estimate import cache as estimate_cache
from advisor.files.cache_files import PACKAGE


@pytest.mark.parametrize("module", [audit_cache, estimate_cache], ids=lambda m: m.__name__)
def test_every_source_a_cache_names_exists(module) -> None:
    missing = [name for name in module._SOURCES if not (PACKAGE / name).exists()]
    assert not missing, f"{module.__name__} names sources that do not exist: {missing}"
