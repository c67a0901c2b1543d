"""The remedy search started ahead in a forked child (advisor.remedies_ahead): a report with it
equals one searching in line, on machines where every workload needs a remedy and where some
run locally; a search over every workload gives those that need a remedy the answer a search
over them alone gives; a child that fails, hangs or sends something else leaves the in-line
search to answer; a child is always collected, writes nothing, and is never forked with another
thread running, on one CPU, or when the remedy cache answers already."""

from __future__ import annotations

import os
import threading
import time

import pytest

from advisor import advise as advise_module
from advisor import remedies, remedies_ahead
from advisor.advice_options import AdviceOptions
from advisor.advise import advise, judge
from advisor.catalog import load_catalog
from advisor.probe.bandwidth import early
from advisor.probe.resolve import resolve_machine
from advisor.verdict.cloud_prices import CloudPrices
from advisor.workload import load_workloads
from tests.children_kit import collected

# A CPU-only desktop: every workload needs a remedy, and another GPU is tried (the search is
# forked only where it tries one: advisor.remedies_ahead._costly), as on the machine the first
# report's timings are taken on
CPU_DESKTOP = """name: CPU-only desktop
ram_gb: 32
backend: cpu
cpu: {name: AMD Ryzen 7 7700, cores: 8, threads: 16, memory_bandwidth_gbs: 60}
"""
# Forked: some workloads local (the GPU desktops), or none (the CPU desktop)
FORKED = ("rtx-3060-desktop", "arc-b580-desktop", "cpu-desktop")
# Searched over every workload: also those with RAM changes alone (the laptops) or none (Apple)
SEARCHED = (*FORKED, "office-laptop-16gb", "macbook-pro-m4-max-128gb", "macbook-air-m2-16gb")
PROFILE = "cpu-desktop"


@pytest.fixture(autouse=True)
def _cpu_desktop(tmp_path_factory: pytest.TempPathFactory, monkeypatch) -> None:
    path = tmp_path_factory.mktemp("profiles") / "cpu-desktop.yaml"
    path.write_text(CPU_DESKTOP, encoding="utf-8")
    monkeypatch.setitem(_PATHS, "cpu-desktop", str(path))


_PATHS: dict[str, str] = {}


def _machine(profile: str):
    return resolve_machine(profile=_PATHS.get(profile, profile))


@pytest.fixture
def forks(monkeypatch: pytest.MonkeyPatch) -> list[int | None]:
    """The process id of each child the search ahead forked (None: fork_child declined).

    fork_child declines beside any other thread; the threads earlier tests left running are not
    counted here (tqdm's monitor thread, which huggingface_hub's progress bars start in the
    download tests, lives as long as the process), only those started during the test, so
    these tests fork wherever they run in the suite (the probe's fork tests set the count too)."""
    seen: list[int | None] = []
    real = remedies_ahead.fork_child
    before = set(threading.enumerate())
    monkeypatch.setattr(
        early.threading,
        "active_count",
        lambda: 1 + sum(t not in before for t in threading.enumerate()),
    )

    def spied(child):
        found = real(child)
        seen.append(found and found[0])
        return found

    monkeypatch.setattr(remedies_ahead, "fork_child", spied)
    return seen


def _report(profile: str, **options):
    machine = _machine(profile)
    return advise(machine, load_catalog(), load_workloads(), AdviceOptions(**options)).verdicts


def _in_line(profile: str, monkeypatch: pytest.MonkeyPatch):
    with monkeypatch.context() as m:
        m.setattr(remedies_ahead, "_cpus", lambda: 1)  # no fork
        return _report(profile, cache=False)


@pytest.mark.parametrize("profile", SEARCHED)
def test_the_search_of_every_workload_answers_each_pending_one_as_its_own(profile: str) -> None:
    machine = _machine(profile)
    catalog, workloads = load_catalog(), load_workloads()
    options = AdviceOptions(cache=False)
    verdicts = advise(machine, catalog, workloads, AdviceOptions(cache=False, remedies=False))
    pending = [v.workload for v in verdicts.verdicts if remedies.needs_remedy(v)]
    assert pending
    prices = CloudPrices(catalog)
    every = remedies.search_works(machine, workloads, options, (), judge, prices)
    alone = remedies.search_works(machine, pending, options, (), judge, prices)
    assert set(every.works) == {w.name for w in workloads}
    assert {w.name: every.works[w.name] for w in pending} == alone.works
    assert (every.largest, every.blocked) == (alone.largest, alone.blocked)


@pytest.mark.parametrize("profile", FORKED)
def test_a_report_with_the_search_ahead_is_the_one_in_line(
    profile: str, forks: list, monkeypatch: pytest.MonkeyPatch
) -> None:
    ahead = _report(profile, cache=False)
    assert len(forks) == 1 and forks[0] is not None
    assert collected(forks[0])
    assert ahead == _in_line(profile, monkeypatch)
    assert any(v.remedy is not None for v in ahead)


def test_the_childs_answer_is_taken_and_the_run_searches_nothing(
    forks: list, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The run builds its remedies from the child's answer: the in-line search (remedies', the
    run's own; the child calls remedies_ahead's) runs only where no child answered. Without
    this, a run that never took the answer would pass every test above, searching in line."""
    monkeypatch.setattr(remedies_ahead, "ANSWER_WAIT_S", 3600.0)  # however slow the child
    in_line: list[int] = []
    real = remedies.search_works
    monkeypatch.setattr(remedies, "search_works", lambda *a: in_line.append(1) or real(*a))
    ahead = _report(PROFILE, cache=False)
    assert forks[0] is not None and collected(forks[0])
    assert in_line == []
    assert ahead == _in_line(PROFILE, monkeypatch) and in_line == [1]


def _fails(*args):
    raise RuntimeError("the child's search failed")


def _sends_another_thing(*args):
    return "not a Found"


def _hangs(*args):
    time.sleep(3600)


def _half_then_hangs(fd: int, data: bytes) -> None:
    os.write(fd, data[: len(data) // 2])
    time.sleep(3600)


def _half_then_leaves(fd: int, data: bytes) -> None:
    os.write(fd, data[: len(data) // 2])


@pytest.mark.parametrize(
    ("name", "child"),
    [("search_works", _fails), ("search_works", _sends_another_thing), ("search_works", _hangs),
     ("_write_all", _half_then_hangs), ("_write_all", _half_then_leaves)],
)  # fmt: skip
def test_a_child_without_an_answer_leaves_the_search_in_line(
    name: str, child, forks: list, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(remedies_ahead, "ANSWER_WAIT_S", 0.2)
    monkeypatch.setattr(remedies_ahead, name, child)  # the child's (the run's search is remedies')
    verdicts = _report(PROFILE, cache=False)
    assert forks[0] is not None and collected(forks[0])
    assert verdicts == _in_line(PROFILE, monkeypatch)


def test_a_run_that_fails_before_the_answer_stops_its_child(
    forks: list, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = advise_module._decide
    calls = []

    def fails_late(j, workload, gather):  # the second verdict, once the first has forked
        calls.append(workload)
        if len(calls) == 2:
            raise KeyError(workload.name)
        return real(j, workload, gather)

    monkeypatch.setattr(advise_module, "_decide", fails_late)
    with pytest.raises(KeyError):
        _report(PROFILE, cache=False)
    assert forks[0] is not None and collected(forks[0])


def test_the_child_writes_nothing_but_its_answer(
    forks: list, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str], advisor_home
) -> None:
    def noisy(*args):
        print("to stdout")
        os.write(2, b"to stderr\n")
        return remedies.search_works(*args)

    monkeypatch.setattr(remedies_ahead, "search_works", noisy)
    _machine(PROFILE), load_catalog(), load_workloads()  # their caches, written
    before = sorted(advisor_home.rglob("*"))
    capfd.readouterr()
    verdicts = _report(PROFILE, cache=False)  # nothing cached: the run writes nothing either
    assert forks[0] is not None and capfd.readouterr() == ("", "")
    assert sorted(advisor_home.rglob("*")) == before
    assert verdicts == _in_line(PROFILE, monkeypatch)


def test_no_fork_beside_another_thread_or_on_one_cpu(
    forks: list, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = _in_line(PROFILE, monkeypatch)
    done = threading.Event()
    other = threading.Thread(target=done.wait)
    other.start()
    try:
        assert _report(PROFILE, cache=False) == expected
    finally:
        done.set()
        other.join()
    assert forks == [None]  # fork_child declined
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0}, raising=False)
    assert _report(PROFILE, cache=False) == expected
    assert forks == [None]  # not asked


@pytest.mark.parametrize(
    ("profile", "why"),
    [("rtx-4090-desktop", "every workload local"), ("office-laptop-8gb", "more RAM alone tried"),
     ("macbook-pro-m4-max-128gb", "no change tried")],
)  # fmt: skip
def test_no_fork_where_the_search_costs_less_than_one(
    profile: str, why: str, forks: list, monkeypatch: pytest.MonkeyPatch
) -> None:
    verdicts = _report(profile, cache=False)
    assert forks == [], why
    assert verdicts == _in_line(profile, monkeypatch)


def test_the_remedy_cache_answers_a_report_without_a_fork(forks: list, advisor_home) -> None:
    first = _report(PROFILE)
    assert len(forks) == 1 and forks[0] is not None
    for entry in (advisor_home / "cache" / "validated").glob("advice-*.pickle"):
        entry.unlink()  # the verdicts judged again, the remedies read back
    assert _report(PROFILE) == first
    assert len(forks) == 1
    assert _report(PROFILE, cache=False) == first
