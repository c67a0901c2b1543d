"""The shipped models.yaml: it validates, covers what the issue asks, and its facts hold up."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
import yaml

from advisor.catalog import load_catalog
from advisor.catalog.model import Catalog
from advisor.catalog.scan.identify import _by_ollama_tag
from advisor.catalog.tensors.layout import tensor_layout
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
    """Computed sizes are what advisor.catalog.tensors.layout gives today (else rebuild the
    catalog)."""
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
        assert model.quality.snapshot_date == "2026-10-10" and model.quality.aa_name
        assert model.quality.scale == "Artificial Analysis Intelligence Index v4.1"
    # quality.csv: gpt-oss-120b (High) 24.1 on 2026-08-22's scale, 11.6 on 2026-10-10's.
    gpt_oss = catalog.find("gpt-oss-120b").quality
    assert gpt_oss.intelligence_index == pytest.approx(11.6)
    assert gpt_oss.coding_index == pytest.approx(30.4)  # the coding index was not rescaled


def test_one_index_scale_across_models_and_api(catalog: Catalog) -> None:
    """AA rescaled its index between the 2026-08-22 and 2026-10-10 snapshots: every score the
    verdict compares (local models against the API frontier) is on the 2026-10-10 scale."""
    scales = {m.quality.scale for m in catalog.models if m.quality}
    for api in catalog.cloud.api_models:
        if api.intelligence_index is not None or api.coding_index is not None:
            assert api.quality_date == "2026-10-10", api.id
            scales.add(api.quality_scale)
    assert scales == {"Artificial Analysis Intelligence Index v4.1"}
    # A name from an older snapshot resolves through its slug to the new row.
    sonnet = next(a for a in catalog.cloud.api_models if a.id == "claude-sonnet-4-6")
    assert sonnet.aa_name == "Claude Sonnet 4.6 (Max)" and sonnet.intelligence_index == 30.1


def test_refreshed_prices_settle_the_known_conflicts(catalog: Catalog) -> None:
    """CHANGES-2026-12.md: GPT-5.6 Sol's 4 / 20 promotion ended 2026-11-30 (list 5 / 30 from
    2026-12-01); DeepSeek's V4 Flash name is served by V4.1 Flash at 0.30 / 1.20 peak."""
    api = {a.id: a for a in catalog.cloud.api_models}
    sol = api["gpt-5.6-sol"]
    assert (sol.input_usd_per_mtok, sol.output_usd_per_mtok) == (5.0, 30.0)
    assert sol.date == "2026-12-01" and sol.source == "prices-gpt-5.6-sol"
    flash = api["deepseek-flash"]
    assert (flash.input_usd_per_mtok, flash.output_usd_per_mtok) == (0.30, 1.20)
    assert "off-peak 0.15 / 0.60" in flash.note
    assert "deepseek/deepseek-v4-flash" not in api
    assert api["gpt-6-astra"].source == "litellm-1.110.2"
    assert api["mistral/mistral-large-4"].input_usd_per_mtok == 0.70


def test_refreshed_plans(catalog: Catalog) -> None:
    """The OpenAI Pro tiers are named after their Codex plan ids; Claude Max/Ultra keep only
    Claude API credit; Google AI Pro's compute-based quota is unknown, not 100 a day."""
    plans = {s.id: s for s in catalog.cloud.subscriptions}
    assert {"chatgpt-pro", "chatgpt-pro-more", "chatgpt-pro-max"} <= plans.keys()
    assert "chatgpt-pro-5x" not in plans
    assert plans["chatgpt-pro-max"].limit_assumed
    assert plans["claude-ultra"].api_vendor == "anthropic"
    assert plans["claude-ultra"].included_usage_usd_per_month == 200
    google = plans["google-ai-pro"]
    assert google.requests_per_day is None
    assert google.limits_published[0].count is None
    assert "compute-based" in google.limits_published[0].text
    for plan in plans.values():
        assert plan.counts in ("prompts", "usd"), plan.id


def test_new_models_from_the_refresh(catalog: Catalog) -> None:
    for model_id in ("llama-2-13b-chat", "llama-2-70b-chat", "deepseek-v2-lite-chat",
                     "gemma-3-270m-it", "qwen3.8-27b", "granite-4.2-8b",
                     "nemotron-3.5-lightning-30b-a3b"):  # fmt: skip
        model = catalog.find(model_id)
        assert model is not None and model.quants, model_id
    qwen = catalog.find("qwen3.8-27b")
    assert qwen.quality.intelligence_index == 33.7 and qwen.quality.coding_index == 68.1
    # Published TheBloke size (decimal GB, model_sizes-2026-12.csv).
    assert catalog.find("llama-2-13b-chat").quant("Q4_K_M").size_bytes == 7_870_000_000


def test_base_repos_resolve_to_their_instruct_sibling(catalog: Catalog) -> None:
    model = catalog.find("meta-llama/Meta-Llama-3-8B")
    assert model is not None and model.id == "llama-3-8b-instruct"
    assert "base model of llama-3-8b-instruct" in catalog.base_note("meta-llama/meta-llama-3-8b")
    assert catalog.base_note("llama-3-8b-instruct") is None
    assert catalog.find("deepseek-ai/DeepSeek-V2-Lite").id == "deepseek-v2-lite-chat"


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


def test_ollama_tags_identify_the_most_specific_model(catalog: Catalog) -> None:
    """An installed tag that extends an older model's tag is the newer model it names."""

    def found(tag: str) -> str | None:
        model = _by_ollama_tag(catalog, [tag])
        return model.id if model else None

    assert found("qwen3:4b-instruct-2507-q4_K_M") == "qwen3-4b-instruct-2507"
    assert found("qwen3:235b-a22b-instruct-2507-q4_K_M") == "qwen3-235b-a22b-instruct-2507"
    assert found("qwen3:4b-q8_0") == "qwen3-4b"
    assert found("qwen3:4b") == "qwen3-4b"
    assert found("gemma4:26b-a4b-it-q8_0") == "gemma-4-26b-a4b-it"


def test_every_ollama_tag_is_unique_and_sourced(catalog: Catalog) -> None:
    tagged = [m for m in catalog.models if m.ollama_tag]
    assert len({m.ollama_tag for m in tagged}) == len(tagged)
    for model in tagged:
        assert {"ollama-library", "ollama-library-llm-checker"} & set(model.source), model.id
