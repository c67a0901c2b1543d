"""How close computed GGUF sizes come to published ones, over every published quant in models.yaml.

    python benchmarks/catalog_sizes.py [--catalog models.yaml] [--all]

For each quant whose size is published, the same size is computed from the model's
architecture by advisor.catalog.tensors.layout and the signed error printed. llama-bench figures
("tensor size" in the note) count tensors only, so they are compared with tensor bytes; file
sizes with the estimated file size. Gemma 3 QAT Q4_0 files (Google's own mix) are skipped.
Prints the error distribution overall and per source.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

import yaml
from pydantic import TypeAdapter

from advisor.catalog.model import Catalog
from advisor.catalog.tensors.layout import tensor_layout

ROOT = Path(__file__).resolve().parent.parent


def errors(catalog) -> list[tuple[str, str, str, float]]:
    """(model id, quant, source, computed / published - 1) per published quant."""
    out = []
    for model in catalog.models:
        if "head_dim" in model.architecture.unknown and model.architecture.mla is None:
            continue  # no computed size for models whose tensor shapes are unknown
        for quant in model.quants:
            if quant.basis != "published" or "QAT" in (quant.note or ""):
                continue  # QAT files are Google's own mix, not llama-quantize's
            layout = tensor_layout(model.architecture, quant.type)
            tensor_only = "tensor size" in (quant.note or "")
            computed = layout.bytes.total_bytes if tensor_only else layout.file_bytes
            out.append((model.id, quant.type, quant.source, computed / quant.size_bytes - 1))
    return out


def _summary(label: str, values: list[float]) -> str:
    absolute = sorted(abs(v) for v in values)
    p90 = absolute[min(len(absolute) - 1, int(0.9 * len(absolute)))]
    within = sum(a <= 0.02 for a in absolute) / len(absolute)
    return (
        f"{label:28s} n={len(values):3d}  median |err| {100 * statistics.median(absolute):5.2f}%"
        f"  p90 {100 * p90:5.2f}%  max {100 * absolute[-1]:5.2f}%"
        f"  mean signed {100 * statistics.fmean(values):+5.2f}%  within 2%: {100 * within:5.1f}%"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--catalog", type=Path, default=ROOT / "models.yaml")
    parser.add_argument("--all", action="store_true", help="print every comparison")
    args = parser.parse_args(argv)
    document = yaml.load(args.catalog.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    rows = errors(TypeAdapter(Catalog).validate_python(document))
    if args.all:
        for model_id, quant, source, err in sorted(rows, key=lambda r: -abs(r[3])):
            print(f"{100 * err:+7.2f}%  {model_id:36s} {quant:7s} {source}")
    print(_summary("all published quants", [r[3] for r in rows]))
    for source in sorted({r[2] for r in rows}):
        print(_summary(source, [r[3] for r in rows if r[2] == source]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
