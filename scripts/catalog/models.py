"""The `models:` entries: a curated pick joined with its architecture, quality and GGUF sizes."""

from __future__ import annotations

from typing import Any

from advisor.catalog.model import Architecture
from advisor.catalog.tensors.layout import tensor_layout
from advisor.files.strict import validate

from .architecture import architecture
from .quality import QualityTable
from .sizes import Published, best_published

# An unknown among these makes a computed size a guess about the model's own tensors.
_SHAPE_UNKNOWNS = ("head_dim", "vocab_size")
LARGE_FILE = 45e9  # publishers split files past ~50 GB: one file name no longer fits
# Publishers whose 16-bit files follow the quant naming ("...-BF16.gguf", seen in llama-bench logs).
NAMED_16_BIT = ("unsloth/",)
# A layout with this many more parameters than published is missing a fact (not a tower).
MAX_PARAMS_RATIO = 1.15


def _file(template: str | None, quant: str, size: int, repo: str = "") -> str | None:
    if not template or ("-00001-of-" not in template and size > LARGE_FILE):
        return None
    if quant in ("F16", "BF16") and not repo.startswith(NAMED_16_BIT):
        return None  # 16-bit files are absent (TheBloke) or named in another case
    return template.replace("{q}", quant).replace("{ql}", quant.lower())


def _computed(arch: Architecture, quant: str) -> tuple[int, str | None]:
    layout = tensor_layout(arch, quant)
    assumed = list(layout.assumptions)
    if arch.tie_word_embeddings is None and not layout.tied_embeddings:
        assumed.append("an untied output head (tie_word_embeddings unknown)")
    return layout.file_bytes, ("assumes " + "; ".join(assumed)) if assumed else None


def _params_check(arch: Architecture) -> tuple[bool, str | None]:
    """Whether computed sizes can be shipped, and a note when the layout's parameter count
    is off from the published total (vision/audio towers ship as separate mmproj files)."""
    n_params = tensor_layout(arch, "F16").bytes.n_params / 1e9
    ratio = n_params / arch.total_params_b
    if ratio > MAX_PARAMS_RATIO:
        return False, (
            f"no computed sizes: the tensor layout adds up to {n_params:.2f}B parameters"
            f" against {arch.total_params_b}B published, so some architecture fact is missing"
        )
    if abs(ratio - 1) > 0.05:
        return True, (
            f"Computed sizes: the GGUF layout holds {n_params:.2f}B parameters of the"
            f" {arch.total_params_b}B published total."
        )
    return True, None


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
        best = best_published(mine, _file(template, quant, 0, pick["gguf"]["repo"]))
        entry = {
            "type": quant,
            "size_bytes": best.size_bytes,
            "basis": "published",
            "source": best.source,
        }
        file, repo, note = best.file, best.repo, best.note
        qat = pick.get("qat_q4_0")
        if quant == "Q4_0" and qat:
            file, repo = qat["file"], qat["repo"]
            note = note if "QAT" in note else f"{note}; QAT checkpoint"
        elif repo and repo != pick["gguf"]["repo"] and not file:
            repo = None  # the size was read off another publisher's listing: same mix
        file = file or _file(template, quant, best.size_bytes, pick["gguf"]["repo"])
    elif computable:
        size, note = _computed(arch, quant)
        entry = {
            "type": quant,
            "size_bytes": size,
            "basis": "computed",
            "source": "computed-quant-mix",
        }
        file, repo = _file(template, quant, size, pick["gguf"]["repo"]), None
    else:
        return None
    if file:
        entry["file"] = file
    if repo and repo != pick["gguf"]["repo"]:
        entry["repo"] = repo
    if note:
        entry["note"] = note
    return entry


def _shared_computed_note(entries: list[dict[str, Any]]) -> str | None:
    """An assumption every computed quant shares, moved off the quants (said once, on the
    model); quant-specific notes stay."""
    notes = {e.get("note") for e in entries if e["basis"] == "computed"}
    if len(notes) != 1 or None in notes:
        return None
    for e in entries:
        if e["basis"] == "computed":
            del e["note"]
    return notes.pop()


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
    arch_map = architecture(row, extra, quality.context(pick["aa"]), pick.get("unknown_why"))
    arch = validate(Architecture, arch_map)
    unknown: dict[str, str] = {}
    sources = [row.get("_table", "architectures-csv"), "catalog-curation", "gguf-repo-conventions"]
    license_ = row["license"] or None
    if pick.get("license"):
        license_ = quality.license(pick["license"])
        sources.append("lmarena-2025-08-04")
    if license_ is None:
        unknown["license"] = "not in the sources read"
    if not row["release_date"]:
        unknown["release_date"] = "not in the sources read (AA's date for it is wrong)"
    if pick.get("ollama"):
        sources.append(pick.get("ollama_source", "ollama-library"))
    quants = pick["quants"]
    quants = quant_sets[quants] if isinstance(quants, str) else quants
    shape_unknown = [k for k in _SHAPE_UNKNOWNS if k in arch.unknown and arch.mla is None]
    params_note = None
    if shape_unknown:
        computable = False
        unknown["quants"] = (
            f"no computed sizes: {', '.join(shape_unknown)} unknown; published sizes only"
        )
    else:
        computable, params_note = _params_check(arch)
        if not computable:
            unknown["quants"] = params_note
            params_note = None
    entries = [e for e in (_quant(pick, q, arch, published, computable) for q in quants) if e]
    assumed = _shared_computed_note(entries)
    if assumed:
        assumed = assumed.removeprefix("assumes ")
        params_note = " ".join(n for n in (params_note, f"Computed sizes assume {assumed}.") if n)
    entry: dict[str, Any] = {
        "id": pick["id"],
        "name": pick.get("name", row["display_name"]),
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
    if pick.get("base_repos"):
        entry["base_repos"] = pick["base_repos"]
    entry["architecture"] = arch_map
    entry["quality"] = _quality(pick, quality, unknown)
    entry["quants"] = entries
    if unknown:
        entry["unknown"] = unknown
    notes = " ".join(n for n in (pick.get("note"), params_note) if n)
    if notes:
        entry["notes"] = notes
    return entry
