"""`advisor catalog update FILE|URL [--dry-run] [--force]` and `advisor catalog update --revert`."""

from __future__ import annotations

import argparse

from advisor.console import note, out
from advisor.errors import UsageError


def run_update(args: argparse.Namespace) -> int:
    from advisor.catalog import load_catalog
    from advisor.catalog import update as updates

    if args.revert:
        if args.source:
            raise UsageError("--revert takes no FILE or URL")
        now = updates.revert()
        out(f"reverted: {now} is in use (catalog {load_catalog(overlay=False).catalog_version})")
        return 0
    if not args.source:
        raise UsageError("give the newer catalog's FILE or URL (or --revert)")
    content, name = updates.fetch(args.source)
    new = updates.validated(content, name)  # CatalogProblems (exit 3): nothing applied
    current = load_catalog(overlay=False)
    change = updates.diff(current, new)
    for line in change.lines():
        out(line)
    if updates.version_key(new.catalog_version) <= updates.version_key(current.catalog_version):
        if new.catalog_version == current.catalog_version and not args.force:
            note(f"catalog {new.catalog_version} is already in use: nothing applied")
            return 0
        if not args.force:
            raise UsageError(
                f"{name} holds catalog {new.catalog_version}, older than the one in use "
                f"({current.catalog_version}): nothing applied",
                hint="--force applies it anyway",
            )
    if args.dry_run:
        note("--dry-run: nothing applied")
        return 0
    target = updates.apply(content)
    note(f"applied: {target} (the shipped catalog is unchanged; `advisor catalog update "
         "--revert` undoes this)")  # fmt: skip
    return 0
