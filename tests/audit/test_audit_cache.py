"""Verdicts kept between audits: a second audit of the same fleet judges nothing again and
says the same; another catalog, a broken cache file or --no-cache judge afresh."""

from __future__ import annotations

import dataclasses

from advisor.audit.audit import AuditSettings, run_audit
from advisor.audit.cache import OutcomeCache
from advisor.audit.render.json_doc import audit_document

CACHED = AuditSettings(cache=True, jobs=1)


def _doc(audit) -> dict:
    doc = audit_document(audit)
    doc.pop("generated_at")
    doc["reports"].pop("evaluations")
    return doc


def test_a_second_audit_judges_nothing_and_says_the_same(fleet_dir, catalog) -> None:
    first = run_audit([str(fleet_dir)], catalog, CACHED)
    second = run_audit([str(fleet_dir)], catalog, CACHED)
    assert first.evaluations > 0 and second.evaluations == 0
    assert _doc(second) == _doc(first)
    assert OutcomeCache(catalog).path.exists()


def test_another_catalog_is_judged_afresh(fleet_dir, catalog) -> None:
    run_audit([str(fleet_dir)], catalog, CACHED)
    cloud = catalog.cloud
    cheaper = dataclasses.replace(
        cloud,
        electricity=tuple(
            dataclasses.replace(e, usd_per_kwh=e.usd_per_kwh / 2) for e in cloud.electricity
        ),
    )
    other = dataclasses.replace(catalog, cloud=cheaper)
    assert OutcomeCache(other).path != OutcomeCache(catalog).path
    assert run_audit([str(fleet_dir)], other, CACHED).evaluations > 0


def test_a_broken_cache_file_is_ignored(fleet_dir, catalog) -> None:
    path = OutcomeCache(catalog).path
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"not a pickle")
    audit = run_audit([str(fleet_dir)], catalog, CACHED)
    assert audit.evaluations > 0 and len(audit.machines) == 8


def test_without_the_cache_nothing_is_kept(fleet_dir, catalog) -> None:
    run_audit([str(fleet_dir)], catalog, AuditSettings(cache=False, jobs=1))
    assert not OutcomeCache(catalog).path.exists()
