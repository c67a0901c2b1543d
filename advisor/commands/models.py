"""`advisor models`: the catalog ranked for this machine (or a profile) and a task."""

from __future__ import annotations

import argparse
import json

from advisor.argtypes import MAX_CONTEXT_TOKENS, real, whole
from advisor.commands.judging import add_quality_options
from advisor.commands.options import add_extra_models_option, add_json_option, add_machine_options
from advisor.console import out
from advisor.units import GIB

TASKS = ("chat", "coding", "reasoning", "vision", "tools")
HELP = "rank the models that fit this machine for a task"
DESCRIPTION = """\
Ranks catalog models by quality on the task (Artificial Analysis index, after the quant's
loss), discounted for slow decoding and thin memory headroom. For interactive use, as a
verdict picks its local option: models decoding at least as fast as the task's preset workload
asks (10 tokens/s for chat, 20 for coding) come first; slower ones follow, fastest first.
Only what fits is ranked; every model left out is listed with the reason. Speeds are
llama-bench tg128 (decode) and pp512 (prefill) estimates."""


def add_parser(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "models",
        help=HELP,
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--task", choices=TASKS, default="chat", help="what the model is for")
    parser.add_argument(
        "--min-tps",
        type=real(0, 1e6),
        metavar="N",
        help="leave out models decoding below N tokens/s",
    )
    parser.add_argument(
        "--context",
        type=whole(1, MAX_CONTEXT_TOKENS),
        default=8192,
        metavar="TOKENS",
        help="context to fit (8192)",
    )
    parser.add_argument(
        "--all-quants", action="store_true", help="list every quant that fits, not the best"
    )
    parser.add_argument(
        "--limit", type=whole(1, 100_000), metavar="N", help="show the first N only"
    )
    parser.add_argument(
        "--kv-type",
        default="f16",
        type=str.lower,
        metavar="TYPE",
        help="KV cache type: f16, q8_0, q4_0, ...",
    )
    add_json_option(parser)
    add_machine_options(parser, suppress=True)
    add_extra_models_option(parser, suppress=True)
    add_quality_options(parser, suppress=True, floor=False)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from advisor.catalog import load_catalog
    from advisor.errors import MissingDependencyError, UsageError
    from advisor.probe import resolve_machine

    try:
        from advisor.estimate import KV_TYPES, estimate
    except ImportError:
        estimate = None
    if not callable(estimate):  # the package exposes estimate() once the estimator is built
        raise MissingDependencyError("the memory estimator is not available in this build")
    if args.kv_type not in KV_TYPES:
        shown = args.kv_type if len(args.kv_type) <= 40 else args.kv_type[:37] + "..."
        raise UsageError(f"--kv-type {shown!r}: expected one of {', '.join(KV_TYPES)}")
    from functools import partial

    from advisor.bench.calibrate.from_store import load_calibration
    from advisor.estimate.rank import rank_models

    machine = resolve_machine(
        profile=getattr(args, "profile", None),
        profiles_dir=getattr(args, "profiles_dir", None),
        ram_gb=getattr(args, "ram", None),
        vram_gb=getattr(args, "vram", None),
    )
    catalog = with_user_models(load_catalog(getattr(args, "catalog", None)), args)
    from advisor.catalog.quality_assumed import parse_quality, with_assumed_quality

    scores = [parse_quality(t) for t in getattr(args, "assumed_quality", None) or ()]
    catalog = with_assumed_quality(catalog, scores)
    from advisor.verdict.choice import interactive_floor

    floor = interactive_floor(args.task)  # the rule a verdict picks its local option by
    ranking = rank_models(
        machine, catalog, task=args.task, context_tokens=args.context,
        min_decode_tokens_per_s=args.min_tps, all_quants=args.all_quants,
        kv_type=args.kv_type, estimator=partial(estimate, calibration=load_calibration(machine)),
        interactive_decode_tokens_per_s=floor[0] if floor else None,
    )  # fmt: skip
    _warn_stale(catalog, ranking, args.limit)
    if getattr(args, "json", False):
        out(json.dumps(ranking_to_dict(ranking, args.limit), indent=2))
    else:
        out(render_text(ranking, args.limit))
    return 0


def _warn_stale(catalog, ranking, limit: int | None) -> None:
    """A warning on stderr for each quality score shown that is older than MAX_AGE_DAYS."""
    from advisor import advise
    from advisor.console import warning
    from advisor.verdict.staleness import model_score_facts, report_date, stale

    shown = ranking.candidates[:limit] if limit else ranking.candidates
    today = report_date(advise.now_utc())  # the report's clock
    for fact in stale(model_score_facts(catalog, [c.model_id for c in shown]), today):
        warning(fact.message())


def with_user_models(catalog, args: argparse.Namespace):
    """The catalog with the models --model names (GGUF files, Hub repositories) added."""
    specs = getattr(args, "extra_models", None) or ()
    if not specs:
        return catalog
    from advisor.catalog.extra_models import with_extra_models
    from advisor.console import note

    return with_extra_models(catalog, specs, say=note)


def ranking_to_dict(ranking, limit: int | None = None) -> dict:
    """The ranking as plain JSON data (estimates summarised, not embedded)."""
    shown = ranking.candidates[:limit] if limit else ranking.candidates
    return {
        "machine": ranking.machine_name,
        "task": ranking.task,
        "context_tokens": ranking.context_tokens,
        "min_decode_tokens_per_s": ranking.min_decode_tokens_per_s,
        "all_quants": ranking.all_quants,
        "interactive_decode_tokens_per_s": ranking.interactive_decode_tokens_per_s,
        "candidates": [
            {
                "rank": i,
                "model_id": c.model_id,
                "name": c.model_name,
                "quant": c.quant,
                "placement": c.placement,
                "gpu_layers": c.gpu_layers,
                "quality_index": c.quality_index,
                "quality_metric": c.quality_metric,
                "quality_note": c.quality_text,
                "quality_source": c.quality_source,
                "quant_retention": round(c.quant_retention, 4),
                "quant_retention_basis": c.quant_retention_basis,
                "quality": None if c.quality is None else round(c.quality, 3),
                "quality_unknown": c.quality is None,
                "score": None if c.score is None else round(c.score, 3),
                "decode_tokens_per_s": round(c.decode_tokens_per_s, 2),
                "decode_range": [round(v, 2) for v in c.decode_range],
                "prefill_tokens_per_s": round(c.prefill_tokens_per_s, 1),
                "calibrated_from_runs": c.estimate.speed.calibrated_from_runs
                if c.estimate.speed
                else 0,
                "total_bytes": c.total_bytes,
                "headroom_fraction": None
                if c.headroom_fraction is None
                else round(c.headroom_fraction, 4),
            }
            for i, c in enumerate(shown, start=1)
        ],  # fmt: skip
        "excluded": [
            {"model_id": e.model_id, "name": e.model_name, "kind": e.kind, "reason": e.reason}
            for e in ranking.excluded
        ],
    }


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def render_text(ranking, limit: int | None = None) -> str:
    """A table that reads at 80 columns, then the models left out and why."""
    import textwrap  # here, not at the top: a report imports this module (with_user_models)

    from advisor.estimate.rank import task_metric, unknown_quality

    shown = ranking.candidates[:limit] if limit else ranking.candidates
    which = "every quant that fits" if ranking.all_quants else "best quant of each model"
    lines = [
        _cut(f"{ranking.machine_name} · {ranking.task} · {ranking.context_tokens} tokens "
             f"of context · {which}", 80),
        f"{'#':>3}  {'model':<27} {'quant':<7} {'where':<7} {'tok/s':>6} {'pp t/s':>7} "
        f"{'quality':>7} {'GiB':>5}",
    ]  # fmt: skip
    calibrated = 0
    for i, c in enumerate(shown, start=1):
        where = c.placement if c.placement != "partial" else f"{c.gpu_layers}L gpu"
        runs = c.estimate.speed.calibrated_from_runs if c.estimate.speed else 0
        calibrated += bool(runs)
        decode = f"{c.decode_tokens_per_s:>5.1f}*" if runs else f"{c.decode_tokens_per_s:>6.1f}"
        quality = "unknown" if c.quality is None else f"{c.quality:.1f}"
        lines.append(
            f"{i:>3}  {_cut(c.model_name, 27):<27} {c.quant:<7} {_cut(where, 7):<7} "
            f"{decode} {c.prefill_tokens_per_s:>7.0f} "
            f"{quality:>7} {c.total_bytes / GIB:>5.1f}"
        )
    if calibrated:
        lines.append("  * calibrated by this machine's throughput tests (advisor bench); the "
                     "other speeds are estimates")  # fmt: skip
    if not shown:
        lines.append("  nothing fits: see below")
    sources = sorted({c.quality_source for c in shown if c.quality_source})
    for source in sources:
        lines += textwrap.wrap(
            f"quality: the score on the {source}, after each quant's loss",
            80,
            subsequent_indent="      ",
        )
    if any(c.quality is None for c in shown):
        why = unknown_quality(task_metric(ranking.task)).removeprefix("quality unknown: ")
        lines += textwrap.wrap(
            f"quality 'unknown': {why}; ranked "
            "after the scored models as fast (for "
            "interactive use: those reaching the speed below, then the rest), fastest first. A "
            "report judges one only against a floor you give: --min-quality 0 (any quality "
            "will do) or --quality MODEL=SCORE (your estimate on the index)",
            80,
            subsequent_indent="      ",
        )
    floor = ranking.interactive_decode_tokens_per_s
    if floor is not None:
        lines += textwrap.wrap(
            f"ranked for interactive use, as a verdict picks: models decoding at least "
            f"{floor:g} tokens/s (what the {ranking.task} preset asks) first, by quality; the "
            "slower ones after, the fastest first",
            80,
        )
    if ranking.excluded:
        lines.append("")
        lines.append(f"left out ({len(ranking.excluded)}):")
        for e in ranking.excluded:
            lines += textwrap.wrap(f"{e.model_name}: {e.reason}", 80, initial_indent="  ",
                                   subsequent_indent="      ")  # fmt: skip
    return "\n".join(lines)
