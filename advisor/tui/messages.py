"""Messages the thread workers post back to the UI thread: small dataclasses, one per result."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from textual.message import Message

from advisor.probe.machine import Machine
from advisor.tui.stages import ProfileChoice


@dataclass
class MachineReady(Message):
    """A machine to show. `complete` is False while the bandwidth test is still to come."""

    machine: Machine
    complete: bool = True


@dataclass
class CatalogReady(Message):
    catalog: Any  # advisor.catalog.model.Catalog (pydantic dataclass)


@dataclass
class RankingReady(Message):
    """Ranked candidates for the machine and task the worker was given."""

    ranking: Any  # advisor.estimate.rank result
    machine_name: str
    task: str | None


@dataclass
class ScanReady(Message):
    """Model files found on disk, identified against the catalog."""

    installed: Any  # tuple of advisor scan results


@dataclass
class AdviceReady(Message):
    """The verdict for the workload being edited."""

    advice: Any


@dataclass
class StageFailed(Message):
    """A background stage failed; the app says so and keeps what it already shows."""

    stage: str  # "machine", "bandwidth", "catalog", "ranking", "scan", "advice", "bench"
    message: str
    hint: str | None = None


@dataclass
class ProfilesListed(Message):
    """The machines the profile switcher offers."""

    choices: tuple[ProfileChoice, ...]
