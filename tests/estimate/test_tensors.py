"""GGUF tensor layouts: published tensor sizes, llama.cpp's quant mixes, placement groups."""

from __future__ import annotations

import csv

import pytest
from estimate_archs import DATA, arch, architectures

from advisor.catalog.fields import QUANT_TYPES
from advisor.catalog.tensors.layout import quant_tensor_bytes, tensor_layout
from advisor.units import GIB


def _published() -> list[tuple[str, str, float, str]]:
    with open(DATA / "tensor_sizes.csv", newline="") as handle:
        return [(r["model_id"], r["quant"], float(r["size"]), r["unit"])
                for r in csv.DictReader(handle)]  # fmt: skip


@pytest.mark.parametrize(("model_id", "quant", "size", "unit"), _published())
def test_matches_published_sizes(model_id: str, quant: str, size: float, unit: str) -> None:
    layout = tensor_layout(arch(model_id), quant)
    if unit == "bytes":  # a whole .gguf file: header included
        assert layout.file_bytes == pytest.approx(size, rel=0.002)
    else:  # llama-bench's "model size": tensor bytes, printed to 2 decimals
        assert layout.bytes.total_bytes / GIB == pytest.approx(size, rel=0.004, abs=0.006)


def _types(model_id: str, quant: str) -> dict[str, str]:
    return {t.name: t.ggml_type for t in tensor_layout(arch(model_id), quant).tensors}


def test_q4_k_m_mix_on_llama_3_8b() -> None:
    types = _types("llama-3-8b-instruct", "Q4_K_M")
    assert types["output.weight"] == "Q6_K"
    assert types["token_embd.weight"] == "Q4_K"
    assert types["blk.0.attn_norm.weight"] == "F32"
    # use_more_bits: the first and last eighth of the layers, then every third one.
    more_bits = [i for i in range(32) if types[f"blk.{i}.attn_v.weight"] == "Q6_K"]
    assert more_bits == [0, 1, 2, 3, 6, 9, 12, 15, 18, 21, 24, 27, 28, 29, 30, 31]
    assert types["blk.4.attn_v.weight"] == "Q4_K"
    assert types["blk.0.ffn_down.weight"] == "Q6_K"
    assert types["blk.4.ffn_gate.weight"] == "Q4_K"


def test_tied_embeddings_take_the_output_type() -> None:
    types = _types("llama-3.2-1b-instruct", "Q4_K_M")
    assert "output.weight" not in types
    assert types["token_embd.weight"] == "Q6_K"  # quantized as the output head it doubles as
    # Qwen2.5-0.5B rows are 896 wide, not a multiple of 256: the head goes to Q8_0 instead.
    assert _types("qwen2.5-0.5b-instruct", "Q4_K_M")["token_embd.weight"] == "Q8_0"


def test_rows_not_a_block_multiple_fall_back() -> None:
    # gpt-oss rows are 2880 wide: not a multiple of 256, so Q4_K falls back to Q5_0.
    types = _types("gpt-oss-20b", "Q4_K_M")
    assert types["blk.0.ffn_up_exps.weight"] == "Q5_0"
    assert types["blk.0.attn_q.weight"] == "Q5_0"
    assert types["blk.0.ffn_gate_inp.weight"] == "F32"


def test_mxfp4_keeps_experts_in_mxfp4_and_the_rest_in_q8_0() -> None:
    types = _types("gpt-oss-120b", "MXFP4")
    assert types["blk.3.ffn_down_exps.weight"] == "MXFP4"
    assert types["blk.3.attn_k.weight"] == "Q8_0"
    assert types["output.weight"] == "Q8_0"


def test_groups_add_up_and_experts_are_counted() -> None:
    qb = quant_tensor_bytes(arch("qwen3-30b-a3b"), "Q4_K_M")
    assert sum(qb.layer_bytes) + qb.input_bytes + qb.output_bytes == qb.total_bytes
    assert len(qb.layer_bytes) == 48
    # Routed experts are most of a 30B-A3B model.
    assert 0.85 < qb.expert_bytes / qb.total_bytes < 0.95
    assert quant_tensor_bytes(arch("qwen3-8b"), "Q4_K_M").expert_bytes == 0


def test_tied_output_is_loaded_twice() -> None:
    qb = quant_tensor_bytes(arch("llama-3.2-1b-instruct"), "Q8_0")
    assert qb.output_loaded_bytes == qb.output_bytes + qb.input_bytes
    assert qb.loaded_bytes == qb.total_bytes + qb.input_bytes


def test_mla_and_hybrid_layouts() -> None:
    ds = tensor_layout(arch("deepseek-v3"), "Q4_K_M")
    names = {t.name for t in ds.tensors}
    assert "blk.0.attn_kv_a_mqa.weight" in names and "blk.0.ffn_gate.weight" in names
    assert "blk.3.ffn_gate_exps.weight" in names and "blk.3.ffn_up_shexp.weight" in names
    qwen = tensor_layout(arch("qwen3.5-9b"), "Q4_K_M")
    names = {t.name for t in qwen.tensors}
    assert "blk.0.ssm_conv1d.weight" in names and "blk.3.attn_q.weight" in names
    assert qwen.assumptions  # the gated-delta-net sizes came from the documented defaults


def test_every_catalog_architecture_and_quant_lays_out() -> None:
    for model_id, a in architectures().items():
        for quant in ("Q4_K_M", "Q8_0", "IQ2_XXS", "BF16"):
            qb = quant_tensor_bytes(a, quant)
            assert qb.total_bytes > 0, model_id
    assert "MXFP4" in QUANT_TYPES


def test_unknown_quant_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown quant type"):
        tensor_layout(arch("qwen3-8b"), "Q4_K_XL")


def test_latent_moe_experts_work_in_the_latent_width() -> None:
    """Nemotron 3 Super: 512 experts in a 1024-wide latent space make a 120.6B model."""
    import dataclasses

    a = arch("nemotron-3-super-120b-a12b")
    latent = dataclasses.replace(a, moe=dataclasses.replace(a.moe, latent_size=1024))
    layout = tensor_layout(latent, "Q4_K_M")
    shapes = {t.name: t.shape for t in layout.tensors}
    moe_block = next(t.layer for t in layout.tensors if t.name.endswith("ffn_up_exps.weight"))
    assert shapes[f"blk.{moe_block}.ffn_up_exps.weight"][0] == 1024
    assert shapes[f"blk.{moe_block}.ffn_latent_down.weight"] == (a.hidden_size, 1024)
    assert layout.bytes.n_params / 1e9 == pytest.approx(120.6, rel=0.01)
