"""Number formatting shared by the markdown and text renderings of a report."""

from __future__ import annotations

from typing import TYPE_CHECKING

from advisor.units import GIB

if TYPE_CHECKING:
    from collections.abc import Mapping

    from advisor.report.view import CpuView, GpuView, ReportView, VerdictView


def usd(value: float | None) -> str:
    if value is None:
        return "n/a"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:,.2f}"


def rate(value: float | None) -> str:
    if value is None:
        return "unknown"
    return f"{value:.1f}" if value < 100 else f"{value:,.0f}"


def pct(value: float | None) -> str:
    return "unknown" if value is None else f"{value:.0f}%"


def tokens(value: float | None) -> str:
    if value is None:
        return "unknown"
    if value >= 1e6:
        return f"{value / 1e6:.2f}M"
    if value >= 1e4:
        return f"{value / 1e3:.0f}k"
    return f"{value:,.0f}"


def gib(value: float | None) -> str:
    return "unknown" if value is None else f"{value / GIB:.1f} GiB"


def hardware_line(report: ReportView) -> str:
    hw = report.inputs.hardware
    if hw.price_usd is None or hw.basis not in ("flag", "config"):
        listed = hw.list_price_usd
        text = (
            "owned: no hardware price is counted "
            "(--hardware-price USD says it is bought, and shows whether that pays back)"
        )
        if listed is not None:
            text += f"; the profile lists it at {usd(listed)} USD new"
        return text
    where = {"flag": "--hardware-price", "config": "config file"}
    text = (
        f"{usd(hw.price_usd)} USD over {hw.lifetime_months:g} months "
        f"({where.get(hw.basis, hw.basis)})"
    )
    return text + ": bought, counted in the monthly cost and the break-even"


def electricity_line(report: ReportView) -> str:
    e = report.inputs.electricity
    date = f", {e.date}" if e.date else ""
    return f"{e.usd_per_kwh:.4g} USD/kWh ({e.source}{date})"


def config_line(report: ReportView) -> str:
    path = report.config_file
    return path if path else "none (defaults and command-line flags only)"


def gib_text(value: float | None) -> str:
    """Memory in GiB as the report shows it: a probed 23.5403 reads 23.5, a profile's 24 stays
    24; unknown without a figure."""
    return f"{round(value, 1):g} GiB" if value else "unknown"


def cpu_line(cpu: CpuView | None, sources: Mapping[str, str] | None = None) -> str:
    """The CPU, its cores and its RAM bandwidth, saying whether that figure is the copy test's
    (measured, with its date: `sources` is the machine's) or the spec sheet's."""
    parts = [(cpu and cpu.name) or "unknown CPU"]
    if cpu and cpu.cores:
        parts.append(f"{cpu.cores} cores / {cpu.threads or '?'} threads")
    parts.append(bandwidth_text(cpu, sources or {}))
    return ", ".join(parts)


def bandwidth_text(cpu: CpuView | None, sources: Mapping[str, str]) -> str:
    """'83.2 GB/s (measured 2026-12-07; spec 102.4 GB/s)', '25.6 GB/s (spec)' or unknown: the
    measured figure, when there is one, is the one the estimates use."""
    spec = cpu.memory_bandwidth_gbs if cpu else None
    measured = cpu.memory_bandwidth_measured_gbs if cpu else None
    if measured:
        on = cpu.memory_bandwidth_measured_on if cpu else None
        when = f"measured {on}" if on else "measured"
        if sources.get("memory.bandwidth_measured_gbs", "") == "profile":
            when += ", per the profile"
        return f"{measured:g} GB/s ({when}" + (f"; spec {spec:g} GB/s)" if spec else ")")
    return f"{spec:g} GB/s (spec)" if spec else "bandwidth unknown"


def gpu_line(gpu: GpuView, source: str | None = None) -> str:
    """'NVIDIA GeForce RTX 4090, 24 GiB, 1010 GB/s (spec)': the bandwidth says what it is, as
    the CPU's does. `source` is the machine's for `gpus[N].memory_bandwidth_gbs`: the driver's
    bus width × memory clock, else a spec sheet's (the spec table or a profile); no GPU
    bandwidth is measured."""
    parts = [gpu.name]
    if gpu.vram_gb:
        parts.append(gib_text(gpu.vram_gb))
    if gpu.memory_bandwidth_gbs:
        derived = (source or "").startswith("nvml")
        what = "peak: bus width × memory clock" if derived else "spec"
        parts.append(f"{gpu.memory_bandwidth_gbs:g} GB/s ({what})")
    return ", ".join(parts)


def gpu_bandwidth_source(sources: Mapping[str, str], position: int) -> str | None:
    """Where the report's GPU at `position` got its bandwidth figure."""
    return sources.get(f"gpus[{position}].memory_bandwidth_gbs")


def verdict_word(kind: str) -> str:
    return {"local": "LOCAL", "hybrid": "HYBRID", "cloud": "CLOUD", "not_viable": "NOT VIABLE"}[
        kind
    ]


def local_usd(v: VerdictView) -> float | None:
    """What the verdict's local path costs a month: the hybrid one's, when hybrid."""
    c = v.costs_usd_per_month
    return c.hybrid if v.verdict == "hybrid" else c.local


def option_name(v: VerdictView) -> str:
    opt = v.local_option
    return f"{opt.model_name} {opt.quant}" if opt else "none fits"


def cost_rows(v: VerdictView) -> list[tuple[str, str, str]]:
    """(path, USD a month, note) for every priced path of one verdict."""
    c, cloud, rows = v.costs_usd_per_month, v.cloud, []
    local = v.local_cost
    if c.local is not None and local is not None:
        busy = f"{local.busy_hours_per_day:.2f} h/day busy"
        if local.idle_hours_per_day:
            busy += f" + {local.idle_hours_per_day:.2f} h idle"
        busy += f", {local.kwh_per_month:.1f} kWh"
        rows.append(("local: electricity", usd(c.local_electricity), busy))
        if c.local_hardware is not None:
            rows.append(("local: hardware share", usd(c.local_hardware), "amortised"))
        rows.append(("local: total", usd(c.local), ""))
    h = v.hybrid
    if h is not None:
        rows.append(("hybrid", usd(c.hybrid),
                     f"{h.local_share:.0%} local, the rest on {h.cloud_path}"))  # fmt: skip
    sub = cloud.subscription
    if sub is not None:
        rows.append((f"subscription: {sub.product} {sub.plan} × {sub.seats}",
                     usd(c.subscription), f"prices of {sub.price_date}"))  # fmt: skip
    for api, label in ((cloud.cheapest_api, "API, cheapest meeting the floor"),
                       (cloud.frontier, "API, frontier")):  # fmt: skip
        if api is not None:
            note = f"{api.usd_per_mtok:.3g} USD/Mtok blended; prices of {api.price_date}"
            rows.append((f"{label}: {api.name}", usd(api.usd_per_month), note))
    return rows
