"""`advisor probe`: what this computer (or a profile) has, as text or JSON."""

from __future__ import annotations

import argparse

from advisor.argtypes import path_text
from advisor.console import out

PROBE_SCHEMA_VERSION = 1


def add_parser(sub: argparse._SubParsersAction) -> None:
    from advisor.commands.options import add_json_option, add_machine_options

    parser = sub.add_parser(
        "probe",
        help="show the CPU, RAM, GPUs, memory bandwidth and llama.cpp backend of this machine",
        description="Probe this machine (or describe a profile) and print what was found, "
        "where each figure came from, and why any figure is unknown. The JSON output is "
        "itself a valid --profile file.",
    )
    add_json_option(parser)
    add_machine_options(parser, suppress=True)
    parser.add_argument(
        "--no-bandwidth",
        action="store_true",
        help="skip the RAM bandwidth copy test (and its cache)",
    )
    parser.add_argument(
        "--remeasure",
        action="store_true",
        help="run the RAM bandwidth copy test again instead of using the cached figure",
    )
    parser.add_argument(
        "--replay",
        metavar="DUMP",
        type=path_text,
        help="build the machine from a saved `advisor doctor` dump instead of this computer",
    )
    parser.set_defaults(func=run)


def _machine(args: argparse.Namespace):
    from advisor.probe.resolve import apply_overrides, resolve_machine

    ram, vram = getattr(args, "ram", None), getattr(args, "vram", None)
    if args.replay:
        from advisor.probe.record.replay import load_dump, replay_machine

        machine = replay_machine(load_dump(args.replay))
        return apply_overrides(machine, ram_gb=ram, vram_gb=vram) if ram or vram else machine
    profile = getattr(args, "profile", None)
    measure = not args.no_bandwidth and profile is None
    machine = resolve_machine(
        profile=profile,
        profiles_dir=getattr(args, "profiles_dir", None),
        ram_gb=ram,
        vram_gb=vram,
        measure_bandwidth=measure and not args.remeasure,
    )
    if measure and args.remeasure:
        from advisor.probe.bandwidth.fill import fill_memory_bandwidth

        machine = fill_memory_bandwidth(machine, use_cache=False)
    return machine


def run(args: argparse.Namespace) -> int:
    import json

    from advisor.probe.profiles.serialize import machine_fingerprint, machine_to_dict

    machine = _machine(args)
    if getattr(args, "json", False):
        document = {"schema_version": PROBE_SCHEMA_VERSION, **machine_to_dict(machine)}
        document["fingerprint"] = machine_fingerprint(machine)
        out(json.dumps(document, indent=2))
        return 0
    from advisor.probe.render import render_text

    out(render_text(machine))
    return 0
