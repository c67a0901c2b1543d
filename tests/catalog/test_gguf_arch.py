"""Architecture from GGUF metadata, following llama.cpp's keys and per-architecture layer rules."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from catalog_testkit import Tensor, arch_metadata, llama_tensors, write_gguf
from gguf import GGMLQuantizationType as T

from advisor.bench.kernels.synthetic import TINY
from advisor.catalog.gguf.arch import architecture_from_gguf, parameter_counts
from advisor.catalog.gguf.file import read_model_file
from advisor.catalog.model import Architecture
from advisor.errors import GGUFError


def _arch(tmp_path: Path, arch: str, tensors: list[Tensor] | None = None, **values) -> Architecture:
    n_layers = values.get("block_count", 4)
    base = dict(
        block_count=n_layers,
        context_length=8192,
        embedding_length=256,
        feed_forward_length=512,
        attention__head_count=8,
        attention__head_count_kv=2,
    )
    meta = arch_metadata(arch, **{**base, **values})
    tensors = tensors if tensors is not None else _layer_stack(n_layers)
    (path,) = write_gguf(tmp_path / f"{arch}.gguf", arch, meta, tensors)
    model = read_model_file(path)
    return architecture_from_gguf(model.header, model.tensors, source="test")


def _layer_stack(n_layers: int, n_embd: int = 256, n_vocab: int = 1000) -> list[Tensor]:
    tensors: list[Tensor] = [("token_embd.weight", (n_vocab, n_embd), T.F16)]
    tensors += [(f"blk.{i}.attn_q.weight", (n_embd, n_embd), T.F16) for i in range(n_layers)]
    return tensors


def test_synthetic_llama_matches_its_spec(synthetic_gguf: Path) -> None:
    model = read_model_file(synthetic_gguf)
    arch = architecture_from_gguf(model.header, model.tensors, source="s")
    assert arch.arch == "llama"
    assert (arch.n_layers, arch.hidden_size, arch.intermediate_size) == (
        TINY.n_layer,
        TINY.n_embd,
        TINY.n_ff,
    )
    assert (arch.n_heads, arch.n_kv_heads, arch.head_dim) == (
        TINY.n_head,
        TINY.n_head_kv,
        TINY.head_dim,
    )
    assert (arch.vocab_size, arch.max_context) == (TINY.n_vocab, TINY.n_ctx_train)
    assert arch.total_params_b == arch.active_params_b == pytest.approx(TINY.n_params / 1e9)
    assert round(arch.total_params_b * 1e9) == TINY.n_params
    assert arch.tie_word_embeddings is False
    assert arch.moe is None and arch.sliding_window is None
    assert arch.n_full_attention_layers is None and arch.n_linear_attention_layers == 0


def test_moe_active_parameters_count_only_the_experts_in_use(tmp_path: Path) -> None:
    n_embd, n_ff_exp, n_experts = 256, 128, 16
    tensors = _layer_stack(2)
    for i in range(2):
        tensors += [
            (f"blk.{i}.ffn_gate_exps.weight", (n_experts, n_ff_exp, n_embd), T.Q8_0),
            (f"blk.{i}.ffn_down_exps.weight", (n_experts, n_embd, n_ff_exp), T.Q8_0),
            (f"blk.{i}.ffn_gate_shexp.weight", (n_ff_exp, n_embd), T.Q8_0),
        ]
    arch = _arch(
        tmp_path,
        "qwen3moe",
        tensors,
        block_count=2,
        expert_count=n_experts,
        expert_used_count=4,
        expert_shared_count=1,
        expert_feed_forward_length=n_ff_exp,
        leading_dense_block_count=1,
    )
    total = sum(math.prod(shape) for _, shape, _ in tensors)
    routed = 2 * 2 * n_experts * n_ff_exp * n_embd
    assert round(arch.total_params_b * 1e9) == total
    assert round(arch.active_params_b * 1e9) == total - routed * 12 // 16
    assert arch.moe.n_experts == 16 and arch.moe.n_experts_used == 4
    assert arch.moe.n_shared_experts == 1 and arch.moe.expert_intermediate_size == n_ff_exp
    assert arch.moe.first_k_dense_layers == 1


def test_parameter_counts_without_experts() -> None:
    assert parameter_counts([], 0, 0) == (0, 0)


@pytest.mark.parametrize(
    ("arch", "n_layers", "window", "full"),
    [
        ("gemma3", 12, 512, 2),  # every 6th layer is global
        ("gemma2", 10, 4096, 5),  # alternating
        ("gpt-oss", 24, 128, 12),
        ("cohere2", 8, 4096, 2),  # dense_first=false: layers 3 and 7
    ],
)
def test_sliding_window_patterns_follow_llama_cpp(
    tmp_path: Path, arch: str, n_layers: int, window: int, full: int
) -> None:
    result = _arch(tmp_path, arch, block_count=n_layers, attention__sliding_window=window)
    assert result.sliding_window == window
    assert result.n_full_attention_layers == full


def test_explicit_pattern_and_smaller_sliding_heads(tmp_path: Path) -> None:
    pattern = [True, True, True, True, True, False] * 2
    arch = _arch(
        tmp_path,
        "gemma4",
        block_count=12,
        attention__sliding_window=1024,
        attention__sliding_window_pattern=pattern,
        attention__key_length=512,
        attention__key_length_swa=256,
        attention__shared_kv_layers=4,
        attention__head_count_kv=[8, 8, 8, 8, 8, 2] * 2,
    )
    assert arch.n_full_attention_layers == 2
    assert (arch.head_dim, arch.global_head_dim) == (256, 512)
    assert (arch.n_kv_heads, arch.global_n_kv_heads) == (8, 2)
    assert arch.n_kv_shared_layers == 4


def test_gated_delta_net_hybrid(tmp_path: Path) -> None:
    arch = _arch(
        tmp_path,
        "qwen35",
        block_count=8,
        full_attention_interval=4,
        ssm__conv_kernel=4,
        ssm__state_size=128,
        ssm__group_count=16,
        ssm__time_step_rank=32,
        ssm__inner_size=4096,
    )
    assert (arch.n_linear_attention_layers, arch.n_full_attention_layers) == (6, 2)
    assert arch.recurrent.kind == "gated_delta_net"
    assert (arch.recurrent.d_state, arch.recurrent.d_conv, arch.recurrent.n_groups) == (128, 4, 16)
    assert (arch.recurrent.n_heads, arch.recurrent.head_dim) == (32, 128)


def test_hybrid_marked_by_layers_without_kv_heads(tmp_path: Path) -> None:
    arch = _arch(
        tmp_path,
        "lfm2",
        block_count=6,
        attention__head_count_kv=[0, 0, 2, 0, 0, 2],
        shortconv__l_cache=3,
    )
    assert (arch.n_linear_attention_layers, arch.n_full_attention_layers) == (4, 2)
    assert arch.recurrent.kind == "short_conv" and arch.recurrent.d_conv == 3
    assert arch.n_kv_heads == 2


def test_nemotron_h_has_ffn_only_blocks(tmp_path: Path) -> None:
    arch = _arch(
        tmp_path,
        "nemotron_h",
        block_count=4,
        attention__head_count_kv=[0, 0, 2, 0],
        feed_forward_length=[0, 512, 0, 512],
    )
    # block 0 mamba, block 1 FFN only, block 2 attention, block 3 FFN only
    assert (arch.n_linear_attention_layers, arch.n_full_attention_layers) == (1, 1)
    assert arch.recurrent.kind == "mamba2"


def test_mla_latent_cache(tmp_path: Path) -> None:
    arch = _arch(
        tmp_path,
        "deepseek2",
        attention__kv_lora_rank=512,
        attention__q_lora_rank=1536,
        rope__dimension_count=64,
        attention__key_length=192,
    )
    assert (arch.mla.kv_lora_rank, arch.mla.rope_dim, arch.mla.q_lora_rank) == (512, 64, 1536)


def test_unknown_sliding_window_rule_is_said_not_guessed(tmp_path: Path) -> None:
    arch = _arch(tmp_path, "phi3", attention__sliding_window=2047)
    assert arch.sliding_window is None
    assert "phi3" in arch.unknown["sliding_window"]


def test_tied_embeddings_and_vocab_from_the_token_embedding(tmp_path: Path) -> None:
    arch = _arch(tmp_path, "llama")
    assert arch.tie_word_embeddings is True  # no output.weight tensor
    assert arch.vocab_size == 1000  # token_embd's second dimension


def test_head_dim_from_hidden_size_when_no_key_length(tmp_path: Path) -> None:
    assert _arch(tmp_path, "llama").head_dim == 256 // 8


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ({"block_count": 10**9}, "claims 1000000000 layers for 5 tensors"),
        ({"block_count": 0}, "claims 0 layers"),
        ({"context_length": "long"}, "llama.context_length is 'long'; expected a whole number"),
        (
            {"attention__head_count": ["a", "b", "c", "d"]},
            "llama.attention.head_count is an array of 4",
        ),
        (
            {"expert_count": 2, "expert_used_count": 3},
            "n_experts_used is larger than moe.n_experts",
        ),
    ],
)
def test_impossible_metadata_is_a_gguf_error(tmp_path: Path, values: dict, expected: str) -> None:
    with pytest.raises(GGUFError, match=expected):
        _arch(tmp_path, "llama", _layer_stack(4), **values)


def test_required_keys(tmp_path: Path) -> None:
    meta = {"llama.block_count": 2}
    (path,) = write_gguf(tmp_path / "m.gguf", "llama", meta, llama_tensors(2, 64, 128, 40, 32))
    model = read_model_file(path)
    with pytest.raises(GGUFError, match="lacks llama.attention.head_count"):
        architecture_from_gguf(model.header, model.tensors, source="s")
