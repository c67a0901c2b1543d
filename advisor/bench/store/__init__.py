"""The bench store: measurements in SQLite and as JSON-ready dicts."""
