"""Ranking the real catalog on reference profiles: order, quants, filters, exclusions."""

from __future__ import annotations

import pytest

from advisor.catalog import load_catalog
from advisor.estimate.quant_quality import retention
from advisor.estimate.rank import quality_for, rank_models
from advisor.probe.profiles import load_profile


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
    scores = [c.score for c in ranking.candidates]
    assert scores == sorted(scores, reverse=True)
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
        if model.quality.coding_index is not None:
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
def test_quant_retention_follows_the_sourced_table(quant, low, high):
    assert low <= retention(quant).factor <= high


def test_retention_falls_as_bits_fall():
    order = ["Q8_0", "Q6_K", "Q5_K_M", "Q4_K_M", "Q3_K_M", "Q2_K", "IQ2_XXS", "IQ1_S"]
    factors = [retention(q).factor for q in order]
    assert factors == sorted(factors, reverse=True)
    assert retention("IQ1_S").basis == "extrapolated"


def test_missing_coding_index_falls_back_and_says_so(catalog):
    model = next(m for m in catalog.models
                 if m.quality and m.quality.coding_index is None
                 and m.quality.intelligence_index is not None)  # fmt: skip
    index, metric, note = quality_for(model, "coding")
    assert metric == "intelligence_index" and note
