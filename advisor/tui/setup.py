"""What the app is asked to show: the Setup that make_app builds and the workers read."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from advisor.probe.machine import Machine

if TYPE_CHECKING:
    from advisor.catalog.model import Catalog
    from advisor.catalog.scan.installed import InstalledModel
    from advisor.config import Config
    from advisor.workload import Workload

DARK, LIGHT = "textual-dark", "textual-light"


@dataclass(frozen=True)
class Setup:
    """What the app was asked to show. None means "find it out": probe, load, scan."""

    machine: Machine | None = None
    profile: str | None = None
    profiles_dir: Path | None = None
    ram_gb: float | None = None
    vram_gb: float | None = None
    catalog: Catalog | None = None
    catalog_path: Path | None = None
    workloads: tuple[Workload, ...] | None = None
    config: Config | None = None
    installed: tuple[InstalledModel, ...] | None = None  # None: scan in the background
    measure_bandwidth: bool = True
    bench_budget_s: float = 30.0
    export_dir: Path | None = None  # where the export dialog suggests saving; None: cwd
    theme: str = DARK
