"""This computer probed at the very start of a report, in a forked child, while the run itself
parses its arguments, reads its config and loads the catalog and workloads.

A first `advisor --json` spent ~47 ms probing (psutil's import, the spec table's first build, the
sysfs and /proc reads) and only then forked the copy test's child (advisor.probe.bandwidth.early),
whose ~50-100 ms of allocation overlapped the loading. Started as the run starts, one child does
both: it probes, sends the Machine back (pickled, through a pipe only this run holds), and when
the machine needs a copy test (fewer than MIN_TESTS fresh ones cached) goes on to allocate its
buffers and wait for the run to let the timed copies go, as the copy test's own child does: the
timed copies still run alone, once the run has loaded everything and asks for the figure.

Forked only on Linux, from a process with no other thread; the child only reads the machine,
writes the spec table's and nothing else's cache entry, and leaves with os._exit. When it sends
no machine (it failed, or was interrupted), the run probes in line as before, with the same
errors; one never taken (a profile named in the config, a team plan) is stopped and collected
when the run ends.
"""

from __future__ import annotations

import os
import pickle
import select
import struct
import weakref
from typing import TYPE_CHECKING

from advisor.probe.bandwidth import early as copy_early

if TYPE_CHECKING:
    from advisor.probe.machine import Machine

_LENGTH = struct.Struct("<Q")
# Longest wait for the child's machine once the run asks for it (a probe takes ~50 ms; a
# machine so loaded that it takes longer is probed in line instead).
MACHINE_WAIT_S = 20.0


class EarlyProbe:
    """The probe running in child `pid`: `machine()` gives what it found, `copy_test()` the copy
    test it prepares (as advisor.probe.bandwidth.early's child does), `cancel()` stops it."""

    def __init__(self, pid: int, go: int, answer: int) -> None:
        self.pid = pid
        self._go, self._answer = go, answer
        self._testing = False
        self._stop = weakref.finalize(self, copy_early.stop_child, pid, go, answer)

    def machine(self) -> Machine | None:
        """The machine the child probed (its copy test, if it needs one, then prepares); None
        when it sent none, and the child is stopped."""
        try:
            head = _read_exactly(self._answer, _LENGTH.size)
            machine, testing = pickle.loads(_read_exactly(self._answer, _LENGTH.unpack(head)[0]))
        except (OSError, EOFError, ValueError, TypeError, pickle.UnpicklingError):
            self.cancel()
            return None
        self._testing = bool(testing)
        if not self._testing:
            self.cancel()
        return machine

    def copy_test(self) -> tuple[int, int, int] | None:
        """The child's process id and pipes, for the copy test it prepares (handed over: this
        object no longer stops the child); None when it prepares none."""
        if not self._testing or self._stop.detach() is None:
            return None
        return self.pid, self._go, self._answer

    def cancel(self) -> None:
        """Stop the child (collected now, or at the run's end if it is still exiting)."""
        if self._stop.detach() is not None:
            copy_early.stop_child(self.pid, self._go, self._answer, wait=False)


def start_probe() -> EarlyProbe | None:
    """Fork the child that probes this computer; None where the run probes in line (not Linux,
    another thread running, or the fork failed)."""
    forked = copy_early.fork_child(_child)
    return None if forked is None else EarlyProbe(*forked)


def _child(go: int, out: int) -> None:
    code = 1
    try:
        from advisor.probe.bandwidth.copy_test import BUDGET_S, MIN_TESTS, recorded_bandwidth
        from advisor.probe.fingerprint import machine_fingerprint
        from advisor.probe.live.probe import probe_machine

        machine = probe_machine(measure_bandwidth=False)
        testing = len(recorded_bandwidth(machine_fingerprint(machine))) < MIN_TESTS
        data = pickle.dumps((machine, testing), protocol=pickle.HIGHEST_PROTOCOL)
        _write_all(out, _LENGTH.pack(len(data)) + data)
        if testing:  # as the copy test's own child: never returns
            copy_early.copy_test_child(go, out, machine.cpu.physical_cores, BUDGET_S)
        code = 0
    except BaseException:  # noqa: BLE001 - interrupted or failed: the run probes in line
        pass
    finally:
        os._exit(code)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _read_exactly(fd: int, size: int) -> bytes:
    data = b""
    while len(data) < size:
        if not select.select([fd], [], [], MACHINE_WAIT_S)[0]:
            raise EOFError("the probe's child sent no machine in time")
        chunk = os.read(fd, size - len(data))
        if not chunk:
            raise EOFError("the probe's child ended without a machine")
        data += chunk
    return data


# The probe started for this process's own run (advisor.cli starts it; the report takes it).
_STARTED: list[EarlyProbe] = []


def start_for_this_run() -> None:
    """Start the probe for the report this process is about to make (see start_probe), unless
    the copy tests cached say it is a warm run: then nothing takes long enough to overlap, and
    while a child lives every page the run writes is copied for it first (a warm run with the
    child: +12 ms CPU, 2026-12-07, load 7.6); it probes in line as before. The modules both the
    probe and the report use are imported first, so that the child does not import them a
    second time (~10 ms CPU; the report needs them all later)."""
    from advisor.probe.bandwidth.copy_test import tested_enough_somewhere

    if tested_enough_somewhere():
        return
    import advisor.files.disk_cache
    import advisor.probe.fingerprint
    import advisor.probe.specs.table
    import advisor.probe.unknowns  # noqa: F401

    started = start_probe()
    if started is not None:
        _STARTED.append(started)


def take_started() -> EarlyProbe | None:
    """The probe started for this run, once (None: none was started, or it was taken)."""
    return _STARTED.pop() if _STARTED else None
