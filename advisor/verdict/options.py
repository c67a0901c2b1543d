"""Local options: one model × quant on this machine, checked against what a workload asks."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields
from typing import Any, Literal

from advisor.estimate.estimate import Estimate
from advisor.probe.power.draw import PowerDraw
from advisor.units import GIB
from advisor.verdict.local import LocalRun, local_run
from advisor.workload import Workload

SpeedStatus = Literal["measured", "calibrated", "estimated"]
CheckName = Literal["fits", "decode", "ttft", "quality", "capacity"]
# The checks whose requirement is a limit the figure must stay under (a shortfall is "over").
MAXIMA: frozenset[CheckName] = frozenset(("ttft", "capacity"))
# Assumption: Artificial Analysis publishes no confidence interval for its indexes, and a
# model's score moves by a few points between evaluation runs and index versions; a quality
# floor within this many percentage points of the frontier (either side) is borderline.
QUALITY_SPREAD_PCT = 3.0
# What the report says of a model with no score, and what would let the verdict judge it.
UNSCORED = (
    "no published score (the catalog's scores come from Artificial Analysis's dated index "
    "snapshots, and none has this model)"
)
JUDGE_UNSCORED = (
    "give --min-quality 0 (any quality will do) or --quality MODEL=SCORE (your own estimate on "
    "the index) to judge it"
)
_LATER = "_text_later"  # where Check.later keeps how to write its text, until it is read


@dataclass(frozen=True)
class LocalCandidate:
    """A model × quant the estimator placed on this machine at the workload's context."""

    model_id: str
    model_name: str
    quant: str
    quality_index: float | None  # on the workload's task index, adjusted for the quant
    quality_note: str  # how that figure was reached, in words
    estimate: Estimate  # at context_tokens × concurrency (one KV cache per stream)
    speed_status: SpeedStatus
    power: PowerDraw
    quality_estimated: bool = False  # the index is Artificial Analysis's estimate, not a run
    quality_assumed_by: str | None = None  # the user's own score: the flag they gave it with


@dataclass(frozen=True)
class Check:
    """One requirement and whether this option meets it, with the numbers behind it."""

    __pydantic_config__ = {"extra": "forbid"}  # read back from a report: no other keys

    name: CheckName
    passed: bool
    required: float | None
    actual: float | None
    unit: str
    text: str
    borderline: bool = False  # the requirement lies inside the estimate's uncertainty range
    # How far the figure is from the requirement, as a share of it: positive is room to spare,
    # negative a shortfall (-0.45: 45% short). None for memory and unknown figures.
    margin: float | None = None

    def shortfall(self) -> str:
        """What a failed check lacks, in a few words with its numbers and margin."""
        need, have = self.required, self.actual
        if self.name == "fits":
            return "does not fit in memory"
        if have is None or need is None:
            return f"{self.name} unknown"
        short = ""
        if self.margin is not None and self.margin < 0:
            short = f", {_gap(self.margin, self.name in MAXIMA)}"
        return {
            "decode": f"too slow ({have:.1f} of {need:g} tokens/s{short})",
            "ttft": f"first token too late ({have:.1f} s, limit {need:g} s{short})",
            "quality": f"below the quality floor ({have:.0f}% of the frontier, floor {need:g}%"
            f"{short})",
            "capacity": f"cannot keep up ({have:.1f} h of work a day in {_a(need)} h window"
            f"{short})",
        }[self.name]

    @classmethod
    def later(cls, name: CheckName, passed: bool, required: float | None,
              actual: float | None, unit: str, text_of: Callable[..., str], args: tuple,
              borderline: bool = False, margin: float | None = None) -> Check:  # fmt: skip
        """The check whose text is `text_of(*args)`, written when it is first read. A search
        checks thousands of files and reads the text of the few a verdict shows; the words
        took most of a check's time (~30 of ~45 us a file, 2026-12-07). Equal, hashed,
        printed, copied and pickled, it is the check with that text."""
        check = object.__new__(cls)
        state = check.__dict__
        state.update(name=name, passed=passed, required=required, actual=actual, unit=unit,
                     borderline=borderline, margin=margin)  # fmt: skip
        state[_LATER] = (text_of, args)
        return check

    def __getstate__(self) -> dict[str, Any]:
        """The fields alone, the text written: not how to write it (the estimate and run it
        read, a copy of which every pickled check would otherwise carry)."""
        return {f.name: getattr(self, f.name) for f in fields(self)}


class _TextWhenRead:
    """Check.text of a check Check.later made, written on first reading into the instance,
    where every later reading finds it. A non-data descriptor, set on the class once the
    dataclass is built: a check made with its text never reaches it, and attribute reads on
    checks stay plain (a __getattr__ on Check made every read slower: the audit's CPU rose)."""

    def __get__(self, check: Check | None, owner: type | None = None) -> str:
        if check is None:
            raise AttributeError("text")  # no default on the class: the field has none
        state = check.__dict__
        later = state.get(_LATER)
        if later is None:  # another thread wrote it since this read began
            return state["text"]
        text_of, args = later
        text = state["text"] = text_of(*args)
        state.pop(_LATER, None)  # after the text is there: a reader meanwhile writes it too
        return text


setattr(Check, "text", _TextWhenRead())  # noqa: B010 (after @dataclass: not a default)


@dataclass(frozen=True)
class LocalOption:
    """A catalog file as a way to run a workload here: how it runs (None: it does not fit), its
    quality and its checks."""

    candidate: LocalCandidate
    run: LocalRun | None  # None when it does not fit
    quality_pct: float | None  # of the frontier's index on the task
    checks: tuple[Check, ...]

    def passed(self, *names: CheckName) -> bool:
        if not names:
            return all(c.passed for c in self.checks)
        return all(c.passed for c in self.checks if c.name in names)

    @property
    def failed(self) -> tuple[Check, ...]:
        return tuple(c for c in self.checks if not c.passed)


def check_option(
    workload: Workload, candidate: LocalCandidate, frontier_index: float | None
) -> LocalOption:
    est = candidate.estimate
    quality_pct = None
    if candidate.quality_index is not None and frontier_index:
        quality_pct = candidate.quality_index / frontier_index * 100
    fits = _fits_check(workload, est)
    quality = _quality_check(workload, candidate, quality_pct, frontier_index)
    if not est.fits or est.speed is None:
        return LocalOption(candidate, None, quality_pct, (fits, quality))
    run = local_run(workload, est.speed)
    checks = (
        fits,
        _decode_check(workload, run, est),
        _ttft_check(workload, run, est),
        quality,
        _capacity_check(workload, run),
    )
    return LocalOption(candidate, run, quality_pct, checks)


def _fits_check(workload: Workload, est: Estimate) -> Check:
    total = est.memory.total_bytes / GIB
    return Check.later("fits", est.fits, None, round(total, 2), "GiB", _fits_text,
                       (workload, est, total))  # fmt: skip


def _fits_text(workload: Workload, est: Estimate, total: float) -> str:
    streams = f" ({workload.concurrency} streams)" if workload.concurrency > 1 else ""
    where = {"gpu": "on the GPU", "partial": "split between GPU and CPU", "cpu": "in system RAM"}
    context = f"{est.context_tokens:,} tokens of context{streams}"
    if est.fits:
        text = f"fits {where[est.placement.kind]}: {total:.1f} GiB at {context}"
    else:
        text = f"does not fit: needs {total:.1f} GiB at {context}"
        if est.max_context_tokens:
            text += f"; the most that fits is {est.max_context_tokens:,} tokens"
    return text


def _decode_check(workload: Workload, run: LocalRun, est: Estimate) -> Check:
    need = workload.min_decode_tokens_per_s
    have = run.peak_decode_tokens_per_s
    low, high = est.speed.decode_range if est.speed else (have, have)
    scale = have / est.speed.decode_tokens_per_s if est.speed else 1.0
    borderline = need > 0 and low * scale < need <= high * scale
    margin = have / need - 1 if need > 0 else None
    return Check.later("decode", have >= need, need, round(have, 2), "tokens/s", _decode_text,
                       (workload, have, low * scale, high * scale, margin), borderline,
                       margin)  # fmt: skip


def _decode_text(workload: Workload, have: float, low: float, high: float,
                 margin: float | None) -> str:  # fmt: skip
    need = workload.min_decode_tokens_per_s
    streams = f" with {workload.concurrency} streams at once" if workload.concurrency > 1 else ""
    text = (
        f"decodes about {have:.1f} tokens/s per stream{streams} at this workload's depth "
        f"(range {low:.1f}-{high:.1f}); " + (f"needs {need:g}" if need > 0 else "no minimum")
    )
    return _missed(text, margin)


def _missed(text: str, margin: float | None, maximum: bool = False) -> str:
    """A check's text with its shortfall, when it has one (`maximum`: the requirement is a
    limit the figure must stay under, and it is over it)."""
    return text if margin is None or margin >= 0 else f"{text}: {_gap(margin, maximum)}"


def _gap(margin: float, maximum: bool) -> str:
    """A negative margin in words: how far short of a minimum, or over a maximum, a figure is."""
    return f"{-margin:.0%} over" if maximum else f"{-margin:.0%} short"


def _a(number: float) -> str:
    """`number` (as :g writes it) with its article: "an 8", "an 11", "a 10"."""
    text = f"{number:g}"
    vowel = text.startswith("8") or text.split(".")[0] in ("11", "18")
    return f"{'an' if vowel else 'a'} {text}"


def _ttft_range(run: LocalRun, est: Estimate, cold: bool = False) -> tuple[float, float]:
    """The time to first token at either end of the estimate's prefill and decode ranges
    (`cold`: of a session's first call, whose whole input is prefilled)."""
    speed = est.speed
    have = run.cold_time_to_first_token_s if cold else run.time_to_first_token_s
    if speed is None:
        return have, have
    (p_low, p_high), (d_low, d_high) = speed.prefill_range, speed.decode_range
    p, d = speed.prefill_tokens_per_s, speed.decode_tokens_per_s
    token_s = 1.0 / run.single_decode_tokens_per_s
    prefill_s = have - token_s
    fast = prefill_s * p / p_high + token_s * d / d_high if p_high and d_high else 0
    slow = prefill_s * p / p_low + token_s * d / d_low if p_low and d_low else 0
    return fast, slow


def _ttft_check(workload: Workload, run: LocalRun, est: Estimate) -> Check:
    """The limit applies to the call the workload names (warm or cold); the text shows the
    other one too wherever part of the input is cached."""
    limit = workload.max_time_to_first_token_s
    cold = workload.first_token_call == "cold"
    have = run.cold_time_to_first_token_s if cold else run.time_to_first_token_s
    fast, slow = _ttft_range(run, est, cold)
    if limit is None:
        return Check.later("ttft", True, None, round(have, 2), "s", _ttft_text,
                           (workload, run, have, fast, slow, None))  # fmt: skip
    margin = 1 - have / limit
    borderline = fast <= limit < slow
    return Check.later("ttft", have <= limit, limit, round(have, 2), "s", _ttft_text,
                       (workload, run, have, fast, slow, margin), borderline, margin)  # fmt: skip


def _ttft_text(workload: Workload, run: LocalRun, have: float, fast: float, slow: float,
               margin: float | None) -> str:  # fmt: skip
    limit = workload.max_time_to_first_token_s
    new = workload.new_input_tokens_per_call
    whole = workload.input_tokens_per_request
    cold = workload.first_token_call == "cold"
    tokens = (
        f"all {whole:,} prompt tokens of a session's first call"
        if cold
        else (f"{new:,.0f} new prompt tokens")
    )
    text = f"first token after about {have:.1f} s (range {fast:.1f}-{slow:.1f}) for {tokens}"
    if new < whole:
        text += (
            f" ({run.time_to_first_token_s:.1f} s on a warm call)"
            if cold
            else f" ({run.cold_time_to_first_token_s:.1f} s for all {whole:,} on a session's"
            " first call)"
        )
    if limit is None:
        return text + "; no limit"
    return _missed(text + f"; limit {limit:g} s", margin, maximum=True)


def _quality_check(
    workload: Workload, candidate: LocalCandidate, pct: float | None, frontier: float | None
) -> Check:
    floor = workload.quality_floor_pct
    if pct is None and frontier and candidate.quality_index is None:
        return unscored_check(workload)
    if pct is None:
        why = "no frontier figure to compare with"
        return Check("quality", False, floor, None, "% of frontier", f"quality unknown: {why}")
    margin = pct / floor - 1 if floor > 0 else None  # a floor of 0: any quality will do
    borderline = floor > 0 and abs(pct - floor) < QUALITY_SPREAD_PCT
    return Check.later("quality", pct >= floor, floor, round(pct, 1), "% of frontier",
                       _quality_text, (workload, candidate.quality_note, pct, frontier, margin,
                                       borderline), borderline, margin)  # fmt: skip


def _quality_text(workload: Workload, note: str, pct: float, frontier: float | None,
                  margin: float | None, borderline: bool) -> str:  # fmt: skip
    text = (
        f"{note}: {pct:.0f}% of the frontier's {frontier:g}; floor "
        f"{workload.quality_floor_pct:g}% ({workload.floor_owner})"
    )
    if borderline:
        text += f" (within the ±{QUALITY_SPREAD_PCT:g} points an index moves: borderline)"
    return _missed(text, margin)


def unscored_check(workload: Workload) -> Check:
    """The quality check of a model the index has no score for: passed only where the user's
    own floor is 0 (any quality will do); failed, with what would judge it, otherwise."""
    floor = workload.quality_floor_pct
    text = f"quality unknown: {UNSCORED}"
    if workload.users_floor and floor <= 0:
        text += f"; your floor of 0% ({workload.min_quality_from}) accepts any quality"
        return Check("quality", True, floor, None, "% of frontier", text)
    return Check("quality", False, floor, None, "% of frontier", f"{text}; {JUDGE_UNSCORED}")


def _capacity_check(workload: Workload, run: LocalRun) -> Check:
    hours = workload.hours_per_day
    busy = run.busy_hours_per_day
    margin = 1 - busy / hours
    return Check.later("capacity", run.capacity_share >= 1, hours, round(busy, 2), "h/day",
                       _capacity_text, (workload, run, margin), False, margin)  # fmt: skip


def _capacity_text(workload: Workload, run: LocalRun, margin: float) -> str:
    hours = workload.hours_per_day
    busy = run.busy_hours_per_day
    if run.capacity_share < 1:
        text = (
            f"cannot keep up: the day's calls need {busy:.1f} h of work at "
            f"{run.effective_streams:.0f} stream(s) at once, in {_a(hours)} h window; it serves "
            f"{run.capacity_share:.0%} of them"
        )
    else:
        text = f"busy {busy:.1f} h of the {hours:g} h window a day"
    return _missed(text, margin, maximum=True)
