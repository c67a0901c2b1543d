"""The `models:` entries: a curated pick joined with its architecture, quality and GGUF sizes."""

from __future__ import annotations

from typing import Any

from advisor.catalog.model import Architecture
from advisor.catalog.tensors import tensor_layout

from .architecture import architecture
from .quality import QualityTable
from .sizes import Published, best_published

# An unknown among these makes a computed size a guess about the model's own tensors.
_SHAPE_UNKNOWNS = ("head_dim", "vocab_size")
LARGE_FILE = 45e9  # publishers split files past ~50 GB: one file name no longer fits


def _file(template: str | None, quant: str, size: int) -> str | None:
    if not template or ("-00001-of-" not in template and size > LARGE_FILE):
        return None
    return template.replace("{q}", quant).replace("{ql}", quant.lower())


def _computed(arch: Architecture, quant: str) -> tuple[int, str | None]:
    layout = tensor_layout(arch, quant)
    note = "; ".join(layout.assumptions) or None
    return layout.file_bytes, (f"assumes {note}" if note else None)


def _quant(
    pick: dict[str, Any],
    quant: str,
    arch: Architecture,
    published: list[Published],
    computable: bool,
) -> dict[str, Any] | None:
    template = pick["gguf"]["file"]
    mine = [p for p in published if p.quant == quant]
    if mine:
        best = best_published(mine, _file(template, quant, 0))
        entry = {
            "type": quant,
            "size_bytes": best.size_bytes,
            "basis": "published",
            "source": best.source,
        }
        file, repo, note = best.file, best.repo, best.note
        qat = pick.get("qat_q4_0")
        if quant == "Q4_0" and qat:
            file, repo, note = qat["file"], qat["repo"], f"{note}; QAT checkpoint"
        elif repo and repo != pick["gguf"]["repo"] and not file:
            repo = None  # the size was read off another publisher's listing: same mix
        file = file or _file(template, quant, best.size_bytes)
    elif computable:
        size, note = _computed(arch, quant)
        entry = {
            "type": quant,
            "size_bytes": size,
            "basis": "computed",
            "source": "computed-quant-mix",
        }
        file, repo = _file(template, quant, size), None
    else:
        return None
    if file:
        entry["file"] = file
    if repo and repo != pick["gguf"]["repo"]:
        entry["repo"] = repo
    if note:
        entry["note"] = note
    return entry


def _quality(pick: dict[str, Any], quality: QualityTable, unknown: dict[str, str]) -> Any:
    if pick["aa"] is None:
        unknown["quality"] = pick["aa_why"]
        return None
    return quality.quality(pick["aa"])


def model_entry(
    pick: dict[str, Any],
    row: dict[str, str],
    quality: QualityTable,
    published: list[Published],
    quant_sets: dict[str, list[str]],
) -> dict[str, Any]:
    """One models.yaml entry."""
    extra = pick.get("arch", {})
    arch_map = architecture(row, extra, quality.context(pick["aa"]))
    arch = Architecture(**arch_map)
    unknown: dict[str, str] = {}
    sources = ["architectures-csv", "catalog-curation", "gguf-repo-conventions"]
    license_ = row["license"] or None
    if pick.get("license"):
        license_ = quality.license(pick["license"])
        sources.append("lmarena-2025-08-04")
    if license_ is None:
        unknown["license"] = "not in the sources read"
    if not row["release_date"]:
        unknown["release_date"] = "not in the sources read (AA's date for it is wrong)"
    if pick.get("ollama"):
        sources.append("ollama-library")
    quants = pick["quants"]
    quants = quant_sets[quants] if isinstance(quants, str) else quants
    shape_unknown = [k for k in _SHAPE_UNKNOWNS if k in arch.unknown and arch.mla is None]
    computable = not shape_unknown
    entries = [_quant(pick, q, arch, published, computable) for q in quants]
    if not computable:
        unknown["quants"] = (
            f"no computed sizes: {', '.join(shape_unknown)} unknown; published sizes only"
        )
    entry: dict[str, Any] = {
        "id": pick["id"],
        "name": row["display_name"],
        "hf_repo": row["hf_repo"],
        "family": row["family"],
        "source": sources,
        "release_date": row["release_date"] or None,
        "license": license_,
        "tasks": pick["tasks"],
    }
    if pick.get("bench"):
        entry["benchmark_reference"] = True
    entry["gguf_repo"] = pick["gguf"]["repo"]
    if pick.get("ollama"):
        entry["ollama_tag"] = pick["ollama"]
    entry["architecture"] = arch_map
    entry["quality"] = _quality(pick, quality, unknown)
    entry["quants"] = [e for e in entries if e is not None]
    if unknown:
        entry["unknown"] = unknown
    if pick.get("note"):
        entry["notes"] = pick["note"]
    return entry
