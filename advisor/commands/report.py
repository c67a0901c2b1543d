"""`advisor report`: the verdict per workload (local, hybrid or cloud) with monthly costs in USD.

`advisor --json` runs this module with the top-level options only, so every option is read
with getattr and a default. Heavy imports happen inside run().
"""

from __future__ import annotations

import argparse

DESCRIPTION = """\
For each workload (the presets in profiles/workloads/, your own in the config folder's
workloads/, or files you name), say whether to run it locally, split it (hybrid) or pay for
the cloud, with the monthly cost of each path, the quality gap, break-even and confidence.
All amounts are in US dollars (USD). Prices come from the catalog's dated cloud section; the
config file (the report prints its path) overrides them, and the flags below override both.
A second report on the same machine reuses the estimates kept in the user cache folder."""


def add_parser(sub: argparse._SubParsersAction) -> None:
    from advisor.argtypes import path_text, real
    from advisor.cli import add_json_option, add_machine_options

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
        "-o", "--output", metavar="FILE", type=path_text, help="write to FILE (atomically)"
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
        "pays back (default: the config's, else the profile's price, else not counted)",
    )
    prices.add_argument(
        "--lifetime-months",
        type=real(0, 1200, above=True),
        metavar="N",
        help="hardware lifetime (default 36)",
    )
    parser.add_argument(
        "--config", metavar="FILE", type=path_text, help="use this config file instead"
    )
    add_machine_options(parser, suppress=True)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from advisor.config import load_config

    config = load_config(getattr(args, "config", None))
    doc = build(args, config)
    from advisor.report.output import emit

    emit(render(doc, args, config), getattr(args, "output", None))
    return 0


def build(args: argparse.Namespace, config) -> dict:
    """The report document for the machine, workloads and prices the arguments name."""
    from advisor.advise import AdviceOptions, advise
    from advisor.catalog import load_catalog
    from advisor.probe import resolve_machine
    from advisor.report.document import build_document
    from advisor.verdict.workload import load_workloads

    machine = resolve_machine(
        profile=getattr(args, "profile", None) or config.defaults.profile,
        profiles_dir=getattr(args, "profiles_dir", None),
        ram_gb=getattr(args, "ram", None),
        vram_gb=getattr(args, "vram", None),
    )
    catalog = load_catalog(getattr(args, "catalog", None))
    workloads = load_workloads(getattr(args, "workloads", None) or config.defaults.workloads)
    options = AdviceOptions(
        electricity_usd_per_kwh=getattr(args, "electricity_price", None),
        region=getattr(args, "region", None),
        hardware_price_usd=getattr(args, "hardware_price", None),
        lifetime_months=getattr(args, "lifetime_months", None),
        config=config,
    )
    advice = advise(machine, catalog, workloads, options)
    return build_document(advice, anonymize=getattr(args, "anonymize", False))


def render(doc: dict, args: argparse.Namespace, config) -> str:
    if getattr(args, "json", False):
        import json

        return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
    if (getattr(args, "format", None) or config.defaults.format) == "markdown":
        from advisor.report.markdown import render_markdown

        return render_markdown(doc)
    from advisor.report.text import render_text

    return render_text(doc)
