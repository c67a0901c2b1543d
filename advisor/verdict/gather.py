"""The local options one workload is judged on: ranked models checked against its needs.

Models are checked best raw quality first. An option is *useful* when it fits, is fast enough,
keeps up with the volume and, if it is also good enough, costs less than the cloud; if it is
not good enough, any routine hybrid split it could carry costs less than all-cloud (else a
cheaper-to-run file may be the one that makes the hybrid pay: advisor.verdict.decide.settles).
Scanning stops at the first model whose raw index (an upper bound on any of its options'
quality) is below the best useful option found: no later model could give a better local
option, a better hybrid share or an option closer to passing every check
(advisor.verdict.choice: a useful option passes every check but quality; a later one can only
miss quality by more). Until one
is useful, models below the quality floors are checked too: a fast small model may be the
closest. Within a model, files are checked best quality first, down to the first useful one
(advisor.verdict.model_files).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from advisor.verdict import lean as lean_rules
from advisor.verdict.model_files import model_options
from advisor.verdict.options import LocalOption
from advisor.verdict.power_for import PowerFor
from advisor.verdict.proven import Proven
from advisor.verdict.search import OptionSearch
from advisor.workload import Workload

# An option the search may stop at (advisor.verdict.decide.settles): one a local verdict could
# rest on, or one below the floor whose hybrid split, if any, already pays.
Acceptable = Callable[[LocalOption], bool]


@dataclass(frozen=True)
class Gathered:
    """The options a search found, and how many files it checked besides them without
    estimating them (advisor.verdict.proven: they fit, and can change nothing a report
    prints)."""

    options: list[LocalOption]
    proven: int = 0

    @property
    def checked(self) -> int:
        """The options checked: a verdict's options_checked."""
        return len(self.options) + self.proven


# workload_options, lean_options or local_options: the local options a verdict is decided on
Gather = Callable[[OptionSearch, Workload, "float | None", PowerFor, Acceptable], Gathered]


def workload_options(
    search: OptionSearch,
    workload: Workload,
    frontier_index: float | None,
    power_for: PowerFor,
    acceptable: Acceptable,
) -> Gathered:
    """The options the verdict on `workload` is decided between (see the module docstring)."""
    return _options(search, workload, frontier_index, power_for, acceptable, lean=False)


def lean_options(
    search: OptionSearch,
    workload: Workload,
    frontier_index: float | None,
    power_for: PowerFor,
    acceptable: Acceptable,
) -> Gathered:
    """workload_options for a caller that reads the verdict's kind, option and figures, not
    its reasons (an audit). A file that surely fails a speed check (its prefill floor, decode
    ceiling and the day's calls: advisor.verdict.bounds) is skipped where an option already
    found is closer to passing every check than it could be (model_files' `skip`), and, once
    an option within reach of the floor fits, files below the quality cut
    (advisor.verdict.lean.shown_cut) are not checked at all. The verdict is the same; its
    reasons may no longer name the best-quality model that fits."""
    return _options(search, workload, frontier_index, power_for, acceptable, lean=True)


def local_options(
    search: OptionSearch,
    workload: Workload,
    frontier_index: float | None,
    power_for: PowerFor,
    acceptable: Acceptable,
) -> Gathered:
    """workload_options for a caller that asks only whether the workload runs locally, and on
    what. Only files that could pass every check are checked: a local verdict rests on one of
    them, and is the same as without it; the options say nothing else worth reading."""
    w = workload
    useful = _useful(acceptable)
    return Gathered(_good_enough_options(search, w, _context(w), frontier_index, power_for,
                                         useful))  # fmt: skip


def _context(w: Workload) -> int:
    return w.context_tokens * w.concurrency  # one KV cache per concurrent stream


def _useful(acceptable: Acceptable) -> Acceptable:
    def useful(option: LocalOption) -> bool:
        """Fast enough and able to keep up, and settled (`acceptable`): if good enough too,
        then cheaper than the cloud; if not, any hybrid split on it pays."""
        runs = option.passed("fits", "decode", "ttft", "capacity")
        return runs and acceptable(option)

    return useful


def _options(search, w, frontier_index, power_for, acceptable, *, lean: bool):
    """workload_options, and with `lean` lean_options."""
    context = _context(w)
    useful = _useful(acceptable)
    options: list[LocalOption] = []
    # The closest to passing (closeness's first two terms) of `options` that fit: kept as
    # options are added, so lean.Lean does not rank every earlier model's options again.
    nearest: list[tuple[float, ...]] = [lean_rules.NONE_FITS]
    best: float | None = None  # the best quality among useful options
    cut = lean_rules.shown_cut(w, frontier_index) if lean else None
    proven = None if lean else Proven(w, frontier_index)
    for raw, model in search.ordered(w.task):
        if best is not None and raw < best:
            break  # nothing left can match it: see the module docstring
        if (cut is not None and nearest[0] < lean_rules.NONE_FITS
                and lean_rules.below_all(search, raw, frontier_index, cut)):  # fmt: skip
            break  # nothing left can be shown or carry a split: see lean.shown_cut
        rules = lean_rules.Lean(w, nearest[0], raw, frontier_index, cut, search) if lean else None
        if proven is not None:
            proven.start(model.id, raw)
        found = model_options(search, w, model, context, frontier_index, power_for, useful,
                              skip=rules.beaten if rules else None,
                              stop_below=rules.below if rules else None,
                              proven=proven)  # fmt: skip
        options += found
        if proven is not None:
            proven.take(found[proven.seen :])
        if rules is not None:
            nearest[0] = rules.rank(found)
        for option in found:
            quality = option.candidate.quality_index  # scored: search.ordered's models
            if quality is not None and useful(option) and (best is None or quality > best):
                best = quality
    if best is None:
        options += _unscored_options(search, w, frontier_index, power_for, useful, lean,
                                     proven)  # fmt: skip
    return Gathered(options, proven.count if proven else 0)


def _unscored_options(search, w, frontier_index, power_for, useful, lean: bool = True,
                      proven: Proven | None = None):  # fmt: skip
    """The options of models with no score, where nothing scored would do. Only a user's
    floor of 0 lets one pass the quality check (options.unscored_check); with any other floor
    none is useful or shown as the closest (choice.within_reach), and only a full search
    (not `lean`) checks them, so that a cloud verdict can name one that passes every other
    check with the flags that would judge it."""
    judged = w.users_floor and w.quality_floor_pct <= 0
    if not frontier_index or (lean and not judged):
        return []
    options: list[LocalOption] = []
    for model in search.unscored(w.task):
        if proven is not None:
            proven.start(model.id, None)
        found = model_options(search, w, model, _context(w), frontier_index, power_for, useful,
                              proven=proven)  # fmt: skip
        options += found
        if proven is not None:
            proven.take(found[proven.seen :])
    return options


def _good_enough_options(search, w, context, frontier_index, power_for, useful):
    """local_options: the files that pass the quality floor and surely fail no speed check.

    The full search walks the same models in the same order and each model's files best
    quality first, so it meets these files, and stops for them, as this does: a file below the
    floor comes after every file of its model above it, and a useful file below the floor
    stops the search only where no later model reaches the floor.
    """
    if not frontier_index:
        return []  # no frontier to compare with: no file passes the quality check
    floor = w.quality_floor_pct
    options: list[LocalOption] = []
    best: float | None = None
    for raw, model in search.ordered(w.task):
        if raw / frontier_index * 100 < floor or (best is not None and raw < best):
            break
        found = model_options(search, w, model, context, frontier_index, power_for, useful,
                              floor=(raw, frontier_index, floor))  # fmt: skip
        options += found
        for option in found:
            quality = option.candidate.quality_index
            if quality is not None and useful(option) and (best is None or quality > best):
                best = quality
    if best is None:
        options += _unscored_options(search, w, frontier_index, power_for, useful, lean=True)
    return options
