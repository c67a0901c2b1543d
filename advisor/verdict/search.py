"""Finding the local options a verdict needs without estimating the whole catalog.

The estimator's ranking (advisor.estimate.rank) scores a model at most its raw quality index
(the quant and speed factors are at most 1). So models are ranked in batches, best raw index
first, and the search stops as soon as no model left could beat what it already has: the
result is the same as ranking everything, for a fraction of the estimates.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import TYPE_CHECKING

from advisor.estimate.rank import Candidate as Ranked
from advisor.estimate.rank import quality_for, rank_models

if TYPE_CHECKING:
    from advisor.catalog.model import Catalog, Model
    from advisor.estimate.estimate import Estimate
    from advisor.probe.machine import Machine

BATCH_MODELS = 4  # models ranked per step: few, so the search can stop early


class OptionSearch:
    """Ranks catalog models on one machine lazily, remembering every estimate it made."""

    def __init__(
        self,
        machine: Machine,
        catalog: Catalog,
        *,
        estimator: Callable[..., Estimate] | None = None,
        calibration=None,
        kv_type: str = "f16",
        mode: str = "dedicated",
    ) -> None:
        self.machine = machine
        self.catalog = catalog
        self.kv_type = kv_type
        self.mode = mode
        self._estimator = estimator
        self._calibration = calibration
        self._estimates: dict[tuple[str, str, int], Estimate] = {}
        self._order: dict[str, list[tuple[float, Model]]] = {}

    @property
    def estimates_made(self) -> int:
        return len(self._estimates)

    def estimate(self, machine: Machine, model: Model, quant: str, *, context_tokens: int,
                 kv_type: str, mode: str, **_) -> Estimate:  # fmt: skip
        """The estimator rank_models calls: memoised, and calibrated for this machine."""
        key = (model.id, quant, context_tokens)
        found = self._estimates.get(key)
        if found is None:
            found = self._estimate(machine, model, quant, context_tokens, kv_type, mode)
            self._estimates[key] = found
        return found

    def _estimate(self, machine, model, quant, context_tokens, kv_type, mode) -> Estimate:
        estimate = self._estimator
        if estimate is None:
            from advisor.estimate import estimate
        return estimate(machine, model, quant, context_tokens=context_tokens, kv_type=kv_type,
                        mode=mode, calibration=self._calibration)  # fmt: skip

    def ordered(self, task: str) -> list[tuple[float, Model]]:
        """Models with a quality index for `task`, best raw index first."""
        if task not in self._order:
            scored = [(q[0], m) for m in self.catalog.models if (q := quality_for(m, task))]
            self._order[task] = sorted(scored, key=lambda pair: (-pair[0], pair[1].id))
        return self._order[task]

    def batches(self, task: str) -> list[list[tuple[float, Model]]]:
        """Groups of BATCH_MODELS (raw index, model), best first."""
        pool = self.ordered(task)
        return [pool[i : i + BATCH_MODELS] for i in range(0, len(pool), BATCH_MODELS)]

    def rank(self, models: list[Model], task: str, context_tokens: int, *,
             all_quants: bool) -> tuple[Ranked, ...]:  # fmt: skip
        sub = dataclasses.replace(self.catalog, models=tuple(models))
        ranking = rank_models(self.machine, sub, task=task, context_tokens=context_tokens,
                              all_quants=all_quants, kv_type=self.kv_type, mode=self.mode,
                              estimator=self.estimate)  # fmt: skip
        return ranking.candidates

    def top(self, task: str, context_tokens: int, count: int) -> tuple[Ranked, ...]:
        """rank_models' first `count` candidates (best quant of each model), found lazily."""
        found: list[Ranked] = []
        if count <= 0:
            return ()
        for batch in self.batches(task):
            if len(found) >= count and batch[0][0] < found[count - 1].score:
                break
            found.extend(self.rank([m for _, m in batch], task, context_tokens, all_quants=False))
            found.sort(key=lambda c: (-c.score, -c.decode_tokens_per_s, c.model_id))
        return tuple(found[:count])
