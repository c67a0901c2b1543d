"""The local options one workload is judged on: ranked models checked against its needs.

Models are checked best raw quality first. An option is *useful* when it fits, is fast enough,
keeps up with the volume and, if it is also good enough, costs less than the cloud; if it is
not good enough, any routine hybrid split it could carry costs less than all-cloud (else a
cheaper-to-run file may be the one that makes the hybrid pay: advisor.verdict.decide.settles).
Scanning
stops at the first model whose raw index (an upper bound on any of its options' quality) is
below the best useful option found: no later model could give a better local option, a better
hybrid share or an option closer to passing every check (advisor.verdict.choice: a useful
option passes every check but quality; a later one can only miss quality by more). Until one
is useful, models below the quality floors are checked too: a fast small model may be the
closest. Within a model, files are checked best quality first, down to the first useful one
(see _model_options).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import TYPE_CHECKING

from advisor.verdict.choice import closeness_head, within_reach
from advisor.verdict.options import LocalCandidate, LocalOption, SpeedStatus, check_option
from advisor.verdict.power_for import PowerFor
from advisor.verdict.search import OptionSearch
from advisor.workload import Workload

if TYPE_CHECKING:
    from advisor.catalog.model import Catalog
    from advisor.estimate.rank import RankedCandidate as Ranked
    from advisor.estimate.speed.figures import Speed
    from advisor.verdict.verdict import Verdict

# A model whose smallest file decodes below this share of the need is too slow in every file:
# file sizes within a model differ far more than the quant kernels' efficiency does.
HOPELESS_DECODE = 0.8
# An option the search may stop at (advisor.verdict.decide.settles): one a local verdict could
# rest on, or one below the floor whose hybrid split, if any, already pays.
Acceptable = Callable[[LocalOption], bool]
# workload_options, lean_options or local_options: the local options a verdict is decided on
Gather = Callable[
    [OptionSearch, Workload, "float | None", PowerFor, Acceptable], "list[LocalOption]"
]


def speed_status(speed: Speed) -> SpeedStatus:
    if speed.measured_decode_tokens_per_s is not None:
        return "measured"
    return "calibrated" if speed.calibrated_from_runs > 0 else "estimated"


def measured_speed(speed: Speed) -> Speed:
    """The speed with this file's own measurements in place of the estimate, where it has them."""
    decode, prefill = speed.measured_decode_tokens_per_s, speed.measured_prefill_tokens_per_s
    if decode:
        scale = decode / speed.decode_tokens_per_s
        low, high = speed.decode_range
        speed = dataclasses.replace(
            speed, decode_tokens_per_s=decode, decode_range=(low * scale, high * scale)
        )
    if prefill:
        scale = prefill / speed.prefill_tokens_per_s
        low, high = speed.prefill_range
        speed = dataclasses.replace(
            speed, prefill_tokens_per_s=prefill, prefill_range=(low * scale, high * scale)
        )
    return speed


def to_candidate(ranked: Ranked, quality_estimated: bool, power_for: PowerFor) -> LocalCandidate:
    est = ranked.estimate
    assert est.speed is not None
    status = speed_status(est.speed)
    if status == "measured":
        est = dataclasses.replace(est, speed=measured_speed(est.speed))
    note = ranked.quality_text
    return LocalCandidate(
        model_id=ranked.model_id,
        model_name=ranked.model_name,
        quant=ranked.quant,
        quality_index=ranked.quality,
        quality_note=note,
        estimate=est,
        speed_status=status,
        power=power_for(ranked.model_id, ranked.quant, est),
        quality_estimated=quality_estimated,
        quality_assumed_by=ranked.quality_assumed_by,
    )


def reported(
    search: OptionSearch,
    workload: Workload,
    verdict: Verdict,
    frontier_index: float | None,
    power_for: PowerFor,
) -> Verdict:
    """The verdict with its option checked again on the file's detailed estimate (the search
    checked brief ones): the same figures, and the parts a report shows besides."""
    option = verdict.option
    if option is None:
        return verdict
    w = workload
    model = search.model(option.candidate.model_id)
    quant = next(q for q in model.quants if q.type == option.candidate.quant)
    ranked = search.rank_quant(model, quant, w.task, w.context_tokens * w.concurrency)
    assert ranked is not None  # the option came from it
    quality = model.quality
    cand = to_candidate(
        search.detailed_ranked(ranked), bool(quality and quality.estimated), power_for
    )
    return dataclasses.replace(verdict, option=check_option(w, cand, frontier_index))


def out_of_reach(workload: Workload, best: tuple[str, float] | None) -> str | None:
    """Why no hardware makes the workload local, when its floor is out of every model's reach
    (`best`: best_on_task's answer), naming the best model and its score against the floor;
    None when some model reaches it. The report's remedy and the audit's "Workloads no upgrade
    makes local" both say it this way."""
    floor = workload.quality_floor_pct
    index = workload.quality_index.replace("_", " ")
    if best is None:
        return f"no catalog model has a score on the {index} to compare with the frontier"
    name, pct = best
    if pct >= floor:
        return None
    return (
        f"no catalog model reaches the {workload.task} quality floor of {floor:g}% of the "
        f"frontier on the {index} (the best, {name}, reaches {pct:.0f}% before any quant loss)"
    )


def best_on_task(
    catalog: Catalog, workload: Workload, frontier_index: float | None
) -> tuple[str, float] | None:
    """(model name, % of the frontier) of the catalog's best-scored model on the workload's
    task, before any quant loss; None without a frontier (the quality check then fails
    everywhere) or without a scored model."""
    from advisor.estimate.rank import quality_for

    if not frontier_index:
        return None
    best: tuple[str, float] | None = None
    for model in catalog.models:
        quality = quality_for(model, workload.task)
        if quality is not None and (best is None or quality[0] / frontier_index * 100 > best[1]):
            best = (model.name, quality[0] / frontier_index * 100)
    return best


def workload_options(
    search: OptionSearch,
    workload: Workload,
    frontier_index: float | None,
    power_for: PowerFor,
    acceptable: Acceptable,
) -> list[LocalOption]:
    """The options the verdict on `workload` is decided between (see the module docstring)."""
    return _options(search, workload, frontier_index, power_for, acceptable, lean=False)


def lean_options(
    search: OptionSearch,
    workload: Workload,
    frontier_index: float | None,
    power_for: PowerFor,
    acceptable: Acceptable,
) -> list[LocalOption]:
    """workload_options for a caller that reads the verdict's kind, option and figures, not
    its reasons (an audit). Files that cannot produce the first token in time are skipped past
    each model's best file that fits, where an option already found is closer to passing every
    check than they could be (_model_options' `skip_late`), and, once an option within reach
    of the floor fits, files below the quality cut (_shown_cut) are not checked at all. The
    verdict is the same; its reasons may no longer name the best-quality model that fits."""
    return _options(search, workload, frontier_index, power_for, acceptable, lean=True)


def local_options(
    search: OptionSearch,
    workload: Workload,
    frontier_index: float | None,
    power_for: PowerFor,
    acceptable: Acceptable,
) -> list[LocalOption]:
    """workload_options for a caller that asks only whether the workload runs locally, and on
    what. Only files that pass the quality floor are checked: a local verdict rests on one of
    them, and is the same as without it; the options say nothing else worth reading."""
    w = workload
    useful = _useful(acceptable)
    return _good_enough_options(search, w, _context(w), frontier_index, power_for, useful)


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
    # options are added, so _Beaten does not rank every earlier model's options again.
    nearest: list[tuple[float, ...]] = [_NONE_FITS]
    best: float | None = None  # the best quality among useful options
    cut = _shown_cut(w, frontier_index) if lean else None
    for raw, model in search.ordered(w.task):
        if best is not None and raw < best:
            break  # nothing left can match it: see the module docstring
        if cut is not None and nearest[0] < _NONE_FITS and _below(search, raw, frontier_index, cut):
            break  # nothing left can be shown or carry a split: see _shown_cut
        lean_model = _Lean(w, nearest[0], raw, frontier_index, cut, search) if lean else None
        found = _model_options(search, w, model, context, frontier_index, power_for, useful,
                               skip_late=lean_model and lean_model.beaten,
                               stop_below=lean_model and lean_model.below)  # fmt: skip
        options += found
        if lean_model is not None:
            nearest[0] = lean_model.rank(found)
        for option in found:
            quality = option.candidate.quality_index
            if useful(option) and (best is None or quality > best):
                best = quality
    if best is None:
        options += _unscored_options(search, w, frontier_index, power_for, useful, lean)
    return options


def _unscored_options(search, w, frontier_index, power_for, useful, lean: bool = True):
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
        options += _model_options(search, w, model, _context(w), frontier_index, power_for,
                                  useful)  # fmt: skip
    return options


_NONE_FITS = (float("inf"),)  # after every closeness: no option that fits is this far


class _Lean:
    """The lean search's shortcuts within one model (`nearest`: closeness's first two terms
    of the closest option found before it; `raw`: its raw index; `cut`: _shown_cut's)."""

    def __init__(self, w: Workload, nearest: tuple[float, ...], raw: float,
                 frontier_index: float | None, cut: float | None,
                 search: OptionSearch) -> None:  # fmt: skip
        self.w, self.nearest, self.seen = w, nearest, 0
        self.raw, self.frontier_index = raw, frontier_index
        # Past the first file below the cut the rest are too; with a retention above 1 a
        # later model could then be searched that `best` would have stopped (see below).
        self.cut = cut if search.best_retention <= 1.0 else None

    def rank(self, found: list[LocalOption]) -> tuple[float, ...]:
        """The closest of the options before the model and `found` (its options)."""
        for option in found[self.seen :]:  # the model's options only grow
            self.nearest = min(self.nearest, _near(self.w, option))
        self.seen = len(found)
        return self.nearest

    def beaten(self, late_by: float, found: list[LocalOption]) -> bool:
        """Whether an option found so far is closer to passing than any file whose first
        token is at least `late_by` (a share of the limit) too late can be (choice.closeness:
        such a file fails at least that speed check, by at least that much). Each option of
        the model is ranked once."""
        return self.rank(found) < (1, late_by)

    def below(self, kept: float, found: list[LocalOption]) -> bool:
        """Whether the file keeping `kept` of the model's score, and every later one (they
        keep less), is below the cut while an option within reach of the floor fits: none
        of them can then be useful, shown or carry a split (_shown_cut).

        Stopping there leaves the search as it was: the smallest file _hopeless adds is either
        checked already (an option was found before) or gave nothing (none was, so every
        earlier file gave nothing), or is below the cut itself; and a useful file below the
        cut would only have stopped the search at models that _below stops at too (every
        retention at most 1)."""
        if self.cut is None or not self.frontier_index:
            return False
        if self.raw * kept / self.frontier_index * 100 >= self.cut:
            return False
        return self.rank(found) < _NONE_FITS


def _shown_cut(w: Workload, frontier_index: float | None) -> float | None:
    """The least quality (% of the frontier) an option needs to matter to a verdict once an
    option that fits is within reach of the floor: to pass the quality check, to carry a
    hybrid split (a capacity split passes the quality check; a routine one reaches the
    routine floor: advisor.verdict.hybrid), or to be shown (choice.closest shows the closest
    of the options within reach, SHOWN_FLOOR_SHARE of the floor). None when every quality
    may matter (a floor of 0, or no frontier to compare with)."""
    from advisor.verdict.choice import SHOWN_FLOOR_SHARE

    if not frontier_index:
        return None
    floor = w.quality_floor_pct
    cut = min(floor, SHOWN_FLOOR_SHARE * floor)
    if w.routine_share > 0:
        cut = min(cut, w.routine_quality_floor_pct or 100)
    return cut if cut > 0 else None


def _below(search: OptionSearch, raw: float, frontier_index: float, cut: float) -> bool:
    """Whether every file of a model with raw index `raw`, and of every later model (the
    models come best raw index first), is below `cut`: even at the best retention any file
    of the catalog keeps, with the arithmetic options.check_option uses (rounding is
    monotonic, so the bound holds exactly). Such files are neither useful to a verdict nor
    shown, so the lean search stops there; with a floor above 0 it checks no unscored model
    either (_unscored_options), so `best` decides nothing after them."""
    return raw * search.best_retention / frontier_index * 100 < cut


def _near(w: Workload, option: LocalOption) -> tuple[float, ...]:
    """How close an option that fits is to passing: closeness's first two terms (the failed
    speed checks and their shortfall, or all checks' for unattended work). Only an option
    within reach of the quality floor counts: choice.closest shows no other while one is."""
    if option.run is None or not within_reach(w, option):
        return _NONE_FITS
    return closeness_head(w, option)


def _good_enough_options(search, w, context, frontier_index, power_for, useful):
    """local_options: the files that pass the quality floor alone.

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
        found = _model_options(search, w, model, context, frontier_index, power_for, useful,
                               skip_late=_always, floor=(raw, frontier_index, floor))  # fmt: skip
        options += found
        for option in found:
            if useful(option) and (best is None or option.candidate.quality_index > best):
                best = option.candidate.quality_index
    if best is None:
        options += _unscored_options(search, w, frontier_index, power_for, useful, lean=True)
    return options


def _always(late_by: float, found: list[LocalOption]) -> bool:
    """A `skip_late` for searches that want only files able to pass every check."""
    return True


def _model_options(search, w, model, context, frontier_index, power_for, useful,
                   skip_late=None, floor=None, stop_below=None):  # fmt: skip
    """One model's options, best quality first, down to its first useful one.

    A lower-quality file of the same model cannot beat a useful one, so the rest are skipped.
    Speed is not monotonic in file size (legacy quants such as Q4_0 prefill faster than
    K-quants on some backends), so files are not skipped on size alone; but when the smallest
    file decodes far below the need, no larger one can reach it (decode reads the weights), and
    the model stops at its best file that fits: what a cloud verdict shows.

    `skip_late(late_by, found)`: past that best file (and its equals in quality), a file whose
    prefill floor already misses the time to first token by `late_by` (a share of the limit)
    is not estimated when skip_late says an option found is closer to passing than it could
    be: it could be neither useful, nor part of a hybrid split, nor the option a cloud verdict
    shows (advisor.verdict.choice). The verdict is the same; the files the search looked at,
    from which a report's top candidates come, are fewer. `floor` (raw index, frontier index,
    floor %) checks only the files that could pass every check: above the quality floor, in
    time for the first token and the day's calls. `stop_below(kept, found)`: the file keeping
    `kept` of the model's score and every later one can change nothing (_Lean.below).
    """
    files = search.files(model)
    if not files.roomy:
        return []  # every file is larger than all the machine's memory
    room = search.room
    slow = _Slow(search, w, model)
    found: list[LocalOption] = []
    first = 0.0  # the retention of the first file found
    smallest = files.smallest
    smallest_checked = False
    hopeless = False  # no file of the model decodes fast enough: see _reach
    reach = _reach(w, model, frontier_index)
    for quant, kept in files.by_quality:
        if hopeless and (reach is None or reach * kept < 1):
            break  # the rest fall short of half the floor: no cloud verdict shows them
        if stop_below is not None and stop_below(kept, found):
            break
        if floor is not None:
            raw, frontier, floor_pct = floor
            if raw * kept / frontier * 100 < floor_pct:
                break  # below the quality floor, as every later file of the model
            if slow.late(quant) or slow.behind(quant):
                continue  # it cannot pass every check: no local verdict rests on it
        late = found and kept < first and skip_late is not None and slow.late(quant)
        if late and skip_late(slow.late_by(quant), found):
            continue
        option = None  # a file larger than all the memory: what the ranking says of it
        if room is None or quant.size_bytes <= room:
            option = _quant_option(search, w, model, quant, context, frontier_index, power_for)
        if option is not None:
            if not found:
                first = kept
            found.append(option)
            if useful(option):
                break
        if smallest_checked or not found:
            continue  # keep looking for the best file that fits
        smallest_checked = True
        if _hopeless(search, w, model, smallest, context, frontier_index, power_for, found):
            if reach is None or reach * kept < 1:
                break
            hopeless = True  # the files still within reach of the floor may yet be shown
    return found


def _reach(w: Workload, model, frontier_index: float | None) -> float | None:
    """The model's full-precision quality over the least a shown option needs (choice.
    SHOWN_FLOOR_SHARE of the floor): a file keeping `kept` of it is within reach when
    reach × kept >= 1. A hopeless model's files within reach are all checked, as the one a
    cloud verdict shows is the closest of them to passing (choice.closest)."""
    from advisor.estimate.rank import quality_for
    from advisor.verdict.choice import SHOWN_FLOOR_SHARE

    quality = quality_for(model, w.task)
    need = SHOWN_FLOOR_SHARE * w.quality_floor_pct
    if quality is None or not frontier_index:
        return None
    if need <= 0:
        return float("inf")
    return quality[0] / frontier_index * 100 / need


class _Slow:
    """Which files of one model cannot pass the workload's time to first token or keep up
    with its calls: even the floor on their prefill time (advisor.estimate.speed.floor) is
    too slow."""

    def __init__(self, search: OptionSearch, w: Workload, model) -> None:
        self.search, self.model = search, model
        new = w.new_input_tokens_per_call
        self.prompt = (new, w.input_tokens_per_request - new)
        self.first_token_prompt = w.first_token_prompt  # the call the limit is on
        self.limit = w.max_time_to_first_token_s
        calls = w.calls_per_day
        # Prefilling each call's new input may take at most this long for the day to fit.
        self.per_call = w.hours_per_day * 3600 / calls if calls > 0 else None

    def _prefill_s(self, quant, prompt: tuple[float, float] | None = None) -> float | None:
        floor = self.search.prefill_floor(self.model, quant)
        return None if floor is None else floor.time_to_first_token_s(*(prompt or self.prompt))

    def late_by(self, quant) -> float:
        """How late the floor's first token is, as a share of the limit (0 when in time)."""
        prefill = self._prefill_s(quant)
        if self.limit is None or prefill is None:
            return 0.0
        return max(0.0, prefill / self.limit - 1)

    def late(self, quant) -> bool:
        """Whether the file cannot produce its first token within the limit."""
        if self.limit is None:
            return False
        prefill = self._prefill_s(quant, self.first_token_prompt)
        return prefill is not None and prefill > self.limit

    def behind(self, quant) -> bool:
        """Whether the file cannot serve all the calls in the daily window."""
        if self.per_call is None:
            return False
        prefill = self._prefill_s(quant)
        return prefill is not None and prefill > self.per_call


def _hopeless(search, w, model, smallest, context, frontier_index, power_for, found) -> bool:
    """Whether the model's smallest file decodes below HOPELESS_DECODE of the need."""
    if w.min_decode_tokens_per_s <= 0:
        return False
    option = _quant_option(search, w, model, smallest, context, frontier_index, power_for)
    if option is None or option.run is None:
        return False
    if all(o.candidate.quant != smallest.type for o in found):
        found.append(option)
    return option.run.peak_decode_tokens_per_s < HOPELESS_DECODE * w.min_decode_tokens_per_s


def _quant_option(search, w, model, quant, context, frontier_index, power_for):
    """One model file as a checked option, or None when the ranking leaves it out."""
    ranked = search.rank_quant(model, quant, w.task, context)
    if ranked is None:
        return None
    quality = model.quality
    cand = to_candidate(ranked, bool(quality and quality.estimated), power_for)
    return check_option(w, cand, frontier_index)
