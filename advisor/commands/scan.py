"""`advisor scan`: find GGUF models already on disk and match them to the catalog."""

from __future__ import annotations

import argparse
import dataclasses
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from advisor.argtypes import path_text
from advisor.commands.options import add_json_option
from advisor.console import out
from advisor.errors import ExitCode

if TYPE_CHECKING:
    from advisor.catalog.scan.installed import InstalledModel, ScanResult

DESCRIPTION = """\
Finds GGUF model files in the Hugging Face cache (HF_HUB_CACHE, HF_HOME), LM Studio's
folders (~/.lmstudio/models, ~/.cache/lm-studio/models), Ollama's store (OLLAMA_MODELS,
~/.ollama/models, /usr/share/ollama/.ollama/models), llama.cpp's cache (LLAMA_CACHE) and the
folders you name, reads their headers (never the weights), and says which catalog model and
quant each one is. Split models (-00001-of-00003.gguf) count once."""


def add_parser(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "scan",
        help="find GGUF models already on disk",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "dirs", metavar="DIR", nargs="*", type=path_text, help="more folders to search"
    )
    parser.add_argument(
        "--only",
        action="store_true",
        help="search only the folders named, not the known model folders",
    )
    parser.add_argument(
        "--catalog",
        metavar="FILE",
        type=path_text,
        default=argparse.SUPPRESS,
        help="use this models.yaml",
    )
    add_json_option(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from advisor.catalog import load_catalog
    from advisor.catalog.scan.installed import scan

    catalog = load_catalog(getattr(args, "catalog", None))
    result = scan(args.dirs, catalog, include_defaults=not args.only)
    if getattr(args, "json", False):
        out(json.dumps(_result_json(result), indent=2, ensure_ascii=False))
    else:
        _print_text(result)
    missing = [s for s in result.skipped if s.reason == "no such folder"]
    return int(ExitCode.PARTIAL if missing else ExitCode.OK)


def _print_text(result: ScanResult) -> None:
    from advisor.catalog.render import file_size, home_relative, table
    from advisor.console import note, warning

    for item in result.skipped:
        warning(f"{item.path}: {item.reason}")
    known = [m for m in result.installed if m.model_id]
    other = [m for m in result.installed if not m.model_id]
    if known:
        rows = [
            [m.model_id or "", _quant(m), file_size(m.size_bytes), m.where, _path(m, home_relative)]
            for m in known
        ]
        out(table(["MODEL", "QUANT", "SIZE", "FOUND IN", "PATH"], rows))
    if other:
        out("\nnot in the catalog:" if known else "not in the catalog:")
        rows = [
            [_label(m), _quant(m), file_size(m.size_bytes), m.where, _path(m, home_relative)]
            for m in other
        ]
        out(table(["MODEL (from its header)", "QUANT", "SIZE", "FOUND IN", "PATH"], rows))
    if not result.installed:
        searched = ", ".join(str(loc.path) for loc in result.searched if loc.path.is_dir())
        note(f"no GGUF models found (searched: {searched or 'no existing folder'})")


def _quant(model: InstalledModel) -> str:
    text = model.quant or model.summary.file_type or "?"
    if model.model_id and not model.in_catalog:
        text += " (not listed)"
    return text


def _label(model: InstalledModel) -> str:
    s = model.summary
    layers = f", {s.n_layers} layers" if s.n_layers else ""
    return f"{s.label or model.path.name} ({s.architecture or 'unknown arch'}{layers})"


def _path(model: InstalledModel, shorten: Any) -> str:
    text = shorten(model.path)
    if model.ollama_tags:
        text = f"{', '.join(model.ollama_tags)}  {text}"
    if len(model.shards) > 1 or not model.complete:
        text += f"  [{len(model.shards)} parts{'' if model.complete else ', incomplete'}]"
    return text


def _result_json(result: ScanResult) -> dict[str, Any]:
    return {
        "searched": [
            {"path": str(loc.path), "kind": loc.kind, "exists": loc.path.is_dir()}
            for loc in result.searched
        ],
        "installed": [_jsonable(dataclasses.asdict(m)) for m in result.installed],
        "skipped": [{"path": str(s.path), "reason": s.reason} for s in result.skipped],
    }


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return str(value) if isinstance(value, Path) else value
