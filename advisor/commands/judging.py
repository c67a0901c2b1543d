"""Options that change how models and plans are judged, shared by `advisor --json`, `report`,
`audit`, `models` and the app: --plan-limit, --quality and --min-quality, and what they do.

One parser each (advisor.catalog.plan_limits, advisor.catalog.quality_assumed); the config
file's `prices.plan_limits` go through the same parser, and a flag for the same plan wins.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from advisor.argtypes import real

if TYPE_CHECKING:
    from advisor.catalog.model import Catalog
    from advisor.config import Config
    from advisor.workload import Workload

MIN_QUALITY_FLAG = "--min-quality"


def add_plan_limit_option(parser: argparse.ArgumentParser, *, suppress: bool) -> None:
    parser.add_argument(
        "--plan-limit",
        action="append",
        metavar="PLAN=N/UNIT",
        dest="plan_limits",
        default=argparse.SUPPRESS if suppress else None,
        help="your assumed limit for a plan whose vendor publishes none (Google AI Pro/Ultra, "
        "ChatGPT Go, ...): N prompts per day, 5h (two windows a working day) or week, e.g. "
        "google-ai-pro=50/5h; printed as your assumption; repeat for several (the config's "
        "prices.plan_limits takes the same form)",
    )


def add_quality_options(
    parser: argparse.ArgumentParser, *, suppress: bool, floor: bool = True
) -> None:
    """--quality MODEL=SCORE, and (`floor`) --min-quality PCT."""
    default = argparse.SUPPRESS if suppress else None
    parser.add_argument(
        "--quality",
        action="append",
        metavar="MODEL=SCORE",
        dest="assumed_quality",
        default=default,
        help="your own score for a model the index has none for (Mistral 7B, Qwen2.5, a GGUF "
        "file's model id, ...), on the intelligence index the catalog's scores are on: it is "
        "judged with that score, printed as your assumption; repeat for several",
    )
    if floor:
        parser.add_argument(
            MIN_QUALITY_FLAG,
            type=real(0, 100),
            metavar="PCT",
            dest="min_quality",
            default=default,
            help="your quality floor for every workload, in %% of the frontier's score on its "
            "task, in place of the preset's; the only floor a model with no score is judged "
            "against: 0 means any quality will do (a workload file's min_quality_pct says the "
            "same for that workload)",
        )


def judged_catalog(catalog: Catalog, args: argparse.Namespace, config: Config | None) -> Catalog:
    """The catalog with the plan limits (config, then flags) and scores the user assumes."""
    from advisor.catalog.plan_limits import merged, parse_plan_limit, with_plan_limits
    from advisor.catalog.quality_assumed import parse_quality, with_assumed_quality
    from advisor.config import plan_limits

    flags = [parse_plan_limit(t) for t in getattr(args, "plan_limits", None) or ()]
    limits = merged(plan_limits(config) if config is not None else [], flags)
    catalog = with_plan_limits(catalog, limits)
    scores = [parse_quality(t) for t in getattr(args, "assumed_quality", None) or ()]
    return with_assumed_quality(catalog, scores)


def judged_workloads(
    workloads: tuple[Workload, ...], args: argparse.Namespace
) -> tuple[Workload, ...]:
    """The workloads judged against --min-quality, when it is given."""
    from advisor.workload import with_user_floor

    floor = user_floor(args)
    if floor is None:
        return workloads
    return tuple(with_user_floor(w, *floor) for w in workloads)


def user_floor(args: argparse.Namespace) -> tuple[float, str] | None:
    """--min-quality PCT as (PCT, the words that name it), or None when it is not given."""
    pct = getattr(args, "min_quality", None)
    return None if pct is None else (pct, f"{MIN_QUALITY_FLAG} {pct:g}")
