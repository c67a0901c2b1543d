"""KV cache and recurrent state per architecture family, in MiB as llama.cpp allocated them
(the values come from data/llama_cpp_memory.csv and the sparse-GGUF loads behind it)."""

from __future__ import annotations

import pytest
from estimate_archs import arch

from advisor.estimate.kv import kv_bytes_per_token, kv_layout, padded_context
from advisor.units import MIB


@pytest.mark.parametrize(
    ("model_id", "context", "kv_type", "kv_mib", "state_mib"),
    [
        ("llama-3-8b-instruct", 8192, "f16", 1024.0, 0.0),  # GQA: 8 KV heads of 128
        ("llama-3-8b-instruct", 32768, "q8_0", 2176.0, 0.0),  # 34 bytes per 32 values
        ("llama-3-8b-instruct", 16384, "q4_0", 576.0, 0.0),  # 18 bytes per 32 values
        ("llama-2-7b-chat", 4096, "f16", 2048.0, 0.0),  # no GQA
        ("gemma-3-12b-it", 8192, "f16", 992.0, 0.0),  # 40 SWA layers keep 1024 + 512 cells
        ("gemma-2-9b-it", 32768, "f16", 6132.0, 0.0),  # 1:1 sliding window 4096
        ("gpt-oss-20b", 32768, "f16", 786.0, 0.0),  # 128-token window, padded to 768
        ("gemma-3n-e2b-it", 32768, "f16", 288.0, 0.0),  # only 20 of 30 layers own a cache
        ("gemma-4-31b-it", 32768, "f16", 3760.0, 0.0),  # global layers: 4 KV heads of 512
        ("gemma-4-31b-it", 16384, "q4_0", 697.5, 0.0),
        ("deepseek-v3", 8192, "f16", 549.0, 0.0),  # MLA: 512 + 64 per cell, no V
        ("glm-4.7-flash", 32768, "q8_0", 898.875, 0.0),
        ("qwen3.5-9b", 8192, "f16", 256.0, 50.25),  # 8 attention + 24 gated-delta-net layers
        ("qwen3-next-80b-a3b-instruct", 32768, "f16", 768.0, 75.375),
        ("nemotron-3-nano-30b-a3b", 8192, "f16", 48.0, 62.33),  # 6 attention, 23 Mamba2
        ("granite-4.0-h-tiny", 32768, "f16", 256.0, 56.11),
        ("lfm2-1.2b", 8192, "f16", 96.0, 0.16),  # short convolutions keep 2 columns
    ],
)
def test_cache_matches_llama_cpp(model_id, context, kv_type, kv_mib, state_mib) -> None:
    layout = kv_layout(arch(model_id), context, kv_type)
    assert sum(layout.kv_bytes) / MIB == pytest.approx(kv_mib, abs=0.01)
    assert sum(layout.state_bytes) / MIB == pytest.approx(state_mib, abs=0.01)


def test_context_is_padded_to_256_cells() -> None:
    assert [padded_context(n) for n in (1, 256, 257, 8000)] == [256, 256, 512, 8192]
    a = arch("llama-3-8b-instruct")
    assert kv_layout(a, 8000).total_bytes == kv_layout(a, 8192).total_bytes


def test_sliding_window_caches_stop_growing() -> None:
    a = arch("gemma-3-12b-it")
    small, large = kv_layout(a, 16384), kv_layout(a, 131072)
    assert small.swa_cells == large.swa_cells == 1536
    # Only the 8 global layers grow: 8 layers x 8 KiB per cell.
    assert large.total_bytes - small.total_bytes == 8 * 8192 * (131072 - 16384)
    assert kv_bytes_per_token(a) == 8 * 8192


def test_without_flash_attention_v_is_padded_to_the_widest_layer() -> None:
    a = arch("gemma-4-31b-it")  # sliding layers 16 x 256 wide, global 4 x 512
    with_fa = kv_layout(a, 8192, flash_attn=True).total_bytes
    without = kv_layout(a, 8192, flash_attn=False).total_bytes
    assert without > with_fa


def test_unknown_kv_type_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown KV cache type"):
        kv_layout(arch("llama-3-8b-instruct"), 4096, "q3_k")
