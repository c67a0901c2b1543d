"""The disk caches are keyed by the code they depend on (advisor.files.disk_cache.source_stamp):
every source a cache names must exist, or editing that code would not invalidate it (a module
turned into a package, estimate/calibration.py into estimate/calibration/, is the usual way)."""

from __future__ import annotations

import pytest

from advisor.audit import cache as audit_cache
from advisor.estimate import cache as estimate_cache
from advisor.files.disk_cache import PACKAGE


@pytest.mark.parametrize(
    ("name", "sources"),
    [("audit", audit_cache._SOURCES), ("estimate", estimate_cache.SOURCES)],
    ids=("audit", "estimate"),
)
def test_every_source_a_cache_names_exists(name: str, sources: tuple[str, ...]) -> None:
    missing = [source for source in sources if not (PACKAGE / source).exists()]
    assert not missing, f"the {name} cache names sources that do not exist: {missing}"
