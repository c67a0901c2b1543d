"""What a model file cannot reach for one workload, known before it is estimated.

The prefill floor (advisor.estimate.speed.floor) bounds a file's prefill time from below and
the decode ceiling (advisor.estimate.speed.ceiling) its decode speed from above, at any
placement and calibration. From them, without the file's estimate:
- the time to first token is late when even the floor's prefill misses the limit;
- decode falls short when even the ceiling is below the need at the workload's depth;
- the day's calls do not fit when even the floor's prefill and the ceiling's decode of each
  call, batched at the workload's full concurrency, take longer than its window.
Each is a lower bound on the failed check's shortfall (advisor.verdict.choice.shortfall), so
a search (advisor.verdict.gather) can tell when a file could not be closer to passing than an
option already found, or could not pass every check.
"""

from __future__ import annotations

from enum import Enum
from typing import TYPE_CHECKING

from advisor.verdict.choice import interactive
from advisor.workload import Workload

if TYPE_CHECKING:
    from advisor.catalog.model import Model, Quant
    from advisor.verdict.search import OptionSearch

# Bounds computed in another order than the checks: keep them a hair on the safe side.
SAFE = 1 - 1e-9


class Unasked(Enum):
    """A decode ceiling not asked yet (FileBounds' `top` arguments; None means unknown)."""

    UNASKED = "unasked"


UNASKED = Unasked.UNASKED


def carries_split(w: Workload, pct: float) -> bool:
    """Whether a file of quality `pct` (% of the frontier) could carry a hybrid split
    (advisor.verdict.hybrid): it passes the quality check (a capacity split), or reaches the
    routine floor of a workload with routine requests (a routine split)."""
    if pct >= w.quality_floor_pct:
        return True
    return w.routine_share > 0 and pct >= (w.routine_quality_floor_pct or 100)


def with_quality(w: Workload, head: tuple[int, float], pct: float) -> tuple[int, float]:
    """`head` (speed checks surely failed, their least shortfall) with the quality check
    added where it counts in closeness alike (choice.closeness_head: unattended work) and a
    file of quality `pct` fails it (options._quality_check's margin, as choice.shortfall
    reads it); a hair under the sum, as the bounds keep theirs."""
    floor = w.quality_floor_pct
    if not pct < floor or interactive(w):
        return head
    return head[0] + 1, (head[1] + (1 - pct / floor)) * SAFE


class FileBounds:
    """The bounds of one model's files on the search's machine, for one workload."""

    def __init__(self, search: OptionSearch, w: Workload, model: Model) -> None:
        self.search, self.model = search, model
        new = w.new_input_tokens_per_call
        self.prompt = (new, w.input_tokens_per_request - new)  # a warm call: local_run's
        self.first_token_prompt = w.first_token_prompt  # the call the limit is on
        self.limit = w.max_time_to_first_token_s
        self.need = w.min_decode_tokens_per_s
        # The depth advisor.verdict.local.local_run decodes at.
        self.depth = int(w.input_tokens_per_request + w.output_tokens_per_request / 2)
        self.calls, self.out = w.calls_per_day, w.output_tokens_per_request
        self.streams, self.window_s = w.concurrency, w.hours_per_day * 3600

    def _bounds(self, quant: Quant, top: float | None | Unasked = UNASKED
                ) -> tuple[float | None, float | None, float | None]:  # fmt: skip
        """(the least prefill time of the call the limit is on, of a warm call, the most
        single-stream decode speed at the workload's depth): None where none is known.
        `top`: decode_top(quant), where the caller asked it already."""
        floor = self.search.prefill_floor(self.model, quant)
        if top is UNASKED:
            top = self.decode_top(quant)
        if floor is None:
            return None, None, top
        warm = floor.time_to_first_token_s(*self.prompt)
        first = warm
        if self.first_token_prompt != self.prompt:
            first = floor.time_to_first_token_s(*self.first_token_prompt)
        return first, warm, top

    def _late_by(self, first: float | None, warm: float | None) -> float | None:
        """How late the first token is at least, as a share of the limit (None: it may be in
        time). Of a warm call: no later than the call the limit is on."""
        if self.limit is None or first is None or warm is None or first <= self.limit:
            return None
        return max(0.0, warm / self.limit - 1)

    def _decode_short(self, top: float | None) -> float:
        """How far the ceiling falls short of the decode need, as a share of it (0 when it
        reaches it): the decode check fails by at least this (the per-stream rate it checks
        is at most the single-stream one)."""
        if self.need <= 0 or top is None or top >= self.need:
            return 0.0
        return 1 - top / self.need

    def _capacity_short(self, warm: float | None, top: float | None) -> float:
        """How far the day's calls overrun the window at the least time a call can take, as
        a share of it (0 when they may fit): the capacity check fails by at least this.

        A call at full concurrency takes its prefill plus its output at
        min(streams × single, prefill rate) (advisor.verdict.local.local_run); with the
        floor's prefill and the ceiling's decode it takes no less. A machine that cannot keep
        up runs the calls at no more than full concurrency, and is busy at least calls × that
        time a day."""
        if self.calls <= 0 or warm is None:
            return 0.0
        decode = self.out / (self.streams * top) if top else 0.0
        busy_s = self.calls * (warm + decode) * SAFE
        if busy_s <= self.window_s:
            return 0.0
        return busy_s / self.window_s - 1

    def decode_head(self, quant: Quant, top: float | None | Unasked = UNASKED
                    ) -> tuple[int, float]:  # fmt: skip
        """head() from the decode ceiling alone, without the prefill floor: (1, the decode
        shortfall) where decode surely fails, else (0, 0.0). At most head(): a first token
        surely late or the day's calls add a failed check and their shortfall to it (the
        decode shortfall is the same, and adding a shortfall of 0 or more never lowers the
        float sum). `top`: decode_top(quant), where the caller asked it already."""
        short = self._decode_short(self.decode_top(quant) if top is UNASKED else top)
        return (1, short) if short > 0 else (0, 0.0)

    def decode_top(self, quant: Quant) -> float | None:
        """The most single-stream decode speed at the workload's depth (None: unknown): the
        decode ceiling's, without the prefill floor."""
        ceiling = self.search.decode_ceiling(self.model, quant)
        return None if ceiling is None else ceiling.tokens_per_s_at(self.depth)

    def fails(self, quant: Quant) -> bool:
        """Whether the file surely fails a speed check: no local verdict rests on it. The
        decode ceiling is asked first: where it says so, the prefill floor is not needed."""
        if self._decode_short(self.decode_top(quant)) > 0:
            return True
        late, decode, capacity = self._shortfalls(quant)
        return late is not None or decode > 0 or capacity > 0

    def head(self, quant: Quant, splits: bool = True,
             top: float | None | Unasked = UNASKED) -> tuple[int, float]:  # fmt: skip
        """(speed checks the file surely fails, the least shortfall they add up to): at most
        what choice.closeness_head says of it. (0, 0.0) unless the first token or decode
        surely fails, or with `splits` False the day's calls: a file that misses only the
        day's calls may still carry a hybrid split (advisor.verdict.hybrid: routine or
        capacity, which asks decode and the first token to pass), so no option found closer
        to passing may stand in for it. `splits` False: the file's quality carries no split
        (below the floor, and below the routine floor or no routine share). `top`: as
        decode_head's."""
        late, decode, capacity = self._shortfalls(quant, top)
        if late is None and decode <= 0 and (splits or capacity <= 0):
            return 0, 0.0
        failed, short = (0, 0.0) if late is None else (1, late)
        for extra in (decode, capacity):
            if extra > 0:
                failed, short = failed + 1, short + extra
        return failed, short

    def _shortfalls(self, quant: Quant, top: float | None | Unasked = UNASKED
                    ) -> tuple[float | None, float, float]:  # fmt: skip
        """(_late_by, _decode_short, _capacity_short) of the file."""
        first, warm, top = self._bounds(quant, top)
        return (self._late_by(first, warm), self._decode_short(top),
                self._capacity_short(warm, top))  # fmt: skip
