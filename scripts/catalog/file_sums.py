"""Write advisor/catalog/tensors/file_sums.json: every catalog file's tensor sums and FLOP mix.

Run by `python -m scripts.catalog.build` (and its --compile) after the catalog is written;
`python -m scripts.catalog.file_sums [--check]` alone after editing advisor/catalog/tensors/.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from advisor.catalog.loader import load_catalog_file
from advisor.catalog.model import Catalog
from advisor.catalog.tensors.file_sums import TABLE, Entry, entry_of, table_text
from advisor.catalog.tensors.flops import computed_flop_mix
from advisor.catalog.tensors.layout import arch_key, computed_quant_bytes
from advisor.paths import atomic_write_text

REPO = Path(__file__).resolve().parent.parent.parent


def fresh_sums(catalog: Catalog) -> dict[str, dict[str, Entry]]:
    """{layout key's repr: {quant: entry}} for every architecture and quant of `catalog`,
    computed from the layout now (no table read)."""
    sums: dict[str, dict[str, Entry]] = {}
    for model in catalog.models:
        arch = model.architecture
        found = sums.setdefault(repr(arch_key(arch)), {})
        for quant in model.quants:
            name = quant.type.upper()
            if name not in found:
                found[name] = entry_of(computed_quant_bytes(arch, name),
                                       computed_flop_mix(arch, name))  # fmt: skip
    return sums


def fresh_text(catalog_path: Path) -> str:
    """The table file the catalog at `catalog_path` gives with the code as it is now."""
    return table_text(fresh_sums(load_catalog_file(catalog_path, use_cache=False)))


def write_table(catalog_path: Path) -> Path:
    atomic_write_text(TABLE, fresh_text(catalog_path))
    return TABLE


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--catalog", type=Path, default=REPO / "models.yaml")
    parser.add_argument("--check", action="store_true", help="exit 1 if the table is stale")
    args = parser.parse_args(argv)
    if args.check:
        current = TABLE.read_text(encoding="utf-8") if TABLE.exists() else ""
        if current != fresh_text(args.catalog):
            print(f"{TABLE} is stale: rerun python -m scripts.catalog.file_sums", file=sys.stderr)
            return 1
        return 0
    print(f"wrote {write_table(args.catalog)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
