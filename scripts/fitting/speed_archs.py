"""The architectures behind the calibration CSV's model names (the catalog's when it has them).

Each CSV model name maps by prefix to a catalog id; when the catalog lacks the model, the
explicit architecture below (numbers from architectures.csv, Hugging Face config.json copies)
stands in, so the benchmark runs on any checkout.
"""

from __future__ import annotations

from advisor.catalog.model import Architecture, Mla, Moe

_CALIBRATION_SOURCE = "architectures.csv (shared research data; HF config.json copies)"


def _arch(**kw) -> Architecture:
    moe = kw.pop("moe", None)
    mla = kw.pop("mla", None)
    return Architecture(
        source=(kw.pop("src", _CALIBRATION_SOURCE),),
        moe=Moe(**moe) if moe else None,
        mla=Mla(**mla) if mla else None,
        **kw,
    )


_L2_7B = dict(
    arch="llama",
    total_params_b=6.74,
    active_params_b=6.74,
    n_layers=32,
    hidden_size=4096,
    intermediate_size=11008,
    n_heads=32,
    n_kv_heads=32,
    head_dim=128,
    vocab_size=32000,
    max_context=4096,
    tie_word_embeddings=False,
)
_L3_8B = dict(
    arch="llama",
    total_params_b=8.03,
    active_params_b=8.03,
    n_layers=32,
    hidden_size=4096,
    intermediate_size=14336,
    n_heads=32,
    n_kv_heads=8,
    head_dim=128,
    vocab_size=128256,
    max_context=8192,
    tie_word_embeddings=False,
)
_GPT_OSS = dict(
    arch="gpt-oss",
    n_heads=64,
    n_kv_heads=8,
    head_dim=64,
    hidden_size=2880,
    vocab_size=201088,
    max_context=131072,
    tie_word_embeddings=False,
    sliding_window=128,
)

# CSV model name (prefix, case-insensitive) -> (catalog id, fallback architecture).
# The fallback is used until the catalog carries the model; numbers from architectures.csv.
MODEL_MAP: tuple[tuple[str, str, dict], ...] = (
    ("llama 2 7b", "llama-2-7b-chat", _L2_7B),
    ("llama-2-7b", "llama-2-7b-chat", _L2_7B),
    ("llama 7b", "llama-2-7b-chat", _L2_7B),  # LLaMA 1 7B has Llama 2 7B's shapes
    # LLaMA 1 13B: Touvron et al. 2023 (arXiv 2302.13971) Table 2; 13.02B params as benched.
    ("llama 13b", "llama-13b", dict(arch="llama", total_params_b=13.02, active_params_b=13.02,
     n_layers=40, hidden_size=5120, intermediate_size=13824, n_heads=40, n_kv_heads=40,
     head_dim=128, vocab_size=32000, max_context=2048, tie_word_embeddings=False,
     src="LLaMA paper arXiv 2302.13971 Table 2")),
    ("meta-llama-3 8b", "llama-3-8b-instruct", _L3_8B),
    ("llama-3.1-8b", "llama-3.1-8b-instruct", _L3_8B),
    ("meta-llama-3 70b", "llama-3-70b-instruct", dict(arch="llama", total_params_b=70.55,
     active_params_b=70.55, n_layers=80, hidden_size=8192, intermediate_size=28672,
     n_heads=64, n_kv_heads=8, head_dim=128, vocab_size=128256, max_context=8192,
     tie_word_embeddings=False)),
    ("llama-3.2-3b", "llama-3.2-3b-instruct", dict(arch="llama", total_params_b=3.21,
     active_params_b=3.21, n_layers=28, hidden_size=3072, intermediate_size=8192, n_heads=24,
     n_kv_heads=8, head_dim=128, vocab_size=128256, max_context=131072,
     tie_word_embeddings=True)),
    ("gpt-oss-20b", "gpt-oss-20b", dict(_GPT_OSS, total_params_b=21.0, active_params_b=3.6,
     n_layers=24, n_full_attention_layers=12, moe=dict(n_experts=32, n_experts_used=4,
     expert_intermediate_size=2880))),
    ("gpt-oss-120b", "gpt-oss-120b", dict(_GPT_OSS, total_params_b=117.0, active_params_b=5.1,
     n_layers=36, n_full_attention_layers=18, moe=dict(n_experts=128, n_experts_used=4,
     expert_intermediate_size=2880))),
    ("qwen3-coder-30b-a3b", "qwen3-coder-30b-a3b-instruct", dict(arch="qwen3moe",
     total_params_b=30.5, active_params_b=3.3, n_layers=48, hidden_size=2048, n_heads=32,
     n_kv_heads=4, head_dim=128, vocab_size=151936, max_context=262144,
     moe=dict(n_experts=128, n_experts_used=8, expert_intermediate_size=768))),
    ("qwen2.5-coder-7b", "qwen2.5-coder-7b-instruct", dict(arch="qwen2", total_params_b=7.62,
     active_params_b=7.62, n_layers=28, hidden_size=3584, intermediate_size=18944,
     n_heads=28, n_kv_heads=4, head_dim=128, vocab_size=152064, max_context=32768)),
    ("gemma-3-4b", "gemma-3-4b-it", dict(arch="gemma3", total_params_b=4.3,
     active_params_b=4.3, n_layers=34, hidden_size=2560, intermediate_size=10240, n_heads=8,
     n_kv_heads=4, head_dim=256, vocab_size=262144, max_context=131072,
     tie_word_embeddings=True, sliding_window=1024, n_full_attention_layers=5)),
    ("glm-4.7-flash", "glm-4.7-flash", dict(arch="deepseek2", total_params_b=31.2,
     active_params_b=3.0, n_layers=47, hidden_size=2048, intermediate_size=10240, n_heads=20,
     n_kv_heads=20, head_dim=None, vocab_size=154880, max_context=202752,
     tie_word_embeddings=False, mla=dict(kv_lora_rank=512, rope_dim=64),
     moe=dict(n_experts=64, n_experts_used=4, n_shared_experts=1,
              expert_intermediate_size=1536, first_k_dense_layers=1))),
    ("minimax-m2", "minimax-m2", dict(arch="minimax-m2", total_params_b=230.0,
     active_params_b=10.0, n_layers=62, hidden_size=3072, n_heads=48, n_kv_heads=8,
     head_dim=128, vocab_size=200064, max_context=196608, tie_word_embeddings=False,
     moe=dict(n_experts=256, n_experts_used=8, expert_intermediate_size=1536))),
    ("ministral-3-14b", "ministral-3-14b-instruct-2512", dict(arch="mistral3",
     total_params_b=13.9, active_params_b=13.9, n_layers=40, hidden_size=5120, n_heads=32,
     n_kv_heads=8, head_dim=None, vocab_size=None, max_context=262144)),
    ("nvidia-nemotron-3-super-120b", "nemotron-3-super-120b-a12b", dict(arch="nemotron_h_moe",
     total_params_b=120.6, active_params_b=12.7, n_layers=88, hidden_size=4096, n_heads=32,
     n_kv_heads=2, head_dim=128, vocab_size=131072, max_context=262144,
     n_full_attention_layers=8, n_linear_attention_layers=40,
     moe=dict(n_experts=512, n_experts_used=22, n_shared_experts=1,
              expert_intermediate_size=2688))),
    ("qwen3.5-122b-a10b", "qwen3.5-122b-a10b", dict(arch="qwen35moe", total_params_b=125.0,
     active_params_b=10.0, n_layers=48, hidden_size=3072, n_heads=32, n_kv_heads=2,
     head_dim=256, vocab_size=248320, max_context=262144, n_full_attention_layers=12,
     n_linear_attention_layers=36, moe=dict(n_experts=256, n_experts_used=8,
     n_shared_experts=1, expert_intermediate_size=1024))),
    ("qwen3.6-27b", "qwen3.6-27b", dict(arch="qwen35", total_params_b=27.8,
     active_params_b=27.8, n_layers=64, hidden_size=5120, intermediate_size=17408,
     n_heads=24, n_kv_heads=4, head_dim=256, vocab_size=248320, max_context=262144,
     n_full_attention_layers=16, n_linear_attention_layers=48)),
    ("qwen3.6-35b-a3b", "qwen3.6-35b-a3b", dict(arch="qwen35moe", total_params_b=36.0,
     active_params_b=3.0, n_layers=40, hidden_size=2048, n_heads=16, n_kv_heads=2,
     head_dim=256, vocab_size=248320, max_context=262144, n_full_attention_layers=10,
     n_linear_attention_layers=30, moe=dict(n_experts=256, n_experts_used=8,
     n_shared_experts=1, expert_intermediate_size=512))),
    ("gemma-4-26b-a4b", "gemma-4-26b-a4b-it", dict(arch="gemma4", total_params_b=25.2,
     active_params_b=3.8, n_layers=30, hidden_size=2816, intermediate_size=2112, n_heads=16,
     n_kv_heads=8, head_dim=256, vocab_size=262144, max_context=262144,
     tie_word_embeddings=True, sliding_window=1024, n_full_attention_layers=5,
     global_head_dim=512, global_n_kv_heads=2, moe=dict(n_experts=128, n_experts_used=8,
     n_shared_experts=1, expert_intermediate_size=704))),
    ("gemma-4-31b", "gemma-4-31b-it", dict(arch="gemma4", total_params_b=30.7,
     active_params_b=30.7, n_layers=60, hidden_size=5376, intermediate_size=21504,
     n_heads=32, n_kv_heads=16, head_dim=256, vocab_size=262144, max_context=262144,
     tie_word_embeddings=True, sliding_window=1024, n_full_attention_layers=10,
     global_head_dim=512, global_n_kv_heads=4)),
)  # fmt: skip

_ARCH_CACHE: dict[str, Architecture] = {}


def architecture_for(model_name: str, catalog=None) -> Architecture | None:
    """The architecture behind a CSV model name: the catalog's if it has it, else ours."""
    key = model_name.strip().lower()
    for prefix, catalog_id, fallback in MODEL_MAP:
        if key.startswith(prefix):
            found = catalog.find(catalog_id) if catalog is not None else None
            if found is not None:
                return found.architecture
            if catalog_id not in _ARCH_CACHE:
                _ARCH_CACHE[catalog_id] = _arch(**fallback)
            return _ARCH_CACHE[catalog_id]
    return None
