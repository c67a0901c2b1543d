"""Header-exact tensor lists of released models the catalog lacks, for sparse test GGUFs.

Shapes and metadata are what llama.cpp's convert_hf_to_gguf.py writes for the model's
config.json (DeepSeek-V2-Lite: deepseek-ai/DeepSeek-V2-Lite, 27 layers, 64 routed experts
of 1408, 2 shared, 1 leading dense block of 10944, MLA kv_lora_rank 512, no q_lora).
"""

from __future__ import annotations

from typing import Any

from catalog_testkit import Tensor, arch_metadata, llama_tensors, tensor_nbytes
from gguf import GGMLQuantizationType as T


def deepseek_v2_lite(qtype: T = T.BF16) -> tuple[dict[str, Any], list[Tensor]]:
    """(metadata, tensors) of DeepSeek-V2-Lite as current llama.cpp converts it (MLA split
    into attn_k_b / attn_v_b, key_length 576 for the latent cache, *_mla for the heads)."""
    embd, heads, vocab, n_layers = 2048, 16, 102400, 27
    nope, rope, v_dim, kv_rank = 128, 64, 128, 512
    ff, ff_exp, n_exp, n_shared = 10944, 1408, 64, 2
    meta = arch_metadata(
        "deepseek2",
        block_count=n_layers,
        context_length=163840,
        embedding_length=embd,
        feed_forward_length=ff,
        attention__head_count=heads,
        attention__head_count_kv=1,
        attention__key_length=kv_rank + rope,
        attention__value_length=kv_rank,
        attention__key_length_mla=nope + rope,
        attention__value_length_mla=v_dim,
        attention__kv_lora_rank=kv_rank,
        attention__layer_norm_rms_epsilon=1e-6,
        rope__dimension_count=rope,
        rope__freq_base=10000.0,
        leading_dense_block_count=1,
        vocab_size=vocab,
        expert_feed_forward_length=ff_exp,
        expert_count=n_exp,
        expert_shared_count=n_shared,
        expert_used_count=6,
        expert_weights_scale=1.0,
    )
    meta["general.name"] = "DeepSeek V2 Lite Chat"
    meta |= tokenizer(vocab)
    meta["general.file_type"] = 32 if qtype == T.BF16 else 7  # MOSTLY_BF16 / MOSTLY_Q8_0
    tensors: list[Tensor] = [("token_embd.weight", (vocab, embd), qtype)]
    for i in range(n_layers):
        tensors += [
            (f"blk.{i}.attn_norm.weight", (embd,), T.F32),
            (f"blk.{i}.attn_q.weight", (heads * (nope + rope), embd), qtype),
            (f"blk.{i}.attn_kv_a_mqa.weight", (kv_rank + rope, embd), qtype),
            (f"blk.{i}.attn_kv_a_norm.weight", (kv_rank,), T.F32),
            (f"blk.{i}.attn_k_b.weight", (heads, kv_rank, nope), qtype),
            (f"blk.{i}.attn_v_b.weight", (heads, v_dim, kv_rank), qtype),
            (f"blk.{i}.attn_output.weight", (embd, heads * v_dim), qtype),
            (f"blk.{i}.ffn_norm.weight", (embd,), T.F32),
        ]
        if i < 1:
            tensors += [
                (f"blk.{i}.ffn_gate.weight", (ff, embd), qtype),
                (f"blk.{i}.ffn_up.weight", (ff, embd), qtype),
                (f"blk.{i}.ffn_down.weight", (embd, ff), qtype),
            ]
            continue
        shared = ff_exp * n_shared
        tensors += [
            (f"blk.{i}.ffn_gate_inp.weight", (n_exp, embd), T.F32),
            (f"blk.{i}.ffn_gate_exps.weight", (n_exp, ff_exp, embd), qtype),
            (f"blk.{i}.ffn_up_exps.weight", (n_exp, ff_exp, embd), qtype),
            (f"blk.{i}.ffn_down_exps.weight", (n_exp, embd, ff_exp), qtype),
            (f"blk.{i}.ffn_gate_shexp.weight", (shared, embd), qtype),
            (f"blk.{i}.ffn_up_shexp.weight", (shared, embd), qtype),
            (f"blk.{i}.ffn_down_shexp.weight", (embd, shared), qtype),
        ]
    tensors += [("output_norm.weight", (embd,), T.F32), ("output.weight", (vocab, embd), qtype)]
    return meta, tensors


def tokenizer(n_vocab: int) -> dict[str, Any]:
    """A BPE vocabulary of n_vocab entries (llama.cpp needs one to load the file)."""
    return {
        "tokenizer.ggml.model": "gpt2",
        "tokenizer.ggml.tokens": [f"t{i}" for i in range(n_vocab)],
    }


def llama2_13b(qtype: T = T.Q8_0) -> tuple[dict[str, Any], list[Tensor]]:
    """(metadata, tensors) of Llama 2 13B (meta-llama/Llama-2-13b-hf: 40 layers, 5120 wide,
    40 heads without GQA, FFN 13824, vocab 32000, untied output) at one type throughout."""
    embd, n_ff, vocab, n_layers = 5120, 13824, 32000, 40
    meta = arch_metadata(
        "llama",
        block_count=n_layers,
        context_length=4096,
        embedding_length=embd,
        feed_forward_length=n_ff,
        attention__head_count=40,
        attention__head_count_kv=40,
        attention__layer_norm_rms_epsilon=1e-5,
        rope__dimension_count=128,
    )
    meta["general.name"] = "Llama 2 13B"
    meta["general.file_type"] = 7 if qtype == T.Q8_0 else 1  # MOSTLY_Q8_0 / MOSTLY_F16
    meta |= tokenizer(vocab) | {"tokenizer.ggml.model": "llama"}
    return meta, llama_tensors(n_layers, embd, n_ff, vocab, embd, qtype)


def tensor_bytes(tensors: list[Tensor]) -> int:
    return sum(tensor_nbytes(shape, qtype) for _, shape, qtype in tensors)
