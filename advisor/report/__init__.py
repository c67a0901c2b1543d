"""The report: the versioned JSON document, its JSON Schema, and markdown and text renderings."""

SCHEMA_VERSION = 2  # 2: `team` plans, peak_factor, plan limits in vendor units, index scales
REPORT_KIND = "advisor-report"
