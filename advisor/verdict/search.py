"""Ranking catalog models one file at a time, for searches that stop early.

The estimator's ranking (advisor.estimate.rank) is asked about single model files, so a
caller (advisor.verdict.gather) estimates only the files its search reaches. Estimates and
ranking answers are remembered for the life of the search.

The search reads brief estimates (no longest context, reasons or speed basis: what the checks
never read, and most of an estimate's cost); the few files a verdict reports are estimated
again in detail (`detailed`), with the same figures.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from advisor.estimate import estimate
from advisor.estimate.quant_quality import QuantLosses
from advisor.estimate.rank import RankedCandidate as Ranked
from advisor.estimate.rank import places, quality_for, rank_file, score_bound

if TYPE_CHECKING:
    from collections.abc import Callable

    from advisor.catalog.model import Catalog, Model, Quant
    from advisor.estimate.assemble import FitsCheck
    from advisor.estimate.cache import EstimateCache
    from advisor.estimate.calibration.values import Calibration
    from advisor.estimate.estimate import Estimate
    from advisor.estimate.speed.ceiling import DecodeCeiling, DecodeCeilings
    from advisor.estimate.speed.floor import PrefillFloor, PrefillFloors
    from advisor.probe.machine import Machine


@dataclass(frozen=True)
class Deferred:
    """A file the ranking places (it fits) whose estimate a search did not make: a bound
    showed it could change no verdict (advisor.verdict.proven). The top candidates may still
    need it: `score` is the most it could score (None: quality unknown)."""

    model: Model
    quant: Quant
    task: str
    context_tokens: int
    score: float | None


@dataclass(frozen=True)
class Files:
    """A model's files in the order a search checks them, and what it asks of them."""

    by_quality: tuple[tuple[Quant, float], ...]  # (file, retention): best quality, then largest
    smallest_first: tuple[tuple[Quant, float], ...]  # the same, reversed
    smallest: Quant | None
    roomy: bool  # some file is no larger than all the machine's memory


class OptionSearch:
    """Ranks catalog models on one machine lazily, remembering every estimate it made."""

    def __init__(
        self,
        machine: Machine,
        catalog: Catalog,
        *,
        calibration: Calibration | None = None,
        cache: EstimateCache | None = None,
        kv_type: str = "f16",
        mode: str = "dedicated",
    ) -> None:
        self.machine = machine
        self.catalog = catalog
        # What the search reads of the catalog alone, the same on every machine: shared by
        # the searches of a run (the remedies', an audit's hundreds) on catalogs alike.
        self._tables = _catalog_tables(catalog.digest)
        # what each quant type keeps
        self.losses: QuantLosses = self._shared(
            ("losses",), lambda: QuantLosses(catalog.quant_quality)
        )
        self.kv_type = kv_type
        self.mode = mode
        self._calibration = calibration
        self._cache = cache
        self._estimates: dict[tuple[str, str, int], Estimate] = {}
        self._detailed: dict[tuple[str, str, int], Estimate] = {}
        self._models: dict[str, Model] = {}
        self._order: dict[str, tuple[tuple[float, Model], ...]] = {}
        # Every file the search ranked or placed, in the order it was first asked about.
        self._single: dict[tuple[str, str, str, int], Ranked | Deferred | None] = {}
        self._floors: PrefillFloors | None = None
        self._ceilings: DecodeCeilings | None = None
        ram = machine.memory.ram_total_bytes
        # All the memory weights could sit in (RAM and discrete VRAM): a larger file does not
        # fit, and the ranking leaves it out without estimating it.
        self.room = None if ram is None else ram + (machine.total_vram_bytes or 0)
        self._files: dict[str, Files] = {}
        self._best_retention: float | None = None
        self._fits_check: FitsCheck | None = None  # assemble.fits_check on this machine

    @property
    def estimates_made(self) -> int:
        return len(self._estimates)

    def estimate(self, machine: Machine, model: Model, quant: str, *, context_tokens: int,
                 kv_type: str, mode: str, **_) -> Estimate:  # fmt: skip
        """The estimator rank_models calls: memoised, and calibrated for this machine."""
        key = (model.id, quant, context_tokens)
        found = self._estimates.get(key)
        if found is None:
            found = self._cached(machine, model, quant, context_tokens, kv_type, mode)
            self._estimates[key] = found
        return found

    def detailed(self, model: Model, quant: str, context_tokens: int) -> Estimate:
        """The file's estimate with every part, for what a verdict or a report shows."""
        key = (model.id, quant, context_tokens)
        found = self._detailed.get(key)
        if found is None:
            found = self._cached(self.machine, model, quant, context_tokens, self.kv_type,
                                 self.mode, detail=True)  # fmt: skip
            self._detailed[key] = found
        return found

    def detailed_ranked(self, ranked: Ranked) -> Ranked:
        """`ranked` (a file this search ranked) with its detailed estimate."""
        model = self._models[ranked.model_id]
        est = self.detailed(model, ranked.quant, ranked.estimate.context_tokens)
        return dataclasses.replace(ranked, estimate=est)

    def model(self, model_id: str) -> Model:
        """A model this search ranked a file of."""
        return self._models[model_id]

    def _cached(self, machine, model, quant, context_tokens, kv_type, mode,
                detail: bool = False) -> Estimate:  # fmt: skip
        if self._cache is None or mode != "dedicated":  # "now" depends on free memory
            return self._estimate(machine, model, quant, context_tokens, kv_type, mode, detail)
        tail = () if detail else ("brief",)
        found = self._cache.find(model, quant, context_tokens, kv_type, mode, *tail)
        if found is None:
            found = self._estimate(machine, model, quant, context_tokens, kv_type, mode, detail)
            key = self._cache.key(model, quant, context_tokens, kv_type, mode)
            self._cache.put((*key, *tail), found)
        return found

    def _estimate(self, machine, model, quant, context_tokens, kv_type, mode,
                  detail: bool = False) -> Estimate:  # fmt: skip
        return estimate(machine, model, quant, context_tokens=context_tokens, kv_type=kv_type,
                        mode=mode, calibration=self._calibration, detail=detail)  # fmt: skip

    def prefill_floor(self, model: Model, quant: Quant) -> PrefillFloor | None:
        """A floor on the file's prefill time here (None: none known)."""
        if self._floors is None:
            # Imported here: the speed model behind it (~50 ms of imports) is not needed by a
            # search whose estimates all come from the cache and that asks for no floor.
            from advisor.estimate.speed.floor import PrefillFloors

            self._floors = PrefillFloors(self.machine, self.mode, self._calibration)
        return self._floors.floor(model, quant)

    def decode_ceiling(self, model: Model, quant: Quant) -> DecodeCeiling | None:
        """A ceiling on the file's decode speed here (None: none known)."""
        if self._ceilings is None:
            from advisor.estimate.speed.ceiling import DecodeCeilings  # as prefill_floor

            self._ceilings = DecodeCeilings(self.machine, self.mode, self._calibration,
                                            self.kv_type)  # fmt: skip
        return self._ceilings.ceiling(model, quant)

    def files(self, model: Model) -> Files:
        """The model's files, best quality first (the retention the quant keeps, then size)."""
        found = self._files.get(model.id)
        if found is None:
            by_quality, smallest = self._shared(("files", model.id), lambda: _by_quality(
                model, self.losses))  # fmt: skip
            roomy = smallest is not None and (self.room is None or smallest.size_bytes <= self.room)
            found = Files(by_quality, tuple(reversed(by_quality)), smallest, roomy)
            self._files[model.id] = found
        return found

    def _shared(self, key: tuple, work: Callable[[], Any]) -> Any:
        """The catalog table's entry `key`, worked out by `work()` the first time."""
        found = self._tables.get(key)
        if found is None:
            found = self._tables[key] = work()
        return found

    @property
    def best_retention(self) -> float:
        """The largest share of its model's score any catalog file keeps (1 for a lossless
        one): a bound on every file's quality from its model's raw index."""
        if self._best_retention is None:
            catalog, losses = self.catalog, self.losses
            self._best_retention = self._shared(
                ("best retention",),
                lambda: max(
                    [1.0, *(losses.of(q.type).factor for m in catalog.models for q in m.quants)]
                ),
            )
        return self._best_retention

    def ordered(self, task: str) -> tuple[tuple[float, Model], ...]:
        """Models with a quality index for `task`, best raw index first."""
        if task not in self._order:
            self._order[task] = self._shared(("ordered", task), lambda: _ordered(self.catalog,
                                                                                 task))  # fmt: skip
        return self._order[task]

    def unscored(self, task: str) -> tuple[Model, ...]:
        """Models the index has no score for on `task` (quality unknown), by id."""
        return self._shared(
            ("unscored", task),
            lambda: tuple(
                sorted(
                    (m for m in self.catalog.models if quality_for(m, task) is None),
                    key=lambda m: m.id,
                )
            ),
        )

    def rank_quant(self, model: Model, quant, task: str, context_tokens: int) -> Ranked | None:
        """The ranking's candidate for one model file, or None when it leaves the file out."""
        key = (model.id, quant.type, task, context_tokens)
        if self.room is not None and quant.size_bytes > self.room:
            return None  # larger than all the machine's memory: the ranking leaves it out too
        found = self._single.get(key, self)  # self: never asked about
        if found is self or isinstance(found, Deferred):
            self._models[model.id] = model
            found = self._single[key] = rank_file(
                self.machine, model, quant, task=task, context_tokens=context_tokens,
                kv_type=self.kv_type, mode=self.mode, estimator=self.estimate,
                losses=self.losses)  # fmt: skip
        return found  # type: ignore[return-value]

    def placed(self, model: Model, quant: Quant, task: str, context_tokens: int) -> bool:
        """Whether the ranking places the file (rank_quant would not be None), answered from
        its placements alone (no speed); a file it leaves out is kept as rank_quant keeps it."""
        key = (model.id, quant.type, task, context_tokens)
        found = self._single.get(key, self)  # self: never asked about
        if found is not self:
            return found is not None
        if places(self.machine, model, quant, task=task, context_tokens=context_tokens,
                  fits=self._fits):  # fmt: skip
            return True
        if self.room is None or quant.size_bytes <= self.room:  # as rank_quant keeps it
            self._single[key] = None
        return False

    def defer(self, model: Model, quant: Quant, task: str, context_tokens: int) -> None:
        """Keep a placed file's place in `ranked`'s order without estimating it, as if
        rank_quant had been asked: `settle` estimates it if the top candidates need it."""
        key = (model.id, quant.type, task, context_tokens)
        if key in self._single:
            return  # ranked, or deferred, before
        self._models[model.id] = model
        quality = quality_for(model, task)
        score = None
        if quality is not None:
            ceiling = self.decode_ceiling(model, quant)
            top = None if ceiling is None else ceiling.tokens_per_s_at(0)
            score = score_bound(quality[0] * self.losses.of(quant.type).factor, top)
        self._single[key] = Deferred(model, quant, task, context_tokens, score)

    def _fits(self, machine: Machine, model: Model, quant: str, *, context_tokens: int) -> bool:
        """The estimate's `fits`: from the estimate cache where it has the file, else from
        the placements alone (advisor.estimate.assemble.fits)."""
        mode = self.mode
        if self._cache is not None and mode == "dedicated":
            cached = self._cache.find(model, quant, context_tokens, self.kv_type, mode, "brief")
            if cached is not None:
                return cached.fits and cached.speed is not None
        if self._fits_check is None or machine is not self.machine:
            from advisor.estimate.assemble import fits_check

            check = fits_check(machine, self.kv_type, mode)  # type: ignore[arg-type]
            if machine is not self.machine:
                return check(model, quant, context_tokens)
            self._fits_check = check
        return self._fits_check(model, quant, context_tokens)

    def ranked(self) -> list[Ranked]:
        """Every model file the ranking placed and estimated so far, at the context it was
        asked about, in the order first asked about (deferred files not yet settled left out)."""
        return [r for r in self._single.values() if r is not None and not isinstance(r, Deferred)]

    def settle(self, needed: Callable[[float | None], bool]) -> bool:
        """Estimate the deferred files whose score bound (Deferred.score) is `needed`, each in
        its place in `ranked`'s order; whether any was."""
        settled = False
        for entry in list(self._single.values()):
            if isinstance(entry, Deferred) and needed(entry.score):
                # rank_quant estimates it in its place (a dict keeps a key's first place)
                self.rank_quant(entry.model, entry.quant, entry.task, entry.context_tokens)
                settled = True
        return settled


@lru_cache(maxsize=4)
def _catalog_tables(digest: str) -> dict[tuple, Any]:
    """The tables searches on a catalog with this digest (its whole repr) share: the quant
    losses, the models by task, each model's files by quality, the best retention, filled as
    asked for (tuples, so no search can change another's). Two catalogs with one digest are
    equal, so whichever came first fills them for both."""
    del digest  # the key
    return {}


def _ordered(catalog: Catalog, task: str) -> tuple[tuple[float, Model], ...]:
    scored = [(q[0], m) for m in catalog.models if (q := quality_for(m, task))]
    return tuple(sorted(scored, key=lambda pair: (-pair[0], pair[1].id)))


def _by_quality(model: Model, losses: QuantLosses) -> tuple[tuple[tuple[Quant, float], ...],
                                                            Quant | None]:  # fmt: skip
    """The model's files, best quality first (the retention the quant keeps, then size), and
    its smallest file."""
    kept = [(q, losses.of(q.type).factor) for q in model.quants]
    kept.sort(key=lambda pair: (-pair[1], -pair[0].size_bytes))
    smallest = min(model.quants, key=lambda q: q.size_bytes) if model.quants else None
    return tuple(kept), smallest
