"""The lean search's shortcuts (advisor.verdict.gather.lean_options): what an audit's search
may leave unchecked because it cannot change a verdict's kind, option or figures."""

from __future__ import annotations

from typing import TYPE_CHECKING

from advisor.verdict.bounds import FileBounds, carries_split, with_quality
from advisor.verdict.choice import SHOWN_FLOOR_SHARE, closeness_head, within_reach
from advisor.verdict.options import LocalOption
from advisor.verdict.search import OptionSearch
from advisor.workload import Workload

if TYPE_CHECKING:
    from advisor.catalog.model import Quant

NONE_FITS = (float("inf"),)  # after every closeness: no option that fits is this far


class Lean:
    """The lean search's shortcuts within one model (`nearest`: closeness's first two terms
    of the closest option found before it; `raw`: its raw index; `cut`: shown_cut's)."""

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
        if len(found) > self.seen:  # the model's options only grow
            for option in found[self.seen :]:
                self.nearest = min(self.nearest, near(self.w, option))
            self.seen = len(found)
        return self.nearest

    def beaten(self, bounds: FileBounds, quant: Quant, kept: float,
               found: list[LocalOption]) -> bool:  # fmt: skip
        """Whether the file surely fails a speed check and an option found so far is closer
        to passing than a file that fails at least head[0] speed checks by at least head[1]
        in all (head: bounds.FileBounds.head) can be (choice.closeness). Such an option fits
        and is within reach of the floor, so the file could not be shown either as the best
        quality that fits (choice.closest shows that only when no option within reach fits).
        The day's calls count among the speed checks where the file's quality (`kept` of its
        model's score) carries no hybrid split (bounds.carries_split): a file that surely
        misses them then is neither useful nor part of a split. For unattended work, whose
        closeness counts every check, a quality below the floor adds its shortfall
        (bounds.with_quality). Each option of the model is ranked once.

        Asked cheapest first, with the same answer: with no option found that fits, nothing
        is closer (NONE_FITS); then the decode ceiling alone (bounds.FileBounds.decode_head,
        at most head() in closeness's order, and with_quality keeps that order), so the
        prefill floor is asked only where the ceiling proves nothing."""
        nearest = self.rank(found)
        if nearest == NONE_FITS:
            return False
        pct = self.raw * kept / self.frontier_index * 100 if self.frontier_index else None
        top = bounds.decode_top(quant)
        head = bounds.decode_head(quant, top)
        if head[0] and nearest < (head if pct is None else with_quality(self.w, head, pct)):
            return True
        head = bounds.head(quant, splits=pct is None or carries_split(self.w, pct), top=top)
        if not head[0]:
            return False
        if pct is not None:
            head = with_quality(self.w, head, pct)
        return nearest < head

    def below(self, kept: float, found: list[LocalOption]) -> bool:
        """Whether the file keeping `kept` of the model's score, and every later one (they
        keep less), is below the cut while an option within reach of the floor fits: none
        of them can then be useful, shown or carry a split (shown_cut).

        Stopping there leaves the search as it was: the smallest file
        advisor.verdict.model_files' hopeless check adds comes either before this file (it was
        checked, or skipped as unable to matter) or after it (below the cut itself); and a
        useful file below the cut would only have stopped the search at models that below_all
        stops at too (every retention at most 1)."""
        if self.cut is None or not self.frontier_index:
            return False
        if self.raw * kept / self.frontier_index * 100 >= self.cut:
            return False
        return self.rank(found) < NONE_FITS


def shown_cut(w: Workload, frontier_index: float | None) -> float | None:
    """The least quality (% of the frontier) an option needs to matter to a verdict once an
    option that fits is within reach of the floor: to pass the quality check, to carry a
    hybrid split (a capacity split passes the quality check; a routine one reaches the
    routine floor: advisor.verdict.hybrid), or to be shown (choice.closest shows the closest
    of the options within reach, SHOWN_FLOOR_SHARE of the floor). None when every quality
    may matter (a floor of 0, or no frontier to compare with)."""
    if not frontier_index:
        return None
    floor = w.quality_floor_pct
    cut = min(floor, SHOWN_FLOOR_SHARE * floor)
    if w.routine_share > 0:
        cut = min(cut, w.routine_quality_floor_pct or 100)
    return cut if cut > 0 else None


def below_all(search: OptionSearch, raw: float, frontier_index: float, cut: float) -> bool:
    """Whether every file of a model with raw index `raw`, and of every later model (the
    models come best raw index first), is below `cut`: even at the best retention any file
    of the catalog keeps, with the arithmetic options.check_option uses (rounding is
    monotonic, so the bound holds exactly). Such files are neither useful to a verdict nor
    shown, so the lean search stops there; with a floor above 0 it checks no unscored model
    either (advisor.verdict.gather's unscored options), so `best` decides nothing after them."""
    return raw * search.best_retention / frontier_index * 100 < cut


def near(w: Workload, option: LocalOption) -> tuple[float, ...]:
    """How close an option that fits is to passing: closeness's first two terms (the failed
    speed checks and their shortfall, or all checks' for unattended work). Only an option
    within reach of the quality floor counts: choice.closest shows no other while one is."""
    if option.run is None or not within_reach(w, option):
        return NONE_FITS
    return closeness_head(w, option)
