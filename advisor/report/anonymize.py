"""--anonymize: strip hostname, user names, serials, UUIDs and home paths from a report.

The machine keeps a stable id (a salted hash of its hardware fingerprint and its host id), so
an audit can still tell machines apart, identical laptops included, and see the same machine
twice.
"""

from __future__ import annotations

import getpass
import os
import re
import socket
from pathlib import Path
from typing import Any

from advisor.probe.machine import Machine

_MIN_NAME = 3  # shorter user or host names would match inside ordinary words


def anonymized(doc: dict[str, Any], machine: Machine) -> dict[str, Any]:
    doc = dict(doc)
    doc["machine"] = _machine(doc["machine"], doc["machine_id"])
    doc["measurements"] = [_measurement(m, doc["machine_id"]) for m in doc["measurements"]]
    return _scrub(doc, _secrets(machine))


def _machine(data: dict[str, Any], machine_id: str) -> dict[str, Any]:
    data = dict(data)
    if data.get("hostname") or data.get("origin") == "probe":
        data["name"] = f"machine {machine_id}"
    data["hostname"] = None
    data["host_id"] = None
    data["gpus"] = [{**gpu, "uuid": None, "serial": None} for gpu in data.get("gpus", [])]
    return data


def _measurement(data: dict[str, Any], machine_id: str) -> dict[str, Any]:
    data = dict(data)
    data["machine_fingerprint"] = machine_id
    model = dict(data.get("model", {}))
    if model.get("path"):
        model["path"] = Path(model["path"]).name
    data["model"] = model
    return data


def _secrets(machine: Machine) -> list[tuple[re.Pattern[str], str]]:
    """(pattern, replacement) pairs: the home folder first, then user and host names."""
    home = os.path.expanduser("~")
    pairs: list[tuple[re.Pattern[str], str]] = []
    if home and home not in ("/", "~"):
        pairs.append((re.compile(re.escape(home)), "~"))
    names = {_user(), machine.hostname, socket.gethostname()}
    for name in sorted(n for n in names if n and len(n) >= _MIN_NAME):
        replacement = "<user>" if name == _user() else "<host>"
        pairs.append((re.compile(rf"(?<![\w.-]){re.escape(name)}(?![\w-])"), replacement))
    for value in (machine.host_id, *(v for g in machine.gpus for v in (g.uuid, g.serial))):
        if value:
            pairs.append((re.compile(re.escape(value)), "<redacted>"))
    return pairs


def _user() -> str | None:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry, as in some containers
        return None


def _scrub(data: Any, secrets: list[tuple[re.Pattern[str], str]]) -> Any:
    if isinstance(data, str):
        for pattern, replacement in secrets:
            data = pattern.sub(replacement, data)
        return data
    if isinstance(data, dict):
        return {key: _scrub(value, secrets) for key, value in data.items()}
    if isinstance(data, list):
        return [_scrub(value, secrets) for value in data]
    return data
