"""System RAM bandwidth: a short multi-threaded copy test, cached per machine fingerprint.

One copy test on a busy machine reads low (24 GB/s against 39 GB/s on this project's shared
machine), so the figure is the best of repeated tests: the cache keeps the last KEEP_TESTS
tests of each machine, a run measures again until MIN_TESTS of them are fresh (at most
CACHE_MAX_AGE old), and the best fresh one is the figure, shown with its date.

Each thread copies its own pair of buffers with libc's memmove through ctypes (which releases
the GIL; numpy's copyto, used before, does the same memmove but costs ~60-100 ms CPU to import
on a first run; figures compared in benchmarks/copy_test.py), rounds of all threads together
are timed, and the best round counts. Bytes moved = 2 x buffer size per copy
(read + write, the STREAM "copy" convention). Buffers are large enough to spill every common
last-level cache. After allocating them it copies for its budget (BUDGET_S) and at least
MIN_ROUNDS rounds; the whole test, allocation included, stops at 0.5 s.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import replace as dataclass_replace
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING

from advisor.paths import atomic_write_text, user_cache_dir

if TYPE_CHECKING:
    import ctypes

CACHE_NAME = "memory_bandwidth.json"
CACHE_MAX_AGE = timedelta(days=30)
MIN_TESTS = 3  # fresh tests, taken by separate runs, before the cache alone is trusted
KEEP_TESTS = 5
# Total footprint (source + destination over all threads) spills every common last-level cache.
FOOTPRINT_BYTES = 128 * 1024**2
MIN_BUFFER_BYTES = 8 * 1024**2
# No CPU socket moves more than this; a figure above it means the buffers fit in a cache.
PHYSICAL_BOUND_GBS = 2000.0
MAX_BUDGET_S = 0.5
# Seconds of timed copying. 0.10 s gave the figure 0.15 s gives in the median of 10 fresh
# processes on a quiet 2-core machine, 0.944 of it at worst; each of a machine's first 3 runs
# adds a test and the best counts (docs/startup.md, benchmarks/copy_test.py --rounds).
BUDGET_S = 0.10
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
    tests: int = 1  # the copy tests this figure is the best of

    @property
    def source(self) -> str:
        best = f"best of {self.tests} copy tests" if self.tests > 1 else "copy test"
        cached = ", cached" if self.cached else ""
        return f"measured ({best}, {self.measured_at[:10]}{cached})"


def _thread_count(threads: int | None) -> int:
    if threads:
        return max(1, threads)
    return max(1, min(os.cpu_count() or 1, 16))


def measure_memory_bandwidth(
    *,
    threads: int | None = None,
    budget_s: float = BUDGET_S,
    buffer_bytes: int | None = None,
    clock: Callable[[], float] = time.perf_counter,
    ready: Callable[[], bool] | None = None,
    hold: list | None = None,
) -> BandwidthMeasurement | None:
    """Copy large buffers on several threads for about `budget_s` of `clock`.

    `ready`, when given, is called once the buffers are allocated and their pages faulted in,
    before any round is timed: it waits until the test may have the machine to itself (the rest
    of the run is waiting for the figure) and returns False to call the test off (None). The
    allocation then ran beside other work, so the 0.5 s cap counts from there; the test's
    `seconds` leave out the wait. `hold`, when given, gets the buffers, so that they outlive
    the call: unmapping 128 MiB takes ~9 ms (2026-12-07, shared 2-core machine), which the
    early test's child spends after it has sent its figure, while exiting."""
    budget_s = min(budget_s, MAX_BUDGET_S)
    start = clock()
    n = _thread_count(threads)
    buffer_bytes = buffer_bytes or max(MIN_BUFFER_BYTES, FOOTPRINT_BYTES // (2 * n))
    pairs = [_buffers(buffer_bytes) for _ in range(n)]
    if hold is not None:
        hold.extend(pairs)
    # Imported here, before any wait (an early test's wait overlaps the run's loading): 3 ms
    # of imports that runs using the cached figure skip.
    from concurrent.futures import ThreadPoolExecutor

    waited, capped_from = 0.0, start
    if ready is not None:  # allocation overlapped other work: the cap counts from here
        before = clock()
        if not ready():
            return None
        capped_from = clock()
        waited = capped_from - before
    copying = clock()  # the budget is for copying; allocation does not eat it
    best, rounds = 0.0, 0
    with ThreadPoolExecutor(max_workers=n) as pool:
        while rounds < MIN_ROUNDS or clock() - copying < budget_s:
            t0 = clock()
            list(pool.map(_copy, pairs))
            elapsed = clock() - t0
            rounds += 1
            if elapsed > 0:
                best = max(best, 2 * buffer_bytes * n / elapsed / 1e9)
            if rounds >= 200 or clock() - capped_from > MAX_BUDGET_S - elapsed:
                break
    now = datetime.now(timezone.utc).isoformat(timespec="seconds")
    seconds = clock() - start - waited
    return BandwidthMeasurement(round(best, 1), n, buffer_bytes, rounds, seconds, now)


def _buffers(size: int) -> tuple[ctypes.Array, ctypes.Array]:
    """A source written through (every page faulted in and holding data: an untouched page
    reads as the kernel's shared zero page, from cache) and a destination copied into once."""
    import ctypes  # here: 3 ms of imports that runs using the cached figure skip

    source, destination = _allocate(size), _allocate(size)
    ctypes.memset(source, 1, size)
    ctypes.memmove(destination, source, size)
    return source, destination


def _allocate(size: int) -> ctypes.Array:
    """`size` bytes of anonymous memory. On Linux the kernel faults every page in at once
    (MAP_POPULATE): two pairs of 32 MiB took 119-124 ms against 170-224 ms for ctypes' own
    buffers, which are zeroed and faulted in a page at a time (2026-12-07, shared 2-core machine
    at load 5). Rounds copied between either kind read the same: alternated 300 times each on 2
    threads, best 52.9 and 52.8 GB/s, medians 21.3 and 19.7 (ctypes', mapped). The array keeps
    the mapping alive. Elsewhere, or if the mapping fails, ctypes' own buffer."""
    import ctypes
    import mmap

    populate = getattr(mmap, "MAP_POPULATE", None)
    if populate is not None:
        flags = mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS | populate
        try:
            return (ctypes.c_char * size).from_buffer(mmap.mmap(-1, size, flags=flags))
        except (OSError, ValueError):
            pass  # no such mapping here: ctypes' own buffer below
    return ctypes.create_string_buffer(size)


def _copy(pair: tuple[ctypes.Array, ctypes.Array]) -> None:
    """One copy: libc's memmove through ctypes, which lets go of the GIL while it runs."""
    import ctypes

    ctypes.memmove(pair[1], pair[0], len(pair[0]))


def _cache_path():
    return user_cache_dir() / CACHE_NAME


def _load_cache() -> dict:
    try:
        data = json.loads(_cache_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}  # absent or corrupt: measure again and rewrite it
    return data if isinstance(data, dict) else {}


def recorded_bandwidth(
    fingerprint: str, *, now: datetime | None = None
) -> tuple[BandwidthMeasurement, ...]:
    """The machine's cached copy tests that are still fresh, oldest first."""
    entry = _load_cache().get(fingerprint)
    tests = entry.get("tests") if isinstance(entry, dict) and "tests" in entry else [entry]
    found = []
    for test in tests if isinstance(tests, list) else []:
        measurement = _from_entry(test, now or datetime.now(timezone.utc))
        if measurement is not None:
            found.append(measurement)
    return tuple(found)


def _from_entry(entry, now: datetime) -> BandwidthMeasurement | None:
    try:
        measured_at = datetime.fromisoformat(entry["measured_at"])
        gbs = float(entry["gbs"])
        if not 0 < gbs < PHYSICAL_BOUND_GBS or now - measured_at > CACHE_MAX_AGE:
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


def tested_enough_somewhere(*, now: datetime | None = None) -> bool:
    """Whether the cache holds MIN_TESTS fresh tests for some machine (then this one most
    likely needs no copy test: a warm run)."""
    now = now or datetime.now(timezone.utc)
    for entry in _load_cache().values():
        tests = entry.get("tests") if isinstance(entry, dict) and "tests" in entry else [entry]
        fresh = [t for t in tests if _from_entry(t, now)] if isinstance(tests, list) else []
        if len(fresh) >= MIN_TESTS:
            return True
    return False


def best_of(tests: tuple[BandwidthMeasurement, ...]) -> BandwidthMeasurement | None:
    """The fastest test (a busy machine only ever reads low), counting how many there were."""
    if not tests:
        return None
    best = max(tests, key=lambda t: t.gbs)
    return dataclass_replace(best, tests=len(tests), cached=all(t.cached for t in tests))


def cached_bandwidth(
    fingerprint: str, *, now: datetime | None = None
) -> BandwidthMeasurement | None:
    """The best fresh cached test, once there are MIN_TESTS of them; else None (measure)."""
    tests = recorded_bandwidth(fingerprint, now=now)
    return best_of(tests) if len(tests) >= MIN_TESTS else None


def store_bandwidth(fingerprint: str, measurement: BandwidthMeasurement) -> None:
    """Add a test to the machine's cached ones (the last KEEP_TESTS stay)."""
    from advisor.files.locks import file_lock

    with file_lock(_cache_path()):  # other runs' tests stay: read, add, replace as one
        data = _load_cache()
        entry = data.get(fingerprint)
        tests = entry.get("tests") if isinstance(entry, dict) and "tests" in entry else [entry]
        tests = [t for t in (tests if isinstance(tests, list) else []) if isinstance(t, dict)]
        tests.append(
            {
                "gbs": measurement.gbs,
                "threads": measurement.threads,
                "buffer_bytes": measurement.buffer_bytes,
                "rounds": measurement.rounds,
                "seconds": round(measurement.seconds, 4),
                "measured_at": measurement.measured_at,
            }
        )
        data[fingerprint] = {"tests": tests[-KEEP_TESTS:]}
        # No fsync: a file a crash left short does not parse, and the next run tests again
        text = json.dumps(data, indent=1, sort_keys=True)
        atomic_write_text(_cache_path(), text, durable=False)
