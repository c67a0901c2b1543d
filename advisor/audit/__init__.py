"""Fleet audits: many reports judged again with today's catalog and prices, summed up.

Public API: advisor.audit.audit.run_audit(paths, catalog, AuditSettings(...)) -> FleetAudit
(advisor.audit.fleet), rendered by advisor.commands.audit.render(audit, format) or the
modules of advisor/audit/render/. Nothing here imports Textual; the view lives in
advisor/tui/audit/.
"""
