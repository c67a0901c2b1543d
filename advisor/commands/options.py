"""Command-line options several commands share: the machine and data files, --model, --json."""

from __future__ import annotations

import argparse

from advisor.argtypes import path_text, real


def add_machine_options(parser: argparse.ArgumentParser, *, suppress: bool) -> None:
    """Options that pick or adjust the machine and the data files; shared by most commands."""
    default = argparse.SUPPRESS if suppress else None
    group = parser.add_argument_group("machine and data")
    group.add_argument(
        "--profile",
        metavar="NAME|FILE",
        type=path_text,
        default=default,
        help="describe the machine with a profile (a name from profiles/ or a YAML/JSON file) "
        "instead of probing this one",
    )
    group.add_argument(
        "--profiles-dir",
        metavar="DIR",
        type=path_text,
        default=default,
        help="look for named profiles here",
    )
    group.add_argument(
        "--catalog",
        metavar="FILE",
        type=path_text,
        default=default,
        help="use this models.yaml instead",
    )
    group.add_argument(
        "--ram",
        metavar="GB",
        type=real(0, 1_000_000, above=True),
        default=default,
        help="pretend the machine has this RAM",
    )
    group.add_argument(
        "--vram",
        metavar="GB",
        type=real(0, 100_000, above=True),
        default=default,
        help="pretend each GPU has this much VRAM",
    )


def add_extra_models_option(parser: argparse.ArgumentParser, *, suppress: bool) -> None:
    """--model FILE.gguf|hf:ORG/REPO:QUANT, repeatable: the user's own models, judged beside the
    catalog's (advisor.catalog.extra_models)."""
    parser.add_argument(
        "--model",
        dest="extra_models",
        action="append",
        metavar="FILE.gguf|hf:ORG/REPO:QUANT",
        type=path_text,
        default=argparse.SUPPRESS if suppress else None,
        help="also rank and judge this model beside the catalog: a GGUF file (header only) or "
        "a Hugging Face repository (listing and one header); repeat for several",
    )


def add_json_option(parser: argparse.ArgumentParser, *, suppress: bool = True) -> None:
    parser.add_argument(
        "--json",
        action="store_true",
        default=argparse.SUPPRESS if suppress else False,
        help="print one JSON document on stdout instead of text",
    )
