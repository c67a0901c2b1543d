"""Reference tensor layouts: digests of what the per-tensor layout code gives, per arch and quant.

data/tensor_layouts.json holds, for every distinct architecture of the shipped catalog and of
tests/estimate/data/architectures.csv (plus Nemotron 3 Super with its 1024-wide expert latent),
and for every quant type, a digest of `quant_tensor_bytes` (every QuantBytes field) and of
`tensor_layout` (every tensor's name, shape, type, bytes and block, the assumptions and the
file size). It was first written by the tensor layout code as it stood before the layouts were
computed per class of identical blocks (commit 9a522a3), so the tests hold the faster code to
byte-identical results. Regenerate it only for an intended change of the layouts:

    .venv/bin/python tests/catalog/layout_reference.py
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import sys
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter

from advisor.catalog.fields import QUANT_TYPES
from advisor.catalog.model import Architecture

FIXTURE = Path(__file__).parent / "data" / "tensor_layouts.json"
ROOT = Path(__file__).resolve().parents[2]
_NOT_LAYOUT = {"source", "unknown", "notes"}


def _digest(value: object) -> str:
    return hashlib.sha256(repr(value).encode()).hexdigest()[:8]


def bytes_digest(qb: Any) -> str:
    """Every field of a QuantBytes."""
    return _digest(dataclasses.astuple(qb))


def layout_digest(layout: Any) -> str:
    """Every tensor of a TensorLayout, its assumptions and its file size."""
    tensors = tuple(dataclasses.astuple(t) for t in layout.tensors)
    return _digest((layout.n_layers, tensors, layout.assumptions, layout.file_bytes))


def load() -> list[tuple[Architecture, dict[str, str]]]:
    """(architecture, {quant: bytes digest + layout digest}) per reference architecture."""
    document = json.loads(FIXTURE.read_text(encoding="utf-8"))
    adapter = TypeAdapter(Architecture)
    return [
        (adapter.validate_python({**e["architecture"], "source": ["reference"]}), e["digests"])
        for e in document
    ]


def _architectures() -> list[Architecture]:
    from advisor.catalog import load_catalog
    from advisor.catalog.tensors.layout import arch_key

    sys.path.insert(0, str(ROOT / "tests" / "estimate"))
    from estimate_archs import architectures

    found = [m.architecture for m in load_catalog(ROOT / "models.yaml", overlay=False).models]
    found += architectures().values()
    super_ = architectures()["nemotron-3-super-120b-a12b"]
    latent = dataclasses.replace(super_.moe, latent_size=1024)
    found.append(dataclasses.replace(super_, moe=latent))
    unique: dict[tuple, Architecture] = {}
    for arch in found:
        unique.setdefault(arch_key(arch), arch)
    return list(unique.values())


def main() -> int:
    from advisor.catalog.tensors.layout import quant_tensor_bytes, tensor_layout

    adapter = TypeAdapter(Architecture)
    document = []
    for arch in _architectures():
        digests = {
            quant: bytes_digest(quant_tensor_bytes(arch, quant))
            + layout_digest(tensor_layout(arch, quant))
            for quant in QUANT_TYPES
        }
        # Only what the layout depends on (arch_key's fields) travels; the rest is dropped.
        fields = adapter.dump_python(arch, mode="json", exclude=_NOT_LAYOUT)
        document.append({"architecture": fields, "digests": digests})
    FIXTURE.parent.mkdir(exist_ok=True)
    FIXTURE.write_text(json.dumps(document, indent=None, separators=(",", ":")) + "\n")
    print(f"{FIXTURE}: {len(document)} architectures x {len(QUANT_TYPES)} quants")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
