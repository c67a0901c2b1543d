"""A check's words are written when they are first read (Check.later).

A search checks thousands of model files and reads the words of the few a verdict shows; the
checks it makes carry their pass, figures and margin at once and their text on demand. What
reads a check (equality, hashing, repr, asdict, pickle, copies, the report) sees the same
check as one made with its text.
"""

from __future__ import annotations

import copy
import dataclasses
import pickle

from advisor.catalog import load_catalog
from advisor.probe import load_profile
from advisor.verdict.candidates import to_candidate
from advisor.verdict.options import Check, check_option
from advisor.verdict.power_for import power_lookup
from advisor.verdict.search import OptionSearch
from advisor.workload import load_workloads


def _written(calls: list[tuple]) -> object:
    def text_of(have: float, need: float) -> str:
        calls.append((have, need))
        return f"decodes {have:g} of {need:g}"

    return text_of


def test_the_text_is_written_once_and_only_when_read() -> None:
    calls: list[tuple] = []
    check = Check.later("decode", False, 10.0, 4.0, "tokens/s", _written(calls), (4.0, 10.0),
                        False, -0.6)  # fmt: skip
    assert calls == []
    assert check.passed is False and check.margin == -0.6
    assert check.text == "decodes 4 of 10"
    assert check.text == "decodes 4 of 10"
    assert calls == [(4.0, 10.0)]


def test_a_later_check_is_the_check_with_that_text() -> None:
    eager = Check("decode", False, 10.0, 4.0, "tokens/s", "decodes 4 of 10", False, -0.6)

    def later() -> Check:
        return Check.later("decode", False, 10.0, 4.0, "tokens/s", _written([]), (4.0, 10.0),
                           False, -0.6)  # fmt: skip

    assert later() == eager and eager == later()
    assert hash(later()) == hash(eager)
    assert repr(later()) == repr(eager)
    assert dataclasses.asdict(later()) == dataclasses.asdict(eager)
    assert copy.deepcopy(later()) == eager
    assert dataclasses.replace(later(), passed=True) == dataclasses.replace(eager, passed=True)
    assert later() != dataclasses.replace(eager, text="another text")
    data = pickle.dumps(later())
    assert b"text_of" not in data  # the text travels, not how to write it
    back = pickle.loads(data)
    assert back == eager and vars(back) == vars(eager)


def test_a_search_leaves_the_words_of_its_checks_unwritten() -> None:
    """Real files of the catalog on a shipped profile, checked against every preset."""
    machine = load_profile("dual-rtx-3090")
    catalog = load_catalog()
    search = OptionSearch(machine, catalog)
    power = power_lookup(machine, ())
    checked = 0
    for workload in load_workloads():
        raw, model = search.ordered(workload.task)[0]
        context = workload.context_tokens * workload.concurrency
        for quant in model.quants:
            ranked = search.rank_quant(model, quant, workload.task, context)
            if ranked is None:
                continue
            option = check_option(workload, to_candidate(ranked, False, power), 70.0)
            assert all("text" not in vars(c) for c in option.checks if c.name != "quality"
                       or option.candidate.quality_index is not None)  # fmt: skip
            texts = [c.text for c in option.checks]
            assert all(texts) and all("text" in vars(c) for c in option.checks)
            assert pickle.loads(pickle.dumps(option)) == option
            checked += 1
    assert checked > 10


def test_two_threads_reading_the_text_at_once_both_get_it() -> None:
    """The TUI builds verdicts in worker threads and reads them on others: a second reader
    arriving while the first is still writing the text gets the text, not an error."""
    import threading

    writing, go_on = threading.Event(), threading.Event()

    def text_of(have: float) -> str:
        if not writing.is_set():  # the first reader stops here while the second one reads
            writing.set()
            assert go_on.wait(60)
        return f"decodes {have:g}"

    check = Check.later("decode", True, None, 4.0, "tokens/s", text_of, (4.0,))
    first: list[str] = []
    reader = threading.Thread(target=lambda: first.append(check.text))
    reader.start()
    try:
        assert writing.wait(60)
        assert check.text == "decodes 4"
    finally:
        go_on.set()
        reader.join(60)
    assert first == ["decodes 4"] and check.text == "decodes 4"
