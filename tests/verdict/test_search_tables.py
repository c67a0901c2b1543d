"""Searches on one catalog share what they read of it alone (advisor.verdict.search).

The models in order by task, each model's files by quality and the best retention are the
same on every machine: the searches of a run (the remedies' changed machines, an audit's
hundreds) work them out once per catalog, and a catalog with other content gets its own.
"""

from __future__ import annotations

import dataclasses

from advisor.catalog import load_catalog
from advisor.estimate.rank import quality_for
from advisor.probe import load_profile
from advisor.verdict.search import OptionSearch

TASKS = ("chat", "coding", "summarisation")


def _tables(search: OptionSearch) -> tuple:
    ordered = tuple(tuple((raw, m.id) for raw, m in search.ordered(t)) for t in TASKS)
    unscored = tuple(tuple(m.id for m in search.unscored(t)) for t in TASKS)
    files = tuple((m.id, search.files(m)) for m in search.catalog.models)
    return ordered, unscored, files, search.best_retention


def _scored(catalog, task: str) -> tuple:
    scored = []
    for m in catalog.models:
        quality = quality_for(m, task)
        if quality:
            scored.append((quality[0], m.id))
    return tuple(sorted(scored, key=lambda pair: (-pair[0], pair[1])))


def _by_hand(search: OptionSearch) -> tuple:
    catalog, losses = search.catalog, search.losses
    ordered = tuple(_scored(catalog, t) for t in TASKS)
    unscored = tuple(
        tuple(sorted(m.id for m in catalog.models if quality_for(m, t) is None)) for t in TASKS
    )
    retention = max([1.0, *(losses.of(q.type).factor for m in catalog.models for q in m.quants)])
    return ordered, unscored, retention


def test_searches_on_one_catalog_share_its_tables_on_every_machine() -> None:
    catalog = load_catalog()
    big, small = load_profile("dual-rtx-3090"), load_profile("office-laptop-16gb")
    first, second = OptionSearch(big, catalog), OptionSearch(small, catalog)
    assert first._tables is second._tables
    ordered, unscored, files, retention = _tables(first)
    assert (ordered, unscored, retention) == _by_hand(first)
    for model_id, found in files:
        retained = [kept for _, kept in found.by_quality]
        assert retained == sorted(retained, reverse=True), model_id
        assert found.smallest_first == tuple(reversed(found.by_quality))
    # the machine's own part stays its own: which models have a file that fits at all
    roomy = {m.id: second.files(m).roomy for m in catalog.models}
    assert not all(roomy.values()) and any(roomy.values())
    assert all(first.files(m).roomy for m in catalog.models if m.quants and roomy[m.id])
    assert _tables(second)[:2] == (ordered, unscored)


def test_a_catalog_with_other_content_has_its_own_tables() -> None:
    catalog = load_catalog()
    fewer = dataclasses.replace(catalog, models=catalog.models[: len(catalog.models) // 2])
    machine = load_profile("dual-rtx-3090")
    whole, half = OptionSearch(machine, catalog), OptionSearch(machine, fewer)
    assert whole._tables is not half._tables
    assert _tables(half)[:2] != _tables(whole)[:2]
    assert (_tables(half)[0], _tables(half)[1], half.best_retention) == _by_hand(half)


def test_no_search_can_change_the_lists_another_search_reads() -> None:
    """The shared orders are handed out as they are kept: one search that sorted or trimmed
    them in place would change every later search on the catalog."""
    catalog = load_catalog()
    search = OptionSearch(load_profile("office-laptop-16gb"), catalog)
    for task in TASKS:
        for shared in (search.ordered(task), search.unscored(task)):
            assert not hasattr(shared, "sort") and not hasattr(shared, "append"), task
    other = OptionSearch(load_profile("dual-rtx-3090"), catalog)
    assert other.ordered("chat") is search.ordered("chat")
