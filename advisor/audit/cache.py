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
import pickle
from pathlib import Path
from typing import TYPE_CHECKING

from advisor.audit.evaluate import Outcome
from advisor.errors import WriteError
from advisor.paths import atomic_write_bytes, user_cache_dir

if TYPE_CHECKING:
    from advisor.catalog.model import Catalog

FORMAT = 1
KEEP_FILES = 4
_PACKAGE = Path(__file__).resolve().parent.parent
# What a verdict reads besides its inputs, on top of the estimator's sources (which
# advisor.verdict.estimate_cache.code_fingerprint covers): the verdict stage, advise(), the
# probe (it rebuilds each machine from its report), the measurements' reading and the
# calibration they imply, the report reader, and the audit itself.
_SOURCES = (
    "verdict",
    "advise.py",
    "probe",
    "bench/codec.py",
    "bench/measurement.py",
    "bench/calibration.py",
    "bench/estimates.py",
    "report/read.py",
    "audit",
)

Key = tuple[bytes, bytes]


def fingerprint(catalog: Catalog) -> str:
    from advisor.verdict.estimate_cache import code_fingerprint

    digest = hashlib.sha256(f"{FORMAT}:{code_fingerprint()}".encode())
    for name in _SOURCES:
        root = _PACKAGE / name
        for path in sorted(root.rglob("*.py") if root.is_dir() else [root]):
            stat = path.stat()
            digest.update(
                f"{path.relative_to(_PACKAGE)}:{stat.st_size}:{stat.st_mtime_ns}".encode()
            )
    digest.update(repr(catalog).encode())
    return digest.hexdigest()[:32]


class OutcomeCache:
    """The outcomes of earlier audits made with this catalog and code."""

    def __init__(self, catalog: Catalog, folder: Path | None = None) -> None:
        self.path = (folder or user_cache_dir() / "audit") / f"{fingerprint(catalog)}.pickle"

    def load(self) -> dict[Key, Outcome]:
        try:
            data = pickle.loads(self.path.read_bytes())
        except FileNotFoundError:
            return {}
        except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError,
                TypeError, ValueError):  # fmt: skip
            return {}  # unreadable or from other code: start afresh, it is only a cache
        return data if isinstance(data, dict) else {}

    def save(self, results: dict) -> None:
        """Keep every outcome (failures are not kept: the next audit says them again)."""
        kept = {k: v for k, v in results.items() if isinstance(v, Outcome)}
        try:
            atomic_write_bytes(self.path, pickle.dumps(kept, pickle.HIGHEST_PROTOCOL))
        except WriteError:
            return  # a read-only or full cache dir must not fail the audit
        files = sorted(self.path.parent.glob("*.pickle"), key=_mtime)
        for old in files[:-KEEP_FILES]:
            old.unlink(missing_ok=True)


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except FileNotFoundError:  # another audit pruned it meanwhile
        return 0.0
