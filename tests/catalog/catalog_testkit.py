"""Helpers for the catalog tests: GGUF headers (gguf.GGUFWriter), catalog YAML, a parse counter.

GGUF files get real headers (metadata, tensor infos with real shapes and types) and a data
region left as a sparse hole, so a file describing a 1 GB model takes a few KB of disk.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import gguf
import numpy as np
import pytest
import yaml
from gguf import GGMLQuantizationType as T

Tensor = tuple[str, tuple[int, ...], T]  # name, numpy shape (rows first), type


def tensor_nbytes(shape: Sequence[int], qtype: T) -> int:
    block, size = gguf.GGML_QUANT_SIZES[qtype]
    return int(np.prod(shape)) // block * size


def write_gguf(
    path: Path,
    arch: str,
    metadata: Mapping[str, Any],
    tensors: Sequence[Tensor],
    *,
    split_max_tensors: int = 0,
    endianess: gguf.GGUFEndian = gguf.GGUFEndian.LITTLE,
) -> list[Path]:
    """Write a GGUF header (or a split set) whose data region is a sparse hole; the paths."""
    writer = gguf.GGUFWriter(path, arch, split_max_tensors=split_max_tensors, endianess=endianess)
    for key, value in metadata.items():
        _add(writer, key, value)
    for name, shape, qtype in tensors:
        writer.add_tensor_info(
            name, shape, np.dtype(np.float32), tensor_nbytes(shape, qtype), raw_dtype=qtype
        )
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_ti_data_to_file()
    paths = [Path(f.name) for f in writer.fout]  # type: ignore[union-attr]
    shards = writer.tensors
    writer.close()
    for shard_path, shard in zip(paths, shards, strict=True):
        data = sum(writer.ggml_pad(ti.nbytes, writer.data_alignment) for ti in shard.values())
        start = writer.ggml_pad(shard_path.stat().st_size, writer.data_alignment)
        os.truncate(shard_path, start + data)
    return paths


def _add(writer: gguf.GGUFWriter, key: str, value: Any) -> None:
    if isinstance(value, bool):
        writer.add_bool(key, value)
    elif isinstance(value, int):
        (writer.add_uint64 if value >= 2**32 else writer.add_uint32)(key, value)
    elif isinstance(value, float):
        writer.add_float32(key, value)
    elif isinstance(value, str):
        writer.add_string(key, value)
    else:
        writer.add_array(key, list(value))


def llama_tensors(
    n_layers: int, n_embd: int, n_ff: int, n_vocab: int, n_kv: int, qtype: T = T.Q8_0
) -> list[Tensor]:
    """A llama layer stack; n_kv is n_kv_heads * head_dim."""
    tensors: list[Tensor] = [("token_embd.weight", (n_vocab, n_embd), qtype)]
    for i in range(n_layers):
        tensors += [
            (f"blk.{i}.attn_norm.weight", (n_embd,), T.F32),
            (f"blk.{i}.attn_q.weight", (n_embd, n_embd), qtype),
            (f"blk.{i}.attn_k.weight", (n_kv, n_embd), qtype),
            (f"blk.{i}.attn_v.weight", (n_kv, n_embd), qtype),
            (f"blk.{i}.attn_output.weight", (n_embd, n_embd), qtype),
            (f"blk.{i}.ffn_norm.weight", (n_embd,), T.F32),
            (f"blk.{i}.ffn_gate.weight", (n_ff, n_embd), qtype),
            (f"blk.{i}.ffn_up.weight", (n_ff, n_embd), qtype),
            (f"blk.{i}.ffn_down.weight", (n_embd, n_ff), qtype),
        ]
    tensors += [
        ("output_norm.weight", (n_embd,), T.F32),
        ("output.weight", (n_vocab, n_embd), qtype),
    ]
    return tensors


def arch_metadata(arch: str, **values: Any) -> dict[str, Any]:
    """`{arch}.key` metadata from keyword arguments (dots written as __)."""
    return {f"{arch}.{key.replace('__', '.')}": value for key, value in values.items()}


CATALOG_YAML = """\
schema_version: 1
catalog_version: "test"
sources:
  cards: {title: Model cards, date: "2025-01-02", url: https://example.org/cards}
  sizes: {title: GGUF file listings, date: "2025-02"}
  prices: {title: Price pages, date: "2025-03-01"}
models:
  - id: tiny-llama
    name: Tiny Llama
    hf_repo: example/Tiny-Llama
    family: Tiny
    source: [cards]
    release_date: "2024-05"
    license: MIT
    tasks: [chat]
    gguf_repo: example/Tiny-Llama-GGUF
    ollama_tag: "tiny:1b"
    architecture:
      source: [cards]
      arch: llama
      total_params_b: 1.1
      active_params_b: 1.1
      n_layers: 22
      hidden_size: 2048
      n_heads: 32
      n_kv_heads: 4
      head_dim: 64
      vocab_size: 32000
      max_context: 2048
    quality: null
    quants:
      - {type: Q4_K_M, size_bytes: 668788096, basis: published, source: sizes,
         file: tiny-llama-Q4_K_M.gguf}
      - {type: Q8_0, size_bytes: 1169807680, basis: published, source: sizes,
         file: tiny-llama-Q8_0.gguf}
    unknown: {quality: not on the leaderboard}
  - id: coder-moe
    name: Coder MoE 30B A3B
    hf_repo: example/Coder-MoE
    family: Coder
    source: [cards]
    release_date: null
    license: Apache-2.0
    tasks: [coding, chat]
    architecture:
      source: [cards]
      arch: qwen3moe
      total_params_b: 30.5
      active_params_b: 3.3
      n_layers: 48
      hidden_size: 2048
      n_heads: 32
      n_kv_heads: 4
      head_dim: 128
      vocab_size: 151936
      max_context: 262144
      moe: {n_experts: 128, n_experts_used: 8}
    quality: {source: cards, snapshot_date: "2025-01", index_version: v4.1,
              intelligence_index: 30.1, coding_index: 25}
    quants:
      - {type: Q4_K_M, size_bytes: 18556686336, basis: computed, source: sizes}
    unknown: {release_date: not announced}
cloud:
  subscriptions:
    - id: chat-plus
      vendor: example
      product: Chat
      plan: Plus
      price_usd_per_month: 20
      tasks: [chat, coding]
      limits: "about 80 messages every 3 hours"
      requests_per_day: 150
      limits_basis: our reading of the published limits
      source: prices
      date: "2025-03-01"
  api_models:
    - {id: hosted-coder, vendor: host, name: Coder MoE, input_usd_per_mtok: 0.1,
       output_usd_per_mtok: 0.4, source: prices, date: "2025-03", catalog_model: coder-moe,
       open_weights: true}
"""

# A user overlay adding one model with a source of its own.
NEW_MODEL = """\
sources:
  mine: {title: My own notes, date: "2025-06-01"}
models:
  - id: my-model
    name: My Model
    hf_repo: me/my-model
    family: Mine
    source: [mine]
    release_date: "2025-05"
    license: MIT
    tasks: [chat]
    architecture:
      source: [mine]
      arch: llama
      total_params_b: 0.5
      active_params_b: 0.5
      n_layers: 12
      hidden_size: 1024
      n_heads: 16
      n_kv_heads: 4
      head_dim: 64
      vocab_size: 32000
      max_context: 8192
    quality: null
    quants:
      - {type: Q8_0, size_bytes: 530000000, basis: published, source: mine}
    unknown: {quality: not on the leaderboard}
"""


def write_catalog(path: Path, text: str = CATALOG_YAML) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def model_gguf(
    path: Path,
    *,
    arch: str = "llama",
    name: str | None = None,
    n_layers: int = 2,
    hidden: int = 256,
    file_type: int | None = 7,  # MOSTLY_Q8_0
    extra: Mapping[str, Any] | None = None,
    split_max_tensors: int = 0,
) -> list[Path]:
    """A model header with `n_layers` blocks: enough for scans and identification."""
    meta = arch_metadata(
        arch,
        block_count=n_layers,
        context_length=4096,
        embedding_length=hidden,
        feed_forward_length=4 * hidden,
        attention__head_count=8,
        attention__head_count_kv=2,
    )
    if name is not None:
        meta["general.name"] = name
    if file_type is not None:
        meta["general.file_type"] = file_type
    meta.update(extra or {})
    tensors: list[Tensor] = [("token_embd.weight", (1000, hidden), T.F16)]
    tensors += [(f"blk.{i}.attn_q.weight", (hidden, hidden), T.F16) for i in range(n_layers)]
    path.parent.mkdir(parents=True, exist_ok=True)
    return write_gguf(path, arch, meta, tensors, split_max_tensors=split_max_tensors)


def tiny_llama_gguf(path: Path, **kwargs: Any) -> Path:
    """A header shaped like CATALOG_YAML's tiny-llama: llama, 22 layers, 2048 wide."""
    kwargs = {"name": "Tiny Llama", "n_layers": 22, "hidden": 2048, **kwargs}
    return model_gguf(path, **kwargs)[0]


def hf_cache(root: Path) -> Path:
    """A hub cache with tiny-llama: models--org--name/{blobs,snapshots/<rev>/...} and links."""
    repo = root / "models--example--Tiny-Llama-GGUF"
    blob = tiny_llama_gguf(repo / "blobs" / "0123abcd")
    for rev in ("aaaa1111", "bbbb2222"):  # two revisions of the same file
        link = repo / "snapshots" / rev / "tiny-llama-Q4_K_M.gguf"
        link.parent.mkdir(parents=True)
        link.symlink_to(Path("../../blobs") / blob.name)
    broken = repo / "snapshots" / "aaaa1111" / "tiny-llama-Q8_0.gguf"
    broken.symlink_to(Path("../../blobs/ffff.incomplete"))
    return root


class CountingYaml:
    """Counts YAML parses, so a test sees whether a cache or the compiled form answered."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.calls = 0
        real = yaml.load

        def counting(*args, **kwargs):
            self.calls += 1
            return real(*args, **kwargs)

        monkeypatch.setattr(yaml, "load", counting)
