"""Reading people's files and keeping what they gave: the lowest layer, imported by every stage.

regular: regular files only, read up to a cap; docload: YAML and JSON with limits; yamlpos:
where a key sits in a YAML file; yamldoc: a top-level mapping and its validation errors;
strict: strict validation of frozen dataclasses; locks: one user file's read-change-write;
disk_cache: every on-disk cache (validated files, estimates, audit verdicts), one rule for all.
"""
