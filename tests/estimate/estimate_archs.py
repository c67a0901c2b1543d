"""Architectures of real models for the estimator's tests, read from a copy of the shared data.

data/architectures.csv is a copy of ../shared/data/architectures.csv (Hugging Face config.json
copies and model cards; every row names its source). The MLA q_lora_rank is not in that file:
1536 is DeepSeek-V3's value (config.json q_lora_rank), used for every MLA row here. The
KV-sharing and Gemma 4 global-layer facts come from the same file's notes
(../shared/data/architectures-notes.md, caveat 5), as `_NOTES` below.
"""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

from advisor.catalog.model import Architecture, Mla, Model, Moe, Quant

DATA = Path(__file__).parent / "data"


def _int(text: str) -> int | None:
    try:
        return int(text)
    except ValueError:
        return None


def _moe(row: dict[str, str]) -> Moe | None:
    if not _int(row["n_experts"]):
        return None
    return Moe(
        n_experts=int(row["n_experts"]),
        n_experts_used=int(row["n_experts_used"]),
        n_shared_experts=_int(row["n_shared_experts"]) or 0,
        expert_intermediate_size=_int(row["moe_intermediate_size"]),
        first_k_dense_layers=_int(row["first_k_dense_layers"]) or 0,
    )


# architectures-notes.md caveat 5: KV shared across the last layers (num_kv_shared_layers);
# Gemma 4 global layers use head_dim 512 and fewer KV heads (31B: 4, 26B: 2).
_NOTES: dict[str, dict[str, int]] = {
    "gemma-3n-e2b-it": {"n_kv_shared_layers": 10},
    "gemma-3n-e4b-it": {"n_kv_shared_layers": 15},
    "gemma-4-e2b-it": {"n_kv_shared_layers": 20, "global_head_dim": 512},
    "gemma-4-e4b-it": {"n_kv_shared_layers": 18, "global_head_dim": 512},
    "gemma-4-26b-a4b-it": {"global_head_dim": 512, "global_n_kv_heads": 2},
    "gemma-4-31b-it": {"global_head_dim": 512, "global_n_kv_heads": 4},
}


def _arch(row: dict[str, str]) -> Architecture:
    window = row["sliding_window"].split(" ")[0]
    mla = None
    if _int(row["mla_kv_lora_rank"]):
        mla = Mla(kv_lora_rank=int(row["mla_kv_lora_rank"]), rope_dim=int(row["mla_rope_dim"]),
                  q_lora_rank=1536)  # fmt: skip
    return Architecture(
        source=("architectures.csv",),
        arch=row["arch"],
        total_params_b=float(row["total_params_b"]),
        active_params_b=float(row["active_params_b"]),
        n_layers=int(row["n_layers"]),
        hidden_size=int(row["hidden_size"]),
        n_heads=int(row["n_heads"]),
        n_kv_heads=int(row["n_kv_heads"]),
        head_dim=_int(row["head_dim"]),
        vocab_size=_int(row["vocab_size"]),
        max_context=_int(row["max_context"]) or 4096,
        intermediate_size=_int(row["intermediate_size"]),
        tie_word_embeddings={"true": True, "false": False}.get(row["tie_word_embeddings"]),
        sliding_window=_int(window),
        n_full_attention_layers=_int(row["n_full_attention_layers"]),
        n_linear_attention_layers=_int(row["linear_attention_layers"]) or 0,
        mla=mla,
        moe=_moe(row),
        **_NOTES.get(row["model_id"], {}),
    )


@cache
def architectures() -> dict[str, Architecture]:
    with open(DATA / "architectures.csv", newline="") as handle:
        return {row["model_id"]: _arch(row) for row in csv.DictReader(handle)}


def arch(model_id: str) -> Architecture:
    return architectures()[model_id]


def model(model_id: str, quants: tuple[str, ...] = ("Q4_K_M",)) -> Model:
    """A catalog Model around the fixture architecture (sizes from the tensor layout)."""
    from advisor.catalog.tensors.layout import tensor_layout

    a = arch(model_id)
    files = tuple(
        Quant(type=q, size_bytes=tensor_layout(a, q).file_bytes, basis="computed", source="test")
        for q in quants
    )
    return Model(id=model_id, name=model_id, hf_repo=f"test/{model_id}", family="test",
                 source=("test",), release_date=None, license=None, tasks=("chat",),
                 architecture=a, quality=None, quants=files)  # fmt: skip
