"""The shipped models.yaml: it validates, covers what the issue asks, and its facts hold up."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
import yaml

from advisor.catalog import load_catalog
from advisor.catalog.model import Catalog
from advisor.catalog.tensors import tensor_layout
from scripts.catalog.sizes import DESCRIPTION_QUANTS, SIZE_ROWS

ROOT = Path(__file__).resolve().parents[2]
CATALOG_PATH = ROOT / "models.yaml"
SIZES_CSV = ROOT / "tests" / "data" / "model_sizes.csv"

BENCHMARK_REFERENCES = {
    "llama-2-7b-chat": ("Q4_0", "Q8_0", "F16"),
    "llama-3-8b-instruct": ("Q4_K_M", "F16"),
    "llama-3-70b-instruct": ("Q4_K_M",),
    "llama-3.1-8b-instruct": ("Q4_K_M", "Q8_0"),
    "llama-3.2-3b-instruct": ("Q4_K_M",),
    "gpt-oss-20b": ("MXFP4",),
    "gpt-oss-120b": ("MXFP4",),
    "qwen3-30b-a3b": ("Q4_K_M", "Q8_0"),
    "mistral-7b-instruct-v0.3": ("Q4_K_M",),
    "tinyllama-1.1b-chat-v1.0": ("Q4_K_M",),
}

# The families issue 4 names, as `family` prefixes.
ISSUE_FAMILIES = (
    "Llama 3", "Llama 4", "Qwen2.5", "Qwen3", "Qwen3.5", "Qwen3.6", "Gemma 3", "Gemma 3n",
    "Gemma 4", "Mistral", "Devstral", "Ministral", "Magistral", "Phi-4", "DeepSeek-R1-Distill",
    "DeepSeek-V3", "gpt-oss", "GLM", "Nemotron", "Granite", "SmolLM",
)  # fmt: skip


@pytest.fixture(scope="module")
def raw() -> dict:
    return yaml.load(CATALOG_PATH.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    """The shipped file as advisor loads it: parsed, through the schema (strict: unknown keys
    refused) and the cross-reference checks; no user overlay."""
    return load_catalog(CATALOG_PATH, overlay=False)


def _size_rows() -> list[tuple[str, str, int, str]]:
    """(catalog id, quant, bytes, row label) for every matched model_sizes.csv row."""
    out = []
    with open(SIZES_CSV, newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            model_id = SIZE_ROWS.get(row["model"].strip())
            quant = row["quant"].strip()
            if " " in quant:
                quant = DESCRIPTION_QUANTS.get(quant.split(" ", 2)[-1], "")
            if model_id is None or "UD-" in row["model"]:
                continue
            value, unit = row["file_size_bytes_or_gb"], row["unit"]
            scale = 1 if unit == "bytes" else 1e9 if unit == "GB" else 2**30
            out.append((model_id, quant.upper(), round(float(value) * scale), row["model"]))
    return out


def test_catalog_validates_and_is_big_enough(catalog: Catalog) -> None:
    assert len(catalog.models) >= 70
    sizes = {m.architecture.total_params_b for m in catalog.models}
    assert min(sizes) <= 0.6 and max(sizes) >= 100  # from 0.5B up to the 100B+ MoEs


def test_ids_and_repos_are_unique(catalog: Catalog) -> None:
    ids = [m.id for m in catalog.models]
    repos = [m.hf_repo.lower() for m in catalog.models]
    assert len(ids) == len(set(ids))
    assert len(repos) == len(set(repos))


@pytest.mark.parametrize("model_id", sorted(BENCHMARK_REFERENCES))
def test_benchmark_references_are_present_with_their_quants(catalog: Catalog, model_id: str):
    model = catalog.find(model_id)
    assert model is not None and model.benchmark_reference
    for quant in BENCHMARK_REFERENCES[model_id]:
        assert model.quant(quant) is not None, f"{model_id} lacks {quant}"
    flagged = {m.id for m in catalog.models if m.benchmark_reference}
    assert flagged == set(BENCHMARK_REFERENCES)


@pytest.mark.parametrize("family", ISSUE_FAMILIES)
def test_issue_families_are_present(catalog: Catalog, family: str) -> None:
    assert any(m.family.startswith(family) for m in catalog.models)


def test_matched_size_rows_exist_in_the_table() -> None:
    rows = _size_rows()
    assert len(rows) > 90
    assert {r[0] for r in rows} >= {"llama-2-7b-chat", "gpt-oss-120b", "llama-3.3-70b-instruct"}


def test_quant_sizes_are_within_2_percent_of_published_ones(catalog: Catalog) -> None:
    compared, misses = 0, []
    for model_id, quant_type, size, label in _size_rows():
        quant = catalog.find(model_id).quant(quant_type)
        if quant is None:
            continue  # the catalog does not list this type (F32, Q4_K_L, ...)
        compared += 1
        error = quant.size_bytes / size - 1
        if abs(error) > 0.02:
            misses.append(f"{model_id} {quant_type} vs {label}: {100 * error:+.2f}%")
    assert compared >= 80
    assert not misses, misses


def test_computed_sizes_match_the_tensor_layout(catalog: Catalog) -> None:
    """Computed sizes are what advisor.catalog.tensors gives today (else rebuild the catalog)."""
    stale = []
    for model in catalog.models:
        for quant in model.quants:
            if quant.basis != "computed":
                continue
            now = tensor_layout(model.architecture, quant.type).file_bytes
            if abs(now / quant.size_bytes - 1) > 0.01:
                stale.append(f"{model.id} {quant.type}: {quant.size_bytes} vs {now}")
    assert not stale, "run python -m scripts.catalog.build: " + "; ".join(stale[:5])


def _cited(node: object, found: set[str]) -> set[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("source", "quality_source", "exchange_rate_source") and value:
                found.update([value] if isinstance(value, str) else value)
            else:
                _cited(value, found)
    elif isinstance(node, list):
        for item in node:
            _cited(item, found)
    return found


def test_every_cited_source_exists_and_every_source_is_dated(raw: dict) -> None:
    cited = _cited({k: v for k, v in raw.items() if k != "sources"}, set())
    assert cited, "no source keys found"
    assert cited <= raw["sources"].keys(), sorted(cited - raw["sources"].keys())
    assert set(raw["sources"]) == cited, "sources nobody cites"
    for key, source in raw["sources"].items():
        assert source["date"], key


def test_every_model_fact_is_sourced_or_marked_unknown(catalog: Catalog) -> None:
    for model in catalog.models:
        assert model.source and model.architecture.source, model.id
        assert model.tasks, model.id
        for field in ("license", "release_date", "quality"):
            if getattr(model, field) is None:
                assert field in model.unknown, f"{model.id}: {field} null without a reason"
        arch = model.architecture
        for field in ("head_dim", "vocab_size"):
            if getattr(arch, field) is None and not (field == "head_dim" and arch.mla):
                assert field in arch.unknown, f"{model.id}: {field} null without a reason"
        if not model.quants:
            assert "quants" in model.unknown, model.id
        for quant in model.quants:
            assert quant.source, f"{model.id} {quant.type}"


def test_quality_scores_carry_their_snapshot(catalog: Catalog) -> None:
    scored = [m for m in catalog.models if m.quality]
    assert len(scored) >= 60
    for model in scored:
        assert model.quality.snapshot_date == "2026-07-10" and model.quality.aa_name
    gpt_oss = catalog.find("gpt-oss-120b").quality
    assert gpt_oss.intelligence_index == pytest.approx(23.83)
    assert catalog.find("gemma-3-4b-it").quality.estimated  # AA's is_estimated is carried


def test_every_listed_quant_type_has_a_quality_retention(catalog: Catalog) -> None:
    used = {q.type for m in catalog.models for q in m.quants}
    for quant_type in used:
        retained = catalog.quant_retained(quant_type)
        assert retained is not None and 0 < retained <= 1, quant_type
    assert catalog.quant_retained("Q8_0") > catalog.quant_retained("Q4_K_M")
    assert catalog.quant_retained("Q4_K_M") > catalog.quant_retained("Q2_K")


def test_api_models_link_to_real_catalog_models(catalog: Catalog) -> None:
    ids = {m.id for m in catalog.models}
    hosted = [a for a in catalog.cloud.api_models if a.catalog_model]
    assert {"gpt-oss-20b", "gpt-oss-120b"} <= {a.catalog_model for a in hosted}
    for api in hosted:
        assert api.catalog_model in ids, api.id
        assert api.open_weights, api.id
    assert len({a.id for a in catalog.cloud.api_models}) == len(catalog.cloud.api_models)


def test_frontier_models_top_the_closed_models(catalog: Catalog) -> None:
    closed = [a for a in catalog.cloud.api_models if not a.open_weights]
    frontier = [a for a in closed if a.frontier]
    assert frontier
    best_chat = max(closed, key=lambda a: a.intelligence_index or 0)
    best_coding = max(closed, key=lambda a: a.coding_index or 0)
    assert best_chat.frontier and best_coding.frontier


def test_cloud_entries_are_dated_and_priced(catalog: Catalog) -> None:
    cloud = catalog.cloud
    assert {s.vendor for s in cloud.subscriptions} >= {
        "OpenAI", "Anthropic", "Google", "GitHub", "Cursor (Anysphere)"
    }  # fmt: skip
    for entry in (*cloud.subscriptions, *cloud.api_models, *cloud.electricity):
        assert entry.date and entry.source
    for plan in cloud.subscriptions:
        assert plan.limits and plan.limits_basis, plan.id
        assert plan.requests_per_day is None or plan.requests_per_day > 0
    plus = next(p for p in cloud.subscriptions if p.id == "chatgpt-plus")
    assert plus.requests_per_day_for("coding") < plus.requests_per_day_for("chat")
    regions = {e.region for e in cloud.electricity}
    assert {"us", "eu", "de", "us-ca"} <= regions
    for price in cloud.electricity:
        assert 0.05 < price.usd_per_kwh < 0.6
        if price.region in ("eu", "de"):
            assert price.exchange_rate_source and "EUR" in price.note
