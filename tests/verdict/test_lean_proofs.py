"""The lean search's proofs (advisor.verdict.lean.Lean.beaten) leave every verdict an audit
reads as it was: the lean search that skips files against the lean search that estimates
every file it reaches, on the real catalog.

A file is skipped when its bounds (advisor.verdict.bounds: the prefill floor, the decode
ceiling, the day's calls) prove it surely fails a speed check, an option found already is
closer to passing every check than it could be, and it can carry no hybrid split. Compared on
every reference profile (and the upgraded machines an audit judges for four of them) with the
presets, each with a floor no model reaches, with a user's floor of 0, and with a routine split
below half the floor and none at all: the audit's view of each verdict (advisor.audit.evaluate.
outcome_of), its option and its split must be equal. A prefill floor perturbed to skip files
that matter must show in the comparison.
"""

from __future__ import annotations

import pytest
from search_inputs import PROFILES, any_quality, machines, routine_variants, strict

from advisor.advice_options import AdviceOptions
from advisor.advise import judge
from advisor.audit.evaluate import outcome_of
from advisor.catalog import load_catalog
from advisor.estimate.speed.floor import PrefillFloor
from advisor.probe import load_profile
from advisor.verdict.lean import Lean
from advisor.verdict.search import OptionSearch
from advisor.workload import load_workloads

OPTIONS = AdviceOptions(cache=False)


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


@pytest.fixture(scope="module")
def workloads():
    presets = load_workloads()
    return (*presets, *strict(presets), *any_quality(presets), *routine_variants(presets))


def _unproven(monkeypatch) -> None:
    """The lean search without its proofs: every file it reaches is estimated."""
    monkeypatch.setattr(Lean, "beaten", lambda self, *args: False)


def _read(verdicts) -> list[tuple]:
    """What an audit reads of each verdict, and the option and split themselves."""
    return [(outcome_of(v), v.option, v.hybrid) for v in verdicts]


def _estimates(machine, catalog, workloads) -> tuple[list[tuple], int]:
    made = []
    original = OptionSearch.__init__

    def keep(self, *args, **kwargs):
        original(self, *args, **kwargs)
        made.append(self)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(OptionSearch, "__init__", keep)
        verdicts = judge(machine, catalog, workloads, OPTIONS)
    return _read(verdicts), made[0].estimates_made


@pytest.mark.parametrize("profile", PROFILES)
def test_the_lean_proofs_change_no_verdict(profile, catalog, workloads, monkeypatch) -> None:
    for machine in machines(profile):
        proven = _read(judge(machine, catalog, workloads, OPTIONS))
        with monkeypatch.context() as patch:
            _unproven(patch)
            every = _read(judge(machine, catalog, workloads, OPTIONS))
        for got, want in zip(proven, every, strict=True):
            assert got == want, (machine.name, got[0].workload)


def test_the_proofs_skip_most_files_where_little_runs(catalog, workloads, monkeypatch) -> None:
    """On a desktop with a 12 GB card and on an office laptop many files reached surely miss
    a speed check that an option found already misses by less: the lean search estimates
    fewer (rtx-3060-desktop 337 of 551, office-laptop-16gb 1032 of 1425 when written)."""
    for profile in ("rtx-3060-desktop", "office-laptop-16gb"):
        machine = load_profile(profile)
        proven, skipping = _estimates(machine, catalog, workloads)
        with monkeypatch.context() as patch:
            _unproven(patch)
            every, full = _estimates(machine, catalog, workloads)
        assert proven == every
        print(f"{profile}: estimates {skipping} of {full}")
        assert skipping < 0.8 * full, (profile, skipping, full)


def test_a_floor_that_skips_what_matters_is_caught(catalog, workloads, monkeypatch) -> None:
    """A prefill floor set at three times the real one says files are late that are not: the
    lean search then leaves out files a verdict rests on or shows, and the comparison above
    sees it on some profile."""
    real = PrefillFloor.time_to_first_token_s

    def high(self, new_tokens: float, cached_tokens: float) -> float:
        return 3 * real(self, new_tokens, cached_tokens)

    changed = []
    for profile in ("rtx-3060-desktop", "office-laptop-16gb", "macbook-air-m2-16gb"):
        machine = load_profile(profile)
        with monkeypatch.context() as patch:
            patch.setattr(PrefillFloor, "time_to_first_token_s", high)
            proven = _read(judge(machine, catalog, workloads, OPTIONS))
            _unproven(patch)
            every = _read(judge(machine, catalog, workloads, OPTIONS))
        changed.append(proven != every)
    assert any(changed)


def test_the_days_calls_count_for_a_file_that_carries_no_split(catalog, monkeypatch) -> None:
    """Batch documents (no decode need, no first-token limit) on a Raspberry Pi and an office
    laptop: every file misses the day's calls. A file below the quality floor (and with no
    routine share to carry) can carry no hybrid split, so the day's calls count in its bounds
    and it is skipped where an option found misses by less; the verdict is the same as when
    the day's calls never count (raspberry-pi-5-8gb 9 estimates against 38 when written)."""
    import advisor.verdict.lean as lean

    [batch] = load_workloads(["document-batch"])
    for profile in ("raspberry-pi-5-8gb", "office-laptop-16gb"):
        machine = load_profile(profile)
        counted, fewer = _estimates(machine, catalog, [batch])
        with monkeypatch.context() as patch:
            patch.setattr(lean, "carries_split", lambda w, pct: True)
            uncounted, more = _estimates(machine, catalog, [batch])
        assert counted == uncounted, profile
        assert fewer < more, (profile, fewer, more)
