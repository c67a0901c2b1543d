"""The team plan in words: text for a terminal and markdown, from the typed TeamAdvice."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from advisor.units import GIB

if TYPE_CHECKING:
    from advisor.team.advice import TeamAdvice
    from advisor.team.costs import Comparison, ServerCosts
    from advisor.team.server import ServerRun

Section = tuple[str, list[str]]


def team_sections(advice: TeamAdvice) -> list[Section]:
    """(heading, lines) in the order a reader acts on them."""
    sections = [("Demand", _demand(advice))]
    run = advice.plan.choice
    if run is None:
        sections.append(("Plan", _no_plan(advice)))
        return sections + [("Notes", list(advice.notes))]
    sections += [
        ("Plan", _plan(advice, run)),
        ("At the peak hour", _peak(run)),
    ]
    if advice.costs is not None and advice.comparison is not None:
        sections.append(("Monthly cost (USD)", _costs(advice.costs)))
        sections.append(("Against seats and APIs (USD a month)", _against(advice.comparison)))
    sections.append(("Run it", _commands(advice)))
    return sections + [("Notes", list(advice.notes))]


def title(advice: TeamAdvice) -> str:
    d = advice.demand
    return f"Shared server for {d.users} people: {d.workload.title} on {advice.machine_name}"


def headline(advice: TeamAdvice) -> str:
    run = advice.plan.choice
    if run is None:
        return "no plan: " + (_no_plan(advice)[0] if _no_plan(advice) else "nothing fits")
    servers = "one server suffices" if run.servers == 1 else f"{run.servers} servers are needed"
    text = (
        f"{run.model_name} {run.quant}, {run.slots} slots × {run.context_per_slot_tokens:,} "
        f"tokens: {servers}"
    )
    if advice.comparison is not None:
        text += f"; {advice.comparison.headline}"
    return text


def _demand(advice: TeamAdvice) -> list[str]:
    d = advice.demand
    w = d.workload
    calls = w.calls_per_day
    return [
        f"{d.users} people, {w.requests_per_day / d.users:g} requests a day each "
        f"({calls:,.0f} model calls a day) over {w.hours_per_day:g} h, "
        f"{w.days_per_week:g} days a week",
        f"average {d.average_calls_per_s * 3600:,.0f} calls an hour; peak hour × "
        f"{d.peak_factor:g} = {d.peak_calls_per_s * 3600:,.0f} calls an hour "
        f"({d.peak_calls_per_s:.3f}/s)",
        f"each call: {w.input_tokens_per_request:,} tokens in, {w.output_tokens_per_request:,} "
        f"out; needs first token within "
        + (
            "no limit"
            if w.max_time_to_first_token_s is None
            else f"{w.max_time_to_first_token_s:g} s"
        )
        + f", {w.min_decode_tokens_per_s:g} tokens/s per user, quality ≥ "
        f"{w.quality_floor_pct:g}% of the frontier",
    ]


def _plan(advice: TeamAdvice, run: ServerRun) -> list[str]:
    est = run.estimate
    servers = "1 server" if run.servers == 1 else f"{run.servers} servers behind a load balancer"
    return [
        f"{run.model_name} ({run.model_id}) {run.quant}, {run.slots} parallel slots × "
        f"{run.context_per_slot_tokens:,} tokens of context each, on {servers}",
        f"placement: {est.placement.kind}, -ngl {est.placement.gpu_layers}, "
        f"{est.memory.total_bytes / GIB:.1f} GiB in all",
        f"quality: {run.quality_index:.1f} = {run.quality_pct_of_frontier:.0f}% of the frontier "
        f"(floor {advice.demand.workload.quality_floor_pct:g}%)",
        f"chosen by: {advice.plan.rule} ({advice.plan.files_checked} "
        f"file{'' if advice.plan.files_checked == 1 else 's'} checked)",
        *[f"passed over: {words}" for words in advice.plan.passed_over],
    ]


def _peak(run: ServerRun) -> list[str]:
    q = run.queue
    lines = [
        f"time to first token: median {_s(q.ttft_p50_s)}, p95 {_s(q.ttft_p95_s)}",
        f"decode per user: median {q.decode_p50_tokens_per_s:.1f}, p5 "
        f"{q.decode_p5_tokens_per_s:.1f} tokens/s",
        f"per server: {q.arrivals_per_s * 3600:,.0f} calls an hour, {q.load:.0%} of the "
        f"{q.max_arrivals_per_s * 3600:,.0f} its slots can take; all slots busy for "
        f"{q.wait_probability:.0%} of arrivals; {q.prefill_share:.0%} of the time prefilling",
        f"one sequence alone: decode {run.single_decode_tokens_per_s:.1f} tokens/s at depth "
        f"{run.decode_depth_tokens:,.0f}, prefill {run.prefill_tokens_per_s:,.0f} tokens/s "
        f"({run.prompt_tokens:,.0f} tokens a call); batched estimate, queue model",
    ]
    for req in run.requirements:
        mark = "ok  " if req.passed else "MISS"
        lines.append(f"{mark} {req.name}: {req.have} (need {req.need})")
    return lines


def _costs(c: ServerCosts) -> list[str]:
    if c.hardware_usd_per_month is None:
        hw = "hardware: excluded (no price given; pass --hardware-price USD)"
        if c.list_price_usd is not None:
            hw += f"; list price {c.list_price_usd:,.0f} USD a server (profile), not counted"
    else:
        hw = (
            f"hardware: {c.hardware_usd_per_month:,.2f} ({c.hardware_price_usd:,.0f} USD over "
            f"{c.lifetime_months:g} months; price from {c.hardware_basis})"
        )
    idle = (
        f" + idle {c.idle_watts:.0f} W for the rest of {c.on_hours_per_day:g} h on"
        if c.idle_watts is not None
        else f"; {c.idle_source}"
    )
    return [
        hw,
        f"electricity: {c.electricity_usd_per_month:,.2f} ({c.kwh_per_month:,.1f} kWh: "
        f"{c.busy_hours_per_day:.1f} h busy a working day × {c.load_watts:.0f} W{idle})",
        f"power: {c.power_source}",
        f"hosting: {c.hosting_usd_per_month:,.2f}",
        f"total: {c.usd_per_month:,.2f} for {c.servers} server{'s' if c.servers > 1 else ''}",
    ]


def _against(cmp: Comparison) -> list[str]:
    lines = []
    for plan in cmp.seats:
        covered = "replaced" if plan in cmp.replaced else "kept (not this task)"
        lines.append(
            f"seats: {plan.count} × {plan.label} at {plan.usd_per_seat:,.2f} = "
            f"{plan.usd_per_month:,.2f} (price {plan.price_date}); {covered}"
        )
    if cmp.subscription_label:
        lines.append(
            f"cheapest plan covering the team: {cmp.subscription_label} = "
            f"{cmp.subscription_usd_per_month:,.2f}"
        )
    if cmp.api_label:
        lines.append(
            f"cheapest API meeting the floor, at the team's volume: {cmp.api_label} = "
            f"{cmp.api_usd_per_month:,.2f}"
        )
    if cmp.payback_months is not None:
        lines.append(f"payback against the seats: {cmp.payback_months:,.1f} months")
    if cmp.other_tasks:
        lines.append(
            f"the seats also serve {', '.join(cmp.other_tasks)}: this server takes over only "
            "this workload, so plan the others too (--workload) before giving the seats up"
        )
    lines.append(cmp.headline)
    return lines


def _commands(advice: TeamAdvice) -> list[str]:
    lines = []
    for config in advice.configs:
        lines.append(f"{config.engine}:")
        lines += [f"  $ {command}" for command in config.commands]
        lines += [f"    {line}" for line in config.memory]
        lines += [f"    note: {note}" for note in config.notes]
    return lines + list(advice.scale_out)


def _no_plan(advice: TeamAdvice) -> list[str]:
    plan = advice.plan
    if plan.closest is not None:
        run = plan.closest
        lines = [
            f"no file meets the peak hour even on {_max_servers()} servers; the closest is "
            f"{run.model_name} {run.quant} with {run.slots} slot{'s' if run.slots > 1 else ''}"
        ]
        if not run.queue.stable:
            q = run.queue
            lines.append(
                f"one such server takes at most {q.max_arrivals_per_s * 3600:,.1f} calls an "
                f"hour, and {q.arrivals_per_s * 3600:,.1f} arrive at the peak"
            )
        else:
            lines += [
                f"MISS {r.name}: {r.have} (need {r.need})" for r in run.requirements if not r.passed
            ]
        return lines + [f"passed over: {words}" for words in plan.passed_over]
    room = plan.no_room
    if room is None:
        return ["no catalog model meets the quality floor for this task"]
    largest = room.largest_context_tokens
    fits = (
        f"the largest context that fits is {largest:,} tokens"
        if largest
        else f"not even its {room.weights_bytes / GIB:,.1f} GiB of weights fit"
    )
    return [
        f"this server's memory cannot hold one slot of {room.context_needed_tokens:,} tokens of "
        f"any model good enough; {room.model_name} {room.quant}: {fits}",
        *advice.scale_out,
    ]


def _max_servers() -> int:
    from advisor.team.server import MAX_SERVERS

    return MAX_SERVERS


def _s(value: float) -> str:
    return "never" if math.isinf(value) else f"{value:.1f} s"


def render_team_text(advice: TeamAdvice) -> str:
    out = [title(advice), "  " + headline(advice), ""]
    for heading, lines in team_sections(advice):
        out.append(heading)
        out += [f"  {line}" for line in lines]
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def render_team_markdown(advice: TeamAdvice) -> str:
    out = [f"# {title(advice)}", "", f"**{headline(advice)}**", ""]
    for heading, lines in team_sections(advice):
        out += [f"## {heading}", ""]
        for line in lines:
            if line.startswith("  $ "):
                out += ["```sh", line[4:], "```"]
            else:
                out.append(f"- {line.strip()}")
        out.append("")
    return "\n".join(out).rstrip() + "\n"
