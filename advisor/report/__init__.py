"""The report: the versioned JSON document, its JSON Schema, and markdown and text renderings."""

SCHEMA_VERSION = 1
REPORT_KIND = "advisor-report"
