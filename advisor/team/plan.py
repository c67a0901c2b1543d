"""The shared-server plan: which model file, how many slots and servers hold a team's peak hour.

Rule, stated in every plan: among catalog files whose quality meets the workload's floor and
that hold at least one slot of its context, the plan takes the one that needs the fewest
servers to meet every peak-hour requirement, then the best quality, then the fewest slots
(more context and speed per user, less memory). Models are checked best raw quality first; the
search stops once no later model could be better.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from advisor.team.demand import TeamDemand
from advisor.team.queue import DECODE_MARGIN
from advisor.team.server import MAX_SERVERS, BatchModelFor, ServerRun, SpeedAt, run_on

if TYPE_CHECKING:
    from advisor.catalog.model import Catalog, Model
    from advisor.estimate.estimate import Estimate
    from advisor.probe.machine import Machine

SLOT_COUNTS = (*range(1, 9), 10, 12, 16, 24, 32, 48, 64)  # every count where it matters
MAX_FILES = 40  # model files whose slot counts are explored before the search settles
FILES_PER_MODEL = 2  # a smaller file of a model that failed rarely passes: prefill is compute
RULE = (
    "among files that meet the quality floor and hold one slot of the context: fewest servers "
    "meeting every peak-hour requirement, then best quality, then fewest slots"
)


@dataclass(frozen=True)
class NoRoom:
    """Nothing good enough holds one slot: the best such file and the longest context it holds."""

    __pydantic_config__ = {"extra": "forbid"}  # read back from a report: no other keys

    model_id: str
    model_name: str
    quant: str
    context_needed_tokens: int
    largest_context_tokens: int | None  # None: not even the weights fit
    weights_bytes: int = 0


@dataclass(frozen=True)
class TeamPlan:
    demand: TeamDemand
    frontier_index: float | None
    choice: ServerRun | None  # meets every requirement on choice.servers servers
    closest: ServerRun | None  # without a choice: the run that came nearest
    no_room: NoRoom | None
    files_checked: int
    rule: str = RULE
    # Better-quality files the plan passed over, and why (at their closest slot count).
    passed_over: tuple[str, ...] = ()

    @property
    def servers(self) -> int | None:
        return self.choice.servers if self.choice else None


def plan_team(
    machine: Machine,
    catalog: Catalog,
    demand: TeamDemand,
    frontier_index: float | None,
    *,
    batch_model: BatchModelFor | None = None,
    calibration=None,
) -> TeamPlan:
    """The plan for `demand` on servers like `machine` (see the module docstring)."""
    speed_of = batch_model or _batched(calibration)
    files = _good_enough(catalog, demand, frontier_index)
    best: ServerRun | None = None
    closest: ServerRun | None = None
    no_room: NoRoom | None = None
    checked = 0
    tried: dict[str, int] = {}
    over: list[tuple[float, str]] = []
    for model, quant, quality in files:
        if best is not None and quality[0] < best.quality_index and best.servers == 1:
            break
        if checked >= MAX_FILES and (best is not None or closest is not None):
            break
        if tried.get(model.id, 0) >= FILES_PER_MODEL:
            continue
        one = _estimate(machine, model, quant, demand.workload.context_tokens, calibration)
        if not one.fits:
            no_room = _roomier(no_room, _no_room(model, quant, one, demand))
            continue
        checked += 1
        tried[model.id] = tried.get(model.id, 0) + 1
        runs = _slot_runs(machine, model, quant, one, demand, speed_of, quality, calibration)
        met = [r for r in runs if r.meets]
        over.append((quality[0], _why_not(demand, model.name, quant, runs, met)))
        if met:
            pick = min(met, key=lambda r: (r.servers, r.slots))
            if best is None or (pick.servers, -pick.quality_index) < (
                best.servers,
                -best.quality_index,
            ):
                best = pick
        elif runs:
            near = min(runs, key=_shortfall)
            closest = near if closest is None or _shortfall(near) < _shortfall(closest) else closest
    return TeamPlan(
        demand,
        frontier_index,
        best,
        None if best else closest,
        None if (best or closest) else no_room,
        checked,
        passed_over=tuple(words for q, words in over if best is None or q > best.quality_index)[
            :PASSED_OVER
        ],
    )


PASSED_OVER = 5  # better files the plan names with the reason it passed them over


def _why_not(
    demand: TeamDemand, name: str, quant: str, runs: list[ServerRun], met: list[ServerRun]
) -> str:
    if met:
        pick = min(met, key=lambda r: (r.servers, r.slots))
        words = f"{name} {quant}: needs {pick.servers} servers ({pick.slots} slots each)"
        misses = [r for r in pick.one_server if not r.passed]
        if misses:
            words += "; one server alone misses " + "; ".join(f"{r.name}: {r.have}" for r in misses)
        return words
    if not runs:
        return f"{name} {quant}: no slot count fits"
    near = min(runs, key=_shortfall)
    where = f"{name} {quant} ({near.estimate.placement.kind} placement)"
    need, alone = demand.workload.min_decode_tokens_per_s, near.single_decode_tokens_per_s
    if alone / DECODE_MARGIN < need:
        return (
            f"{where}: one sequence alone decodes at {alone:.1f} tokens/s "
            f"(÷ {DECODE_MARGIN:g} = {alone / DECODE_MARGIN:.1f}), below the {need:g} each user "
            "needs, however many servers"
        )
    q = near.queue
    if not q.stable:
        return (
            f"{where}: one server takes at most {q.max_arrivals_per_s * 3600:,.0f} calls an "
            f"hour with {near.slots} slots, and {q.arrivals_per_s * 3600:,.0f} arrive at the peak"
        )
    misses = [r for r in near.requirements if not r.passed]
    return f"{where} at {near.slots} slots: " + "; ".join(
        f"{r.name} {r.have}, need {r.need}" for r in misses
    )


def _shortfall(run: ServerRun) -> tuple[int, int, float]:
    return (sum(not r.passed for r in run.requirements), run.servers, run.queue.load)


def _roomier(held: NoRoom | None, new: NoRoom) -> NoRoom:
    """The file holding the longest context of the two; where neither holds any, the smaller
    one (the first on a tie: better quality)."""
    if held is None or (new.largest_context_tokens or 0) > (held.largest_context_tokens or 0):
        return new
    if not held.largest_context_tokens and not new.largest_context_tokens:
        return new if new.weights_bytes < held.weights_bytes else held
    return held


def _good_enough(catalog: Catalog, demand: TeamDemand, frontier: float | None):
    """(model, quant, (quality, % of frontier)) for files meeting the floor, best first."""
    from advisor.estimate.quant_quality import retention
    from advisor.estimate.rank import quality_for

    if not frontier:
        return []
    floor = demand.workload.quality_floor_pct
    found = []
    for model in catalog.models:
        index = quality_for(model, demand.workload.task)
        if index is None:
            continue
        for q in model.quants:
            quality = index[0] * retention(q.type).factor
            pct = quality / frontier * 100.0
            if pct >= floor:
                found.append((model, q.type, (quality, pct), q.size_bytes))
    found.sort(key=lambda f: (-f[2][0], f[3], f[0].id))
    return [(m, q, quality) for m, q, quality, _ in found]


def _slot_runs(
    machine, model, quant, one, demand, speed_of, quality, calibration
) -> list[ServerRun]:
    runs = []
    context = demand.workload.context_tokens
    for slots in SLOT_COUNTS:
        est = one if slots == 1 else _estimate(machine, model, quant, context * slots, calibration)
        if not est.fits:
            break
        run = run_on(machine, model, quant, est, demand, slots, speed_of, quality)
        runs.append(run)
        if run.meets and run.servers == 1:
            break  # more slots only share the speed further
    return runs


def _estimate(machine, model, quant, context_tokens: int, calibration) -> Estimate:
    from advisor.estimate import estimate

    return estimate(machine, model, quant, context_tokens=context_tokens, calibration=calibration)


def _no_room(model: Model, quant: str, est: Estimate, demand: TeamDemand) -> NoRoom:
    return NoRoom(
        model.id,
        model.name,
        quant,
        demand.workload.context_tokens,
        est.max_context_tokens,
        est.memory.weights_bytes,
    )


def _batched(calibration) -> BatchModelFor:
    def speed_of(machine, model, est) -> SpeedAt:
        from advisor.estimate.speed.batched import batch_model

        bm = batch_model(machine, model, est, calibration=calibration)
        return SpeedAt(bm.decode_step_s, bm.prefill_s)

    return speed_of


__all__ = ["MAX_SERVERS", "NoRoom", "TeamPlan", "plan_team"]
