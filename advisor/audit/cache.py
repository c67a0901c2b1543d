"""Verdicts kept between audits, so a fleet audited again judges only what changed.

An audit's result for one machine configuration and workload depends on the request (machine,
measurements, prices), the workload, the catalog, and the code that estimates and decides. One
file per key (advisor.files.disk_cache.DictStore): the catalog (every entry and price, overlays
included) and that code (path, size and modification time of every source file); each entry is
keyed by the request and workload digests. Anything changed: another file. A cache that cannot
be read is ignored; one that cannot be written is skipped; the oldest files are pruned.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from advisor.audit.evaluate import Outcome
from advisor.files.disk_cache import DictStore

if TYPE_CHECKING:
    from advisor.catalog.model import Catalog

KEEP_FILES = 4
# What a verdict reads besides its inputs, on top of the estimator's sources
# (advisor.estimate.cache.SOURCES): the verdict stage, advise(), the probe (it rebuilds each
# machine from its report), the measurements' reading and the calibration they imply, the
# report reader, and the audit itself.
_SOURCES = (
    "verdict",
    "files/yamldoc.py",
    "workload.py",
    "advise.py",
    "advice_options.py",
    "remedies.py",
    "probe",
    "bench/store/codec.py",
    "bench/measurement.py",
    "bench/calibrate/from_store.py",
    "bench/calibrate/estimates.py",
    "bench/kernels/name.py",
    "estimate/calibration",
    "report/read.py",
    "audit",
)

Key = tuple[bytes, bytes]


def _store(catalog: Catalog, folder: Path | None) -> DictStore:
    from advisor.estimate.cache import SOURCES

    return DictStore("audit", (*SOURCES, *_SOURCES), catalog.digest, keep=KEEP_FILES,
                     folder=folder)  # fmt: skip


class OutcomeCache:
    """The outcomes of earlier audits made with this catalog and code."""

    def __init__(self, catalog: Catalog, folder: Path | None = None) -> None:
        self._store = _store(catalog, folder)
        self.path = self._store.path

    def load(self) -> dict[Key, Outcome]:
        return self._store.read()

    def save(self, results: dict) -> None:
        """Keep every outcome (failures are not kept: the next audit says them again)."""
        self._store.write({k: v for k, v in results.items() if isinstance(v, Outcome)})
