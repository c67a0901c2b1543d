"""Write models.yaml from the shared reference CSVs and the curated picks, deterministically.

    python -m scripts.catalog.build [--data ../shared/data] [--out models.yaml] [--check]
    python -m scripts.catalog.build --compile [--out models.yaml]

The build also writes the compiled form beside the YAML (models.compiled.json: the parsed
document as JSON, with the SHA-256 of the YAML it came from and, once the schema accepted it,
the seal that lets the loader skip validating it again; advisor.catalog.compiled).
For the shipped models.yaml it also writes every catalog file's tensor sums and FLOP mix
(advisor/catalog/tensors/file_sums.json, scripts/catalog/file_sums.py), so a first report
types no tensors. --compile only recompiles an existing models.yaml (after a hand edit; needs
no reference data), and that table. --check writes nothing and exits 1 when models.yaml, its
compiled form or the table differs from what the build would write. What was left out (size
rows for other models, non-standard mixes) goes to stderr.
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path
from typing import Any

import yaml
from pydantic import TypeAdapter

from advisor.catalog.compiled import compiled_path, compiled_text
from advisor.catalog.loader import parse_yaml, read_bytes, validate_document
from advisor.catalog.model import Catalog
from advisor.catalog.problems import CatalogProblems
from advisor.paths import atomic_write_text

from . import cloud as cloud_mod
from . import file_sums
from .architecture import borrowed_row
from .emit import dump
from .models import model_entry
from .quality import QualityTable
from .quant_quality import quant_quality
from .sizes import published_sizes
from .sources import SOURCES, sources_table

HERE = Path(__file__).parent
REPO = HERE.parent.parent
SCHEMA_VERSION = 2
CATALOG_VERSION = "2026.12.06"
# The architecture tables of the reference data and their source keys; the 2026-12 table adds
# 14 models with the same columns (architectures-2026-12-notes.md).
ARCHITECTURE_TABLES = (
    ("architectures.csv", "architectures-csv"),
    ("architectures-2026-12.csv", "architectures-2026-12-csv"),
)
SIZE_TABLES = ("model_sizes.csv", "model_sizes-2026-12.csv")


def _csv(data: Path, name: str) -> list[dict[str, str]]:
    with open(data / name, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _yaml(name: str) -> Any:
    return yaml.safe_load((HERE / name).read_text(encoding="utf-8"))


def _used_sources(node: Any, found: set[str]) -> set[str]:
    """Every value under a `source` key (a string or a list of them)."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("source", "quality_source", "exchange_rate_source"):
                found.update([value] if isinstance(value, str) else value or [])
            else:
                _used_sources(value, found)
    elif isinstance(node, list):
        for item in node:
            _used_sources(item, found)
    return found


def build(data: Path) -> tuple[dict[str, Any], list[str]]:
    """The catalog mapping, and the report lines for stderr."""
    curation, cloud_picks = _yaml("curation.yaml"), _yaml("cloud.yaml")
    arch_rows = {
        r["model_id"]: {**r, "_table": key}
        for name, key in ARCHITECTURE_TABLES
        for r in _csv(data, name)
    }
    quality = QualityTable(_csv(data, "quality.csv"))
    published, skipped = published_sizes([row for name in SIZE_TABLES for row in _csv(data, name)])
    models = [
        model_entry(
            pick,
            borrowed_row(arch_rows, pick),
            quality,
            [p for p in published if p.model_id == pick["id"]],
            curation["quant_sets"],
        )
        for pick in curation["models"]
    ]
    catalog_aa = {pick["id"]: pick["aa"] for pick in curation["models"]}
    subs, plan_sources = cloud_mod.subscriptions(
        _csv(data, "subscriptions.csv"), cloud_picks["subscriptions"]
    )
    api, price_sources = cloud_mod.api_models(
        _csv(data, "api_prices.csv"), cloud_picks["api_models"], quality, catalog_aa
    )
    cloud = {
        "subscriptions": subs,
        "api_models": api,
        "electricity": cloud_mod.electricity(_csv(data, "power.csv"), cloud_picks["electricity"]),
    }
    body = {"models": models, "cloud": cloud, "quant_quality": quant_quality()}
    SOURCES.update(plan_sources)
    SOURCES.update(price_sources)
    catalog = {
        "schema_version": SCHEMA_VERSION,
        "catalog_version": CATALOG_VERSION,
        "sources": sources_table(_used_sources(body, set())),
        **body,
    }
    TypeAdapter(Catalog).validate_python(catalog)
    return catalog, [f"left out: {line}" for line in skipped]


HEADER = """\
# advisor's model catalog. Every fact names a source (a key under `sources:`) and a date;
# a fact nobody could find is null, with the reason under `unknown:`.
# Format: docs/catalog.md. Validate with `advisor catalog validate`.
# GENERATED by `python -m scripts.catalog.build` from the project's reference data and
# scripts/catalog/curation.yaml + cloud.yaml: edit those, not this file.
"""


def write_compiled(path: Path) -> Path:
    """Compile the catalog YAML at `path` next to it; the compiled file's path.

    Raises CatalogProblems for a file that does not parse, ValueError for one JSON cannot hold.
    """
    content = read_bytes(path)
    target = compiled_path(path)
    atomic_write_text(target, sealed_text(path, content, parse_yaml(path, content)))
    return target


def sealed_text(path: Path, content: bytes, data: object) -> str:
    """The compiled form of `data`, sealed as validated when the full schema accepts it (a
    document it refuses is compiled unsealed, so every load reports its problems)."""
    try:
        validate_document(path, content, data, Catalog)
    except CatalogProblems:
        return compiled_text(content, data)
    return compiled_text(content, data, validated=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data")
    parser.add_argument("--out", type=Path, default=REPO / "models.yaml")
    parser.add_argument("--check", action="store_true", help="exit 1 if --out is stale")
    parser.add_argument(
        "--compile", action="store_true", help="only recompile --out into its .compiled.json"
    )
    args = parser.parse_args(argv)
    if args.compile:
        target = write_compiled(args.out)
        print(f"wrote {target}", file=sys.stderr)
        _write_file_sums(args.out)
        return 0
    catalog, report = build(args.data)
    text = HEADER + dump(catalog)
    for line in report:
        print(line, file=sys.stderr)
    content = text.encode("utf-8")
    compiled = sealed_text(args.out, content, yaml.load(text, Loader=yaml.CSafeLoader))
    if args.check:
        return _check(args.out, text, compiled)
    atomic_write_text(args.out, text)
    atomic_write_text(compiled_path(args.out), compiled)
    _write_file_sums(args.out)
    n_quants = sum(len(m["quants"]) for m in catalog["models"])
    print(f"wrote {args.out}: {len(catalog['models'])} models, {n_quants} quants", file=sys.stderr)
    return 0


def _write_file_sums(out: Path) -> None:
    """The shipped catalog's file sums (advisor.catalog.tensors.file_sums), when `out` is it."""
    if out.resolve() == (REPO / "models.yaml").resolve():
        print(f"wrote {file_sums.write_table(out)}", file=sys.stderr)


def _check(out: Path, text: str, compiled: str) -> int:
    stale = 0
    for path, expected in ((out, text), (compiled_path(out), compiled)):
        current = path.read_text(encoding="utf-8") if path.exists() else ""
        if current != expected:
            print(f"{path} is stale: rerun python -m scripts.catalog.build", file=sys.stderr)
            stale = 1
    if not stale and out.resolve() == (REPO / "models.yaml").resolve():
        stale = file_sums.main(["--catalog", str(out), "--check"])
    return stale


if __name__ == "__main__":
    sys.exit(main())
