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

    catalog, workloads, config = None, None, None
    judging = ("extra_models", "plan_limits", "assumed_quality")
    if any(getattr(args, name, None) for name in judging):
        # read before the app opens: errors print plainly
        from advisor.catalog import load_catalog
        from advisor.commands.judging import judged_catalog
        from advisor.commands.models import with_user_models
        from advisor.config import load_config

        config = load_config()
        catalog = with_user_models(load_catalog(getattr(args, "catalog", None)), args)
        catalog = judged_catalog(catalog, args, config)
    if getattr(args, "min_quality", None) is not None:
        from advisor.commands.judging import judged_workloads
        from advisor.config import load_config
        from advisor.workload import load_workloads

        config = config or load_config()
        workloads = judged_workloads(load_workloads(config.defaults.workloads), args)
    app = make_app(
        profile=getattr(args, "profile", None),
        profiles_dir=getattr(args, "profiles_dir", None),
        catalog=catalog,
        workloads=workloads,
        config=config,
        catalog_path=getattr(args, "catalog", None),
        ram_gb=getattr(args, "ram", None),
        vram_gb=getattr(args, "vram", None),
    )
    app.run()
    return app.return_code or 0
