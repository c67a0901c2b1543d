"""Messages the thread workers post back to the UI thread: small dataclasses, one per result."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual.message import Message

from advisor.probe.machine import Machine
from advisor.tui.candidates import ListedCandidate
from advisor.tui.stages import ProfileChoice

if TYPE_CHECKING:
    from advisor.advise import Advice
    from advisor.catalog.model import Catalog
    from advisor.catalog.scan.installed import InstalledModel
    from advisor.config import Config
    from advisor.verdict.staleness import StaleFact
    from advisor.workload import Workload


@dataclass
class MachineReady(Message):
    """A machine to show. `complete` is False while the bandwidth test is still to come."""

    machine: Machine
    complete: bool = True


@dataclass
class CatalogReady(Message):
    catalog: Catalog


@dataclass
class WorkloadsReady(Message):
    """The workload presets and the config file's prices and defaults."""

    workloads: tuple[Workload, ...]
    config: Config


@dataclass
class ScanReady(Message):
    """Model files found on disk, identified against the catalog."""

    installed: tuple[InstalledModel, ...]


@dataclass
class RankingReady(Message):
    """The table's rows for the machine, task and context the worker was given."""

    rows: tuple[ListedCandidate, ...]
    machine: Machine
    task: str
    context_tokens: int


@dataclass
class AdviceReady(Message):
    """The verdict for the workload being edited, and the old prices and scores it used."""

    advice: Advice
    workload: Workload
    stale: tuple[StaleFact, ...] = ()


@dataclass
class ProfilesListed(Message):
    """The machines the profile switcher offers."""

    choices: tuple[ProfileChoice, ...]


@dataclass
class StageFailed(Message):
    """A background stage failed; the app says so and keeps what it already shows."""

    stage: str  # "machine", "bandwidth", "catalog", "ranking", "scan", "advice", "export", ...
    message: str
    hint: str | None = None
