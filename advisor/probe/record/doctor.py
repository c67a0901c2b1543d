"""`advisor doctor`'s dump: every read the probe made, raw, plus the Machine it built from them.

The dump is JSON and replays as a test fixture (advisor.probe.record.replay).
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from advisor import __version__
from advisor.probe.live.host import LiveHost

DUMP_VERSION = 1


def doctor_dump(*, measure_bandwidth: bool = True) -> dict[str, Any]:
    """Probe this computer while recording every answer; return the recording and the result."""
    from advisor.probe.bandwidth.fill import fill_memory_bandwidth
    from advisor.probe.live.probe import probe_machine
    from advisor.probe.profiles.serialize import machine_fingerprint, machine_to_dict

    host = LiveHost(record=True)
    machine = probe_machine(measure_bandwidth=False, host=host)
    machine = _without_host_id(host, machine)
    dump: dict[str, Any] = {
        "doctor_version": DUMP_VERSION,
        "advisor_version": __version__,
        "captured_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "reads": host.transcript,
        "machine": machine_to_dict(machine),
        "fingerprint": machine_fingerprint(machine),
    }
    if measure_bandwidth:
        measured = fill_memory_bandwidth(machine, use_cache=False)
        dump["bandwidth"] = {
            "measured_gbs": measured.memory.bandwidth_measured_gbs,
            "source": measured.sources.get("memory.bandwidth_measured_gbs"),
            "reason": measured.unknown.get("memory.bandwidth_measured_gbs"),
        }
    return dump


def _without_host_id(host: LiveHost, machine):
    """The dump is for sharing: the installation's id is left out of the reads (and so out of
    the machine they replay into)."""
    import dataclasses

    from advisor.probe.live.system import HOST_ID_COMMAND, MACHINE_ID_FILES

    assert host.transcript is not None
    why = "left out of the dump: it identifies this installation"
    for path in MACHINE_ID_FILES:
        if path in host.transcript["files"]:
            host.transcript["files"][path] = {"value": None, "reason": why}
    command = " ".join(HOST_ID_COMMAND)
    if command in host.transcript["commands"]:
        host.transcript["commands"][command] = {"value": None, "reason": why}
    sources = {k: v for k, v in machine.sources.items() if k != "host_id"}
    return dataclasses.replace(machine, host_id=None, sources=sources)
