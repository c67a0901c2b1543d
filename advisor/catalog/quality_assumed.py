"""A user's own score for a model the index has none for (`--quality MODEL=SCORE`).

Mistral 7B v0.3, Qwen2.5, Gemma 2 and any GGUF file added with --model have no Artificial
Analysis score. A user who has judged one (their own evaluation, a comparison they trust) can
state its score on the index the catalog's other scores are on; the model is then judged like
a scored one, and every format prints the score as the user's assumption (the score's source),
never as a published figure. The score is on the intelligence index only: a coding workload,
judged on the coding index alone (advisor.estimate.rank.quality_for), still finds the model's
quality unknown. A model with a published score takes no assumption: two figures for one model
would be two answers.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from advisor.errors import UsageError

if TYPE_CHECKING:
    from advisor.catalog.model import Catalog, Model, Quality

FLAG = "--quality"
_SPEC = re.compile(r"^\s*([^=\s][^=]*?)\s*=\s*([0-9]+(?:\.[0-9]+)?)\s*$")


@dataclasses.dataclass(frozen=True)
class QualityAssumption:
    """`score` on the catalog's intelligence index for the model `model_id`, as the user
    assumes it."""

    model_id: str
    score: float

    @property
    def flag(self) -> str:
        return f"{FLAG} {self.model_id}={self.score:g}"


def parse_quality(text: str) -> QualityAssumption:
    """'mistral-7b-instruct-v0.3=20' -> QualityAssumption; a UsageError says what is wrong."""
    form = (
        f"expected {FLAG} MODEL=SCORE, SCORE above 0 and at most 100 "
        "(e.g. mistral-7b-instruct-v0.3=20)"
    )
    match = _SPEC.match(text)
    if match is None:
        raise UsageError(f"{FLAG} {text!r}: {form}")
    model, score = match.groups()
    value = float(score)
    if not 0 < value <= 100:
        raise UsageError(f"{FLAG} {text!r}: the score must be above 0 and at most 100; {form}")
    return QualityAssumption(model.strip().lower(), value)


def with_assumed_quality(catalog: Catalog, assumptions: Sequence[QualityAssumption]) -> Catalog:
    """The catalog with each named model scored at the user's assumption. A model the catalog
    does not have, one with a published score, or one named twice is refused (UsageError)."""
    if not assumptions:
        return catalog
    reference = _reference(catalog)
    unscored = sorted(m.id for m in catalog.models if m.quality is None)
    hint = f"models with no score: {', '.join(unscored[:12]) or 'none'}"
    if len(unscored) > 12:
        hint += f" and {len(unscored) - 12} more (`advisor models` ranks them as quality unknown)"
    chosen: dict[str, tuple[QualityAssumption, Model]] = {}
    for item in assumptions:
        model = catalog.find(item.model_id)
        if model is None:
            raise UsageError(f"{FLAG}: no model {item.model_id!r} in the catalog", hint=hint)
        if model.quality is not None:
            raise UsageError(
                f"{FLAG}: {model.name} ({model.id}) has a published score "
                f"({model.quality.source}); only a model with none takes an assumption",
                hint=hint,
            )
        if model.id in chosen:
            raise UsageError(f"{FLAG}: {model.id} is given twice")
        chosen[model.id] = (item, model)
    models = tuple(
        _scored(m, chosen[m.id][0], reference) if m.id in chosen else m for m in catalog.models
    )
    return dataclasses.replace(catalog, models=models)


def _reference(catalog: Catalog) -> Quality:
    """A published score whose scale and snapshot the user's score is taken on: the newest
    snapshot (the catalog keeps one scale; advisor.catalog.lint checks it)."""
    scored = [m.quality for m in catalog.models if m.quality is not None and m.quality.scale]
    if not scored:
        raise UsageError(f"{FLAG}: the catalog has no scored model to put a score beside")
    return max(scored, key=lambda q: q.snapshot_date)


def _scored(model: Model, item: QualityAssumption, reference: Quality) -> Model:
    from advisor.catalog.model import Quality

    quality = Quality(
        source=f"the user's assumption ({item.flag})",
        snapshot_date=reference.snapshot_date,
        intelligence_index=item.score,
        index_name=reference.index_name,
        index_version=reference.index_version,
        assumed_by=item.flag,
    )
    return dataclasses.replace(model, quality=quality)
