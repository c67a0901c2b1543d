"""The remedy search started in a forked child while a first report judges, on the idle core.

After the copy test a first report is one thread on one core: its verdicts, then the remedy
search (~20 ms on this 2-core machine, advisor.remedies), which needs the verdicts only to know
which workloads want a remedy. At the first verdict that needs one, with workloads left to
judge, the search is forked for that workload and all those left (a superset of those that will
need one: each workload is judged on its own, so each gets the answer an in-line search gives
it) and sends back, pickled through a pipe, what it found, while the run judges the rest; the
run then builds the remedies of those that need one from the child's answer.

Forked only where it can pay: Linux, no other thread running (a fork copies one thread and
whatever locks the others held: never from the TUI), at least two CPUs this process may run on,
a search that tries another GPU (RAM changes alone cost less than the fork: see _costly), and
the remedy cache not holding all the workloads asked. The child writes nothing but its answer
(its stdout and stderr go to /dev/null, and its search keeps no cache) and leaves with os._exit
(no atexit handler, no buffer flushed). When it gives no answer in time, dies, or sends
something else, the run searches in line, with the same errors; a child whose answer is not
needed is stopped and collected as the copy test's children are (advisor.probe.bandwidth.early).
"""

from __future__ import annotations

import contextlib
import os
import pickle
import select
import sys
import time
import weakref
from typing import TYPE_CHECKING

from advisor.probe.bandwidth.early import collect_exited, fork_child, stop_child
from advisor.remedies import Found, needs_remedy, remedy_store, search_works, stored_found

if TYPE_CHECKING:
    from collections.abc import Sequence

    from advisor.advice_options import AdviceOptions
    from advisor.bench.measurement import Measurement
    from advisor.catalog.model import Catalog
    from advisor.files.disk_cache import DictStore
    from advisor.probe.machine import Machine
    from advisor.remedies import Judge
    from advisor.verdict.cloud_prices import CloudPrices
    from advisor.verdict.verdict import Verdict
    from advisor.workload import Workload

# Longest wait for the child's answer once the verdicts are done (the search takes ~25 ms on a
# quiet machine; a machine so loaded that it takes longer gets the search in line instead).
ANSWER_WAIT_S = 10.0
HEADER_BYTES = 8  # the answer's length, before its pickle


class Ahead:
    """The remedy search of one report, started ahead: told of each verdict as it is judged
    (`judged`), it forks the search at the first that needs a remedy, for that workload and
    those not judged yet, where it can pay; the remedy cache as read then (`store` and
    `stored`, None when not read); and the child's answer (`found`)."""

    def __init__(
        self,
        machine: Machine,
        catalog: Catalog,
        workloads: Sequence[Workload],
        options: AdviceOptions,
        measurements: Sequence[Measurement],
        judge: Judge,
        prices: CloudPrices,
    ) -> None:
        self._args = (machine, catalog, workloads, options, measurements, judge, prices)
        self.store: DictStore | None = None
        self.stored: Found | None = None
        self._started = False
        self._answer = -1
        self._stop: weakref.finalize | None = None

    def judged(self, verdicts: Sequence[Verdict]) -> None:
        """The verdicts judged so far, in the order of the workloads; at the first that needs a
        remedy, with workloads left to judge, start the search (once)."""
        machine, catalog, workloads, options, measurements, judge, prices = self._args
        if self._started or not needs_remedy(verdicts[-1]) or len(verdicts) >= len(workloads):
            return
        self._started = True
        if _cpus() < 2 or not _costly(machine):
            return
        # Those that need a remedy among these (this one alone: the first) and those left
        asked = [verdicts[-1].workload, *workloads[len(verdicts) :]]
        if options.cache:
            self.store = remedy_store(machine, catalog, workloads, options, measurements)
            self.stored = stored_found(self.store)
            if self.stored is not None and self.stored.covers(w.name for w in asked):
                return  # every remedy this report may need is kept
        collect_exited()  # an earlier report's child, stopped and gone: collected before the next

        def child(go: int, out: int) -> None:
            search_child(out, machine, asked, options, measurements, judge, prices)

        forked = fork_child(child)
        if forked is not None:
            pid, go, self._answer = forked
            self._stop = weakref.finalize(self, stop_child, pid, go, self._answer, wait=False)

    def found(self, names: Sequence[str]) -> Found | None:
        """The child's answer, when it covers `names` (None: no child, or no such answer in
        time). Once only: the child is stopped either way."""
        if self._stop is None or not self._stop.alive:
            return None
        try:
            found = _read_found(self._answer)
        except OSError:
            found = None
        finally:
            self.close()
        return found if found is not None and found.covers(names) else None

    def close(self) -> None:
        """Stop the child (its answer taken, not needed, or the run failed); it is collected
        now if it has left already, else when the run ends or the next search is forked."""
        if self._stop is not None:
            self._stop()


def search_child(out: int, machine, workloads, options, measurements, judge, prices) -> None:
    """The child's part (never returns): search, write the answer to `out`, leave."""
    code = 1
    try:
        _quiet()
        found = search_works(machine, workloads, options, measurements, judge, prices)
        body = pickle.dumps(found, protocol=pickle.HIGHEST_PROTOCOL)
        _write_all(out, len(body).to_bytes(HEADER_BYTES, "big") + body)
        code = 0
    finally:
        os._exit(code)


def _costly(machine: Machine) -> bool:
    """Whether the search would cost more than a fork does: it tries another GPU (each machine
    with one is built as the probe would describe it, through the profile schema: ~20 ms of a
    first report's search on this 2-core machine), where a search of RAM changes alone took
    ~3-4 ms against ~5-8 ms more in the run for a fork (its page tables, then its pages copied
    as the run writes them; office-laptop-16gb, 2026-12-07)."""
    from advisor.probe.specs.upgrades import gpu_changes

    return bool(gpu_changes(machine))  # (none: no vram_changes either)


def _cpus() -> int:
    """The CPUs this process may run on (only Linux says, where the child is forked)."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return 1


def _quiet() -> None:
    """Send the child's stdout and stderr to /dev/null, both the streams and the descriptors
    (a warning it gives, the run gives too; the run's unwritten output stays in the run's
    buffers, which the child never flushes)."""
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 1)
    os.dup2(null, 2)
    sys.stdout = sys.stderr = open(null, "w")  # noqa: SIM115 (left open: os._exit closes it)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _read_found(fd: int) -> Found | None:
    """The child's answer (its length, then its pickle), waited for up to ANSWER_WAIT_S; None
    when it sent none in time, or not a whole one, or not a Found."""
    deadline = time.monotonic() + ANSWER_WAIT_S
    data = b""
    size = None
    while size is None or len(data) < HEADER_BYTES + size:
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([fd], [], [], left)[0]:
            return None
        chunk = os.read(fd, 1 << 16)
        if not chunk:  # the child left without a whole answer
            return None
        data += chunk
        if size is None and len(data) >= HEADER_BYTES:
            size = int.from_bytes(data[:HEADER_BYTES], "big")
    with contextlib.suppress(*_UNREADABLE):
        found = pickle.loads(data[HEADER_BYTES:])
        if isinstance(found, Found):
            return found
    return None


# What unpickling bytes that are not the child's answer can raise
_UNREADABLE = (pickle.UnpicklingError, EOFError, AttributeError, ImportError, IndexError,
               KeyError, TypeError, ValueError, MemoryError)  # fmt: skip
