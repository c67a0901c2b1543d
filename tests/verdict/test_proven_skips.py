"""A report's search skips the files its bounds prove can change nothing it prints
(advisor.verdict.proven): the report is the same as checking every file, on real profiles.

The full search (no file skipped: Proven.unneeded answering "estimate it" for every file) and
the skipping one are run through advise() on the real catalog, every reference profile, this
project's presets and each with a floor no model reaches (every model below the floor: the
closest miss, the best quality that fits and the options one check away are all a cloud
verdict shows), and with a user's floor of 0 (unscored models judged). Every verdict (its
option with its estimate and checks, reasons, costs, options checked) and 25 top candidates
must be equal. A bound perturbed to skip files that matter must show in the comparison.
"""

from __future__ import annotations

import pytest
from search_inputs import PROFILES, any_quality, strict

from advisor.advice_options import AdviceOptions
from advisor.advise import advise
from advisor.catalog import load_catalog
from advisor.estimate.speed.ceiling import DecodeCeiling
from advisor.estimate.speed.floor import PrefillFloor
from advisor.probe import load_profile
from advisor.verdict.proven import Proven
from advisor.verdict.search import OptionSearch
from advisor.workload import load_workloads

OPTIONS = AdviceOptions(cache=False, remedies=False, top_candidates=25)


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


@pytest.fixture(scope="module")
def workloads():
    presets = load_workloads()
    return (*presets, *strict(presets), *any_quality(presets))


def _every_file(monkeypatch) -> None:
    """The full search: every file it reaches is estimated."""
    monkeypatch.setattr(Proven, "unneeded", lambda self, *args: None)


def _report(machine, catalog, workloads):
    advice = advise(machine, catalog, workloads, OPTIONS)
    return advice.verdicts, advice.candidates


def _caught(monkeypatch, owner, name, perturbed, profiles, catalog, workloads) -> bool:
    """Whether the skipping search, with `owner.name` replaced by `perturbed`, reports other
    than the full search on one of `profiles`."""
    changed = []
    for profile in profiles:
        machine = load_profile(profile)
        with monkeypatch.context() as patch:
            patch.setattr(owner, name, perturbed)
            skipping = _report(machine, catalog, workloads)
            _every_file(patch)
            full = _report(machine, catalog, workloads)
        changed.append(skipping != full)
    return any(changed)


def _estimated(monkeypatch, machine, catalog, workloads) -> tuple[int, int]:
    """(estimates made by the skipping search, by the full one) for one report."""
    made = []
    original = OptionSearch.__init__

    def keep(self, *args, **kwargs):
        original(self, *args, **kwargs)
        made.append(self)

    with monkeypatch.context() as patch:
        patch.setattr(OptionSearch, "__init__", keep)
        advise(machine, catalog, workloads, OPTIONS)
        _every_file(patch)
        advise(machine, catalog, workloads, OPTIONS)
    return made[0].estimates_made, made[1].estimates_made


@pytest.mark.parametrize("profile", PROFILES)
def test_skipping_search_reports_as_the_full_one(profile, catalog, workloads,
                                                 monkeypatch) -> None:  # fmt: skip
    machine = load_profile(profile)
    verdicts, candidates = _report(machine, catalog, workloads)
    with monkeypatch.context() as patch:
        _every_file(patch)
        full_verdicts, full_candidates = _report(machine, catalog, workloads)
    for got, want in zip(verdicts, full_verdicts, strict=True):
        assert got == want, (profile, got.workload.name)
        assert got.reasons == want.reasons  # the words too (a check's text is written late)
    assert candidates == full_candidates, profile


def test_the_skips_are_many_where_nothing_runs_locally(catalog, workloads, monkeypatch) -> None:
    """On a small CPU-only machine every verdict is cloud: most files are skipped."""
    machine = load_profile("office-laptop-8gb")
    skipping, full = _estimated(monkeypatch, machine, catalog, workloads)
    assert skipping < full / 2, (skipping, full)


def test_a_bound_that_skips_what_matters_is_caught(catalog, workloads, monkeypatch) -> None:
    """A decode ceiling set at a fifth of the real one says files fail decode that do not:
    the skipping search then leaves out files a report shows, and the comparison above
    sees it on some profile."""
    real = DecodeCeiling.tokens_per_s_at

    def low(self, depth_tokens: int) -> float:
        return real(self, depth_tokens) / 5

    profiles = ("office-laptop-16gb", "rtx-3060-desktop", "macbook-air-m2-16gb")
    assert _caught(monkeypatch, DecodeCeiling, "tokens_per_s_at", low, profiles, catalog, workloads)


def test_unattended_files_that_cannot_keep_up_or_carry_a_split_are_skipped(
    catalog, monkeypatch
) -> None:
    """Unattended work with no decode or first-token limit (document-batch): a file below the
    quality floor, with no routine share, whose bounds say the day's calls overrun the window
    can carry no hybrid split and is only ever the closest miss: most of the options checked
    are such files, checked without an estimate (before, none was: nothing else there
    surely fails)."""
    batch = [w for w in load_workloads() if w.name == "document-batch"]
    assert batch[0].max_time_to_first_token_s is None and batch[0].routine_share == 0
    answers = []
    original = Proven.unneeded

    def counted(self, *args):
        answers.append(original(self, *args))
        return answers[-1]

    monkeypatch.setattr(Proven, "unneeded", counted)
    (verdict,) = advise(load_profile("raspberry-pi-5-8gb"), catalog, batch, OPTIONS).verdicts
    assert verdict.kind == "cloud"
    assert answers.count(True) > verdict.options_checked / 2, (answers, verdict.options_checked)


def test_a_capacity_bound_that_skips_what_matters_is_caught(catalog, monkeypatch) -> None:
    """A prefill floor five times the real one says the day's calls overrun the window where
    they do not: on unattended work the skipping search then leaves out a file a report shows
    (the closest to passing), and the comparison sees it."""
    real = PrefillFloor.time_to_first_token_s

    def high(self, new_tokens: float, cached_tokens: float) -> float:
        return real(self, new_tokens, cached_tokens) * 5

    batch = [w for w in load_workloads() if w.name == "document-batch"]
    profiles = ("office-laptop-16gb", "office-laptop-8gb", "rtx-3060-desktop")
    assert _caught(monkeypatch, PrefillFloor, "time_to_first_token_s", high, profiles, catalog,
                   batch)  # fmt: skip
