"""Which local option a verdict shows, by a rule the report states.

- Options that pass every check: the best quality among those that cost less to run than the
  cloud (electricity only: a hardware price moves the cost, never the model), else the
  cheapest to run.
- Otherwise, among the options that fit and come within reach of the quality floor (at least
  half of it, SHOWN_FLOOR_SHARE): the one closest to passing every check. For
  interactive work (a time-to-first-token limit: a person waits) speed comes first: the fewest
  failed speed checks (decode, first token, capacity), then the smallest total shortfall on
  them, then quality the same way, then the best quality. For unattended work every check
  counts alike: the fewest failed, then the smallest total shortfall, then the best quality.
- When no option that fits comes within reach of the floor, no local model comes close: the
  best quality that fits is shown, and the report says so. A 1B model at 2% of the frontier
  passes the speed checks of a 70% coding floor easily, and says nothing a buyer can use.

A shortfall is the check's margin below its requirement as a share of it (advisor.verdict.
options.Check.margin): 5 of 10 tokens/s is 50% short, a first token after 15 s against a 10 s
limit is 50% short.
"""

from __future__ import annotations

from collections.abc import Iterable

from advisor.verdict.options import Check, LocalOption
from advisor.workload import Workload

SPEED_CHECKS = ("decode", "ttft", "capacity")
UNKNOWN_SHORTFALL = 1.0  # a check whose figure is unknown counts as fully short
# The share of the workload's quality floor an option must reach to be shown as the closest to
# passing: below half of it a model is in another class altogether.
SHOWN_FLOOR_SHARE = 0.5


def interactive(workload: Workload) -> bool:
    """A person waits for each answer: the workload limits the time to the first token."""
    return workload.max_time_to_first_token_s is not None


def shortfall(check: Check) -> float:
    """How far a check falls short, as a share of its requirement (0 when it passes)."""
    if check.passed:
        return 0.0
    if check.margin is None:
        return UNKNOWN_SHORTFALL
    return max(0.0, -check.margin)


def _group(checks: Iterable[Check]) -> tuple[int, float]:
    checks = list(checks)
    return sum(not c.passed for c in checks), sum(shortfall(c) for c in checks)


def closeness(workload: Workload, option: LocalOption) -> tuple[float, ...]:
    """A sort key: smaller is closer to passing every check (see the module docstring)."""
    quality = -(option.quality_pct if option.quality_pct is not None else -1.0)
    checks = [c for c in option.checks if c.name != "fits"]
    if interactive(workload):
        speed = _group(c for c in checks if c.name in SPEED_CHECKS)
        rest = _group(c for c in checks if c.name not in SPEED_CHECKS)
        return (*speed, *rest, quality)
    return (*_group(checks), quality)


def closeness_head(workload: Workload, option: LocalOption) -> tuple[float, ...]:
    """closeness's first two terms (the failed checks that come first and their shortfall),
    without the rest: what a search compares options by while it runs."""
    if interactive(workload):
        return _group(c for c in option.checks if c.name in SPEED_CHECKS)
    return _group(c for c in option.checks if c.name != "fits")


def within_reach(workload: Workload, option: LocalOption) -> bool:
    """Whether the option's quality reaches SHOWN_FLOOR_SHARE of the workload's floor (an
    unknown quality does not, unless it passes: the user's floor of 0 takes any quality)."""
    pct = option.quality_pct
    if pct is None:
        return option.passed("quality")
    return pct >= SHOWN_FLOOR_SHARE * workload.quality_floor_pct


def closest(workload: Workload, options: list[LocalOption]) -> LocalOption | None:
    """The option that fits, comes within reach of the quality floor and comes closest to
    passing every check; when none that fits is within reach, the best-quality one that fits
    (no local model comes close); when none fits, the best-quality one (what memory would have
    to hold); None when there are no options."""
    fitting = [o for o in options if o.run is not None]
    near = [o for o in fitting if within_reach(workload, o)]
    if near:
        return min(near, key=lambda o: closeness(workload, o))
    if fitting:
        return max(fitting, key=_quality_key)
    return max(options, key=_quality_key) if options else None


def best_quality_fitting(options: list[LocalOption]) -> LocalOption | None:
    """The best-quality option that fits, whatever else it misses."""
    fitting = [o for o in options if o.run is not None]
    return max(fitting, key=_quality_key) if fitting else None


def one_check_away(
    workload: Workload,
    options: list[LocalOption],
    exclude: tuple[LocalOption | None, ...] = (),
    count: int = 2,
) -> list[LocalOption]:
    """The best-quality options (one per model) that fit and miss exactly one check: what a
    reader weighing a change (a shorter prompt, a lower floor) wants named. Only options
    within reach of the floor (SHOWN_FLOOR_SHARE of it, the rule the verdict's own option
    follows): a 270M model at 6% of the frontier against a 70% floor is no change a user
    could make."""
    skip = {o.candidate.model_id for o in exclude if o is not None}
    near: dict[str, LocalOption] = {}
    for o in options:
        if o.run is None or len(o.failed) != 1 or o.candidate.model_id in skip:
            continue
        if o.quality_pct is None:
            continue  # quality unknown: `unjudged` names it with what would judge it
        if not within_reach(workload, o):
            continue
        held = near.get(o.candidate.model_id)
        if held is None or _quality_key(o) > _quality_key(held):
            near[o.candidate.model_id] = o
    return sorted(near.values(), key=_quality_key, reverse=True)[:count]


def unjudged(options: list[LocalOption]) -> LocalOption | None:
    """The fastest option of a model with no score that passes every check but quality: what
    a floor the user gives (--min-quality 0, --quality MODEL=SCORE) would let a verdict judge."""
    found = [
        o
        for o in options
        if o.run is not None and o.quality_pct is None and o.candidate.quality_index is None
        and [c.name for c in o.failed] == ["quality"]
    ]  # fmt: skip
    if not found:
        return None
    return max(found, key=lambda o: o.run.peak_decode_tokens_per_s if o.run else 0.0)


def _quality_key(option: LocalOption) -> tuple[float, float]:
    run = option.run
    return (option.quality_pct or -1.0, run.peak_decode_tokens_per_s if run else 0.0)


def rule_text(workload: Workload, passed: bool) -> str:
    """The rule the shown option was picked by, in words for the report."""
    if passed:
        return (
            "shown: the best quality among the options that pass every check and cost less to "
            "run than the cloud (else the cheapest to run); a hardware price never changes it"
        )
    reach = (
        f"of the options that fit and reach at least {SHOWN_FLOOR_SHARE:.0%} of the quality "
        f"floor ({SHOWN_FLOOR_SHARE * workload.quality_floor_pct:g}% of the frontier), the one "
        "closest to passing every check"
    )
    none_close = (
        "; when none does, no local model comes close, and the best quality that fits is shown"
    )
    if interactive(workload):
        return (
            f"shown: {reach}; this workload is interactive, so speed (decode, first token, "
            f"capacity) comes before quality: fewest failed checks, then the smallest "
            f"shortfall{none_close}"
        )
    return (
        f"shown: {reach}: fewest failed checks, then the smallest total shortfall, then the "
        f"best quality{none_close}"
    )


def interactive_floor(task: str) -> tuple[float, str] | None:
    """(decode tokens/s, preset name): what the preset interactive workload for `task` (its
    own task's, else chat's) asks of decoding; the ranking of `advisor models` and the app
    puts models that reach it first. None when no preset applies."""
    from advisor.workload import load_workloads, workload_names

    presets = [w for w in load_workloads(workload_names()) if w.origin == "preset"]
    for wanted in (task, "chat"):
        for w in presets:
            if w.task == wanted and w.access == "interactive" and interactive(w):
                return w.min_decode_tokens_per_s, w.name
    return None
