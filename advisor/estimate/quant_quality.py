"""How much of a model's benchmark score survives quantization, per llama.cpp file type.

The figures come from the catalog's own per-quant table (`quant_quality:` in models.yaml, built
by scripts/catalog/quant_quality.py), its one owner. Two sourced measurements, combined:
- KL divergence from F16 for every file type, on one model (the table's `kld`: llama.cpp
  tools/perplexity/README.md, "LLaMA 3 8b Scoreboard").
- What that costs on a task score (the table's `task_retained`: Aider's quantization study,
  Qwen2.5-Coder-32B-Instruct, fp16 71.4%, Q4_K_M 66.9%, Q2_K 61.7% pass on code editing).

Loss is taken proportional to KL divergence up to Q4_K_M's (small divergences cost little),
and as a power law through the Q2_K point beyond it. No figure was measured on the model it is
applied to, and each says where it comes from (MEASURED, SCALED, EXTRAPOLATED, RULE_OF_THUMB).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from advisor.catalog.model import QuantQuality

LOSSLESS = frozenset({"F32", "F16", "BF16"})
# Where each figure comes from. The task losses were measured on Qwen2.5-Coder-32B, the
# divergences on LLaMA 3 8B: on another model than the one ranked, always.
MEASURED = "measured on another model, Qwen2.5-Coder-32B"  # a task_retained figure
SCALED = "scaled from another model's measurements"  # kld × the task loss per kld
EXTRAPOLATED = "extrapolated past another model's measurements"  # beyond Q2_K's divergence
RULE_OF_THUMB = "rule of thumb: no measurement for this type, taken as Q4_K_M"
NO_TABLE = "unknown: the catalog has no per-quant table, no loss counted"
# The two task points the divergences are scaled by (the table's rows with task_retained).
ANCHOR, STEEP = "Q4_K_M", "Q2_K"


@dataclass(frozen=True)
class QuantRetention:
    """The share of a model's full-precision score a quant type keeps, and where the figure comes
    from."""

    quant: str
    factor: float  # share of the full-precision score kept
    basis: str  # where the figure comes from, in words: MEASURED, SCALED, ... above


class QuantLosses:
    """The retention of each quant type, from one catalog's `quant_quality` table. Build one
    per catalog use (a search, a ranking): it remembers what it worked out."""

    def __init__(self, table: Sequence[QuantQuality]) -> None:
        self._rows = {row.type: row for row in table}
        self._kept: dict[str, QuantRetention] = {}
        # (kld at the anchor, task loss there, exponent, kld at the steep point) or None
        self._scale = _scale(self._rows.get(ANCHOR), self._rows.get(STEEP))

    def of(self, quant: str) -> QuantRetention:
        """The share of a model's task score `quant` keeps, and where that figure comes from."""
        q = quant.upper()
        kept = self._kept.get(q)
        if kept is None:
            kept = self._kept[q] = self._work_out(q)
        return kept

    def _work_out(self, q: str) -> QuantRetention:
        if q in LOSSLESS:
            return QuantRetention(q, 1.0, "lossless")
        if self._scale is None:
            return QuantRetention(q, 1.0, NO_TABLE)
        row = self._rows.get(q)
        if row is None:
            return QuantRetention(q, self.of(ANCHOR).factor, RULE_OF_THUMB)
        if row.task_retained is not None:
            return QuantRetention(q, row.task_retained, MEASURED)
        if row.kld is None:  # a release format (gpt-oss's MXFP4): the table's own figure
            return QuantRetention(q, row.retained, f"the table's figure ({row.measured_on})")
        kld_a, loss_a, exponent, kld_s = self._scale
        if row.kld <= kld_a:
            loss = loss_a * row.kld / kld_a
        else:
            loss = loss_a * (row.kld / kld_a) ** exponent
        basis = EXTRAPOLATED if row.kld > kld_s else SCALED
        return QuantRetention(q, max(0.0, 1.0 - loss), basis)


def _scale(
    anchor: QuantQuality | None, steep: QuantQuality | None
) -> tuple[float, float, float, float] | None:
    """How task loss follows KL divergence, from the two rows with both figures."""
    points = []
    for row in (anchor, steep):
        if row is None or row.task_retained is None or row.kld is None:
            return None
        if not (row.task_retained < 1 and row.kld > 0):
            return None
        points.append((row.kld, 1 - row.task_retained))
    (kld_a, loss_a), (kld_s, loss_s) = points
    exponent = math.log(loss_s / loss_a) / math.log(kld_s / kld_a)
    return kld_a, loss_a, exponent, kld_s


def quant_losses(table: Sequence[QuantQuality]) -> QuantLosses:
    return QuantLosses(table)
