"""A machine's throughput tests travel in its (anonymized) report and the audit judges it on
them, not on the auditing machine's own bench store."""

from __future__ import annotations

import json

import pytest
from audit_kit import as_machine, write

from advisor.advice_options import AdviceOptions
from advisor.advise import advise
from advisor.audit.audit import AuditSettings, run_audit
from advisor.bench.store.db import BenchStore
from advisor.paths import user_data_dir
from advisor.probe import load_profile
from advisor.report.document import build_document
from advisor.workload import load_workloads
from tests.measurement_kit import gpu_measurement


def test_the_audit_uses_the_measurements_in_the_report(tmp_path, catalog, workloads) -> None:
    machine = load_profile("rtx-3090-desktop")
    # Support bot: a workload whose pick stays the measured file once the measurement
    # calibrates its neighbours too (chat's Q5_K_M and Q6_K are 0.01 USD apart).
    chat = list(load_workloads(["support-bot"]))
    first = advise(machine, catalog, chat, AdviceOptions(cache=False)).verdicts[0]
    picked = first.option.candidate
    with BenchStore() as store:
        store.add(gpu_measurement(machine, picked.model_id, picked.quant, 31.0, 1100.0))
    advice = advise(machine, catalog, chat, AdviceOptions(cache=False))
    doc = json.loads(json.dumps(build_document(advice, anonymize=True)))
    assert len(doc["measurements"]) == 1
    (user_data_dir() / "bench.sqlite").unlink()  # the auditing machine has no tests of its own
    write(tmp_path / "fleet", "measured.json", as_machine(doc, 1))
    bare = dict(as_machine(doc, 2), measurements=[])
    write(tmp_path / "fleet", "bare.json", bare)
    audit = run_audit([str(tmp_path / "fleet")], catalog, AuditSettings(upgrades=False, jobs=1))
    picks = {m.origin.rsplit("/", 1)[-1]: m.outcomes[0].pick for m in audit.machines}
    assert picks["measured.json"].speed_status == "measured"
    assert picks["measured.json"].prefill_tokens_per_s == pytest.approx(1100.0)
    assert picks["bare.json"].speed_status == "estimated"
    assert audit.configurations == 2  # same hardware, different measurements
