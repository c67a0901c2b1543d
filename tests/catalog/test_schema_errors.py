# ruff: noqa: E501 (a table of YAML snippets and the messages they give, one per line)
"""Every schema check of models.yaml, with the exact problem it reports: file, line, key and
message. The expectations were recorded from the pydantic-dataclass schema before the catalog's
classes became plain dataclasses validated through advisor.files.strict; they pin that nothing a
catalog author reads changed with it (nor may it change unnoticed later)."""

from __future__ import annotations

from pathlib import Path

import pytest
from catalog_testkit import CATALOG_YAML, write_catalog

from advisor.catalog import QUANT_TYPES, CatalogProblems, load_catalog

QUANT_LIST = str(QUANT_TYPES)

# (case, text replaced in CATALOG_YAML, replacement, every problem reported, in file order)
CASES = [
    (
        "source-date",
        'date: "2025-01-02", url',
        'date: "Jan 2025", url',
        ['FILE:4: sources.cards.date: expected a date as YYYY-MM or YYYY-MM-DD, got "Jan 2025"'],
    ),
    (
        "source-url-type",
        "url: https://example.org/cards",
        "url: 12",
        ["FILE:4: sources.cards.url: expected a string, got 12"],
    ),
    (
        "source-unknown-key",
        "sizes: {title: GGUF file listings,",
        "sizes: {titel: GGUF file listings,",
        [
            "FILE:5: sources.sizes.title: required key is missing",
            "FILE:5: sources.sizes.titel: unknown key (did you mean 'title'?)",
        ],
    ),
    (
        "model-id-slug",
        "- id: tiny-llama",
        "- id: Tiny Llama",
        [
            "FILE:8: models[0].id: expected a lowercase slug: a-z, 0-9, '.', '_' and '-', got \"Tiny Llama\""
        ],
    ),
    (
        "model-release-date",
        'release_date: "2024-05"',
        'release_date: "May 2024"',
        [
            'FILE:13: models[0].release_date: expected a date as YYYY-MM or YYYY-MM-DD, got "May 2024"'
        ],
    ),
    (
        "model-release-unquoted",
        'release_date: "2024-05"',
        "release_date: 2024-05-01",
        [
            'FILE:13: models[0].release_date: expected a string, got an unquoted date; write it in quotes: "2024-05-01"'
        ],
    ),
    (
        "model-tasks-literal",
        "tasks: [chat]",
        "tasks: [chat, poetry]",
        [
            "FILE:15: models[0].tasks[1]: expected one of 'chat', 'coding', 'reasoning', 'vision' or 'tools', got \"poetry\""
        ],
    ),
    (
        "model-tasks-not-list",
        "tasks: [chat]",
        "tasks: 3",
        ["FILE:15: models[0].tasks: expected a list, got 3"],
    ),
    (
        "model-missing",
        "    family: Coder\n",
        "",
        ["FILE:37: models[1].family: required key is missing"],
    ),
    (
        "model-unknown-key",
        "    ollama_tag:",
        "    olama_tag:",
        ["FILE:17: models[0].olama_tag: unknown key (did you mean 'ollama_tag'?)"],
    ),
    (
        "model-bool",
        '    ollama_tag: "tiny:1b"',
        '    ollama_tag: "tiny:1b"\n    benchmark_reference: maybe',
        ['FILE:18: models[0].benchmark_reference: expected true or false, got "maybe"'],
    ),
    (
        "quant-type",
        "{type: Q8_0,",
        "{type: Q9_9,",
        [
            "FILE:34: models[0].quants[1].type: unknown quant type 'Q9_9'; expected one of "
            + QUANT_LIST
            + ', got "Q9_9"'
        ],
    ),
    (
        "quant-size",
        "size_bytes: 1169807680",
        "size_bytes: 0",
        ["FILE:34: models[0].quants[1].size_bytes: must be 1 or more, got 0"],
    ),
    (
        "quant-size-neg",
        "size_bytes: 1169807680",
        "size_bytes: -3",
        ["FILE:34: models[0].quants[1].size_bytes: must be 1 or more, got -3"],
    ),
    (
        "quant-size-float",
        "size_bytes: 1169807680",
        "size_bytes: 1.5",
        ["FILE:34: models[0].quants[1].size_bytes: expected a whole number, got 1.5"],
    ),
    (
        "quant-basis",
        "basis: computed",
        "basis: guessed",
        [
            "FILE:61: models[1].quants[0].basis: expected one of 'published' or 'computed', got \"guessed\""
        ],
    ),
    (
        "quant-unknown",
        "file: tiny-llama-Q8_0.gguf}",
        "fiel: tiny-llama-Q8_0.gguf}",
        ["FILE:35: models[0].quants[1].fiel: unknown key (did you mean 'file'?)"],
    ),
    (
        "arch-active",
        "      total_params_b: 1.1\n      active_params_b: 1.1",
        "      total_params_b: 1.1\n      active_params_b: 9.1",
        ["FILE:18: models[0].architecture: active_params_b is larger than total_params_b"],
    ),
    (
        "arch-full-linear",
        "      max_context: 2048\n",
        "      max_context: 2048\n      n_full_attention_layers: 20\n      n_linear_attention_layers: 4\n",
        [
            "FILE:18: models[0].architecture: n_full_attention_layers + n_linear_attention_layers > n_layers"
        ],
    ),
    (
        "arch-moe-used",
        "moe: {n_experts: 128, n_experts_used: 8}",
        "moe: {n_experts: 4, n_experts_used: 8}",
        ["FILE:45: models[1].architecture: moe.n_experts_used is larger than moe.n_experts"],
    ),
    (
        "arch-moe-missing",
        "moe: {n_experts: 128, n_experts_used: 8}",
        "moe: {n_experts: 128}",
        ["FILE:57: models[1].architecture.moe.n_experts_used: required key is missing"],
    ),
    (
        "arch-moe-unknown",
        "moe: {n_experts: 128, n_experts_used: 8}",
        "moe: {n_experts: 128, n_experts_used: 8, n_expert: 3}",
        ["FILE:57: models[1].architecture.moe.n_expert: unknown key (did you mean 'n_experts'?)"],
    ),
    (
        "arch-mla-type",
        "      max_context: 2048\n",
        "      max_context: 2048\n      mla: {kv_lora_rank: big, rope_dim: 64}\n",
        ['FILE:30: models[0].architecture.mla.kv_lora_rank: expected an integer, got "big"'],
    ),
    (
        "arch-recurrent-kind",
        "      max_context: 2048\n",
        "      max_context: 2048\n      recurrent: {kind: lstm}\n",
        [
            "FILE:30: models[0].architecture.recurrent.kind: expected one of 'gated_delta_net', 'mamba2', 'short_conv', 'rwkv' or 'other', got \"lstm\""
        ],
    ),
    (
        "arch-int",
        "n_layers: 22",
        "n_layers: twenty",
        ['FILE:23: models[0].architecture.n_layers: expected an integer, got "twenty"'],
    ),
    (
        "arch-unknown",
        "      hidden_size: 2048\n      n_heads: 32\n      n_kv_heads: 4\n      head_dim: 64",
        "      hiden_size: 2048\n      n_heads: 32\n      n_kv_heads: 4\n      head_dim: 64",
        [
            "FILE:18: models[0].architecture.hidden_size: required key is missing",
            "FILE:24: models[0].architecture.hiden_size: unknown key (did you mean 'hidden_size'?)",
        ],
    ),
    (
        "arch-not-mapping",
        "    architecture:\n      source: [cards]\n      arch: llama\n      total_params_b: 1.1\n      active_params_b: 1.1\n      n_layers: 22\n      hidden_size: 2048\n      n_heads: 32\n      n_kv_heads: 4\n      head_dim: 64\n      vocab_size: 32000\n      max_context: 2048\n",
        "    architecture: llama\n",
        ['FILE:18: models[0].architecture: expected a mapping, got "llama"'],
    ),
    (
        "quality-date",
        'snapshot_date: "2025-01"',
        'snapshot_date: "2025"',
        [
            'FILE:58: models[1].quality.snapshot_date: expected a date as YYYY-MM or YYYY-MM-DD, got "2025"'
        ],
    ),
    (
        "quality-index",
        "intelligence_index: 30.1",
        "intelligence_index: high",
        ['FILE:59: models[1].quality.intelligence_index: expected a number, got "high"'],
    ),
    (
        "sub-date",
        'source: prices\n      date: "2025-03-01"',
        'source: prices\n      date: "March"',
        [
            'FILE:75: cloud.subscriptions[0].date: expected a date as YYYY-MM or YYYY-MM-DD, got "March"'
        ],
    ),
    (
        "sub-by-task",
        "      requests_per_day: 150\n",
        "      requests_per_day: 150\n      requests_per_day_by_task: {painting: 3}\n",
        [
            "FILE:73: cloud.subscriptions[0].requests_per_day_by_task.painting.[key]: expected one of 'chat', 'coding', 'reasoning', 'vision' or 'tools', got \"painting\""
        ],
    ),
    (
        "sub-unknown",
        "      limits_basis:",
        "      limit_basis:",
        [
            "FILE:65: cloud.subscriptions[0].limits_basis: required key is missing",
            "FILE:73: cloud.subscriptions[0].limit_basis: unknown key (did you mean 'limits_basis'?)",
        ],
    ),
    (
        "sub-price",
        "price_usd_per_month: 20",
        "price_usd_per_month: free",
        ['FILE:69: cloud.subscriptions[0].price_usd_per_month: expected a number, got "free"'],
    ),
    (
        "api-date",
        'source: prices, date: "2025-03"',
        'source: prices, date: "03-2025"',
        [
            'FILE:78: cloud.api_models[0].date: expected a date as YYYY-MM or YYYY-MM-DD, got "03-2025"'
        ],
    ),
    (
        "api-deprecation",
        "open_weights: true}",
        "open_weights: true, deprecation_date: soon}",
        [
            'FILE:79: cloud.api_models[0].deprecation_date: expected a date as YYYY-MM or YYYY-MM-DD, got "soon"'
        ],
    ),
    (
        "api-unknown",
        "open_weights: true}",
        "open_weight: true}",
        ["FILE:79: cloud.api_models[0].open_weight: unknown key (did you mean 'open_weights'?)"],
    ),
    (
        "api-bool",
        "open_weights: true}",
        "open_weights: 7}",
        ["FILE:79: cloud.api_models[0].open_weights: expected true or false, got 7"],
    ),
    (
        "electricity-date",
        "  api_models:\n",
        '  electricity:\n    - {region: us, usd_per_kwh: 0.17, source: prices, date: "last year"}\n  api_models:\n',
        [
            'FILE:77: cloud.electricity[0].date: expected a date as YYYY-MM or YYYY-MM-DD, got "last year"'
        ],
    ),
    (
        "electricity-unknown",
        "  api_models:\n",
        '  electricity:\n    - {region: us, usd_per_kwh: 0.17, source: prices, date: "2025-01", currency: usd}\n  api_models:\n',
        [
            "FILE:77: cloud.electricity[0].currency: unknown key; expected one of: region, usd_per_kwh, source, date, note, exchange_rate_source"
        ],
    ),
    (
        "cloud-missing",
        "  subscriptions:\n",
        "  subscription:\n",
        [
            "FILE:63: cloud.subscriptions: required key is missing",
            "FILE:64: cloud.subscription: unknown key (did you mean 'subscriptions'?)",
        ],
    ),
    (
        "top-unknown",
        'catalog_version: "test"',
        'catalog_version: "test"\ncatalog_name: x',
        ["FILE:3: catalog_name: unknown key (did you mean 'catalog_version'?)"],
    ),
    (
        "top-schema-type",
        "schema_version: 1",
        "schema_version: one",
        ['FILE:1: schema_version: expected an integer, got "one"'],
    ),
    (
        "top-schema-newer",
        "schema_version: 1",
        "schema_version: 7",
        [
            "FILE:1: schema_version: written for catalog schema 7; this advisor reads schema 2 and older"
        ],
    ),
    (
        "quant-quality",
        "cloud:\n",
        "quant_quality:\n  - {type: Q4_K_Q, retained: 0.98, source: [cards], measured_on: tiny-llama}\ncloud:\n",
        [
            "FILE:64: quant_quality[0].type: unknown quant type 'Q4_K_Q'; expected one of "
            + QUANT_LIST
            + ', got "Q4_K_Q"'
        ],
    ),
    (
        "quant-quality-unknown",
        "cloud:\n",
        "quant_quality:\n  - {type: Q4_K_M, retained: 0.98, source: [cards], measured: tiny-llama}\ncloud:\n",
        [
            "FILE:64: quant_quality[0].measured_on: required key is missing",
            "FILE:64: quant_quality[0].measured: unknown key (did you mean 'measured_on'?)",
        ],
    ),
    (
        "models-not-list",
        "models:\n  - id: tiny-llama",
        "models: {}\nunused:\n  - id: tiny-llama",
        [
            "FILE:7: models: expected a list, got a mapping",
            "FILE:8: unused: unknown key; expected one of: schema_version, catalog_version, sources, models, cloud, quant_quality",
            "FILE:79: cloud.api_models[0].catalog_model: no model has id 'coder-moe'",
        ],
    ),
    (
        "sources-not-mapping",
        "sources:\n  cards:",
        "sources: [1]\nsources2:\n  cards:",
        [
            "FILE:3: sources: expected a mapping, got a list",
            "FILE:4: sources2: unknown key (did you mean 'sources'?)",
            "FILE:13: models[0].source[0]: unknown source 'cards'",
            "FILE:20: models[0].architecture.source[0]: unknown source 'cards'",
            "FILE:33: models[0].quants[0].source: unknown source 'sizes'",
            "FILE:35: models[0].quants[1].source: unknown source 'sizes'",
            "FILE:42: models[1].source[0]: unknown source 'cards'",
            "FILE:47: models[1].architecture.source[0]: unknown source 'cards'",
            "FILE:59: models[1].quality.source: unknown source 'cards'",
            "FILE:62: models[1].quants[0].source: unknown source 'sizes'",
            "FILE:75: cloud.subscriptions[0].source: unknown source 'prices'",
            "FILE:79: cloud.api_models[0].source: unknown source 'prices'",
        ],
    ),
    # Not strings where the cross-reference checks look for ids: the schema's message, no crash.
    (
        "id-not-a-string",
        "- id: tiny-llama",
        "- id: [1]",
        ["FILE:8: models[0].id: expected a string, got a list"],
    ),
    (
        "catalog-model-not-a-string",
        "catalog_model: coder-moe",
        "catalog_model: [1]",
        ["FILE:78: cloud.api_models[0].catalog_model: expected a string, got a list"],
    ),
    (
        "many",
        "size_bytes: 1169807680",
        "size_bytes: -3\n         , fiel: 2",
        [
            "FILE:34: models[0].quants[1].size_bytes: must be 1 or more, got -3",
            "FILE:35: models[0].quants[1].fiel: unknown key (did you mean 'file'?)",
        ],
    ),
]


@pytest.mark.parametrize(("case", "old", "new", "expected"), CASES, ids=[c[0] for c in CASES])
def test_each_check_reports_file_line_key_and_message(
    tmp_path: Path, case: str, old: str, new: str, expected: list[str]
) -> None:
    assert old in CATALOG_YAML
    path = write_catalog(tmp_path / "models.yaml", CATALOG_YAML.replace(old, new, 1))
    with pytest.raises(CatalogProblems) as caught:
        load_catalog(path, overlay=False)
    assert [str(p).replace(str(path), "FILE") for p in caught.value.problems] == expected


def test_the_same_problems_come_from_an_overlay(tmp_path: Path, catalog_file: Path) -> None:
    from catalog_testkit import NEW_MODEL

    from advisor.catalog.overlay import load_overlay

    overlay = tmp_path / "overlay.yaml"
    overlay.write_text(
        NEW_MODEL.replace("n_layers: 12", "n_layers: 12\n      n_full_attention_layers: 13")
        .replace("{type: Q8_0,", "{type: Q9_9,")
        .replace("family: Mine", "famly: Mine")
    )
    with pytest.raises(CatalogProblems) as caught:
        load_overlay(overlay, load_catalog(catalog_file, overlay=False))
    assert [str(p).replace(str(overlay), "FILE") for p in caught.value.problems] == [
        "FILE:4: models[0].family: required key is missing",
        "FILE:7: models[0].famly: unknown key (did you mean 'family'?)",
        "FILE:12: models[0].architecture: n_full_attention_layers + n_linear_attention_layers "
        "> n_layers",
        "FILE:27: models[0].quants[0].type: unknown quant type 'Q9_9'; expected one of "
        + QUANT_LIST
        + ', got "Q9_9"',
    ]
