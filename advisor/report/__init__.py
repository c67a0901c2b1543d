"""The report: the versioned JSON document, its JSON Schema, and markdown and text renderings."""

# 2: the `team` plans and workloads' peak_factor; each verdict's rule and remedy, break-even
# path, check margins, idle power and hours, `not_viable`, the workload's `cloud`; plan limits
# in vendor units, score scales and the cold first call (`cloud.basis`, `first_token_call`).
# 3: the workload's min_quality_pct and min_quality_from (the user's own quality floor), and
# candidates of quality unknown (a model with no published score: quality_index null).
# 4: machine.cpu.memory_bandwidth_measured_on, the copy test's date as its own field.
SCHEMA_VERSION = 4
REPORT_KIND = "advisor-report"
