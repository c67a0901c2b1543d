"""The report: the versioned JSON document, its JSON Schema, and markdown and text renderings."""

# 2: the `team` plans and workloads' peak_factor; each verdict's rule and remedy, break-even
# path, check margins, idle power and hours, `not_viable`, the workload's `cloud`; plan limits
# in vendor units, score scales and the cold first call (`cloud.basis`, `first_token_call`).
SCHEMA_VERSION = 2
REPORT_KIND = "advisor-report"
