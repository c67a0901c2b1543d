"""Ranking the real catalog on reference profiles: order, quants, filters, exclusions."""

from __future__ import annotations

import pytest

from advisor.catalog import load_catalog
from advisor.estimate.quant_quality import QuantLosses
from advisor.estimate.rank import quality_for, rank_models
from advisor.probe.profiles.load import load_profile


@pytest.fixture(scope="module")
def catalog():
    return load_catalog(overlay=False)


@pytest.fixture(scope="module")
def rtx_4090():
    return load_profile("rtx-4090-desktop")


def _rank(machine, catalog, **kw):
    return rank_models(machine, catalog, **kw)


def test_every_model_is_ranked_or_left_out_with_a_reason(rtx_4090, catalog):
    ranking = _rank(rtx_4090, catalog)
    ranked = {c.model_id for c in ranking.candidates}
    left_out = {e.model_id for e in ranking.excluded}
    assert ranked | left_out == {m.id for m in catalog.models}
    assert not ranked & left_out
    assert all(e.reason for e in ranking.excluded)


def test_best_first_one_quant_per_model_and_nothing_that_does_not_fit(rtx_4090, catalog):
    ranking = _rank(rtx_4090, catalog)
    scores = [c.score for c in ranking.candidates if c.score is not None]
    assert scores == sorted(scores, reverse=True)
    unknown = [i for i, c in enumerate(ranking.candidates) if c.score is None]
    assert unknown and unknown == list(range(len(scores), len(ranking.candidates)))
    assert len({c.model_id for c in ranking.candidates}) == len(ranking.candidates)
    assert all(c.estimate.fits for c in ranking.candidates)
    big = [e for e in ranking.excluded if e.kind == "does-not-fit"]
    assert big and all("tokens of context" in e.reason for e in big)


def test_all_quants_lists_more_than_the_best(rtx_4090, catalog):
    best = _rank(rtx_4090, catalog)
    every = _rank(rtx_4090, catalog, all_quants=True)
    assert len(every.candidates) > len(best.candidates)


def test_a_speed_floor_leaves_slow_models_out_and_says_so(rtx_4090, catalog):
    ranking = _rank(rtx_4090, catalog, min_decode_tokens_per_s=60)
    assert all(c.decode_tokens_per_s >= 60 for c in ranking.candidates)
    slow = [e for e in ranking.excluded if e.kind == "too-slow"]
    assert slow and all(e.reason.startswith("below 60 tok/s") for e in slow)


def test_a_longer_context_fits_fewer_models(rtx_4090, catalog):
    short = _rank(rtx_4090, catalog, context_tokens=4096)
    long = _rank(rtx_4090, catalog, context_tokens=131072)
    assert len(long.candidates) <= len(short.candidates)


def test_coding_ranks_by_the_coding_index(rtx_4090, catalog):
    ranking = _rank(rtx_4090, catalog, task="coding")
    for c in ranking.candidates:
        model = catalog.find(c.model_id)
        if model.quality is not None and model.quality.coding_index is not None:
            assert c.quality_metric == "coding_index"
            assert c.quality_index == model.quality.coding_index


def test_a_small_laptop_gets_small_models(catalog):
    laptop = load_profile("office-laptop-8gb")
    ranking = _rank(laptop, catalog)
    assert ranking.candidates
    assert all(c.total_bytes < 8 * 1024**3 for c in ranking.candidates)


@pytest.mark.parametrize(
    ("quant", "low", "high"),
    [("F16", 1.0, 1.0), ("Q8_0", 0.99, 1.0), ("Q4_K_M", 0.93, 0.94), ("Q2_K", 0.86, 0.87)],
)
def test_quant_retention_follows_the_sourced_table(catalog, quant, low, high):
    assert low <= QuantLosses(catalog.quant_quality).of(quant).factor <= high


def test_retention_falls_as_bits_fall(catalog):
    retention = QuantLosses(catalog.quant_quality).of
    order = ["Q8_0", "Q6_K", "Q5_K_M", "Q4_K_M", "Q3_K_M", "Q2_K", "IQ2_XXS", "IQ1_S"]
    factors = [retention(q).factor for q in order]
    assert factors == sorted(factors, reverse=True)
    assert retention("IQ1_S").basis == "extrapolated past another model's measurements"


@pytest.mark.parametrize(
    ("quant", "basis"),
    [
        ("Q4_K_M", "measured on another model, Qwen2.5-Coder-32B"),
        ("Q5_K_M", "scaled from another model's measurements"),
        ("Q4_K_XL", "rule of thumb: no measurement for this type, taken as Q4_K_M"),
        ("BF16", "lossless"),
    ],
)
def test_each_quant_loss_says_where_it_comes_from(catalog, quant, basis):
    """Issue 13 item 8: no model's quant loss was measured on it; "(measured)" is never shown
    for a figure scaled from another model."""
    assert QuantLosses(catalog.quant_quality).of(quant).basis == basis


def test_the_losses_come_from_the_catalogs_table(catalog):
    """One owner: the catalog's quant_quality table. Its task figures are used as they are,
    the rest scaled by its divergences; a catalog without the table counts no loss, and says
    so, and a row's change moves the figure."""
    import dataclasses

    table = catalog.quant_quality
    losses = QuantLosses(table)
    q4 = next(r for r in table if r.type == "Q4_K_M")
    assert losses.of("Q4_K_M").factor == q4.task_retained
    assert losses.of("q4_k_m") == losses.of("Q4_K_M")
    assert QuantLosses(()).of("Q4_K_M").basis.startswith("unknown: the catalog has no")
    q5 = next(r for r in table if r.type == "Q5_K_M")
    halved = [dataclasses.replace(r, kld=r.kld / 2) if r is q5 else r for r in table]
    assert QuantLosses(halved).of("Q5_K_M").factor > losses.of("Q5_K_M").factor
    assert losses.of("MXFP4").factor == 1.0


def test_the_local_score_names_its_index_version_snapshot_and_source(catalog):
    from advisor.estimate.rank import rank_models
    from advisor.probe import load_profile

    ranking = rank_models(load_profile("rtx-4090-desktop"), catalog, task="coding",
                          context_tokens=8192)  # fmt: skip
    top = ranking.candidates[0]
    quality = next(m for m in catalog.models if m.id == top.model_id).quality
    # Issue 13 item 8: a coding score names the coding index, not the intelligence index.
    assert top.quality_metric == "coding_index"
    assert top.quality_source == (
        "Artificial Analysis Coding Index (published beside Intelligence Index v4.1), "
        f"snapshot {quality.snapshot_date}, source {quality.source}"
    )
    chat = rank_models(load_profile("rtx-4090-desktop"), catalog, task="chat",
                       context_tokens=8192).candidates[0]  # fmt: skip
    assert chat.quality_metric == "intelligence_index"
    assert chat.quality_source.startswith("Artificial Analysis Intelligence Index v4.1, ")
    assert top.quality_text.endswith(f"({top.quality_source})")
    assert "(measured)" not in top.quality_text


def test_a_model_without_a_coding_index_is_quality_unknown_for_coding(rtx_4090, catalog):
    """Issue 13 item 8 (one index scale per comparison): Qwen3-Coder 30B-A3B has an
    intelligence score but no coding score. It was scored on its intelligence index (about
    11) beside models scored on the coding index and divided by the frontier's coding index
    (81.6). A coding comparison uses the coding index only: it is quality unknown for
    coding, says which index has no score, and is judged only against a floor the user
    gives (--quality / --min-quality)."""
    model = catalog.find("qwen3-coder-30b-a3b-instruct")
    assert model.quality.coding_index is None and model.quality.intelligence_index is not None
    assert quality_for(model, "coding") is None
    assert quality_for(model, "chat") == (model.quality.intelligence_index, "intelligence_index")
    ranking = _rank(rtx_4090, catalog, task="coding")
    (coder,) = [c for c in ranking.candidates if c.model_id == model.id]
    assert coder.quality is None and coder.score is None
    assert coder.quality_metric == "coding_index"
    assert coder.quality_text.startswith("quality unknown: the coding index has no score")
    assert {c.quality_metric for c in ranking.candidates} == {"coding_index"}


def test_a_model_without_a_score_is_ranked_with_its_quality_unknown(rtx_4090, catalog):
    """Issue 13 item 8b: Mistral 7B v0.3 has no index score. It was left out ("no quality
    index"); it is ranked, its quality None (never a made-up number), after every scored
    model, and says where scores come from."""
    ranking = _rank(rtx_4090, catalog)
    (mistral,) = [c for c in ranking.candidates if c.model_id == "mistral-7b-instruct-v0.3"]
    assert mistral.quality is None and mistral.quality_index is None and mistral.score is None
    assert mistral.quality_text.startswith("quality unknown: the index has no score")
    assert "Artificial Analysis" in mistral.quality_text
    assert all(e.model_id != mistral.model_id for e in ranking.excluded)
    # the file shown keeps the most of the model that fits comfortably, not the fastest Q2_K
    assert mistral.quant_retention > 0.99


def test_interactive_ranking_puts_unknown_quality_after_the_scored_of_its_speed(rtx_4090, catalog):
    # 65 t/s: the 4090's unknown-quality files sit on both sides (gemma-2-27b-it at 63, the
    # Qwen2.5 7B files at 106); at 60 since the shader-compute term (gamma_gpu) none is below
    ranking = _rank(rtx_4090, catalog, interactive_decode_tokens_per_s=65)
    classes = [(c.decode_tokens_per_s < 65) * 2 + (c.score is None) for c in ranking.candidates]
    assert classes == sorted(classes) and set(classes) == {0, 1, 2, 3}
