"""The rows of the models table: a model and quant with its estimate, and how to order them."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the catalog loads in a worker; importing it here would delay first paint
    from advisor.catalog.model import Model, Quant
    from advisor.estimate.estimate import Estimate


@dataclass(frozen=True)
class ListedCandidate:
    """A model and quant the ranking considered for this machine and task."""

    model: Model
    quant: Quant | None  # None for a model left out as a whole (no quant of it fits)
    estimate: Estimate | None  # None when left out
    rank: int  # 1 is the best choice; left-out candidates come after every fitting one
    quality: float | None  # the model's index on the selected task, quant-adjusted if known
    why_left_out: str | None = None  # set for candidates the ranking would not recommend
    quality_basis: str | None = None  # how `quality` was worked out, in words
    installed: tuple[Path, ...] = ()

    @property
    def fits(self) -> bool:
        return self.estimate is not None and self.estimate.fits

    @property
    def measured(self) -> bool:
        speed = self.estimate.speed if self.estimate else None
        return speed is not None and speed.measured_decode_tokens_per_s is not None

    @property
    def key(self) -> str:
        """Stable row key: the same model and quant keep their row across re-ranking."""
        return f"{self.model.id}:{self.quant.type if self.quant else '-'}"


@dataclass(frozen=True)
class PoolUse:
    """The memory a placement leans on: bytes used there, and what that memory holds."""

    used_bytes: int
    available_bytes: int | None  # None when a device's budget is unknown
    where: str  # "GPU", "GPU + RAM" or "RAM"


def pool_use(estimate: Estimate) -> PoolUse:
    """Used against available on the devices that limit the placement.

    A model all on the GPU is limited by VRAM (or the unified working set); what it keeps in
    system RAM beside (a small output buffer) is not counted against it. A split model uses
    both pools, and a CPU model only RAM. On unified memory both budgets are parts of one
    RAM, so the larger is the limit, not their sum.
    """
    placement = estimate.placement
    shares = placement.shares
    gpus = [s for s in shares if s.device != "cpu"]
    budgets = [s.available_bytes for s in shares]
    if placement.kind == "gpu" and gpus:
        shares, where = gpus, "GPU"
        budgets = [s.available_bytes for s in gpus]
    else:
        where = "GPU + RAM" if placement.kind == "partial" else "RAM"
    used = sum(s.total_bytes for s in shares)
    if not budgets or None in budgets:
        return PoolUse(used, None, where)
    shared = placement.pool == "unified" and placement.kind != "gpu"
    available = max(budgets) if shared else sum(budgets)  # type: ignore[type-var,arg-type]
    return PoolUse(used, available, "unified memory" if shared else where)


FIT_FILTERS: tuple[str, ...] = ("all", "fits", "gpu")
FIT_FILTER_LABELS = {"all": "all models", "fits": "fits", "gpu": "fits on GPU"}


def _decode(c: ListedCandidate) -> float:
    speed = c.estimate.speed if c.estimate else None
    return speed.decode_tokens_per_s if speed else -1.0


def _prefill(c: ListedCandidate) -> float:
    speed = c.estimate.speed if c.estimate else None
    return speed.prefill_tokens_per_s if speed else -1.0


def _memory(c: ListedCandidate) -> float:
    return c.estimate.memory.total_bytes if c.estimate else float("inf")


def _context(c: ListedCandidate) -> float:
    return (c.estimate.max_context_tokens or 0) if c.estimate else -1


# Sort name -> (key, descending). "rank" is the ranking's own order: best choices first.
SORTS: dict[str, tuple[Callable[[ListedCandidate], object], bool]] = {
    "rank": (lambda c: c.rank, False),
    "decode": (_decode, True),
    "prefill": (_prefill, True),
    "quality": (lambda c: c.quality if c.quality is not None else -1.0, True),
    "memory": (_memory, False),
    "context": (_context, True),
    "name": (lambda c: c.model.name.lower(), False),
}


def matches(candidate: ListedCandidate, text: str, fit: str, task: str | None) -> bool:
    """Whether a candidate passes the text, fit and task filters."""
    if task and task not in candidate.model.tasks:
        return False
    if fit == "fits" and not candidate.fits:
        return False
    if fit == "gpu" and not (candidate.fits and candidate.estimate.placement.kind == "gpu"):
        return False
    if not text:
        return True
    quant = candidate.quant.type if candidate.quant else ""
    haystack = " ".join(
        (candidate.model.id, candidate.model.name, candidate.model.family, quant)
    ).lower()
    return all(word in haystack for word in text.lower().split())


def arrange(
    candidates: Sequence[ListedCandidate],
    *,
    text: str = "",
    fit: str = "all",
    task: str | None = None,
    sort: str = "rank",
    reverse: bool = False,
) -> list[ListedCandidate]:
    """The filtered rows in display order; ties keep the ranking's order."""
    key, descending = SORTS[sort]
    shown = [c for c in candidates if matches(c, text, fit, task)]
    shown.sort(key=lambda c: c.rank)
    shown.sort(key=key, reverse=descending != reverse)  # type: ignore[arg-type]
    return shown
