"""The report: the versioned JSON document, its JSON Schema, and markdown and text renderings."""

SCHEMA_VERSION = 2  # 2: the `team` plans and workloads' peak_factor
REPORT_KIND = "advisor-report"
