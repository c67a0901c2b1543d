"""Shared pieces for the team tests: real profiles, the real catalog, a run built by hand."""

from __future__ import annotations

from advisor.estimate import estimate
from advisor.probe import resolve_machine
from advisor.team.demand import team_demand
from advisor.team.queue import Server, Traffic, peak_queue
from advisor.team.server import ServerRun, requirements
from advisor.workload import load_workloads


def machine(profile: str):
    return resolve_machine(profile=profile)


def chat_team(users: int = 25, peak: float | None = None):
    return team_demand(load_workloads(["chat-assistant"])[0], users, peak)


def run_by_hand(profile, catalog, model_id, quant, slots, *, servers=1, context=8192):
    """A ServerRun of a real estimate; its queue comes from a plain falling decode curve (the
    engine and cost code read the slots, context, estimate and servers, not the speeds)."""
    m = machine(profile)
    model = catalog.find(model_id)
    est = estimate(m, model, quant, context_tokens=context * slots)
    demand = chat_team()
    queue = peak_queue(
        Server(slots, 3000.0, lambda b: 40.0 * b**-0.3),
        Traffic(demand.peak_calls_per_s / servers, 1500, 450),
    )
    return (
        m,
        model,
        ServerRun(
            model_id=model.id,
            model_name=model.name,
            quant=quant,
            quality_index=40.0,
            quality_pct_of_frontier=70.0,
            slots=slots,
            context_per_slot_tokens=context,
            estimate=est,
            prompt_tokens=1500,
            decode_depth_tokens=1725,
            single_decode_tokens_per_s=40.0,
            prefill_tokens_per_s=3000.0,
            servers=servers,
            queue=queue,
            requirements=requirements(demand, queue),
            average_busy_share=0.2,
        ),
    )
