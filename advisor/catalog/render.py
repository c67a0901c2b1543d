"""Plain-text views of catalog entries and scan results, for `advisor catalog` and `scan`."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from advisor.catalog.model import Architecture, Catalog, Model
from advisor.files.strict import adapter


def table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    """Columns padded to their widest cell; the last column is not padded."""
    rows = [list(header), *(list(r) for r in rows)]
    widths = [max(len(r[i]) for r in rows) for i in range(len(header) - 1)]
    lines = []
    for row in rows:
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
        lines.append("  ".join([*cells, row[-1]]).rstrip())
    return "\n".join(lines)


def file_size(size_bytes: int) -> str:
    """Decimal units, as Hugging Face and LM Studio show file sizes."""
    if size_bytes >= 10**8:
        return f"{size_bytes / 1e9:.2f} GB"
    if size_bytes >= 10**5:
        return f"{size_bytes / 1e6:.1f} MB"
    return f"{size_bytes / 1e3:.1f} KB"


def params(arch: Architecture) -> str:
    total = _billions(arch.total_params_b)
    if arch.active_params_b < arch.total_params_b:
        return f"{total} ({_billions(arch.active_params_b)} active)"
    return total


def context(tokens: int) -> str:
    return f"{tokens // 1024}K" if tokens >= 1024 and tokens % 1024 == 0 else str(tokens)


def home_relative(path: Path) -> str:
    home = str(Path.home())
    text = str(path)
    return "~" + text[len(home) :] if home != os.sep and text.startswith(home + os.sep) else text


def model_rows(
    models: Sequence[Model], user_ids: set[str], *, installed: dict[str, list[str]] | None = None
) -> str:
    """One line per model; with `installed`, the last column lists the quants on disk."""
    rows = []
    for model in models:
        aa = model.quality.intelligence_index if model.quality else None
        quants = [q.type for q in model.quants] if installed is None else installed[model.id]
        rows.append(
            [
                model.id + (" *" if model.id in user_ids else ""),
                params(model.architecture),
                context(model.architecture.max_context),
                ",".join(model.tasks),
                "-" if aa is None else f"{aa:g}",
                " ".join(quants),
            ]
        )
    last = "QUANTS" if installed is None else "INSTALLED"
    return table(["ID", "PARAMS", "CONTEXT", "TASKS", "AA", last], rows)


def model_detail(model: Model, catalog: Catalog) -> str:
    """Everything the catalog says about one model, with its sources."""
    lines = [f"{model.name}  ({model.id})", *_facts(model), "", *_architecture(model.architecture)]
    if model.quality:
        q = model.quality
        coding = f", coding {q.coding_index:g}" if q.coding_index is not None else ""
        index = "unknown" if q.intelligence_index is None else f"{q.intelligence_index:g}"
        estimated = " (AA estimate)" if q.estimated else ""
        lines += ["", f"quality: AA intelligence {index}{coding}{estimated}, {q.snapshot_date}"]
    lines += ["", "quants:"]
    rows = [
        [q.type, file_size(q.size_bytes), q.basis, q.file or "-", q.repo or model.gguf_repo or "-"]
        for q in model.quants
    ]
    lines += _indent(table(["TYPE", "SIZE", "BASIS", "FILE", "REPO"], rows))
    unknown = {**model.unknown, **model.architecture.unknown}
    if unknown:
        lines += ["", "unknown:", *(f"  {k}: {why}" for k, why in unknown.items())]
    lines += ["", "sources:", *_sources(model, catalog)]
    if model.notes:
        lines += ["", f"notes: {model.notes}"]
    return "\n".join(lines)


def model_json(model: Model, catalog: Catalog, *, origin: str | None = None) -> dict[str, Any]:
    data = adapter(Model).dump_python(model, mode="json")
    if origin:
        data["origin"] = origin
    data["sources"] = {
        key: dataclasses.asdict(catalog.sources[key])
        for key in _cited_keys(model)
        if key in catalog.sources
    }
    return data


def _facts(model: Model) -> list[str]:
    facts = [
        ("repo", model.hf_repo),
        ("GGUF repo", model.gguf_repo),
        ("family", model.family),
        ("released", model.release_date),
        ("license", model.license),
        ("tasks", ", ".join(model.tasks)),
        ("ollama", model.ollama_tag),
        ("llama.cpp benchmark model", "yes" if model.benchmark_reference else None),
    ]
    return [f"  {label}: {value}" for label, value in facts if value]


def _architecture(arch: Architecture) -> list[str]:
    kv = f"{arch.n_kv_heads} KV"
    if arch.global_n_kv_heads:
        kv += f", {arch.global_n_kv_heads} KV on full layers"
    head = f"head dim {arch.head_dim}" if arch.head_dim else "head dim unknown"
    vocab = f"vocab {arch.vocab_size}" if arch.vocab_size else "vocab unknown"
    lines = [
        f"architecture: {arch.arch}, {params(arch)} parameters",
        f"  {arch.n_layers} layers, hidden {arch.hidden_size}, {arch.n_heads} heads ({kv}), "
        f"{head}, {vocab}, context {arch.max_context}",
    ]
    if arch.sliding_window:
        full = arch.n_full_attention_layers
        lines.append(f"  sliding window {arch.sliding_window} tokens; {full} full-attention layers")
    if arch.n_linear_attention_layers:
        kind = arch.recurrent.kind if arch.recurrent else "recurrent"
        lines.append(f"  {arch.n_linear_attention_layers} {kind} layers (fixed-size state)")
    if arch.moe:
        m = arch.moe
        shared = f" + {m.n_shared_experts} shared" if m.n_shared_experts else ""
        lines.append(f"  MoE: {m.n_experts_used} of {m.n_experts} experts per token{shared}")
    if arch.mla:
        lines.append(f"  MLA: latent {arch.mla.kv_lora_rank} + rope {arch.mla.rope_dim}")
    return lines


def _sources(model: Model, catalog: Catalog) -> list[str]:
    lines = []
    for key in _cited_keys(model):
        source = catalog.sources.get(key)
        if source is None:
            continue
        url = f" {source.url}" if source.url else ""
        lines.append(f"  {key}: {source.title} ({source.date}){url}")
    return lines


def _cited_keys(model: Model) -> list[str]:
    keys = [*model.source, *model.architecture.source]
    if model.quality:
        keys.append(model.quality.source)
    keys += [q.source for q in model.quants]
    return list(dict.fromkeys(keys))


def _billions(value: float) -> str:
    if value >= 100:
        return f"{value:.0f}B"
    if value >= 1:
        return f"{value:.1f}B"
    return f"{value * 1000:.0f}M" if value >= 0.01 else f"{value * 1000:.2f}M"


def _indent(text: str) -> list[str]:
    return ["  " + line for line in text.splitlines()]
