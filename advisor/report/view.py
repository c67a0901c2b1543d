"""The report as typed values: frozen dataclasses that mirror the JSON report, for renderers.

advisor.report.view_read builds a ReportView from a report document (the live one
advisor/report/document.py builds from an Advice, or one read back from a file); the text and
markdown renderers read these fields instead of the document's string keys. The leaves are the
stages' own dataclasses (LocalCost, Check, ApiCost, Workload, TopCandidate, Measurement, ...),
as in the pydantic models of advisor/report/models.py, which stay the source of the JSON
Schema; tests/report/test_report_view.py checks that both name the same fields. Plain
dataclasses: the warm `advisor report` imports no pydantic (tests/test_startup_imports.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from advisor.advise import HardwareBasis, PlacementKind, SpeedStatus, TopCandidate
from advisor.probe.power.draw import PowerDraw
from advisor.verdict.cloud import ApiCost, SubscriptionCost
from advisor.verdict.confidence import InputBasis, Level
from advisor.verdict.economics import BreakEven
from advisor.verdict.electricity import ElectricityRate
from advisor.verdict.hybrid import HybridReason
from advisor.verdict.local import LocalCost, LocalRun
from advisor.verdict.options import Check
from advisor.verdict.remedy import Remedy
from advisor.verdict.verdict import MonthlyCosts, QualityGap, VerdictKind
from advisor.workload import Workload

if TYPE_CHECKING:  # read only when a report holds them (advisor.report.view_read)
    from advisor.bench.measurement import Measurement
    from advisor.report.team_view import TeamView


@dataclass(frozen=True)
class CpuView:
    name: str | None = None
    architecture: str | None = None
    cores: int | None = None
    threads: int | None = None
    simd: tuple[str, ...] | None = None
    base_clock_mhz: float | None = None
    max_clock_mhz: float | None = None
    memory_bandwidth_gbs: float | None = None
    memory_bandwidth_measured_gbs: float | None = None
    memory_bandwidth_measured_on: str | None = None  # the copy test's date (schema 4 on)


@dataclass(frozen=True)
class GpuView:
    name: str
    count: int = 1
    index: int | None = None
    vendor: str | None = None
    vram_gb: float | None = None
    vram_free_gb: float | None = None
    memory_bandwidth_gbs: float | None = None
    fp16_tflops: float | None = None
    unified_memory: bool | None = None
    integrated: bool | None = None
    bus_width_bits: int | None = None
    max_memory_clock_mhz: float | None = None
    compute_capability: str | None = None
    core_count: int | None = None
    power_limit_w: float | None = None
    power_draw_w: float | None = None
    tdp_w: float | None = None
    driver_version: str | None = None
    cuda_version: str | None = None
    pci_id: str | None = None
    pci_bus_id: str | None = None
    uuid: str | None = None
    serial: str | None = None


@dataclass(frozen=True)
class MachineView:
    """The machine in the hardware profile format (advisor.probe.profiles.schema.ProfileEntry)."""

    name: str
    source: str | None = None
    schema_version: int | None = None
    fingerprint: str | None = None
    origin: str | None = None
    os: str | None = None
    hostname: str | None = None
    host_id: str | None = None
    virtualization: str | None = None
    backend: str | None = None
    backend_reason: str | None = None
    unified_memory: bool | None = None
    ram_gb: float | None = None
    ram_available_gb: float | None = None
    swap_gb: float | None = None
    swap_free_gb: float | None = None
    gpu_working_set_gb: float | None = None
    disk_free_gb: float | None = None
    on_battery: bool | None = None
    inference_power_w: float | None = None
    price_usd: float | None = None
    cpu: CpuView | None = None
    gpus: tuple[GpuView, ...] = ()
    notes: tuple[str, ...] = ()
    unknown: dict[str, str] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class OptionView:
    """The local option a verdict is about: chosen, or the closest miss."""

    model_id: str
    model_name: str
    quant: str
    placement: PlacementKind
    gpu_layers: int
    fits: bool
    context_tokens: int
    memory_total_bytes: int
    speed_status: SpeedStatus
    quality_index: float | None
    quality_estimated: bool
    quality_note: str
    quality_pct_of_frontier: float | None
    decode_tokens_per_s: float | None
    prefill_tokens_per_s: float | None
    run: LocalRun | None
    power: PowerDraw
    checks: tuple[Check, ...]


@dataclass(frozen=True)
class HybridView:
    local_share: float
    reason: HybridReason
    why: str
    local_usd_per_month: float
    local: LocalCost
    cloud_usd_per_month: float
    cloud_path: str
    usd_per_month: float


@dataclass(frozen=True)
class CloudView:
    frontier: ApiCost | None
    frontier_index: float | None
    cheapest_api: ApiCost | None
    subscription: SubscriptionCost | None
    best_path: str | None
    best_usd_per_month: float | None
    notes: tuple[str, ...]
    basis: tuple[str, ...]


@dataclass(frozen=True)
class ConfidenceView:
    level: Level
    why: str
    measured: tuple[str, ...]
    estimated: tuple[str, ...]
    inputs: tuple[InputBasis, ...]


@dataclass(frozen=True)
class VerdictView:
    workload: str
    title: str
    verdict: VerdictKind
    summary: str
    reasons: tuple[str, ...]
    local_option: OptionView | None
    local_cost: LocalCost | None
    hybrid: HybridView | None
    cloud: CloudView
    costs_usd_per_month: MonthlyCosts
    quality_gap: QualityGap | None
    break_even: BreakEven
    confidence: ConfidenceView
    options_checked: int
    rule: str
    remedy: Remedy | None


@dataclass(frozen=True)
class HardwareView:
    price_usd: float | None
    lifetime_months: float
    counted: bool
    basis: HardwareBasis
    list_price_usd: float | None = None


@dataclass(frozen=True)
class InputsView:
    electricity: ElectricityRate
    hardware: HardwareView
    workloads: tuple[Workload, ...]


@dataclass(frozen=True)
class ReportView:
    """`advisor --json` as values: one machine, its measurements, candidates and verdicts."""

    schema_version: int
    kind: Literal["advisor-report"]
    advisor_version: str
    catalog_version: str
    generated_at: str
    currency: Literal["USD"]
    anonymized: bool
    machine_id: str
    machine: MachineView
    config_file: str | None
    inputs: InputsView
    measurements: tuple[Measurement, ...]
    candidates: tuple[TopCandidate, ...]
    verdicts: tuple[VerdictView, ...]
    team: tuple[TeamView, ...]
