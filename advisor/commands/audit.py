"""`advisor audit PATH...`: a team's machines judged again from their reports, summed up.

Heavy imports happen inside run(), so `advisor --help` stays quick.
"""

from __future__ import annotations

import argparse
import sys

from advisor.argtypes import path_text, real, whole
from advisor.errors import ExitCode, UsageError

FORMATS = ("table", "csv", "json", "markdown", "html")

DESCRIPTION = """\
Read the reports of many machines (`advisor report --json --anonymize -o DIR/NAME.json` on
each), judge every machine again with the current catalog and prices, and say: per workload,
the share of machines where it runs well locally and with which model; per model, which
machines would run it and how fast; per machine, its best option; the fleet's monthly cost
today against the cost with local models where they are viable; and which upgrades (more RAM,
more GPU memory, a GPU) would make more workloads viable, priced where prices are known.

Reports that cannot be read (unreadable, truncated, not an advisor report, a newer schema, a
value of the wrong type or out of range) are listed with the reason and skipped; the audit
runs on the rest and exits with code 8. When two
reports share a machine id, the newest (generated_at) wins. Amounts are USD per month."""

EPILOG = """\
examples:
  advisor audit reports/                        every .json/.jsonl report under reports/
  advisor audit 'reports/**/*.json' --format html -o audit.html
  cat reports.jsonl | advisor audit - --format csv
  advisor audit reports/ --seats chatgpt-plus=120 --seats copilot-business=40
  advisor audit reports/ --seats chatgpt-business=40 --server h100-server
  advisor audit reports/ --min-quality 0        judge models with no published score too
  advisor audit reports/ --tui"""


def add_parser(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "audit",
        help="judge a fleet's reports again: coverage, savings, upgrades",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "paths",
        nargs="+",
        metavar="PATH",
        type=path_text,
        help="report files, folders (searched for .json/.jsonl files), globs, or - for JSON "
        "lines on stdin",
    )
    out = parser.add_argument_group("output")
    out.add_argument("--format", choices=FORMATS, default="table", help="default: table")
    out.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        type=path_text,
        help="write to FILE (atomically; never a file the command reads)",
    )
    out.add_argument("--tui", action="store_true", help="open the audit in the interactive app")
    judge = parser.add_argument_group("judging (override what the reports carry)")
    judge.add_argument(
        "--workload",
        action="append",
        dest="workloads",
        metavar="NAME|FILE",
        type=path_text,
        help="judge every machine on this workload (a preset name or a YAML file); repeat for "
        "several (default: the workloads each report carries)",
    )
    judge.add_argument(
        "--electricity-price",
        type=real(0, 100),
        metavar="USD_PER_KWH",
        help="every machine at this price",
    )
    judge.add_argument(
        "--region", metavar="R", help="every machine at this catalog region's electricity price"
    )
    judge.add_argument(
        "--catalog",
        metavar="FILE",
        type=path_text,
        default=argparse.SUPPRESS,
        help="use this models.yaml instead",
    )
    from advisor.commands.judging import add_plan_limit_option, add_quality_options

    add_plan_limit_option(judge, suppress=True)
    add_quality_options(judge, suppress=True)
    costs = parser.add_argument_group("costs and upgrades")
    costs.add_argument(
        "--seats",
        action="append",
        metavar="PLAN=COUNT",
        help="what the team pays today: COUNT seats of a catalog plan (chatgpt-plus, "
        "claude-team-standard, copilot-business, ...); repeat for several; replaces the config "
        "file's seats (default: the config's seats, else each workload's cheapest cloud path)",
    )
    costs.add_argument(
        "--ram-price",
        type=real(0, 1e6),
        metavar="USD_PER_GB",
        help="price RAM upgrades at this many USD per GB (default: price unknown)",
    )
    costs.add_argument(
        "--no-upgrades", action="store_true", help="skip the upgrade search (faster)"
    )
    costs.add_argument(
        "--server",
        action="append",
        dest="servers",
        metavar="PROFILE",
        type=path_text,
        help="plan a shared server for the fleet's interactive workloads on this server profile "
        "(one person per machine); repeat for several. With --seats and no --server, the "
        "shipped server profiles are tried: h100-server, dual-rtx-3090, "
        "mac-studio-m3-ultra-512gb",
    )
    costs.add_argument(
        "--server-price",
        action="append",
        dest="server_prices",
        metavar="PROFILE=USD",
        help="count this price (USD a server) for a shared server profile the audit plans, "
        "amortised over the hardware lifetime; PROFILE=list counts the profile's list price. "
        "Without one a server's hardware is excluded from its cost, and the section says so",
    )
    costs.add_argument(
        "--no-servers", action="store_true", help="no shared-server section, even with --seats"
    )
    parser.add_argument(
        "--no-cache",
        action="store_true",
        help="judge every configuration afresh and keep nothing for the next audit (by default "
        "verdicts are kept in the user cache folder, per catalog and advisor code)",
    )
    parser.add_argument(
        "--jobs",
        type=whole(1, 1024),
        metavar="N",
        help="worker processes for large audits (default: the cores available)",
    )
    parser.add_argument(
        "--config", metavar="FILE", type=path_text, help="use this config file instead"
    )
    parser.add_argument(
        "--progress",
        action="store_true",
        help="say on stderr what the audit is doing, with times (default: when stderr is a "
        "terminal)",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    _check(args)
    from advisor.audit.evaluate import default_jobs
    from advisor.audit.read import start_reading

    stdin = sys.stdin.buffer if "-" in args.paths else None
    # The workers start reading the reports first, and this process loads the config and
    # catalog (and imports what judging needs) beside them rather than alone before them.
    # A bad config or catalog is still the error given; the workers are stopped.
    with start_reading(args.paths, stdin, args.jobs or default_jobs()) as started:
        audit = _audit(args, stdin, started)
    from advisor.audit.audit import check_any_read
    from advisor.console import warning

    for skipped in audit.skipped:
        warning(f"skipped {skipped.origin}: {skipped.reason}")
    check_any_read(audit)
    if args.tui:
        _open_tui(audit)
    else:
        _emit(audit, args)
    return int(ExitCode.PARTIAL if audit.skipped else ExitCode.OK)


def _audit(args: argparse.Namespace, stdin, started):
    from advisor.audit.audit import run_audit
    from advisor.catalog import load_catalog
    from advisor.commands.judging import judged_catalog
    from advisor.config import load_config
    from advisor.console import note

    config = load_config(args.config)
    catalog = judged_catalog(load_catalog(getattr(args, "catalog", None)), args, config)
    settings = _settings(args, config, catalog)
    loud = args.progress or sys.stderr.isatty()
    return run_audit(args.paths, catalog, settings, stdin=stdin,
                     progress=_timed(note) if loud else None, started=started)  # fmt: skip


def _timed(say):
    """Progress notes stamped with the seconds since the audit began."""
    import time

    start = time.perf_counter()
    return lambda text: say(f"[{time.perf_counter() - start:6.1f} s] {text}")


def _check(args: argparse.Namespace) -> None:
    if args.tui and (args.output or args.format != "table"):
        raise UsageError("--tui shows the audit in the app; drop --format and -o, or --tui")
    if args.output:  # a fleet report (or the config, a workload) is not to be overwritten
        from advisor.report.output import named_files, refuse_overwriting_inputs

        named = named_files(v for k, v in vars(args).items() if k != "output")
        refuse_overwriting_inputs(args.output, [*named, *_read_there(args.paths, args.output)])


def _read_there(paths: list[str], output: str) -> list:
    """`output`, when a folder or glob among `paths` would have the audit read it as a report
    (named files are checked as files): found without walking a fleet of 10,000 reports."""
    from pathlib import Path

    from advisor.audit.sources import GLOB_CHARS, REPORT_SUFFIXES, locate

    target = Path(output).expanduser()
    if target.suffix.lower() not in REPORT_SUFFIXES or target.name.startswith("."):
        return []
    try:
        where = target.resolve()
        found = []
        for arg in paths:
            folder = Path(arg).expanduser()
            if folder.is_dir() and where.is_relative_to(folder.resolve()):
                found.append(target)
            elif GLOB_CHARS & set(arg) and not folder.exists():
                found += [p for p in locate([arg]) if isinstance(p, Path)]
        return found
    except (OSError, RuntimeError):  # an odd name: the audit says what is wrong with it
        return []


def _settings(args: argparse.Namespace, config, catalog):
    from advisor.audit.audit import AuditSettings
    from advisor.audit.evaluate import default_jobs
    from advisor.verdict.electricity import region_rate
    from advisor.verdict.seats import seat_plans
    from advisor.workload import load_workloads

    if args.region and args.electricity_price is None:
        region_rate(catalog, args.region)  # an unknown region is a usage error, said once
    from advisor.verdict.seats import parse_seats

    seats = parse_seats(args.seats) if args.seats else config.seats
    from advisor.commands.judging import user_floor

    return AuditSettings(
        workloads=load_workloads(args.workloads) if args.workloads else None,
        min_quality=user_floor(args),
        electricity_usd_per_kwh=args.electricity_price,
        region=args.region,
        seats=seat_plans(seats, catalog, None if args.seats else config.path),
        ram_usd_per_gb=args.ram_price,
        upgrades=not args.no_upgrades,
        servers=(servers := _servers(args, seats)),
        server_prices=_server_prices(args.server_prices or (), servers),
        jobs=args.jobs or default_jobs(),
        cache=not args.no_cache,
    )


def _servers(args: argparse.Namespace, seats) -> tuple[str, ...]:
    from advisor.audit.servers import DEFAULT_SERVERS

    if args.no_servers:
        if args.servers:
            raise UsageError("--server plans shared servers; drop it or --no-servers")
        return ()
    if args.servers:
        return tuple(args.servers)
    return DEFAULT_SERVERS if seats else ()


def _server_prices(given, servers: tuple[str, ...]) -> tuple[tuple[str, float], ...]:
    """--server-price PROFILE=USD (or PROFILE=list) for profiles the audit plans."""
    from advisor.probe import resolve_machine

    prices: dict[str, float] = {}
    for text in given:
        profile, sep, value = text.partition("=")
        profile, value = profile.strip(), value.strip()
        if not sep or not profile or not value:
            raise UsageError(f"--server-price {text!r}: expected PROFILE=USD or PROFILE=list")
        if profile not in servers:
            planned = ", ".join(servers) if servers else "none (no --seats or --server given)"
            raise UsageError(
                f"--server-price {text!r}: {profile!r} is not a server the audit plans "
                f"(planned: {planned}); add --server {profile}"
            )
        if value.lower() == "list":
            listed = resolve_machine(profile=profile).price_usd
            if listed is None:
                raise UsageError(
                    f"--server-price {text!r}: profile {profile!r} has no list price; "
                    f"give what the server costs, e.g. --server-price {profile}=30000"
                )
            prices[profile] = listed
            continue
        try:
            usd = real(0, 1e9, above=True)(value)
        except argparse.ArgumentTypeError as err:
            raise UsageError(f"--server-price {text!r}: {err}") from None
        prices[profile] = usd
    return tuple(sorted(prices.items()))


def _emit(audit, args: argparse.Namespace) -> None:
    from advisor.files.disk_cache import no_cycle_collection
    from advisor.report.output import emit

    terminal = not args.output and sys.stdout.isatty()
    styled = terminal and args.format == "table"  # coloured by rich, from cleaned text
    with no_cycle_collection():  # rows and strings, no cycle: as in run_audit
        if args.output and args.format == "json":  # 60 MB for 10,000 machines: written
            from advisor.audit.render.json_doc import json_pieces  # while it is made
            from advisor.report.output import emit_pieces

            emit_pieces(json_pieces(audit), args.output)
            return
        emit(render(audit, args.format, terminal=terminal), args.output, styled=styled)


def render(audit, fmt: str, *, terminal: bool = False) -> str:
    """The audit in one of FORMATS; `terminal` colours the table and fits it to the window."""
    if fmt == "table":
        import shutil

        from advisor.audit.render.table import render_table

        width = shutil.get_terminal_size().columns if terminal else None
        return render_table(audit, width=width, color=terminal)
    if fmt == "json":
        from advisor.audit.render.json_doc import render_json

        return render_json(audit)
    if fmt == "markdown":
        from advisor.audit.render.markdown import render_markdown

        return render_markdown(audit)
    if fmt == "html":
        from advisor.audit.render.html_page import render_html

        return render_html(audit)
    if fmt == "csv":
        from advisor.audit.render.csv_rows import render_csv

        return render_csv(audit)
    raise ValueError(f"unknown audit format {fmt!r}; one of {', '.join(FORMATS)}")


def _open_tui(audit) -> None:
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise UsageError(
            "the audit view needs a terminal", hint="in scripts use --format table|json|html"
        )
    from advisor.tui.audit.app import make_audit_app

    make_audit_app(audit).run()
