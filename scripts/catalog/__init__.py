"""Build scripts for models.yaml: `python -m scripts.catalog.build` (see docs/catalog.md)."""
