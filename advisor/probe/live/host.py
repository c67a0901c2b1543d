"""The probe's only window on the system: files, directories, sysctl, commands, psutil, NVML.

Every probe path reads through a Host, so a run can be recorded (`advisor doctor`) and
replayed (advisor.probe.record.replay) as a test fixture. Each read answers (value, reason):
value None means unknown, and reason says why in words a user can act on.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

Answer = tuple[Any, "str | None"]


class Host(Protocol):
    """What a probe may ask of the machine. LiveHost asks the real one; ReplayHost a recording."""

    def file(self, path: str) -> Answer: ...
    def listdir(self, path: str) -> Answer: ...
    def readlink(self, path: str) -> Answer: ...
    def sysctl(self, names: Sequence[str]) -> dict[str, str]: ...
    def command(self, argv: Sequence[str]) -> Answer: ...
    def env(self, name: str) -> str | None: ...
    def platform(self) -> dict[str, str]: ...
    def psutil(self, name: str, arg: str | None = None) -> Answer: ...
    def nvml_module(self) -> Answer: ...
    def record_nvml(self, call: dict[str, Any]) -> None: ...


def os_error_reason(exc: OSError, what: str) -> str:
    if isinstance(exc, PermissionError):
        return f"permission denied reading {what}"
    if isinstance(exc, FileNotFoundError):
        return f"{what} does not exist"
    return f"cannot read {what}: {exc.strerror or exc}"


def new_transcript() -> dict[str, Any]:
    return {
        "platform": {},
        "env": {},
        "files": {},
        "dirs": {},
        "links": {},
        "sysctl": {},
        "commands": {},
        "psutil": {},
        "nvml": {"module": None, "calls": []},
    }


def _plain(answer: Answer) -> dict[str, Any]:
    value, reason = answer
    return {"value": value} if reason is None else {"value": value, "reason": reason}


# Files can be large (/proc/cpuinfo on a 192-core server); the probe never needs more.
MAX_FILE_BYTES = 256 * 1024
COMMAND_TIMEOUT_S = 5.0


class LiveHost:
    """Reads the real system; `root` relocates absolute paths (a fake sysfs tree in tests)."""

    def __init__(self, root: str | Path | None = None, *, record: bool = False) -> None:
        self.root = Path(root) if root is not None else None
        self.transcript: dict[str, Any] | None = new_transcript() if record else None

    def _path(self, path: str) -> Path:
        return self.root / path.lstrip("/") if self.root is not None else Path(path)

    def _keep(self, section: str, key: str, entry: Any) -> None:
        if self.transcript is not None:
            self.transcript[section][key] = entry

    def file(self, path: str) -> Answer:
        try:
            with self._path(path).open("rb") as handle:
                data = handle.read(MAX_FILE_BYTES)
            answer: Answer = (data.decode("utf-8", errors="replace"), None)
        except OSError as exc:
            answer = (None, os_error_reason(exc, path))
        self._keep("files", path, _plain(answer))
        return answer

    def listdir(self, path: str) -> Answer:
        try:
            answer: Answer = (tuple(sorted(os.listdir(self._path(path)))), None)
        except OSError as exc:
            answer = (None, os_error_reason(exc, path))
        self._keep("dirs", path, {**_plain(answer), "value": answer[0] and list(answer[0])})
        return answer

    def readlink(self, path: str) -> Answer:
        try:
            answer: Answer = (os.readlink(self._path(path)), None)
        except OSError as exc:
            answer = (None, os_error_reason(exc, path))
        self._keep("links", path, _plain(answer))
        return answer

    def sysctl(self, names: Sequence[str]) -> dict[str, str]:
        """One `sysctl` call for all names; names the kernel does not know are left out."""
        text, _ = self.command(("sysctl", *names))
        values: dict[str, str] = {}
        for line in (text or "").splitlines():
            key, sep, value = line.partition(":")
            if sep and key.strip() in names:
                values[key.strip()] = value.strip()
        self._keep("sysctl", " ".join(names), values)
        return values

    def command(self, argv: Sequence[str]) -> Answer:
        import subprocess  # here: ~10 ms of imports a warm run, which runs no command, skips

        key = " ".join(argv)
        try:
            done = subprocess.run(
                list(argv), capture_output=True, text=True, timeout=COMMAND_TIMEOUT_S, check=False
            )
            # sysctl exits non-zero when one of several names is unknown, yet prints the rest
            answer: Answer = (
                (done.stdout, None) if done.stdout else (None, f"`{key}` printed nothing")
            )
        except FileNotFoundError:
            answer = (None, f"`{argv[0]}` is not installed")
        except (OSError, subprocess.SubprocessError) as exc:
            answer = (None, f"`{key}` failed: {exc}")
        self._keep("commands", key, _plain(answer))
        return answer

    def env(self, name: str) -> str | None:
        value = os.environ.get(name)
        self._keep("env", name, value)
        return value

    def platform(self) -> dict[str, str]:
        if hasattr(os, "uname"):  # what the platform module answers there, without its import
            uname = os.uname()
            info = {"system": uname.sysname, "machine": uname.machine, "node": uname.nodename,
                    "release": uname.release}  # fmt: skip
        else:
            import platform

            info = {"system": platform.system(), "machine": platform.machine(),
                    "node": platform.node(), "release": platform.release()}  # fmt: skip
        if self.transcript is not None:
            self.transcript["platform"] = info
        return info

    def psutil(self, name: str, arg: str | None = None) -> Answer:
        from advisor.probe.live import psutil_facts

        answer = psutil_facts.read(name, arg)
        self._keep("psutil", name if arg is None else f"{name}:{arg}", _plain(answer))
        return answer

    def nvml_module(self) -> Answer:
        try:
            import pynvml
        except ImportError as exc:
            answer: Answer = (None, f"the pynvml package is not installed ({exc})")
        else:
            answer = (pynvml, None)
        self._keep("nvml", "module", "pynvml" if answer[0] is not None else {"reason": answer[1]})
        return answer

    def record_nvml(self, call: dict[str, Any]) -> None:
        if self.transcript is not None:
            self.transcript["nvml"]["calls"].append(call)
