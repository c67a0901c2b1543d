"""What a first advise() needs that does not depend on the machine, done ahead while it waits.

A first report waits for the memory copy test before advise() can start (every CPU estimate
reads the figure): its child allocates the test's buffers while the run loads the catalog and
workloads, and the run then waits for the child, idle (docs/startup.md). advise() then imports
the estimator, the verdicts, the remedy search and their tables (~48 ms CPU on a first report,
2026-12-07, shared 2-core machine), hashes the catalog for its cache keys (~5 ms) and reads the
shipped table of the catalog files' tensor sums (~8 ms): none of it reads the machine.
`prepare` does that work in the wait instead, one step at a time, and stops as soon as the
child's buffers are ready, so the timed copies still start when they would have and still run
alone; whatever it did not reach advise() does as before. The same modules, the same values:
only the time they are made at moves.
"""

from __future__ import annotations

import functools
import importlib
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from advisor.catalog.model import Catalog, Model
    from advisor.probe.machine import Machine
    from advisor.workload import Workload

# The modules a first advise() imports beyond what importing advisor.advise does, those that
# import others after what they import, so that each step is short (a few ms) and the wait ends
# soon after the child is ready. tests/test_advice_ahead.py fails when advise() imports one
# that is not here.
FIRST_IMPORTS = (
    "advisor.catalog.tensors.quant_bytes",
    "advisor.catalog.tensors.recipes",
    "advisor.catalog.tensors.layout",
    "advisor.estimate.kv",
    "advisor.estimate.speed.load",
    "advisor.estimate.calibration.values",
    "advisor.estimate.calibration.apply",
    "advisor.estimate.footprint",
    "advisor.estimate.fit_sums",
    "advisor.estimate.fit",
    "advisor.estimate.speed.predict",
    "advisor.estimate.assemble",
    "advisor.estimate.speed.model",
    "advisor.estimate.speed.devices",
    "advisor.estimate.speed.floor",
    "advisor.estimate.speed.ceiling",
    "advisor.estimate.rank",
    "advisor.verdict.bounds",
    "advisor.verdict.search",
    "advisor.verdict.lean",
    "advisor.verdict.gather",
    "advisor.verdict.candidates",
    "advisor.verdict.decide",
    "advisor.verdict.power_for",
    "advisor.verdict.reach",
    "advisor.probe.power.figures",
    "advisor.files.locks",
    "advisor.estimate.cache",
    "advisor.advice_cache",
    "advisor.probe.profiles.build",
    "advisor.probe.profiles.serialize",
    "advisor.probe.profiles.plain",
    "advisor.probe.specs.upgrades",
    "advisor.remedies",
    "advisor.remedies_ahead",
)


def prepare(catalog: Catalog, ready: Callable[[], bool], machine: Machine | None = None,
            workloads: Sequence[Workload] = ()) -> None:  # fmt: skip
    """Import what a first advise() will, hash `catalog` for its cache keys, read the shipped
    file sums and work out what a search reads of each model's files (those no larger than
    all of `machine`'s memory, in the order a search of `workloads` reaches the models), until
    `ready()` says the copy test's child is ready (asked before each step)."""
    from advisor.files.disk_cache import no_cycle_collection

    room = None
    if machine is not None and machine.memory.ram_total_bytes is not None:
        room = machine.memory.ram_total_bytes + (machine.total_vram_bytes or 0)
    with no_cycle_collection():  # as in advise(): the modules' objects make no cycles to find
        for step in _steps(catalog, workloads, machine, room):
            if ready():
                return
            step()


def _steps(catalog: Catalog, workloads: Sequence[Workload], machine: Machine | None,
           room: int | None) -> Iterator[Callable[[], object]]:  # fmt: skip
    for name in FIRST_IMPORTS:
        yield functools.partial(importlib.import_module, name)
    yield lambda: catalog.digest  # kept on the catalog (a cached property)
    # The table of every catalog file's tensor sums (~8 ms CPU to parse, 2026-12-07), which a
    # first search reads at its first file: kept for the process
    from advisor.catalog.tensors.file_sums import read_table

    yield read_table
    # The stamps of the code the advice and remedy caches are keyed by (~3 ms), the cloud
    # paths of the workloads (~3-5 ms) and the search's tables of the catalog (each model's
    # files by quality, the models by quality index: ~2-3 ms), kept for the run
    from advisor import advice_cache, remedies
    from advisor.verdict.cloud_prices import CloudPrices

    yield advice_cache.code_stamp
    yield remedies.code_stamp
    prices = CloudPrices(catalog, shared=True)
    for workload in workloads:
        yield functools.partial(prices.costs, workload)
    if machine is not None:
        yield functools.partial(_search_tables, catalog, workloads, machine)
    for model in _search_order(catalog, workloads):
        yield functools.partial(_file_facts, model, room)


def _search_tables(catalog: Catalog, workloads: Sequence[Workload], machine: Machine) -> None:
    """The tables every search on `catalog` shares (advisor.verdict.search._catalog_tables),
    as a search of `workloads` reads them."""
    from advisor.verdict.search import OptionSearch

    search = OptionSearch(machine, catalog)
    for task in dict.fromkeys(w.task for w in workloads):
        search.ordered(task)
        search.unscored(task)
    for model in catalog.models:
        search.files(model)
    search.best_retention  # noqa: B018 - kept in the shared tables


def _search_order(catalog: Catalog, workloads: Sequence[Workload]) -> Iterator[Model]:
    """The catalog's models, those a search of `workloads` checks first (best quality index
    for each one's task, as advisor.verdict.search orders them) first."""
    from advisor.estimate.rank import quality_for

    seen: dict[str, Model] = {}
    for task in dict.fromkeys(w.task for w in workloads):
        scored = [(q[0], m) for m in catalog.models if (q := quality_for(m, task))]
        for _, model in sorted(scored, key=lambda pair: (-pair[0], pair[1].id)):
            seen.setdefault(model.id, model)
    for model in catalog.models:
        seen.setdefault(model.id, model)
    return iter(seen.values())


def _file_facts(model: Model, room: int | None) -> None:
    """What a search on any machine reads of the model's files whatever the machine (kept by
    the functions that work it out): their tensor sums, their token cost at their tensors'
    total (the bounds', an f16 cache) and what a machine without usable GPUs checks them for
    fitting with. A first report's search reaches ~800 of the catalog's ~1,300 files and
    worked these out for them on its critical path (~25 ms CPU, 2026-12-07). A file larger
    than `room` (all the machine's memory) is one no search here checks (OptionSearch.room);
    one whose facts fail to work out is left to the search, which meets the same error if it
    needs it."""
    from advisor.estimate.fit_sums import cpu_only_sums
    from advisor.estimate.kv_types import kv_cache_type
    from advisor.estimate.settings import RunSettings
    from advisor.estimate.speed.predict import least_token_cost

    settings = RunSettings("f16", True)  # a search's default (assemble.fits_check's)
    kv_bytes = kv_cache_type("f16").bytes_per_element
    arch = model.architecture
    for quant in model.quants:
        if room is not None and quant.size_bytes > room:
            continue
        try:
            least_token_cost(arch, quant.type, kv_bytes)
            cpu_only_sums(arch, quant.type, settings)
        except Exception:  # noqa: BLE001, S110 - the search raises it again where it matters
            pass
