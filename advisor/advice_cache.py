"""A report's verdicts and top candidates, kept in the user cache between runs.

A second `advisor --json` on the same machine, catalog, workloads, prices and stored
throughput tests asks advise() the same question as the first; the answer is read back instead
of searching the options again (~120 ms CPU of a warm report, 2026-12-07, shared 2-core
machine: the option search over cached estimates, the verdicts' reasons, the estimate cache's
own read). The entry is one `advisor.files.disk_cache.cached` value under everything the
verdicts read:

- the code: every source file of the estimator, the verdict stage, advise() and the remedy
  search (their SOURCES), and this module;
- the machine as the estimate cache names it (advisor.estimate.cache.machine_text: every field
  but the free memory, disk and swap, the battery state and the GPUs' power readings, which a
  "dedicated"-mode verdict never reads), whether it counts as a laptop (its name or a profile's
  battery state), and the power draws a profile gives (advisor.probe.power.draw counts those);
- the catalog by its digest (Catalog.digest: the SHA-256 of its repr, which the remedy search's
  key reads too), the workloads and the options (flags and config: prices, region, defaults)
  by their reprs;
- the stored throughput tests and the calibration they imply.

What a report adds around the verdicts (its time, the machine's id, the prices' resolution)
is computed on every run. Only a run with the cache on (AdviceOptions.cache) reads or writes it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from advisor.advice_options import AdviceOptions
    from advisor.catalog.model import Catalog
    from advisor.probe.machine import Machine
    from advisor.workload import Workload

T = TypeVar("T")

SOURCES = ("advice_cache.py",)  # with the estimator's and the remedy search's


def cached_advice(
    machine: Machine,
    catalog: Catalog,
    workloads: Sequence[Workload],
    options: AdviceOptions,
    measured: tuple,
    build: Callable[[], T],
) -> T:
    """`build()`'s answer for these inputs: the stored one, else built and stored."""
    from advisor.files.disk_cache import KEEP_ANSWERS, cached

    params = key(machine, catalog, workloads, options, measured)
    return cached("advice", [], build, code=(), params=params, keep=KEEP_ANSWERS)


def key(
    machine: Machine,
    catalog: Catalog,
    workloads: Sequence[Workload],
    options: AdviceOptions,
    measured: tuple,
) -> str:
    """The SHA-256 of everything the verdicts read (see the module docstring)."""
    import hashlib

    from advisor.estimate.cache import machine_text
    from advisor.probe.specs.upgrades import is_laptop

    identity = repr((
        code_stamp(),
        machine_text(machine), is_laptop(machine), _given_power(machine),
        catalog.digest, repr(tuple(workloads)), repr(options), repr(measured),
    ))  # fmt: skip
    return hashlib.sha256(identity.encode()).hexdigest()


def code_stamp() -> str:
    """The stamp of the code the verdicts depend on (see the module docstring)."""
    from advisor.estimate.cache import SOURCES as ESTIMATOR_SOURCES
    from advisor.files.disk_cache import code_stamp as stamp
    from advisor.remedies import SOURCES as REMEDY_SOURCES

    return stamp((*ESTIMATOR_SOURCES, *REMEDY_SOURCES, *SOURCES))


def _given_power(machine: Machine) -> tuple[float | None, ...]:
    """The GPUs' power draws a profile gives (a live reading changes from run to run, and is
    not what a verdict counts)."""
    sources = machine.sources
    return tuple(
        g.power_draw_w if sources.get(f"gpus[{g.index}].power_draw_w") == "profile" else None
        for g in machine.gpus
    )
