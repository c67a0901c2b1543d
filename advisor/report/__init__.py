"""The report: the versioned JSON document, its JSON Schema, and markdown and text renderings."""

SCHEMA_VERSION = 2
REPORT_KIND = "advisor-report"
