"""One model's files as a search checks them: best quality first, down to the first useful
one, skipping the files the search's bounds say cannot matter (advisor.verdict.gather)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from advisor.estimate.rank import quality_for
from advisor.verdict.bounds import FileBounds
from advisor.verdict.candidates import to_candidate
from advisor.verdict.choice import SHOWN_FLOOR_SHARE
from advisor.verdict.options import LocalOption, check_option
from advisor.verdict.proven import Proven
from advisor.verdict.search import OptionSearch
from advisor.workload import Workload

if TYPE_CHECKING:
    from advisor.catalog.model import Quant

# A model whose smallest file decodes below this share of the need is too slow in every file:
# file sizes within a model differ far more than the quant kernels' efficiency does.
HOPELESS_DECODE = 0.8
# skip(bounds, quant, kept, found): whether the file (keeping `kept` of its model's score) can
# be left unestimated, by what its bounds (FileBounds) say of it, given the model's options
# found so far.
Skip = Callable[[FileBounds, "Quant", float, list[LocalOption]], bool]
# stop_below(kept, found): the file keeping `kept` of the model's score and every later one
# can change nothing (advisor.verdict.lean.Lean.below).
StopBelow = Callable[[float, list[LocalOption]], bool]


def model_options(search: OptionSearch, w: Workload, model, context: int,
                  frontier_index: float | None, power_for, useful: Callable[[LocalOption], bool],
                  skip: Skip | None = None, floor: tuple[float, float, float] | None = None,
                  stop_below: StopBelow | None = None,
                  proven: Proven | None = None) -> list[LocalOption]:  # fmt: skip
    """One model's options, best quality first, down to its first useful one.

    A lower-quality file of the same model cannot beat a useful one, so the rest are skipped.
    Speed is not monotonic in file size (legacy quants such as Q4_0 prefill faster than
    K-quants on some backends), so files are not skipped on size alone; but when the smallest
    file decodes far below the need, no larger one can reach it (decode reads the weights), and
    the model stops at its best file that fits: what a cloud verdict shows.

    `skip(bounds, quant, kept, found)`: a file that surely fails a speed check
    (advisor.verdict.bounds) is not estimated when `skip` says an option found is closer to
    passing than it could be: it
    could be neither useful, nor part of a hybrid split (both pass the decode and first-token
    checks, and a useful one keeps up), nor the option a cloud verdict shows
    (advisor.verdict.choice: an option within reach of the floor that fits is closer). The
    verdict is the same; the files the search looked at, from which a report's top candidates
    come, are fewer. `floor` (raw index, frontier index, floor %) checks only the files that
    could pass every check: above the quality floor, in time for the first token, fast enough
    and keeping up with the day's calls. `stop_below(kept, found)`: see StopBelow.

    `proven` (a full search's, advisor.verdict.proven): a file that `proven.unneeded` says
    fits and can change nothing a report prints, or does not fit, is checked without its
    estimate (counted among the options checked when it fits: `proven.count`), and the search
    goes on exactly as if it had been estimated.
    """
    files = search.files(model)
    if not files.roomy:
        return []  # every file is larger than all the machine's memory
    room = search.room
    bounds = FileBounds(search, w, model)
    found: list[LocalOption] = []
    smallest = files.smallest
    smallest_checked = False
    hopeless = False  # no file of the model decodes fast enough: see _reach
    reach = _reach(w, model, frontier_index)
    fitted: set[str] = set()  # the model's files `proven` skipped that fit
    for quant, kept in files.by_quality:
        if hopeless and (reach is None or reach * kept < 1):
            break  # the rest fall short of half the floor: no cloud verdict shows them
        if stop_below is not None and stop_below(kept, found):
            break
        if room is not None and quant.size_bytes > room:
            continue  # larger than all the memory: the ranking leaves it out, unestimated
        if floor is not None:
            raw, frontier, floor_pct = floor
            if raw * kept / frontier * 100 < floor_pct:
                break  # below the quality floor, as every later file of the model
            if bounds.fails(quant):
                continue  # it cannot pass every check: no local verdict rests on it
        if skip is not None and skip(bounds, quant, kept, found):
            continue
        if (
            smallest_checked
            and smallest is not None
            and quant.type == smallest.type
            and _checked(smallest, found, fitted)
        ):
            continue  # checked already, as the smallest file (_hopeless): once is enough
        option = None
        unneeded = None if proven is None else proven.unneeded(bounds, model, quant, kept,
                                                                found, context)  # fmt: skip
        if unneeded is not None:  # checked without an estimate: it fits, or it does not
            if unneeded:
                fitted.add(quant.type)
        else:
            option = quant_option(search, w, model, quant, context, frontier_index, power_for)
        if option is not None:
            found.append(option)
            if useful(option):
                break
        if smallest_checked or not (found or fitted):
            continue  # keep looking for the best file that fits
        smallest_checked = True
        if _hopeless(search, w, model, smallest, context, frontier_index, power_for, found,
                     fitted, bounds, proven, skip):  # fmt: skip
            if reach is None or reach * kept < 1:
                break
            hopeless = True  # the files still within reach of the floor may yet be shown
    return found


def _reach(w: Workload, model, frontier_index: float | None) -> float | None:
    """The model's full-precision quality over the least a shown option needs (choice.
    SHOWN_FLOOR_SHARE of the floor): a file keeping `kept` of it is within reach when
    reach × kept >= 1. A hopeless model's files within reach are all checked, as the one a
    cloud verdict shows is the closest of them to passing (choice.closest)."""
    quality = quality_for(model, w.task)
    need = SHOWN_FLOOR_SHARE * w.quality_floor_pct
    if quality is None or not frontier_index:
        return None
    if need <= 0:
        return float("inf")
    return quality[0] / frontier_index * 100 / need


def _hopeless(search, w, model, smallest, context, frontier_index, power_for, found,
              fitted: set[str], bounds: FileBounds, proven: Proven | None,
              skip: Skip | None = None) -> bool:  # fmt: skip
    """Whether the model's smallest file decodes below HOPELESS_DECODE of the need. Its
    option joins `found` unless it is there already, or among the files `fitted` (checked
    and counted without an estimate). With `proven`, a smallest file that can change nothing
    is checked and counted without its estimate (Proven.unneeded), and decides the question
    from its decode ceiling where that is low enough (a stream at full concurrency decodes no
    faster than one alone, and the ceiling bounds that). With `skip` (the lean search's), a
    smallest file whose ceiling is that low and that `skip` says can change nothing is
    checked for fitting alone: it decides the question, and its option, which would change
    nothing the search reads, is left out."""
    need = w.min_decode_tokens_per_s
    if need <= 0:
        return False
    known = _checked(smallest, found, fitted)
    if not known and skip is not None:
        top = bounds.decode_top(smallest)
        kept = search.losses.of(smallest.type).factor
        if top is not None and top < HOPELESS_DECODE * need and skip(bounds, smallest, kept,
                                                                      found):  # fmt: skip
            return search.placed(model, smallest, w.task, context)  # if not: no option
    if not known and proven is not None:
        kept = search.losses.of(smallest.type).factor
        unneeded = proven.unneeded(bounds, model, smallest, kept, found, context)
        if unneeded is False:
            return False  # it does not fit: what its estimate would say
        if unneeded:
            fitted.add(smallest.type)
            known = True
            top = bounds.decode_top(smallest)
            if top is not None and top < HOPELESS_DECODE * need:
                return True
    option = quant_option(search, w, model, smallest, context, frontier_index, power_for)
    if option is None or option.run is None:
        return False
    if not known:
        found.append(option)
    return option.run.peak_decode_tokens_per_s < HOPELESS_DECODE * need


def _checked(quant, found: list[LocalOption], fitted: set[str]) -> bool:
    """Whether the model's file `quant` was checked already: an option in `found`, or among
    the files `fitted` (checked and counted without an estimate)."""
    return quant.type in fitted or any(o.candidate.quant == quant.type for o in found)


def quant_option(search, w, model, quant, context, frontier_index, power_for):
    """One model file as a checked option, or None when the ranking leaves it out."""
    ranked = search.rank_quant(model, quant, w.task, context)
    if ranked is None:
        return None
    quality = model.quality
    cand = to_candidate(ranked, bool(quality and quality.estimated), power_for)
    return check_option(w, cand, frontier_index)
