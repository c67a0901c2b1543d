"""Worker processes judge exactly what one process judges."""

from __future__ import annotations

import advisor.audit.evaluate as evaluate
from advisor.audit.audit import AuditSettings, run_audit
from advisor.audit.render_json import audit_document


def _doc(audit) -> dict:
    doc = audit_document(audit)
    doc.pop("generated_at")
    return doc


def test_a_pool_of_workers_gives_the_same_audit(fleet_dir, catalog, monkeypatch) -> None:
    alone = run_audit([str(fleet_dir)], catalog, AuditSettings(jobs=1))
    monkeypatch.setattr(evaluate, "POOL_MIN_REQUESTS", 2)  # the test fleet has 4 configurations
    monkeypatch.setattr(evaluate, "WARM_UP_REQUESTS", 1)
    sent: list[int] = []
    real = evaluate.Evaluator._in_pool

    def in_pool(self, todo):
        sent.append(len(todo))
        return real(self, todo)

    monkeypatch.setattr(evaluate.Evaluator, "_in_pool", in_pool)
    pooled = run_audit([str(fleet_dir)], catalog, AuditSettings(jobs=2))
    assert sent and sent[0] == 3  # 4 configurations: one judged here first, three in workers
    assert pooled.evaluations == alone.evaluations
    assert _doc(pooled) == _doc(alone)
