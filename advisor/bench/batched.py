"""The BatchedMeasurement: what one `advisor bench --parallel` run saw, B by B.

Each point is one llama-batched-bench line (-npp P -ntg TG -npl B, prompts not shared): the
time to prefill B prompts of P tokens (T_PP) and to generate TG tokens for each of them, one
step of B tokens at a time (T_TG), with the rates S_PP = B·P/T_PP and S_TG = B·TG/T_TG.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from advisor.bench.measurement import BenchSettings, ModelFile, PlacementKind
from advisor.bench.store.codec import run_values


@dataclass(frozen=True)
class BatchPoint:
    """One number of sequences: its prefill and generation times, and the estimate's rates."""

    sequences: int
    prompt_tokens: int
    generated_tokens: int
    prefill_s: float  # T_PP
    decode_s: float  # T_TG
    estimated_prefill_tokens_per_s: float | None = None  # uncalibrated, for this B
    estimated_decode_tokens_per_s: float | None = None

    @property
    def prefill_tokens_per_s(self) -> float:
        return self.sequences * self.prompt_tokens / self.prefill_s

    @property
    def decode_tokens_per_s(self) -> float:
        """S_TG: tokens of every sequence together, per second."""
        return self.sequences * self.generated_tokens / self.decode_s

    @property
    def decode_tokens_per_s_per_sequence(self) -> float:
        return self.decode_tokens_per_s / self.sequences


@dataclass(frozen=True)
class BatchedMeasurement:
    """One `advisor bench --parallel` run of one file on one machine."""

    machine_fingerprint: str
    model: ModelFile
    settings: BenchSettings  # n_ctx: the largest B·(P+TG); n_prompt, n_gen: P and TG
    placement: PlacementKind
    sequences_asked: tuple[int, ...]  # the --parallel list, in the order it ran
    points: tuple[BatchPoint, ...]  # the B values that finished
    load_s: float
    started_at: str  # ISO 8601, UTC
    duration_s: float
    budget_s: float
    interrupted: bool = False
    peak_rss_bytes: int | None = None
    notes: tuple[str, ...] = ()
    unknown: Mapping[str, str] = field(default_factory=dict)

    @property
    def has_results(self) -> bool:
        return bool(self.points)

    def point(self, sequences: int) -> BatchPoint | None:
        return next((p for p in self.points if p.sequences == sequences), None)

    def scaling(self, sequences: int) -> float | None:
        """S_TG(B) / S_TG(1), when both ran."""
        one, this = self.point(1), self.point(sequences)
        if one is None or this is None:
            return None
        return this.decode_tokens_per_s / one.decode_tokens_per_s


def batched_to_dict(m: BatchedMeasurement) -> dict[str, Any]:
    """Every field, plus each point's rates (for `--json` and the store)."""
    data = dataclasses.asdict(m)
    data["kind"] = "parallel"
    data["model"]["identity"] = m.model.identity
    data["sequences_asked"] = list(m.sequences_asked)
    data["notes"] = list(m.notes)
    data["unknown"] = dict(m.unknown)
    data["points"] = [
        {
            **dataclasses.asdict(p),
            "prefill_tokens_per_s": p.prefill_tokens_per_s,
            "decode_tokens_per_s": p.decode_tokens_per_s,
            "decode_tokens_per_s_per_sequence": p.decode_tokens_per_s_per_sequence,
            "scaling": m.scaling(p.sequences),
        }
        for p in m.points
    ]
    return data


_POINT_FIELDS = {f.name for f in dataclasses.fields(BatchPoint)}


def batched_from_dict(data: dict[str, Any]) -> BatchedMeasurement:
    """The inverse of batched_to_dict; derived keys are ignored."""
    values = run_values(data, BatchedMeasurement)
    values["sequences_asked"] = tuple(int(b) for b in data["sequences_asked"])
    values["points"] = tuple(
        BatchPoint(**{k: v for k, v in p.items() if k in _POINT_FIELDS}) for p in data["points"]
    )
    values["notes"] = tuple(data.get("notes", ()))
    values["unknown"] = dict(data.get("unknown", {}))
    return BatchedMeasurement(**values)
