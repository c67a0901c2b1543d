"""Bare `advisor`: opens the interactive app on this machine, or on --profile's machine."""

from __future__ import annotations

import argparse
import sys

from advisor.errors import UsageError


def run(args: argparse.Namespace) -> int:
    """Build the app from the top-level options and run it until the user quits."""
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise UsageError(
            "the interactive app needs a terminal",
            hint="in scripts use `advisor --json` (the full report) or `advisor report`",
        )
    from advisor.tui.app import make_app

    catalog = None
    if getattr(args, "extra_models", None):  # read before the app opens: errors print plainly
        from advisor.catalog import load_catalog
        from advisor.commands.models import with_user_models

        catalog = with_user_models(load_catalog(getattr(args, "catalog", None)), args)
    app = make_app(
        profile=getattr(args, "profile", None),
        profiles_dir=getattr(args, "profiles_dir", None),
        catalog=catalog,
        catalog_path=getattr(args, "catalog", None),
        ram_gb=getattr(args, "ram", None),
        vram_gb=getattr(args, "vram", None),
    )
    app.run()
    return app.return_code or 0
