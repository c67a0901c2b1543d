"""System RAM bandwidth: a short multi-threaded copy test, cached per machine fingerprint.

Each thread copies its own pair of buffers with numpy (which releases the GIL), rounds of all
threads together are timed, and the best round counts. Bytes moved = 2 x buffer size per copy
(read + write, the STREAM "copy" convention). Buffers are large enough to spill every common
last-level cache. After allocating them it copies for its budget (default 0.15 s) and at
least MIN_ROUNDS rounds; the whole test, allocation included, stops at 0.5 s.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from advisor.paths import atomic_write_text, user_cache_dir

CACHE_NAME = "memory_bandwidth.json"
CACHE_MAX_AGE = timedelta(days=30)
# Total footprint (source + destination over all threads) spills every common last-level cache.
FOOTPRINT_BYTES = 128 * 1024**2
MIN_BUFFER_BYTES = 8 * 1024**2
# No CPU socket moves more than this; a figure above it means the buffers fit in a cache.
PHYSICAL_BOUND_GBS = 2000.0
MAX_BUDGET_S = 0.5
# The best of this many timed rounds at least (time allowing): a fresh process's first rounds
# can run at half speed (page faults, clock ramp-up), and one round is what a slow allocation
# used to leave.
MIN_ROUNDS = 5


@dataclass(frozen=True)
class BandwidthMeasurement:
    gbs: float
    threads: int
    buffer_bytes: int
    rounds: int
    seconds: float
    measured_at: str  # ISO 8601, UTC
    cached: bool = False

    @property
    def source(self) -> str:
        if self.cached:
            return f"measured (cached {self.measured_at[:10]})"
        return "measured (copy test)"


def _thread_count(threads: int | None) -> int:
    if threads:
        return max(1, threads)
    return max(1, min(os.cpu_count() or 1, 16))


def measure_memory_bandwidth(
    *,
    threads: int | None = None,
    budget_s: float = 0.15,
    buffer_bytes: int | None = None,
    clock: Callable[[], float] = time.perf_counter,
) -> BandwidthMeasurement | None:
    """Copy large buffers on several threads for about `budget_s` of `clock`; None if numpy
    is absent."""
    try:
        import numpy as np
    except ImportError:
        return None
    # Imported here: 3 ms of imports that runs using the cached figure skip.
    from concurrent.futures import ThreadPoolExecutor

    budget_s = min(budget_s, MAX_BUDGET_S)
    start = clock()
    n = _thread_count(threads)
    buffer_bytes = buffer_bytes or max(MIN_BUFFER_BYTES, FOOTPRINT_BYTES // (2 * n))
    count = buffer_bytes // 8
    pairs = [(np.ones(count), np.empty(count)) for _ in range(n)]
    for src, dst in pairs:  # fault the pages in before timing
        np.copyto(dst, src)
    copying = clock()  # the budget is for copying; allocation does not eat it
    best, rounds = 0.0, 0
    with ThreadPoolExecutor(max_workers=n) as pool:
        while rounds < MIN_ROUNDS or clock() - copying < budget_s:
            t0 = clock()
            list(pool.map(lambda pair: np.copyto(pair[1], pair[0]), pairs))
            elapsed = clock() - t0
            rounds += 1
            if elapsed > 0:
                best = max(best, 2 * buffer_bytes * n / elapsed / 1e9)
            if rounds >= 200 or clock() - start > MAX_BUDGET_S - elapsed:
                break
    now = datetime.now(timezone.utc).isoformat(timespec="seconds")
    return BandwidthMeasurement(round(best, 1), n, buffer_bytes, rounds, clock() - start, now)


def _cache_path():
    return user_cache_dir() / CACHE_NAME


def _load_cache() -> dict:
    try:
        data = json.loads(_cache_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}  # absent or corrupt: measure again and rewrite it
    return data if isinstance(data, dict) else {}


def cached_bandwidth(
    fingerprint: str, *, now: datetime | None = None
) -> BandwidthMeasurement | None:
    entry = _load_cache().get(fingerprint)
    try:
        measured_at = datetime.fromisoformat(entry["measured_at"])
        gbs = float(entry["gbs"])
        if not 0 < gbs < PHYSICAL_BOUND_GBS:
            return None
        if (now or datetime.now(timezone.utc)) - measured_at > CACHE_MAX_AGE:
            return None
        return BandwidthMeasurement(
            gbs,
            int(entry["threads"]),
            int(entry["buffer_bytes"]),
            int(entry["rounds"]),
            float(entry["seconds"]),
            entry["measured_at"],
            cached=True,
        )
    except (TypeError, KeyError, ValueError):
        return None


def store_bandwidth(fingerprint: str, measurement: BandwidthMeasurement) -> None:
    data = _load_cache()
    data[fingerprint] = {
        "gbs": measurement.gbs,
        "threads": measurement.threads,
        "buffer_bytes": measurement.buffer_bytes,
        "rounds": measurement.rounds,
        "seconds": round(measurement.seconds, 4),
        "measured_at": measurement.measured_at,
    }
    atomic_write_text(_cache_path(), json.dumps(data, indent=1, sort_keys=True))
