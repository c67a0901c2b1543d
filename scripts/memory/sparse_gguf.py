"""Write a GGUF whose header is exact for a real architecture and whose data is a sparse hole.

The metadata is what llama.cpp's converter writes for the architecture (the keys each
`load_arch_hparams` reads), the tensor infos are `advisor.catalog.tensors.layout.tensor_layout`'s
names, shapes and ggml types, and the data region is left as a hole by extending the file with
truncate: a 70 GB model takes a few MB of disk. llama.cpp loads it with mmap and allocates
exactly what it would for the real weights, which is what scripts/memory/measure.py reads.

    python scripts/memory/sparse_gguf.py ARCH_JSON QUANT OUT.gguf
"""

from __future__ import annotations

import sys
from pathlib import Path

import gguf
import numpy as np

from advisor.bench.kernels.synthetic import synthetic_vocab
from advisor.catalog.model import Architecture
from advisor.catalog.tensors.layer_pattern import block_kinds
from advisor.catalog.tensors.layout import tensor_layout
from advisor.catalog.tensors.model_dims import (
    DEFAULTS,
    gdn_dims,
    mamba2_dims,
    mla_head_dim,
    mla_of,
    shortconv_l_cache,
)

_FILE_TYPE = {
    "F32": 0, "F16": 1, "Q4_0": 2, "Q4_1": 3, "Q8_0": 7, "Q5_0": 8, "Q5_1": 9, "Q2_K": 10,
    "Q3_K_S": 11, "Q3_K_M": 12, "Q3_K_L": 13, "Q4_K_S": 14, "Q4_K_M": 15, "Q5_K_S": 16,
    "Q5_K_M": 17, "Q6_K": 18, "IQ2_XXS": 19, "IQ2_XS": 20, "Q2_K_S": 21, "IQ3_XS": 22,
    "IQ3_XXS": 23, "IQ1_S": 24, "IQ4_NL": 25, "IQ3_S": 26, "IQ3_M": 27, "IQ2_S": 28,
    "IQ2_M": 29, "IQ4_XS": 30, "IQ1_M": 31, "BF16": 32, "MXFP4": 38,
}  # fmt: skip


class _Meta:
    def __init__(self, writer: gguf.GGUFWriter, arch: Architecture) -> None:
        self.w, self.a = writer, arch

    def u32(self, key: str, value: int) -> None:
        self.w.add_uint32(key.format(arch=self.a.arch), int(value))

    def f32(self, key: str, value: float) -> None:
        self.w.add_float32(key.format(arch=self.a.arch), float(value))

    def arr(self, key: str, values: list) -> None:
        self.w.add_array(key.format(arch=self.a.arch), values)


def _head_dim(a: Architecture) -> int:
    return a.head_dim or a.hidden_size // a.n_heads


def _common(m: _Meta, a: Architecture, n_ff: int | None) -> None:
    m.u32("{arch}.context_length", a.max_context)
    m.u32("{arch}.embedding_length", a.hidden_size)
    m.u32("{arch}.block_count", a.n_layers)
    m.u32("{arch}.attention.head_count", a.n_heads)
    m.u32("{arch}.attention.head_count_kv", a.n_kv_heads)
    m.f32("{arch}.attention.layer_norm_rms_epsilon", 1e-6)
    m.f32("{arch}.attention.layer_norm_epsilon", 1e-6)
    m.f32("{arch}.rope.freq_base", 10000.0)
    hd = _head_dim(a)
    if a.mla is None and a.arch not in ("deepseek2", "deepseek32"):
        m.u32("{arch}.attention.key_length", hd)
        m.u32("{arch}.attention.value_length", hd)
        m.u32("{arch}.rope.dimension_count", hd)
    if a.arch == "granitehybrid" and a.moe:  # Granite MoE: feed_forward_length is per expert
        m.u32("{arch}.feed_forward_length", a.moe.expert_intermediate_size or 0)
    elif a.intermediate_size:
        m.u32("{arch}.feed_forward_length", a.intermediate_size)
    elif n_ff:  # solved from the parameter count by the tensor recipe
        m.u32("{arch}.feed_forward_length", n_ff)
    if a.moe:
        moe = a.moe
        m.u32("{arch}.expert_count", moe.n_experts)
        m.u32("{arch}.expert_used_count", moe.n_experts_used)
        if moe.expert_intermediate_size:
            m.u32("{arch}.expert_feed_forward_length", moe.expert_intermediate_size)
        m.u32("{arch}.expert_shared_count", moe.n_shared_experts)
        m.u32("{arch}.leading_dense_block_count", moe.first_k_dense_layers)
        m.u32("{arch}.expert_gating_func", 2)
        if moe.shared_expert_intermediate_size:
            m.u32("{arch}.expert_shared_feed_forward_length", moe.shared_expert_intermediate_size)
        if moe.latent_size:
            m.u32("{arch}.moe_latent_size", moe.latent_size)
    if a.sliding_window:
        m.u32("{arch}.attention.sliding_window", a.sliding_window)


def _swa_pattern(m: _Meta, a: Architecture) -> None:
    if a.sliding_window:
        m.arr("{arch}.attention.sliding_window_pattern", [k == "swa" for k in block_kinds(a)])


def _mla(m: _Meta, a: Architecture) -> None:
    mla = mla_of(a)
    nope = mla_head_dim(a)
    m.u32("{arch}.attention.q_lora_rank", mla.q_lora_rank or 0)
    m.u32("{arch}.attention.kv_lora_rank", mla.kv_lora_rank)
    m.u32("{arch}.attention.key_length", mla.kv_lora_rank + mla.rope_dim)
    m.u32("{arch}.attention.value_length", mla.kv_lora_rank)
    m.u32("{arch}.attention.key_length_mla", nope + mla.rope_dim)
    m.u32("{arch}.attention.value_length_mla", nope)
    m.u32("{arch}.rope.dimension_count", mla.rope_dim)
    m.u32("{arch}.attention.head_count_kv", 1)
    if a.arch == "deepseek32":
        m.u32("{arch}.attention.indexer.head_count", DEFAULTS["dsa_indexer_heads"])
        m.u32("{arch}.attention.indexer.key_length", DEFAULTS["dsa_indexer_head_dim"])
        m.u32("{arch}.attention.indexer.top_k", 2048)


def _gdn(m: _Meta, a: Architecture) -> None:
    g = gdn_dims(a)
    m.u32("{arch}.ssm.conv_kernel", g.d_conv)
    m.u32("{arch}.ssm.inner_size", g.v_dim)
    m.u32("{arch}.ssm.state_size", g.d_state)
    m.u32("{arch}.ssm.time_step_rank", g.v_heads)
    m.u32("{arch}.ssm.group_count", g.k_heads)
    m.arr("{arch}.attention.recurrent_layers", [k == "recurrent" for k in block_kinds(a)])
    m.arr("{arch}.rope.dimension_sections", [11, 11, 10, 0])
    if a.moe and not a.moe.shared_expert_intermediate_size:
        m.u32("{arch}.expert_shared_feed_forward_length", a.moe.expert_intermediate_size or 512)


def _mamba(m: _Meta, a: Architecture) -> None:
    d = mamba2_dims(a)
    m.u32("{arch}.ssm.conv_kernel", d.d_conv)
    m.u32("{arch}.ssm.inner_size", d.d_inner)
    m.u32("{arch}.ssm.state_size", d.d_state)
    m.u32("{arch}.ssm.time_step_rank", d.n_heads)
    m.u32("{arch}.ssm.group_count", d.n_groups)
    kinds = block_kinds(a)
    m.arr("{arch}.attention.head_count_kv", [a.n_kv_heads if k == "full" else 0 for k in kinds])
    if a.arch in ("nemotron_h", "nemotron_h_moe"):
        n_ff = (a.moe.expert_intermediate_size if a.moe else a.intermediate_size) or 0
        m.arr("{arch}.feed_forward_length", [n_ff if k == "ffn" else 0 for k in kinds])
        if a.moe:
            shexp = a.moe.shared_expert_intermediate_size or n_ff
            m.u32("{arch}.expert_shared_feed_forward_length", shexp)


def _lfm2(m: _Meta, a: Architecture) -> None:
    m.u32("{arch}.shortconv.l_cache", shortconv_l_cache(a))
    kinds = block_kinds(a)
    m.arr("{arch}.attention.head_count_kv", [a.n_kv_heads if k == "full" else 0 for k in kinds])


def _gemma(m: _Meta, a: Architecture) -> None:
    _swa_pattern(m, a)
    if a.arch in ("gemma3n", "gemma4") and a.n_kv_shared_layers:
        m.u32("{arch}.attention.shared_kv_layers", a.n_kv_shared_layers)
        m.u32("{arch}.embedding_length_per_layer_input", DEFAULTS["per_layer_embd"])
    if a.arch == "gemma3n":
        m.u32("{arch}.altup.num_inputs", DEFAULTS["altup"])
        m.u32("{arch}.altup.active_idx", 0)
        m.u32("{arch}.laurel_rank", DEFAULTS["laurel_rank"])
        m.arr("{arch}.activation_sparsity_scale", [0.0] * a.n_layers)
    if a.arch == "gemma4":
        _gemma4(m, a)


def _gemma4(m: _Meta, a: Architecture) -> None:
    hd = _head_dim(a)
    kinds = block_kinds(a)
    global_hd = a.global_head_dim or hd
    m.u32("{arch}.attention.key_length", global_hd)
    m.u32("{arch}.attention.value_length", global_hd)
    m.u32("{arch}.rope.dimension_count", global_hd)
    m.u32("{arch}.attention.key_length_swa", hd)
    m.u32("{arch}.attention.value_length_swa", hd)
    m.u32("{arch}.rope.dimension_count_swa", hd)
    if not a.n_kv_shared_layers:
        m.u32("{arch}.embedding_length_per_layer_input", 0)
    global_kv = a.global_n_kv_heads or a.n_kv_heads
    m.arr(
        "{arch}.attention.head_count_kv",
        [global_kv if k == "full" else a.n_kv_heads for k in kinds],
    )
    m.u32("{arch}.attention.shared_kv_layers", a.n_kv_shared_layers)


def _arch_specific(m: _Meta, a: Architecture) -> None:
    name = a.arch
    if name in ("gemma2", "gemma3", "gemma3n", "gemma4"):
        _gemma(m, a)
    elif name in ("gpt-oss", "llama4"):
        _swa_pattern(m, a)
        if name == "llama4":
            step = 2 if a.moe and a.moe.n_experts >= 128 else 1
            m.u32("{arch}.interleave_moe_layer_step", step)
            m.u32("{arch}.expert_feed_forward_length", a.moe.expert_intermediate_size or 8192)
    elif name in ("deepseek2", "deepseek32"):
        _mla(m, a)
    elif name in ("qwen3next", "qwen35", "qwen35moe"):
        _gdn(m, a)
    elif name in ("nemotron_h", "nemotron_h_moe", "granitehybrid"):
        _mamba(m, a)
    elif name in ("lfm2", "lfm2moe"):
        _lfm2(m, a)
    if name in ("granite", "granitehybrid"):
        m.f32("{arch}.logit_scale", 1.0)


def _add_tokenizer(writer: gguf.GGUFWriter, n_vocab: int) -> None:
    tokens, scores, types = synthetic_vocab(n_vocab)
    writer.add_tokenizer_model("llama")
    writer.add_token_list(tokens)
    writer.add_token_scores(scores)
    writer.add_token_types(types)
    writer.add_bos_token_id(1)
    writer.add_eos_token_id(2)


def write_sparse_gguf(arch: Architecture, quant: str, path: str | Path) -> Path:
    """The exact header of `arch` at `quant`, followed by a hole as large as the tensor data."""
    path = Path(path)
    layout = tensor_layout(arch, quant)
    writer = gguf.GGUFWriter(str(path), arch.arch)
    writer.add_name("advisor sparse model")  # no arch name: it switches vocab quirks on
    writer.add_file_type(_FILE_TYPE[quant])
    meta = _Meta(writer, arch)
    dense_ffn = [t.shape[1] for t in layout.tensors if t.name.endswith(".ffn_up.weight")]
    _common(meta, arch, dense_ffn[0] if dense_ffn else None)
    _arch_specific(meta, arch)
    vocab = next(t.shape[1] for t in layout.tensors if t.name == "token_embd.weight")
    _add_tokenizer(writer, vocab)
    data = 0
    for t in layout.tensors:
        raw = gguf.GGMLQuantizationType[t.ggml_type]
        writer.add_tensor_info(t.name, tuple(reversed(t.shape)), np.dtype(np.float32), t.nbytes,
                               raw_dtype=raw)  # fmt: skip
        data += gguf.GGUFWriter.ggml_pad(t.nbytes, writer.data_alignment)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_ti_data_to_file()
    writer.close()
    header = path.stat().st_size
    with open(path, "r+b") as handle:
        handle.truncate(gguf.GGUFWriter.ggml_pad(header, writer.data_alignment) + data)
    return path


if __name__ == "__main__":
    import json

    spec = json.loads(Path(sys.argv[1]).read_text())
    from advisor.files.strict import validate

    write_sparse_gguf(validate(Architecture, spec), sys.argv[2], sys.argv[3])
