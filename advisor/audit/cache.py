"""Verdicts kept between audits, so a fleet audited again judges only what changed.

An audit's result for one machine configuration and workload depends on the request (machine,
measurements, prices), the workload, the catalog, and the code that estimates and decides. The
file name hashes the catalog (every entry and price, overlays included) and that code (path,
size and modification time of every source file); each entry is keyed by the request and
workload digests. Anything changed: another file. A cache that cannot be read is ignored; one
that cannot be written is skipped; the oldest files are pruned.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import TYPE_CHECKING

from advisor.audit.evaluate import Outcome
from advisor.files.cache_files import read_dict, source_stamp, write_pruned
from advisor.paths import user_cache_dir

if TYPE_CHECKING:
    from advisor.catalog.model import Catalog

FORMAT = 1
KEEP_FILES = 4
# What a verdict reads besides its inputs, on top of the estimator's sources (which
# advisor.estimate.cache.code_fingerprint covers): the verdict stage, advise(), the
# probe (it rebuilds each machine from its report), the measurements' reading and the
# calibration they imply, the report reader, and the audit itself.
_SOURCES = (
    "verdict",
    "files/yamldoc.py",
    "workload.py",
    "estimate/cache.py",
    "advise.py",
    "probe",
    "bench/codec.py",
    "bench/measurement.py",
    "bench/calibration.py",
    "bench/estimates.py",
    "bench/probe_name.py",
    "estimate/calibration",
    "report/read.py",
    "audit",
)

Key = tuple[bytes, bytes]


def fingerprint(catalog: Catalog) -> str:
    from advisor.estimate.cache import code_fingerprint

    digest = hashlib.sha256(f"{FORMAT}:{code_fingerprint()}:{source_stamp(_SOURCES)}".encode())
    digest.update(repr(catalog).encode())
    return digest.hexdigest()[:32]


class OutcomeCache:
    """The outcomes of earlier audits made with this catalog and code."""

    def __init__(self, catalog: Catalog, folder: Path | None = None) -> None:
        self.path = (folder or user_cache_dir() / "audit") / f"{fingerprint(catalog)}.pickle"

    def load(self) -> dict[Key, Outcome]:
        return read_dict(self.path)

    def save(self, results: dict) -> None:
        """Keep every outcome (failures are not kept: the next audit says them again)."""
        kept = {k: v for k, v in results.items() if isinstance(v, Outcome)}
        write_pruned(self.path, kept, KEEP_FILES)
