"""Audit test fixtures: the shipped catalog, real reports of reference profiles, and one
audit of a small synthetic fleet that the format tests share."""

from __future__ import annotations

import pytest
from audit_kit import FLEET_COUNTS, PROFILES, WORKLOADS, report, write_fleet

from advisor.audit.audit import AuditSettings, run_audit
from advisor.catalog import load_catalog
from advisor.workload import load_workloads


@pytest.fixture(scope="session")
def catalog():
    return load_catalog(overlay=False)


@pytest.fixture(scope="session")
def workloads():
    return load_workloads(list(WORKLOADS))


@pytest.fixture(scope="session")
def docs(catalog, workloads) -> dict[str, dict]:
    """Profile name -> its anonymized report (built once per test session)."""
    return {profile: report(profile, catalog, workloads) for profile in PROFILES}


@pytest.fixture(scope="session")
def fleet_dir(tmp_path_factory, docs):
    folder = tmp_path_factory.mktemp("fleet")
    write_fleet(folder, docs, FLEET_COUNTS)
    return folder


@pytest.fixture(scope="session")
def fleet_audit(fleet_dir, catalog):
    return run_audit([str(fleet_dir)], catalog, AuditSettings(ram_usd_per_gb=3.0))
