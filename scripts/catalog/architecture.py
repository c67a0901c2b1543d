"""An architectures.csv row as a models.yaml `architecture:` mapping, with its unknowns named."""

from __future__ import annotations

from typing import Any

from .quality import AA_SOURCE
from .sources import upstream_keys

# Why a blank column is unknown, as architectures-notes.md explains it.
_BLANK_WHY = {
    "head_dim": "not in the configs read for this model",
    "vocab_size": "not in the configs read for this model",
    "intermediate_size": "not in the configs read for this model",
    "n_full_attention_layers": "the split between attention and recurrent layers was not read",
    "tie_word_embeddings": "tie_word_embeddings not read",
}


_NOT_CONFIG = ("license:", "AA snapshot", "arch:")


def _int(text: str) -> int | None:
    text = text.strip()
    return int(text) if text.isdigit() else None


def _window(text: str) -> int | None:
    """The sliding window; a config value at or past the context (Phi) means none."""
    head = text.split(" ")[0]
    if not head.isdigit() or "none" in text:
        return None
    return int(head)


def _moe(row: dict[str, str], extra: dict[str, Any]) -> dict[str, Any] | None:
    if not _int(row["n_experts"]):
        return None
    moe: dict[str, Any] = {
        "n_experts": int(row["n_experts"]),
        "n_experts_used": int(row["n_experts_used"]),
    }
    if _int(row["n_shared_experts"]):
        moe["n_shared_experts"] = int(row["n_shared_experts"])
    if _int(row["moe_intermediate_size"]):
        moe["expert_intermediate_size"] = int(row["moe_intermediate_size"])
    for key in ("shared_expert_intermediate_size", "latent_size"):
        if key in extra:
            moe[key] = extra[key]
    if _int(row["first_k_dense_layers"]):
        moe["first_k_dense_layers"] = int(row["first_k_dense_layers"])
    return moe


def _mla(row: dict[str, str], extra: dict[str, Any]) -> dict[str, Any] | None:
    if not _int(row["mla_kv_lora_rank"]):
        return None
    mla = {"kv_lora_rank": int(row["mla_kv_lora_rank"]), "rope_dim": int(row["mla_rope_dim"])}
    if "q_lora_rank" in extra:
        mla["q_lora_rank"] = extra["q_lora_rank"]
    return mla


def _unknowns(row: dict[str, str], arch: dict[str, Any], why: dict[str, str]) -> dict[str, str]:
    unknown = {}
    is_mla = arch.get("mla") is not None
    for column, reason in _BLANK_WHY.items():
        if row[column].strip() or arch.get(column) is not None:
            continue  # read, or filled from the curation
        if column == "head_dim" and is_mla:
            continue  # MLA: the latent ranks replace the per-head dims
        if column == "intermediate_size" and arch.get("moe"):
            continue  # the expert FFN width is in moe.expert_intermediate_size
        unknown[column] = reason
    if arch.get("n_linear_attention_layers") and "recurrent" not in arch:
        unknown["recurrent"] = "state dimensions not in the architecture sources"
    if arch["arch"].startswith("deepseek") and "mla" not in arch:
        unknown["mla"] = "MLA ranks not read for this model (DeepSeek-V3 uses 512 + 64)"
    return {key: why.get(key, reason) for key, reason in unknown.items()}


def borrowed_row(rows: dict[str, dict[str, str]], pick: dict[str, Any]) -> dict[str, str]:
    """The pick's architectures.csv row, with the blank columns its `columns_from` names
    filled from the row of a model of the same architecture; the notes say so and the
    source cites that row's sources too."""
    row = rows[pick["id"]]
    spec = pick.get("columns_from")
    if not spec:
        return row
    donor = rows[spec["model"]]
    filled = {c: donor[c] for c in spec["columns"] if not row[c].strip() and donor[c].strip()}
    if not filled:
        return row
    note = f"Filled from the {spec['model']} row: {', '.join(filled)} ({spec['why']})."
    # The donor's config sources, not what it cites for its own license, date or quality.
    cited = [p for p in donor["source"].split(";") if not p.strip().startswith(_NOT_CONFIG)]
    return {
        **row,
        **filled,
        "source": ";".join([row["source"], *cited]),
        "notes": f"{row['notes'].strip()} {note}".strip(),
    }


def architecture(
    row: dict[str, str],
    extra: dict[str, Any],
    aa_context: int | None,
    unknown_why: dict[str, str] | None = None,
) -> dict[str, Any]:
    """The mapping for one model. `extra` holds curated facts from the row's notes; where the
    row has no context length, Artificial Analysis's (`aa_context`) stands in, cited.
    `unknown_why` replaces the generic reason of an unknown field with a curated one."""
    arch: dict[str, Any] = {
        "source": [row.get("_table", "architectures-csv"), *upstream_keys(row["source"])],
        "arch": row["arch"],
        "total_params_b": float(row["total_params_b"]),
        "active_params_b": float(row["active_params_b"]),
        "n_layers": int(row["n_layers"]),
        "hidden_size": int(row["hidden_size"]),
        "intermediate_size": _int(row["intermediate_size"]),
        "n_heads": int(row["n_heads"]),
        "n_kv_heads": int(row["n_kv_heads"]),
        "head_dim": _int(row["head_dim"]),
        "vocab_size": _int(row["vocab_size"]),
        "max_context": _int(row["max_context"]),
        "tie_word_embeddings": {"true": True, "false": False}.get(row["tie_word_embeddings"]),
        "sliding_window": _window(row["sliding_window"]),
    }
    full = _int(row["n_full_attention_layers"])
    if full is not None and full != arch["n_layers"]:
        arch["n_full_attention_layers"] = full
    if _int(row["linear_attention_layers"]):
        arch["n_linear_attention_layers"] = int(row["linear_attention_layers"])
    keys = ("n_kv_shared_layers", "global_head_dim", "global_n_kv_heads", "recurrent")
    for key in keys:
        if key in extra:
            arch[key] = extra[key]
    if arch["tie_word_embeddings"] is None and "tie_word_embeddings" in extra:
        arch["tie_word_embeddings"] = extra["tie_word_embeddings"]
    if mla := _mla(row, extra):
        arch["mla"] = mla
    if moe := _moe(row, extra):
        arch["moe"] = moe
    required = ("head_dim", "vocab_size")  # required fields: null, with the reason in unknown
    arch = {k: v for k, v in arch.items() if v is not None or k in required}
    unknown = _unknowns(row, arch, unknown_why or {})
    if unknown:
        arch["unknown"] = unknown
    notes = " ".join(n for n in (row["notes"].strip(), extra.get("note")) if n)
    if "max_context" not in arch:
        arch["max_context"] = aa_context
        arch["source"].append(AA_SOURCE)
        notes = f"{notes} max_context is AA's context window.".strip()
    if notes:
        arch["notes"] = notes
    return arch
