"""Builders for verdict tests: a small priced catalog, machines, speeds and estimates."""
# A module of its own (not conftest.py): test modules import these by name.

from __future__ import annotations

from advisor.catalog.cloud_offers import ApiModel, Cloud, ElectricityPrice, Subscription
from advisor.catalog.model import Catalog, Source
from advisor.estimate.estimate import Estimate
from advisor.estimate.memory import MemoryBreakdown
from advisor.estimate.placement import DeviceShare, Placement
from advisor.estimate.speed.figures import Figure, Speed
from advisor.files.strict import validate
from advisor.probe.machine import Cpu, Gpu, Machine, SystemMemory
from advisor.probe.power.draw import PowerDraw
from advisor.units import GIB
from advisor.verdict.options import LocalCandidate
from advisor.workload import Workload

SRC = "test-prices"


def api(id: str, i: float, o: float, *, cached: float | None = None, index: float | None = None,
        coding: float | None = None, frontier: bool = False, open_weights: bool = False,
        context: int | None = 200_000, catalog_model: str | None = None) -> ApiModel:  # fmt: skip
    return ApiModel(
        id=id, vendor="v-" + id, name=id.upper(), input_usd_per_mtok=i, output_usd_per_mtok=o,
        source=SRC, date="2026-11", cached_input_usd_per_mtok=cached, context_tokens=context,
        intelligence_index=index, coding_index=coding, frontier=frontier,
        open_weights=open_weights, catalog_model=catalog_model,
    )  # fmt: skip


def plan(id: str, price: float, per_day: float | None, *, tasks=("chat", "coding"),
         api_access: bool = False, min_seats: int = 1) -> Subscription:  # fmt: skip
    return Subscription(
        id=id, vendor="vendor", product="Product", plan=id, price_usd_per_month=price,
        tasks=tasks, limits="as published", requests_per_day=per_day,
        limits_basis="test reading", source=SRC, date="2026-10", min_seats=min_seats,
        api_access=api_access,
    )  # fmt: skip


def make_catalog(apis=None, plans=None) -> Catalog:
    apis = apis if apis is not None else [
        api("frontier", 5, 25, cached=0.5, index=60, coding=77, frontier=True),
        api("mid", 0.75, 4.5, cached=0.075, index=40, coding=56),
        api("open-host", 0.1, 0.4, index=30, coding=40, open_weights=True),
        api("tiny", 0.05, 0.1, index=10, coding=8, context=32_000),
    ]  # fmt: skip
    plans = plans if plans is not None else [
        plan("free", 0, 10), plan("plus", 20, 80), plan("pro", 200, 1000),
        plan("team", 25, 100, min_seats=2, api_access=False),
    ]  # fmt: skip
    return Catalog(
        schema_version=1,
        catalog_version="test",
        sources={SRC: Source(title="test price sheet", date="2026-11")},
        models=(),
        cloud=Cloud(
            subscriptions=tuple(plans),
            api_models=tuple(apis),
            electricity=(
                ElectricityPrice(region="us", usd_per_kwh=0.2, source=SRC, date="2026-04"),
            ),
        ),
    )


def make_workload(**over) -> Workload:
    base = dict(
        name="w", title="W", task="chat", access="interactive", requests_per_day=100,
        input_tokens_per_request=1000, output_tokens_per_request=200, context_tokens=8192,
        min_decode_tokens_per_s=10, max_time_to_first_token_s=3, concurrency=1,
        hours_per_day=8, quality_floor_pct=50, days_per_week=7,
    )  # fmt: skip
    base.update(over)
    return validate(Workload, base)


def make_speed(decode=50.0, prefill=1000.0, *, depth_decode=0.0, depth_prefill=0.0,
               spread=0.2) -> Speed:  # fmt: skip
    return Speed(
        decode_tokens_per_s=decode,
        prefill_tokens_per_s=prefill,
        decode_range=(decode * (1 - spread), decode * (1 + spread)),
        prefill_range=(prefill * (1 - spread), prefill * (1 + spread)),
        basis=(Figure("test", 1.0, "assumed", "test"),),
        decode_s_per_token_per_depth=depth_decode,
        prefill_s_per_token_per_depth=depth_prefill,
    )


def make_estimate(speed: Speed | None, *, fits=True, context=8192, gib=10.0) -> Estimate:
    weights = int(gib * GIB * 0.8)
    rest = int(gib * GIB) - weights
    share = DeviceShare("gpu0", 33, weights, rest, 0, 0, 24 * GIB)
    return Estimate(
        model_id="m", quant="Q4_K_M", context_tokens=context, kv_type="f16", mode="dedicated",
        backend="cuda", memory=MemoryBreakdown(weights, rest, 0, 0),
        placement=Placement("gpu", 33, 33, False, "vram", "dedicated", (share,)),
        fits=fits, max_context_tokens=context if fits else None, speed=speed if fits else None,
    )  # fmt: skip


POWER = PowerDraw(500.0, "spec", "test figure")


def make_candidate(quality=40.0, speed=None, *, fits=True, name="Model", quant="Q4_K_M",
                   status="estimated", power=POWER) -> LocalCandidate:  # fmt: skip
    return LocalCandidate(
        model_id=name.lower(), model_name=name, quant=quant, quality_index=quality,
        quality_note=f"index {quality}", estimate=make_estimate(speed or make_speed(), fits=fits),
        speed_status=status, power=power,
    )  # fmt: skip


def make_machine(**over) -> Machine:
    base = dict(
        name="box", origin="profile:test", os="linux",
        cpu=Cpu("Test CPU", "x86_64", 8, 16),
        memory=SystemMemory(64 * GIB, 60 * GIB),
        gpus=(), backend="cpu",
    )  # fmt: skip
    base.update(over)
    return Machine(**base)


def make_gpu(name="NVIDIA GeForce RTX 4090", vram_gib=24, **over) -> Gpu:
    base = dict(
        index=0, name=name, vendor="nvidia", vram_total_bytes=vram_gib * GIB,
        vram_free_bytes=vram_gib * GIB, memory_bandwidth_gbs=1008, fp16_tflops=82.6,
    )  # fmt: skip
    base.update(over)
    return Gpu(**base)
