"""Estimates kept on disk between runs, so a second report on the same machine estimates nothing.

An estimate depends on the machine, the model entry, the file and context asked about, this
machine's calibration, and the estimator's code and data. One file per key (advisor.files.
disk_cache.DictStore): the machine, the calibration, the advisor version and every estimator
source and data file (path, size, mtime); each entry adds a digest of the model entry. Anything
changed: another file, or another entry. A cache that cannot be read is ignored; one that
cannot be written is skipped (reports then just take longer), and the oldest files are pruned.
"""

from __future__ import annotations

import hashlib
import json
from typing import TYPE_CHECKING

from advisor.files.disk_cache import DictStore

if TYPE_CHECKING:
    from advisor.catalog.model import Model
    from advisor.estimate.calibration.values import Calibration
    from advisor.estimate.estimate import Estimate
    from advisor.probe.machine import Machine

KEEP_FILES = 16
# What the estimator reads besides its arguments: its own code and data, the catalog's tensor
# layouts, and the probe's spec table.
SOURCES = ("estimate", "catalog", "probe/specs/table.py", "probe/specs/hardware_specs.csv")

Key = tuple[str, str, str, int, str, str]  # model id, model digest, quant, context, kv, mode
# (model id, quant, context, kv, mode, and "brief" where the key has it): a Key less its digest
Asked = tuple
# What changes between two probes of the same machine and does not enter a "dedicated"-mode
# estimate (which plans with total memory, not what is free right now).
_VOLATILE = ("ram_available_gb", "swap_free_gb", "disk_free_gb", "on_battery")
_VOLATILE_GPU = ("vram_free_gb", "power_draw_w")
# The copy test's date and its source text ("measured (best of 2 copy tests, 2026-12-07)")
# change over a machine's first runs while its figure may stay; the estimator reads the figure
# (memory_bandwidth_measured_gbs, in the key) and neither of these
# (tests/report/test_report_estimate_cache.py checks the estimates are equal without them).
_COPY_TEST_DATE = "memory_bandwidth_measured_on"
_COPY_TEST_SOURCE = "memory.bandwidth_measured_gbs"


def machine_text(machine: Machine) -> str:
    from advisor.probe.profiles.serialize import machine_to_dict

    data = machine_to_dict(machine)
    for key in _VOLATILE:
        data.pop(key, None)
    data["cpu"].pop(_COPY_TEST_DATE)
    data["sources"].pop(_COPY_TEST_SOURCE, None)
    data["gpus"] = [{k: v for k, v in g.items() if k not in _VOLATILE_GPU} for g in data["gpus"]]
    return json.dumps(data, sort_keys=True, default=str)


class EstimateCache:
    """The cached estimates for one machine and calibration, in "dedicated" memory mode."""

    def __init__(self, machine: Machine, calibration: Calibration | None = None) -> None:
        self._store = DictStore("estimates", SOURCES, (machine_text(machine), repr(calibration)),
                                keep=KEEP_FILES)  # fmt: skip
        self.path = self._store.path
        self._entries: dict[Key, Estimate] = self._store.read()
        # What the entries answer, less the model entry's digest: a file no entry is about is
        # a miss without that digest (a SHA-256 of the entry's repr, ~30 us a model), which a
        # first report's search would otherwise work out for every model it checks for fitting
        # (~2,000 lookups of ~140 models, 2026-12-07; only the ~50 it estimates need one)
        self._asked: set[Asked] = {_asked(k) for k in self._entries}
        self._digests: dict[str, str] = {}
        self._added = 0

    def key(self, model: Model, quant: str, context_tokens: int, kv_type: str, mode: str) -> Key:
        digest = self._digests.get(model.id)
        if digest is None:
            digest = hashlib.sha256(repr(model).encode()).hexdigest()[:16]
            self._digests[model.id] = digest
        return (model.id, digest, quant, context_tokens, kv_type, mode)

    def get(self, key: Key) -> Estimate | None:
        return self._entries.get(key)

    def find(self, model: Model, quant: str, context_tokens: int, kv_type: str, mode: str,
             *tail: str) -> Estimate | None:  # fmt: skip
        """get() of key(...) followed by `tail` ("brief" for a search's brief estimate), the
        model's digest worked out only where an entry is about this file and context."""
        if (model.id, quant, context_tokens, kv_type, mode, *tail) not in self._asked:
            return None
        key = (*self.key(model, quant, context_tokens, kv_type, mode), *tail)
        return self._entries.get(key)  # type: ignore[arg-type]

    def put(self, key: Key, estimate: Estimate) -> None:
        self._entries[key] = estimate
        self._asked.add(_asked(key))
        self._added += 1

    def save(self) -> None:
        """Write the cache if it learnt anything, and prune the oldest files."""
        if self._added and self._store.write(self._entries):
            self._added = 0


def _asked(key: tuple) -> Asked:
    return (key[0], *key[2:])
