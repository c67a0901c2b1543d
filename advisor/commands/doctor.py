"""`advisor doctor`: the raw answers of every probe path, as JSON for bug reports."""

from __future__ import annotations

import argparse

from advisor.argtypes import path_text
from advisor.console import out


def add_parser(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "doctor",
        help="dump what each probe path saw, raw (NVML, sysfs, sysctl, psutil), as JSON",
        description="Print, as one JSON document, every answer the probe got from this system: "
        "each NVML call and its result or error, the sysfs and /proc files read, sysctl output, "
        "psutil values, and the machine built from them. Attach it to a bug report; "
        "`advisor probe --replay FILE` rebuilds the machine from it, and the tests replay such "
        "files as fixtures. It contains the hostname and GPU serial numbers: edit them out if "
        "needed.",
    )
    parser.add_argument(
        "--no-bandwidth", action="store_true", help="skip the RAM bandwidth copy test"
    )
    parser.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        type=path_text,
        help="write the dump to FILE (atomically) instead of stdout",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import json

    from advisor.probe.record.doctor import doctor_dump

    text = json.dumps(doctor_dump(measure_bandwidth=not args.no_bandwidth), indent=2)
    if args.output:
        from advisor.console import note
        from advisor.paths import atomic_write_text

        atomic_write_text(args.output, text + "\n")
        note(f"wrote {args.output}")
    else:
        out(text)
    return 0
