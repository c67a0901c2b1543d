"""The memory copy test started early, in a child process, while the run loads what it needs.

A first run's copy test spends ~50-100 ms allocating its buffers and faulting their pages in
before it times a single copy. Started in a forked child right after the probe, that part runs
beside the catalog and workload loading; the timed copies then wait until the run asks for the
figure (it has nothing else to do), so every timed round has the machine to itself as before
and the figure is the same one a test run in line gives (benchmarks/copy_test.py compares them).

The child only allocates, copies and writes one JSON line to a pipe, then leaves with
os._exit; before its copies it writes one byte (READY) once its buffers are ready, so that a run
with work of its own to do meanwhile (advisor.advice_ahead.prepare) does it only for as long as the
child still allocates, and lets the copies go as soon as they can run. The run reads that line
and goes on: it does not wait for the child to unmap its
buffers and exit (~9 ms for 128 MiB, 2026-12-07, shared 2-core machine), and collects it when
the run ends (collect_stopped). It is forked only on Linux, from a process with no other
thread (a fork copies one thread and whatever locks the others held); elsewhere, or when the
fork or the child fails, the test runs in line when the figure is asked for, as before.
"""

from __future__ import annotations

import atexit
import contextlib
import dataclasses
import json
import os
import select
import signal
import sys
import threading
import weakref
from collections.abc import Callable

from advisor.probe.bandwidth.copy_test import BandwidthMeasurement, measure_memory_bandwidth

# Longest wait for the child's figure after asking for it (the test stops at 0.5 s; a machine
# so loaded that it takes longer gets the test run in line instead).
ANSWER_WAIT_S = 20.0
# What the child writes once its buffers are ready, before its figure's line (a JSON object)
READY = b"+"


def start_copy_test(
    *, threads: int | None, budget_s: float, prepared: tuple[int, int, int] | None = None
) -> Callable[[], BandwidthMeasurement | None]:
    """Start the copy test; the returned function gives its measurement (None: no test here).
    Call it once. One never called stops its child when it is collected or the run ends.
    `prepared`: a child already preparing this test (its process id, the pipe that lets its
    copies go and the one it answers on; advisor.probe.live.early), taken instead of a fork."""

    def in_line() -> BandwidthMeasurement | None:
        return measure_memory_bandwidth(threads=threads, budget_s=budget_s)

    if prepared is None:
        prepared = fork_child(lambda go, out: copy_test_child(go, out, threads, budget_s))
        if prepared is None:
            return in_line
    return EarlyCopyTest(*prepared, in_line)


def fork_child(child: Callable[[int, int], None]) -> tuple[int, int, int] | None:
    """Fork a child that runs `child(go, out)` and never returns (it leaves with os._exit):
    `go` the pipe end it waits on, `out` the one it answers on. (its process id, the pipe end
    that lets it go, the one to read its answer from); None where the run works in line
    instead: not Linux, another thread running (a fork copies one thread and whatever locks
    the others held), or the fork failed. advisor.probe.live.early forks its child here too."""
    if sys.platform != "linux" or threading.active_count() != 1:
        return None
    go_read, go_write = os.pipe()
    answer_read, answer_write = os.pipe()
    try:
        pid = os.fork()
    except OSError:
        for fd in (go_read, go_write, answer_read, answer_write):
            os.close(fd)
        return None
    if pid == 0:  # the child: never returns, whatever `child` raises or wherever (a Ctrl-C
        try:  # just after the fork, before its own guard) it would be back in the run's code
            os.close(go_write)
            os.close(answer_read)
            child(go_read, answer_write)
        finally:
            os._exit(1)
    os.close(go_read)
    os.close(answer_write)
    return pid, go_write, answer_read


class EarlyCopyTest:
    """A copy test prepared in child process `pid`: calling it lets the timed copies run and
    gives the figure (the test run in line if the child gives none)."""

    def __init__(
        self, pid: int, go: int, answer: int, in_line: Callable[[], BandwidthMeasurement | None]
    ) -> None:
        self.pid = pid
        self._go, self._answer, self._in_line = go, answer, in_line
        self._begun = False
        self._ready = False
        self._head = b""  # what ready() read of the answer
        self._stop = weakref.finalize(self, stop_child, pid, go, answer)

    def begin(self) -> None:
        """Let the timed copies start now, without waiting for the figure (once; the call does
        it too). A report does not: its work beside them would lower the figure (the study in
        docs/startup.md); benchmarks/copy_test.py times such a test."""
        if self._begun:
            return
        self._begun = True
        # A child already gone: asking for the figure finds no answer and tests in line.
        with contextlib.suppress(OSError):
            os.write(self._go, b"1")

    def ready(self) -> bool:
        """Whether the child's buffers are allocated and its timed copies wait only for the go
        (also True once the child has gone: then nothing is worth waiting for). Never blocks."""
        if not self._ready:
            try:
                if select.select([self._answer], [], [], 0)[0]:
                    self._ready = True
                    self._head = os.read(self._answer, len(READY))  # READY, or b"": gone
            except OSError:
                self._ready = True
        return self._ready

    def __call__(
        self, meanwhile: Callable[[Callable[[], bool]], None] | None = None
    ) -> BandwidthMeasurement | None:
        """The figure. `meanwhile`, when given, is called first with `ready`: work of the run's
        own that does not need the figure, done while the child still allocates (it returns
        once `ready()` says the copies can run, or when its work is done; the copies then
        have the machine to themselves, as without it)."""
        if meanwhile is not None and not self._begun:
            meanwhile(self.ready)
        self.begin()
        try:
            found = _read_answer(self._answer, self._head)
        except OSError:
            found = None
        finally:
            if self._stop.detach() is not None:  # the child is leaving: collected later
                stop_child(self.pid, self._go, self._answer, wait=False)
        return found if found is not None else self._in_line()


def copy_test_child(go: int, out: int, threads: int | None, budget_s: float) -> None:
    """The child's part (never returns): allocate, wait for `go`, copy, answer on `out`."""
    code = 1
    held: list = []  # the buffers: unmapped by the exit, after the answer is sent

    def ready() -> bool:  # the buffers are ready: say so, then wait for the go
        os.write(out, READY)
        return os.read(go, 1) == b"1"

    try:
        measured = measure_memory_bandwidth(
            threads=threads, budget_s=budget_s, ready=ready, hold=held
        )
        if measured is not None:
            os.write(out, json.dumps(dataclasses.asdict(measured)).encode() + b"\n")
            code = 0
    finally:
        os._exit(code)


def _read_answer(fd: int, head: bytes = b"") -> BandwidthMeasurement | None:
    """The child's one line (read up to its end, not to the pipe's: the pipe closes only once
    the child has unmapped its buffers and exited), after its READY byte; `head`: what was
    read of the answer already."""
    data = head
    while not data.endswith(b"\n"):
        if not select.select([fd], [], [], ANSWER_WAIT_S)[0]:
            return None
        chunk = os.read(fd, 4096)
        if not chunk:
            break
        data += chunk
    try:
        return BandwidthMeasurement(**json.loads(data.removeprefix(READY)))
    except (ValueError, TypeError):
        return None  # no answer, or not one this version writes: test in line


def stop_child(pid: int, *fds: int, wait: bool = True) -> None:
    """End the child (it has answered and is leaving, did not answer in time, or was never
    asked) and close the pipes; collect it now, or (`wait` False) if it has not exited yet,
    when the run ends."""
    for fd in fds:
        os.close(fd)
    try:
        os.kill(pid, signal.SIGKILL)
        if os.waitpid(pid, 0 if wait else os.WNOHANG)[0] == 0:
            if not _STOPPED:
                atexit.register(collect_stopped)
            _STOPPED.append(pid)
    except (ProcessLookupError, ChildProcessError):
        pass


# Children ended but not yet collected (each leaves a zombie entry until it is).
_STOPPED: list[int] = []


def collect_stopped() -> None:
    """Collect the children ended without waiting (done at the run's exit)."""
    while _STOPPED:
        with contextlib.suppress(ChildProcessError):
            os.waitpid(_STOPPED.pop(), 0)


def collect_exited() -> None:
    """Collect the children ended without waiting that have exited by now (never waits): a
    process that forks again (advisor.remedies_ahead, once per report) keeps no zombies."""
    for pid in list(_STOPPED):
        with contextlib.suppress(ChildProcessError):
            if os.waitpid(pid, os.WNOHANG)[0] == 0:
                continue  # still leaving
        _STOPPED.remove(pid)
