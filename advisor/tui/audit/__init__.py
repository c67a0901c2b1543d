"""The audit view (`advisor audit --tui`): a fleet audit in tabs, built by make_audit_app."""
