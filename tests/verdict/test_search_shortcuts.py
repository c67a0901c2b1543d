"""The search's shortcuts leave the verdicts as they were.

Shortcuts skip model files without estimating them:
- advisor.advise.judge (an audit's entry point): files that surely fail a speed check (their
  prefill floor, advisor.estimate.speed.floor, misses the time to first token; their decode
  ceiling, advisor.estimate.speed.ceiling, misses the decode need; or both miss the day's
  calls: advisor.verdict.bounds) are skipped where an option found is already closer to
  passing every check than they could be (the verdict's kind, option, summary and costs are
  unchanged);
- judge's `local_only` (an audit's upgrade search): only files that could pass every check
  are estimated: a local verdict is unchanged, and every other verdict is still not local.
Both are compared here with advise()'s search, which takes neither, on the real catalog and
every reference profile, with the upgraded machines an audit judges for four of them, and
every preset workload (also with a quality floor no model reaches).
"""

from __future__ import annotations

import dataclasses

import pytest
from search_inputs import PROFILES, machines, routine_variants, strict

from advisor.advice_options import AdviceOptions
from advisor.advise import advise, judge
from advisor.catalog import load_catalog
from advisor.probe import load_profile
from advisor.probe.specs.upgrades import apply_change, ram_changes
from advisor.verdict.search import OptionSearch
from advisor.workload import load_workloads


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


@pytest.fixture(scope="module")
def workloads():
    """The presets, and each with a floor no model reaches: every model is then below the
    floors, and the closest miss is all a search looks for."""
    presets = load_workloads()
    return (*presets, *strict(presets))


def _figures(verdict) -> tuple:
    """What an audit reads of a verdict (advisor.audit.evaluate.outcome_of)."""
    option = verdict.option
    picked = None
    if option is not None:
        cand, run = option.candidate, option.run
        picked = (cand.model_id, cand.quant, cand.estimate.placement.kind, cand.speed_status,
                  option.quality_pct, option.passed(),
                  run and (run.peak_decode_tokens_per_s, run.time_to_first_token_s),
                  cand.estimate.speed and cand.estimate.speed.prefill_tokens_per_s)  # fmt: skip
    hybrid = verdict.hybrid
    split = hybrid and (hybrid.local_share, hybrid.usd_per_month)
    return (verdict.kind, verdict.summary, picked, verdict.costs, verdict.cloud.best_label, split,
            verdict.confidence.level)  # fmt: skip


def _reasons(verdict) -> tuple[str, ...]:
    """The reasons, less those naming options one check away: the skipped files may be such
    options, never the one shown."""
    return tuple(r for r in verdict.reasons if not r.startswith("one check away:"))


def _without_floors(monkeypatch, ceilings: bool = False) -> None:
    """No prefill floor (and with `ceilings`, no decode ceiling either): no bound at all."""
    monkeypatch.setattr(OptionSearch, "prefill_floor", lambda self, model, quant: None)
    if ceilings:
        _without_ceilings(monkeypatch)


def _without_ceilings(monkeypatch) -> None:
    monkeypatch.setattr(OptionSearch, "decode_ceiling", lambda self, model, quant: None)


@pytest.mark.parametrize("profile", PROFILES)
def test_the_decode_ceiling_changes_no_verdict(profile, catalog, workloads, monkeypatch) -> None:
    """judge() with the decode ceiling against judge() with the prefill floor alone: the same
    verdicts, reasons aside from options one check away, options shown and splits, on every
    reference profile and the upgraded machines of four; and the local-only search says the
    same of what runs locally."""
    options = AdviceOptions(cache=False)
    for machine in machines(profile):
        fast = judge(machine, catalog, workloads, options)
        fast_local = judge(machine, catalog, workloads, options, local_only=True)
        with monkeypatch.context() as patch:
            _without_ceilings(patch)
            slow = judge(machine, catalog, workloads, options)
            slow_local = judge(machine, catalog, workloads, options, local_only=True)
        for a, b in zip(fast, slow, strict=True):
            where = (machine.name, a.workload.name)
            assert (_figures(a), _reasons(a)) == (_figures(b), _reasons(b)), where
            assert (a.option, a.hybrid) == (b.option, b.hybrid), (machine.name, a.workload.name)
            assert a.options_checked <= b.options_checked
        for a, b in zip(fast_local, slow_local, strict=True):
            assert (a.kind == "local") == (b.kind == "local"), (machine.name, a.workload.name)
            if a.kind == "local":
                assert _figures(a) == _figures(b), (machine.name, a.workload.name)


@pytest.mark.parametrize("profile", PROFILES)
def test_the_prefill_floor_changes_no_verdict(profile, catalog, workloads, monkeypatch) -> None:
    options = AdviceOptions(cache=False)
    for machine in machines(profile):
        fast = judge(machine, catalog, workloads, options)
        with monkeypatch.context() as patch:
            _without_floors(patch, ceilings=True)
            slow = judge(machine, catalog, workloads, options)
        for a, b in zip(fast, slow, strict=True):
            seen = (_figures(a), _reasons(a))
            assert seen == (_figures(b), _reasons(b)), (machine.name, a.workload)
            assert a.options_checked <= b.options_checked


def _side_by_side(profile: str, catalog, workloads, local_only: bool = False):
    """(machine, advise()'s verdicts, judge()'s verdicts) for each machine of the case."""
    options = AdviceOptions(cache=False)
    for machine in machines(profile):
        whole = advise(machine, catalog, workloads, options)
        assert whole.candidates
        lean = judge(machine, catalog, workloads, options, local_only=local_only)
        yield machine.name, whole.verdicts, lean


@pytest.mark.parametrize("profile", PROFILES)
def test_judge_gives_the_same_figures(profile, catalog, workloads) -> None:
    for name, whole, lean in _side_by_side(profile, catalog, workloads):
        for a, b in zip(whole, lean, strict=True):
            assert _figures(a) == _figures(b), (name, a.workload.name)
            assert b.options_checked <= a.options_checked


@pytest.mark.parametrize("profile", PROFILES)
def test_local_only_says_the_same_of_what_runs_locally(profile, catalog, workloads) -> None:
    for name, whole, lean in _side_by_side(profile, catalog, workloads, local_only=True):
        for a, b in zip(whole, lean, strict=True):
            assert (a.kind == "local") == (b.kind == "local"), (name, a.workload.name)
            if a.kind == "local":
                assert _figures(a) == _figures(b), (name, a.workload.name)


def test_the_shortcuts_skip_work(catalog, workloads, monkeypatch) -> None:
    """On a desktop with a 12 GB card, files that spill into RAM miss the interactive
    workloads' time to first token: an audit's searches make far fewer estimates."""
    machine = load_profile("rtx-3060-desktop")
    made: list[str] = []
    real = OptionSearch._estimate

    def counted(self, *args, **kwargs):
        made.append(args[1].id)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(OptionSearch, "_estimate", counted)

    def estimates(entry: str, floors: bool = True, ceilings: bool = True) -> int:
        made.clear()
        options = AdviceOptions(cache=False)
        with monkeypatch.context() as patch:
            if not floors:
                _without_floors(patch, ceilings=True)
            elif not ceilings:
                _without_ceilings(patch)
            if entry == "advise":
                advise(machine, catalog, workloads, options)
            else:
                judge(machine, catalog, workloads, options, local_only=entry == "local")
        return len(made)

    full = estimates("advise")
    brief = estimates("judge")
    unfloored = estimates("judge", floors=False)
    unceiled = estimates("judge", ceilings=False)
    local = estimates("local")
    # 113 of 302 when written; 213 of 303 since a cloud verdict shows the option closest to
    # passing every check (advisor.verdict.choice), which the search can no longer find by
    # stopping at each model's best file that fits; 248 of 316 since that option must reach
    # half the quality floor, so a model too slow everywhere has its files within reach of the
    # floor checked (advisor.verdict.model_files._reach), not only its best and smallest.
    assert brief < 0.8 * full
    assert brief < 0.9 * unfloored
    assert brief < unceiled  # the decode ceiling skips files the floor alone does not
    assert local < 0.5 * brief
    print(f"estimates: full {full}, verdicts only {brief}, no ceilings {unceiled}, "
          f"no floors or ceilings {unfloored}, local {local}")  # fmt: skip


def test_judge_ranks_each_option_against_its_own_model_only(catalog, workloads, monkeypatch):
    """Whether a late file can be skipped is asked of the options found so far: each is
    ranked (choice.closeness) once when its model is done, and while its own model's files are
    searched, never again for every later file (an audit's upgraded machines, with workloads
    nothing passes, search every model: ranking each earlier option again for each late file
    made the judging quadratic)."""
    import advisor.verdict.lean as lean

    machine = load_profile("office-laptop-16gb")
    machine = apply_change(machine, ram_changes(machine, 3.0)[-1])
    ranked: dict[tuple[str, int], int] = {}
    held = []  # every option ranked stays alive, so no two share an id
    real = lean.closeness_head

    def counted(workload, option):
        held.append(option)
        key = (workload.name, id(option))
        ranked[key] = ranked.get(key, 0) + 1
        return real(workload, option)

    monkeypatch.setattr(lean, "closeness_head", counted)
    judge(machine, catalog, workloads, AdviceOptions(cache=False))
    most_files = max(len(m.quants) for m in catalog.models)
    # the strict workloads searched many models (313 options ranked since the decode ceiling
    # and the day's calls skip files; over 500 before; 159 since the prefill floor counts
    # every prefill term, not the FLOPs alone)
    assert len(ranked) > 100
    assert max(ranked.values()) <= most_files + 1


@pytest.mark.parametrize("profile", PROFILES)
def test_the_quality_cut_changes_no_verdict(profile, catalog, workloads, monkeypatch) -> None:
    """judge() with its quality cut (advisor.verdict.lean.shown_cut: files below it are
    never estimated once an option within reach of the floor fits) against the same search
    without it, on the real catalog, every reference profile (and the upgraded machines of
    four) and the presets with their floors, a floor no model reaches, and two routine
    splits: the same verdicts, reasons aside from options one check away, and options shown."""
    import advisor.verdict.lean as lean

    every = (*workloads, *routine_variants(workloads[: len(workloads) // 2]))
    options = AdviceOptions(cache=False)
    for machine in machines(profile):
        pruned = judge(machine, catalog, every, options)
        with monkeypatch.context() as patch:
            patch.setattr(lean, "shown_cut", lambda w, frontier_index: None)
            whole = judge(machine, catalog, every, options)
        for a, b in zip(pruned, whole, strict=True):
            assert _figures(a) == _figures(b), (machine.name, a.workload.name)
            assert a.option == b.option, (machine.name, a.workload.name)
            assert a.hybrid == b.hybrid, (machine.name, a.workload.name)
            assert a.options_checked <= b.options_checked


def test_the_quality_cut_skips_work(catalog, workloads, monkeypatch) -> None:
    """On an office laptop nothing meets the interactive presets: without the cut the search
    estimates every model down to the smallest; with it, it stops below half the floor."""
    import advisor.verdict.lean as lean

    machine = load_profile("office-laptop-16gb")
    made: list[str] = []
    real = OptionSearch._estimate

    def counted(self, *args, **kwargs):
        made.append(args[1].id)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(OptionSearch, "_estimate", counted)
    judge(machine, catalog, workloads, AdviceOptions(cache=False))
    pruned = len(made)
    made.clear()
    monkeypatch.setattr(lean, "shown_cut", lambda w, frontier_index: None)
    judge(machine, catalog, workloads, AdviceOptions(cache=False))
    whole = len(made)
    print(f"estimates: with the quality cut {pruned}, without {whole}")
    assert pruned < 0.9 * whole  # 1060 of 1262 when written


def test_a_file_that_misses_only_the_days_calls_may_still_carry_the_split(catalog) -> None:
    """Thirty times a coding agent's requests on an RTX 4090: the verdict is a hybrid on a file
    that keeps up with 40% of the calls. The day's-calls bound says it fails capacity; that
    must not let an option found closer to passing stand in for it (a split asks only decode
    and the first token to pass): judge() once put the split on another file."""
    workload = load_workloads(["coding-agent"])[0]
    heavy = dataclasses.replace(workload, name="coding-agent-x30",
                                requests_per_day=workload.requests_per_day * 30)  # fmt: skip
    machine = load_profile("rtx-4090-desktop")
    options = AdviceOptions(cache=False, remedies=False)
    [full] = advise(machine, catalog, [heavy], options).verdicts
    [lean] = judge(machine, catalog, [heavy], options)
    assert full.kind == "hybrid" and full.hybrid is not None
    assert _figures(lean) == _figures(full)
