"""The full search's proven skips (advisor.verdict.gather.workload_options): files whose bounds
show they can change nothing a report prints, so their estimate is never made.

A report reads of a workload's options: the one a verdict rests on (local or hybrid), the one
shown (advisor.verdict.choice.closest), the best-quality one that fits, those one check away,
the fastest unscored one that misses only quality (choice.unjudged), how many were checked,
and, with every other workload's, the top candidates. A file whose bounds (advisor.verdict.
bounds: the prefill floor, the decode ceiling) say it surely fails the first-token or decode
check is neither useful nor able to carry a hybrid split (both ask those two checks to pass),
nor the unscored one that misses only quality. So is a file below the quality floor that no
routine split could use (the workload has no routine share, or the file is below its routine
floor) whose bounds say the day's calls overrun the window: a capacity split needs the quality
floor met, so it carries no split, and it fails two checks. It is left unestimated when, besides:
- an option already found that fits and is within reach of the floor is closer to passing
  than the file could be (the bounds' failed checks and shortfall are at most its own), where
  the file is within reach itself (else it is never the one shown while such an option fits);
- an option already found that fits has a better quality than the file (so neither the best
  quality that fits, nor the one shown when nothing within reach fits, is the file);
- the file cannot be one check away: the bounds say it fails two checks or more (the quality
  floor counts, known from its score), or it is out of reach of the floor, or its model
  already has an option one check away of a better quality, or four other models have (at
  most two models are left out of that list: the shown option's and the best quality's).
An unscored model's file (quality unknown) is left unestimated when some speed check surely
fails and an option of a known quality fits (it would rank before it).

Such a file is still checked: whether it fits is decided from its placements alone
(advisor.estimate.assemble.fits), so it counts among the options checked exactly when the
estimated file would, and the search takes the same course. The top candidates read every
file the search placed: the search keeps each skipped file's place with a bound on its score
(OptionSearch.defer), and advise() estimates those that could still reach the list.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from advisor.verdict.bounds import carries_split, with_quality
from advisor.verdict.choice import SHOWN_FLOOR_SHARE, closeness_head, within_reach
from advisor.verdict.options import LocalOption
from advisor.workload import Workload

if TYPE_CHECKING:
    from advisor.catalog.model import Model, Quant
    from advisor.verdict.bounds import FileBounds

NONE_FITS = (float("inf"),)  # after every closeness: no option that fits is this far
# Models one check away a file must be beaten by: choice.one_check_away names two, leaving out
# at most two models (the shown option's and the best quality's).
AWAY_BEATEN_BY = 4


class Proven:
    """What a full search of one workload found so far, and the files it skipped.

    `count`: the skipped files that fit (options checked without an estimate)."""

    def __init__(self, w: Workload, frontier_index: float | None) -> None:
        self.w, self.frontier_index = w, frontier_index
        self.count = 0
        self.nearest: tuple[float, ...] = NONE_FITS  # closeness head of the closest within reach
        self.best = -1.0  # choice's quality key of the best-quality option that fits
        self.away: dict[str, float] = {}  # model -> best quality of its options one check away
        self.model: str | None = None  # the model being searched, and how many of its
        self.raw: float | None = None  # options were taken in (its raw index: None unscored)
        self.seen = 0

    def start(self, model_id: str, raw: float | None) -> None:
        """A new model's files follow (its options found start empty)."""
        self.model, self.raw, self.seen = model_id, raw, 0

    def take(self, options: list[LocalOption]) -> None:
        """Take in options found (of earlier models, or the model's not yet seen)."""
        w = self.w
        for option in options:
            if option.run is None:
                continue
            if within_reach(w, option):
                self.nearest = min(self.nearest, closeness_head(w, option))
            pct = option.quality_pct
            self.best = max(self.best, pct or -1.0)  # choice._quality_key's first term
            failed = option.failed
            if pct is not None and len(failed) == 1 and within_reach(w, option):
                model = option.candidate.model_id
                self.away[model] = max(self.away.get(model, pct), pct)

    def unneeded(self, bounds: FileBounds, model: Model, quant: Quant, kept: float,
                 found: list[LocalOption], context: int) -> bool | None:  # fmt: skip
        """Whether the file was checked without its estimate: True when it fits and can
        change nothing a report prints (see the module docstring; counted, and its place kept
        for the top candidates), False when it does not fit (the ranking leaves it out),
        None when it must be estimated. `found`: its model's options so far."""
        self.take(found[self.seen :])
        self.seen = len(found)
        pct = None
        if self.raw is not None:
            if not self.frontier_index:
                return None
            pct = self.raw * kept / self.frontier_index * 100  # as options.check_option's
            if not (pct or -1.0) < self.best:
                return None  # it may be the best quality that fits
        elif not self._unscored_may_skip():
            return None
        search, task = bounds.search, self.w.task
        if not search.placed(model, quant, task, context):
            return False  # what its estimate would say: no option
        if not (self._beaten(bounds, quant, pct) if pct is not None
                else bounds.fails(quant)):  # fmt: skip
            return None
        search.defer(model, quant, task, context)
        self.count += 1
        return True

    def _beaten(self, bounds: FileBounds, quant: Quant, pct: float) -> bool:
        """Whether a scored file of quality `pct` (below the best that fits) surely fails the
        first-token or decode check, or the day's calls where it can carry no hybrid split
        (_splitless_head), and is neither the closest to passing nor one check away."""
        reach = pct >= SHOWN_FLOOR_SHARE * self.w.quality_floor_pct  # choice.within_reach
        # The decode ceiling alone first (the prefill floor costs more): its head is at most
        # the whole one, so what it proves holds (FileBounds.decode_head).
        head = bounds.decode_head(quant)
        if head[0] and self._proves(head, pct, reach):
            return True
        head = bounds.head(quant)
        if not head[0]:
            head = self._splitless_head(bounds, quant, pct)
            if not head[0]:
                return False
        return self._proves(head, pct, reach)

    def _proves(self, head: tuple[int, float], pct: float, reach: bool) -> bool:
        """Whether a file whose failed checks and shortfall are at least `head` (failing
        some) is neither the closest to passing nor one check away."""
        if reach and not self.nearest < head:
            return False  # it may be the closest to passing
        return not reach or not self._may_be_away(head, pct)

    def _splitless_head(self, bounds: FileBounds, quant: Quant, pct: float) -> tuple[int, float]:
        """What FileBounds.head leaves out, (0, 0.0), for a file whose first token and decode
        may pass: the day's calls it surely cannot serve, where it can carry no hybrid split
        (advisor.verdict.hybrid: a capacity split needs the quality floor met, a routine one a
        routine share and its floor), so that, failing quality too, it could only ever be
        shown as the closest to passing. Of an unattended workload, whose closeness counts
        every check alike (choice.closeness_head), the quality check counts here as well:
        (2, at most both shortfalls); of an interactive one, the speed checks alone: (1, at
        most the capacity shortfall: bounds.with_quality)."""
        if carries_split(self.w, pct):
            return 0, 0.0
        head = bounds.head(quant, splits=False)  # the day's calls alone, here
        return with_quality(self.w, head, pct) if head[0] else head

    def _may_be_away(self, head: tuple[int, float], pct: float) -> bool:
        """Whether a file within reach that surely fails head[0] speed checks may be named
        one check away (a head of _splitless_head's counts quality already: it fails two or
        more checks either way)."""
        failed = head[0] + (pct < self.w.quality_floor_pct)  # options._quality_check
        if failed >= 2:
            return False
        held = self.away.get(self.model or "")
        if held is not None and held > pct:
            return False  # choice.one_check_away keeps a model's best quality
        better = sum(q > pct for m, q in self.away.items() if m != self.model)
        return better < AWAY_BEATEN_BY

    def _unscored_may_skip(self) -> bool:
        """Whether an unscored model's file may be skipped, if some speed check surely fails:
        it passes no quality check (the gather searches these with a user's floor of 0 too:
        then it may pass, and is estimated), so it can be shown only as the best quality that
        fits, which an option of a known quality that fits beats."""
        w = self.w
        return not (w.users_floor and w.quality_floor_pct <= 0) and self.best > -1.0
