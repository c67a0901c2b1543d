"""What `--model` accepts as a Hugging Face repository, and config.json read as an architecture."""

from __future__ import annotations

import pytest

from advisor.catalog import load_catalog
from advisor.catalog.gguf.file_model import is_model_file
from advisor.catalog.hub.client import HubFile
from advisor.catalog.hub.config_arch import architecture_from_config
from advisor.catalog.hub.listing import RemoteQuant, choose
from advisor.catalog.hub.ref import RepoRef, is_repo_ref, parse_repo_ref
from advisor.errors import GGUFError, InputError, NotFoundError, UsageError


@pytest.mark.parametrize(
    ("text", "ref"),
    [
        ("hf:Qwen/Qwen3-8B", RepoRef("Qwen/Qwen3-8B")),
        ("HF:unsloth/Qwen3-8B-GGUF:Q4_K_M", RepoRef("unsloth/Qwen3-8B-GGUF", "Q4_K_M")),
        ("hf:org/repo:sub/x-Q8_0.gguf", RepoRef("org/repo", "sub/x-Q8_0.gguf")),
        ("https://huggingface.co/Qwen/Qwen3-8B", RepoRef("Qwen/Qwen3-8B")),
        ("https://huggingface.co/Qwen/Qwen3-8B/", RepoRef("Qwen/Qwen3-8B")),
        ("https://huggingface.co/Qwen/Qwen3-8B/tree/main", RepoRef("Qwen/Qwen3-8B")),
        ("https://hf.co/bartowski/X-GGUF/blob/main/X-Q4_K_M.gguf",
         RepoRef("bartowski/X-GGUF", "X-Q4_K_M.gguf")),
        ("http://www.huggingface.co/models/a/b", RepoRef("a/b")),
    ],
)  # fmt: skip
def test_repo_refs(text: str, ref: RepoRef) -> None:
    assert is_repo_ref(text) and not is_model_file(text)
    assert parse_repo_ref(text) == ref


@pytest.mark.parametrize(
    "text",
    ["hf:", "hf:justone", "hf:a/b/c", "hf:-a/b", "hf:a/b..c", "hf:a b/c",
     "https://huggingface.co/", "https://huggingface.co/onlyorg", "https://example.com/a/b"],
)  # fmt: skip
def test_bad_refs_are_usage_errors(text: str) -> None:
    with pytest.raises(UsageError):
        parse_repo_ref(text)


def test_a_mirror_named_by_hf_endpoint_is_a_hub(monkeypatch) -> None:
    monkeypatch.setenv("HF_ENDPOINT", "https://hf-mirror.example.org")
    assert parse_repo_ref("https://hf-mirror.example.org/a/b") == RepoRef("a/b")
    assert not is_repo_ref("qwen3-8b") and not is_repo_ref("Qwen/Qwen3-8B")


def _quant(label: str, *sizes: int, parts: int = 1) -> RemoteQuant:
    return RemoteQuant(label, tuple(HubFile(f"{label}-{i}.gguf", s, None) for i, s in
                                    enumerate(sizes)), parts)  # fmt: skip


def test_choosing_a_quant() -> None:
    quants = (_quant("Q4_K_M", 10), _quant("Q8_0", 20))
    assert choose(quants, "q8_0", "o/r").label == "Q8_0"
    assert choose(quants, "Q4_K_M-0.gguf", "o/r").label == "Q4_K_M"
    assert choose(quants[:1], None, "o/r").label == "Q4_K_M"
    with pytest.raises(NotFoundError, match="no GGUF Q4_K_S; did you mean Q4_K_M"):
        choose(quants, "Q4_K_S", "o/r")
    with pytest.raises(UsageError, match="has 2 GGUF models"):
        choose(quants, None, "o/r")
    with pytest.raises(GGUFError, match="2 of 3 parts"):
        choose((_quant("Q8_0", 5, 5, parts=3),), None, "o/r")


def _curated(model_id: str) -> dict:
    arch = load_catalog().find(model_id).architecture
    return {k: getattr(arch, k) for k in ("arch", "n_layers", "hidden_size", "n_heads",
            "n_kv_heads", "head_dim", "vocab_size", "intermediate_size", "sliding_window",
            "n_full_attention_layers", "moe")}  # fmt: skip


# config.json of released models, as their repositories publish them (the fields read)
GEMMA3_12B = {"model_type": "gemma3", "text_config": {
    "model_type": "gemma3_text", "hidden_size": 3840, "intermediate_size": 15360,
    "num_hidden_layers": 48, "num_attention_heads": 16, "num_key_value_heads": 8,
    "head_dim": 256, "sliding_window": 1024, "vocab_size": 262208}}  # fmt: skip
QWEN3_30B_A3B = {"model_type": "qwen3_moe", "hidden_size": 2048, "intermediate_size": 6144,
    "num_hidden_layers": 48, "num_attention_heads": 32, "num_key_value_heads": 4,
    "head_dim": 128, "vocab_size": 151936, "num_experts": 128, "num_experts_per_tok": 8,
    "moe_intermediate_size": 768, "max_position_embeddings": 40960,
    "tie_word_embeddings": False}  # fmt: skip


@pytest.mark.parametrize(
    ("model_id", "config", "differs"),
    [("gemma-3-12b-it", GEMMA3_12B, {"vocab_size": 262208}), ("qwen3-30b-a3b", QWEN3_30B_A3B, {})],
)
def test_configs_read_as_the_curated_architecture(model_id, config, differs) -> None:
    arch = architecture_from_config(config, source="test", name="config.json")
    read = {k: getattr(arch, k) for k in _curated(model_id)}
    assert read == {**_curated(model_id), **differs}
    if arch.moe:  # 30.5B with 3.3B active, as Qwen publishes (ours counts the embeddings too)
        assert round(arch.total_params_b, 1) == 30.5
        assert arch.active_params_b == pytest.approx(3.3, abs=0.1)


def test_an_unknown_model_type_is_refused_by_name() -> None:
    with pytest.raises(InputError, match="model_type 'mamba'.*cannot size"):
        architecture_from_config({"model_type": "mamba"}, source="t", name="hf:a/b/config.json")
    with pytest.raises(InputError, match="lacks or garbles 'num_hidden_layers'"):
        architecture_from_config({"model_type": "llama"}, source="t", name="hf:a/b/config.json")
