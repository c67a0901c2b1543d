"""`advisor report`: the verdict per workload (local, hybrid or cloud) with monthly costs in USD.

`advisor --json` runs this module with the top-level options only, so every option is read
with getattr and a default. Heavy imports happen inside run().
"""

from __future__ import annotations

import argparse
import functools

DESCRIPTION = """\
For each workload (the presets in profiles/workloads/, your own in the config folder's
workloads/, or files you name), say whether to run it locally, split it (hybrid) or pay for
the cloud, with the monthly cost of each path, the quality gap, break-even and confidence.
All amounts are in US dollars (USD). Prices come from the catalog's dated cloud section; the
config file (the report prints its path) overrides them, and the flags below override both.
A second report on the same machine reuses the estimates kept in the user cache folder."""


def add_parser(sub: argparse._SubParsersAction) -> None:
    from advisor.argtypes import path_text, real, whole
    from advisor.commands.judging import add_plan_limit_option, add_quality_options
    from advisor.commands.options import (
        add_extra_models_option,
        add_json_option,
        add_machine_options,
    )

    parser = sub.add_parser(
        "report",
        help="local, hybrid or cloud for each workload, with monthly costs (USD)",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--format",
        choices=("text", "markdown"),
        help="output format (default: text, or the config's)",
    )
    add_json_option(parser)
    parser.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        type=path_text,
        help="write to FILE (atomically; never a file the command reads)",
    )
    parser.add_argument(
        "--anonymize",
        action="store_true",
        help="strip hostname, user names, serials, UUIDs, home paths and folder names; keep a "
        "stable machine id, keyed with a random salt kept in the user data dir",
    )
    parser.add_argument(
        "--workload",
        type=path_text,
        action="append",
        dest="workloads",
        metavar="NAME|FILE",
        help="a workload preset name or a YAML file; repeat for several (default: all presets "
        "and your own)",
    )
    prices = parser.add_argument_group("prices (override the config file; amounts in USD)")
    prices.add_argument(
        "--electricity-price", type=real(0, 100), metavar="USD_PER_KWH", help="price of a kWh"
    )
    prices.add_argument(
        "--region",
        metavar="R",
        help="electricity price region from the catalog: us, us-ca, eu, de, ... (default us)",
    )
    prices.add_argument(
        "--hardware-price",
        type=real(0, 1e9),
        metavar="USD",
        help="what this machine costs, amortised over its lifetime, to see whether buying it "
        "pays back (default: the config's, else not counted: a profile's list price is shown "
        "for reference, never counted)",
    )
    prices.add_argument(
        "--lifetime-months",
        type=real(0, 1200, above=True),
        metavar="N",
        help="hardware lifetime (default 36)",
    )
    add_plan_limit_option(prices, suppress=True)
    add_quality_options(
        parser.add_argument_group("quality (models with no published score)"), suppress=True
    )
    parser.add_argument(
        "--no-cloud",
        action="store_true",
        help="the prompts may not leave this machine (as if every workload said `cloud: "
        "forbidden`): the verdict is local, or 'not viable here' with what would make it so",
    )
    parser.add_argument(
        "--config", metavar="FILE", type=path_text, help="use this config file instead"
    )
    team = parser.add_argument_group(
        "team (one shared server for several people; --profile names the server)"
    )
    team.add_argument(
        "--team",
        type=whole(1, 10_000_000),
        metavar="N",
        help="plan a shared server for N people: model, slots, servers, peak-hour speed, cost "
        "and the engine commands (default workload: chat-assistant)",
    )
    team.add_argument(
        "--seats",
        action="append",
        metavar="PLAN=COUNT",
        help="what the team pays today: COUNT seats of a catalog plan (chatgpt-business, "
        "claude-team-standard, ...); repeat for several (default: the config's seats); "
        "without --team, plans for as many people as the largest count",
    )
    team.add_argument(
        "--peak-factor",
        type=real(1, 24),
        metavar="F",
        help="the busiest hour's requests over the average working hour's, at least 1 "
        "(default: the workload's peak_factor, else 2, stated as an assumption)",
    )
    team.add_argument(
        "--hosting-price",
        type=real(0, 1e9),
        metavar="USD",
        help="hosting per server a month (rack space, colocation), default 0",
    )
    team.add_argument(
        "--server-hours",
        type=real(0, 24, above=True),
        metavar="H",
        help="hours a day the server stays on (default 24); idle power counts for the hours "
        "it serves nobody",
    )
    add_machine_options(parser, suppress=True)
    add_extra_models_option(parser, suppress=True)
    parser.set_defaults(func=run)


def _team_flags(args: argparse.Namespace) -> None:
    """The team flags need a team: --team N, or --seats, whose largest count is then taken as
    the number of people (their values argparse has bounded already)."""
    if getattr(args, "team", None) is not None:
        return
    seats = getattr(args, "seats", None)
    if seats:
        from advisor.console import note
        from advisor.verdict.seats import parse_seats

        args.team = max(s.count for s in parse_seats(seats))
        note(f"no --team given: planning for {args.team} people, the most seats of one plan")
        return
    team_only = ("--peak-factor", "--hosting-price", "--server-hours")
    given = [flag for flag in team_only if getattr(args, flag[2:].replace("-", "_"), None)]
    if given:
        from advisor.errors import UsageError

        raise UsageError(f"{given[0]} plans a shared server: add --team N (or --seats)")


def run(args: argparse.Namespace) -> int:
    from advisor.probe.live.early import take_started
    from advisor.report.output import named_files, refuse_overwriting_inputs

    early = take_started()  # this computer, probed since the run started (advisor.cli)
    inputs = named_files(value for key, value in vars(args).items() if key != "output")
    refuse_overwriting_inputs(getattr(args, "output", None), inputs)
    _team_flags(args)
    from advisor.config import load_config

    config = load_config(getattr(args, "config", None))
    from advisor.report.output import emit

    if getattr(args, "team", None) is not None and not getattr(args, "json", False):
        if early is not None:
            early.cancel()  # the team plans resolve their machine themselves
        from advisor.advise import electricity_rate, now_utc
        from advisor.catalog import load_catalog
        from advisor.commands.judging import judged_catalog
        from advisor.commands.models import with_user_models

        catalog = with_user_models(load_catalog(getattr(args, "catalog", None)), args)
        catalog = judged_catalog(catalog, args, config)  # as the JSON report's
        advices = team_plans(args, config, catalog=catalog)
        rate = electricity_rate(catalog, _options(args, config))
        warn_stale(catalog, now_utc(), team=advices, rate=rate)
        emit(render_team(advices, args, config), getattr(args, "output", None))
        return 0
    doc = build(args, config, early=early)
    emit(render(doc, args, config), getattr(args, "output", None))
    return 0


TEAM_DEFAULT_WORKLOADS = ("chat-assistant",)


def team_plans(args: argparse.Namespace, config, *, machine=None, catalog=None) -> list:
    """One TeamAdvice per workload the arguments name, for --team N people."""
    from advisor.catalog import load_catalog
    from advisor.team.advice import TeamOptions, team_advice
    from advisor.team.costs import Uptime
    from advisor.verdict.seats import seat_plans
    from advisor.workload import load_workloads

    machine = machine or _machine(args, config)
    catalog = catalog or load_catalog(getattr(args, "catalog", None))
    specs = getattr(args, "workloads", None) or TEAM_DEFAULT_WORKLOADS
    seats = getattr(args, "seats", None)
    if seats:
        from advisor.verdict.seats import parse_seats

        chosen, source = parse_seats(seats), None
    else:
        chosen, source = config.seats, config.path
    team = TeamOptions(
        users=args.team,
        peak_factor=getattr(args, "peak_factor", None),
        seats=seat_plans(chosen, catalog, source),
        hosting_usd_per_month=getattr(args, "hosting_price", None) or 0.0,
        uptime=Uptime(hours_per_day=getattr(args, "server_hours", None) or 24.0),
    )
    from advisor.commands.judging import judged_workloads

    options = _options(args, config)
    workloads = judged_workloads(load_workloads(specs), args)
    return [team_advice(machine, catalog, w, team, options) for w in workloads]


def render_team(advices: list, args: argparse.Namespace, config) -> str:
    if (getattr(args, "format", None) or config.defaults.format) == "markdown":
        from advisor.report.team_text import render_team_markdown

        return "\n".join(render_team_markdown(a) for a in advices)
    from advisor.report.team_text import render_team_text

    return "\n".join(render_team_text(a) for a in advices)


def _machine(args: argparse.Namespace, config):
    from advisor.probe import resolve_machine

    return resolve_machine(
        profile=getattr(args, "profile", None) or config.defaults.profile,
        profiles_dir=getattr(args, "profiles_dir", None),
        ram_gb=getattr(args, "ram", None),
        vram_gb=getattr(args, "vram", None),
    )


def _options(args: argparse.Namespace, config):
    from advisor.advice_options import AdviceOptions

    return AdviceOptions(
        electricity_usd_per_kwh=getattr(args, "electricity_price", None),
        region=getattr(args, "region", None),
        hardware_price_usd=getattr(args, "hardware_price", None),
        lifetime_months=getattr(args, "lifetime_months", None),
        config=config,
        no_cloud=getattr(args, "no_cloud", False),
    )


def build(args: argparse.Namespace, config, *, early=None) -> dict:
    """The report document for the machine, workloads and prices the arguments name (`early`:
    this computer, being probed already; advisor.probe.live.early)."""
    from advisor.probe.resolve import resolve_machine_soon

    # Probed first (or since the run started): a memory copy test the machine needs prepares
    # beside the loading below.
    machine_soon = resolve_machine_soon(
        profile=getattr(args, "profile", None) or config.defaults.profile,
        profiles_dir=getattr(args, "profiles_dir", None),
        ram_gb=getattr(args, "ram", None),
        vram_gb=getattr(args, "vram", None),
        early=early,
    )
    from advisor.advice_ahead import prepare
    from advisor.advise import advise
    from advisor.catalog import load_catalog
    from advisor.commands.judging import judged_catalog, judged_workloads
    from advisor.commands.models import with_user_models
    from advisor.report.document import build_document
    from advisor.workload import load_workloads

    catalog = with_user_models(load_catalog(getattr(args, "catalog", None)), args)
    catalog = judged_catalog(catalog, args, config)
    workloads = load_workloads(getattr(args, "workloads", None) or config.defaults.workloads)
    workloads = judged_workloads(workloads, args)
    # While the copy test's child allocates, what advise() needs that the machine does not decide
    machine = machine_soon(meanwhile=functools.partial(prepare, catalog, workloads=workloads))
    advice = advise(machine, catalog, workloads, _options(args, config))
    team = []
    if getattr(args, "team", None) is not None:
        team = team_plans(args, config, machine=machine, catalog=catalog)
    warn_stale(catalog, advice.generated_at, advice=advice, team=team, rate=advice.rate)
    return build_document(advice, anonymize=getattr(args, "anonymize", False), team=team)


def warn_stale(catalog, generated_at: str, *, advice=None, team=(), rate=None) -> None:
    """A warning on stderr, whatever the format, for each price or score the verdicts and team
    plans used that is older than advisor.verdict.staleness.MAX_AGE_DAYS on the report's date
    (each once, though a verdict and a team plan both rest on it)."""
    from advisor.console import warning
    from advisor.verdict.staleness import advice_facts, report_date, stale

    facts = advice_facts(advice.rate, advice.verdicts, catalog) if advice is not None else []
    if team:  # advisor.team loads only for team plans: not on a plain report's path
        from advisor.team.advice import dated_facts

        for plan in team:
            facts += dated_facts(plan, catalog, rate)
    for fact in stale(facts, report_date(generated_at)):
        warning(fact.message())


def render(doc: dict, args: argparse.Namespace, config) -> str:
    if getattr(args, "json", False):
        import json

        return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
    from advisor.report.view_read import report_view

    report = report_view(doc)
    if (getattr(args, "format", None) or config.defaults.format) == "markdown":
        from advisor.report.markdown import render_markdown

        return render_markdown(report)
    from advisor.report.text import render_text

    return render_text(report)
