"""Replay a recorded probe run (an `advisor doctor` dump) through the same probe code.

ReplayHost answers every read from the recording; its NVML is a pynvml stand-in that returns
the recorded values (dicts become attribute objects, as pynvml's structs are) and raises the
recorded NVMLError codes, so the real gateway and parsers run unchanged.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from advisor.errors import InputError
from advisor.probe.host import Answer

MISSING = "not in the recording"


def _struct(value: Any) -> Any:
    if isinstance(value, dict):
        return SimpleNamespace(**{k: _struct(v) for k, v in value.items()})
    return value


class _Handle:
    def __init__(self, index: int) -> None:
        self.index = index


class ReplayNvml:
    """Answers pynvml calls from recorded ones, matched by function, device and arguments."""

    NVML_CLOCK_MEM = 2

    def __init__(self, calls: Sequence[dict[str, Any]]) -> None:
        import pynvml

        self.NVMLError = pynvml.NVMLError
        self._calls = list(calls)

    def _answer(self, fn: str, device: int | None, args: list) -> Any:
        for call in self._calls:
            if (
                call.get("call") == fn
                and call.get("device") == device
                and call.get("args", []) == args
            ):
                if "code" in call:
                    raise self.NVMLError(call["code"])
                if "error" in call and call["error"] != "missing":
                    raise OSError(call.get("message") or call.get("reason"))
                if call.get("error") == "missing":
                    raise AttributeError(f"{fn} is not in this pynvml version")
                return _struct(call.get("value"))
        raise self.NVMLError(13)  # FUNCTION_NOT_FOUND: this run asked what the recording did not

    def nvmlDeviceGetHandleByIndex(self, index: int) -> _Handle:
        for call in self._calls:
            if call.get("call") == "nvmlDeviceGetHandleByIndex" and call.get("args") == [index]:
                if "code" in call:
                    raise self.NVMLError(call["code"])
                return _Handle(index)
        return _Handle(index)

    def __getattr__(self, fn: str):
        if not fn.startswith("nvml"):
            raise AttributeError(fn)

        def call(*args: Any) -> Any:
            if args and isinstance(args[0], _Handle):
                return self._answer(fn, args[0].index, list(args[1:]))
            return self._answer(fn, None, list(args))

        return call


def _answer(entry: Any) -> Answer:
    if not isinstance(entry, dict):
        return None, MISSING
    value = entry.get("value")
    if isinstance(value, list):
        value = tuple(value)
    return value, entry.get("reason")


class ReplayHost:
    """A Host whose every answer comes from a doctor dump (see advisor.probe.doctor)."""

    def __init__(self, dump: dict[str, Any]) -> None:
        self.dump = dump
        self.reads = dump.get("reads", dump)

    def _section(self, name: str) -> dict[str, Any]:
        section = self.reads.get(name)
        return section if isinstance(section, dict) else {}

    def file(self, path: str) -> Answer:
        return _answer(self._section("files").get(path))

    def listdir(self, path: str) -> Answer:
        return _answer(self._section("dirs").get(path))

    def readlink(self, path: str) -> Answer:
        return _answer(self._section("links").get(path))

    def sysctl(self, names: Sequence[str]) -> dict[str, str]:
        values: dict[str, str] = {}
        for recorded in self._section("sysctl").values():
            values.update({k: v for k, v in recorded.items() if k in names})
        return values

    def command(self, argv: Sequence[str]) -> Answer:
        return _answer(self._section("commands").get(" ".join(argv)))

    def env(self, name: str) -> str | None:
        return self._section("env").get(name)

    def platform(self) -> dict[str, str]:
        return dict(self._section("platform"))

    def psutil(self, name: str, arg: str | None = None) -> Answer:
        key = name if arg is None else f"{name}:{arg}"
        return _answer(self._section("psutil").get(key))

    def nvml_module(self) -> Answer:
        nvml = self._section("nvml")
        module = nvml.get("module")
        if module == "pynvml":
            return ReplayNvml(nvml.get("calls", [])), None
        reason = module.get("reason") if isinstance(module, dict) else None
        return None, reason or "NVML was not used in the recording"

    def record_nvml(self, call: dict[str, Any]) -> None:
        """Replays record nothing."""


def load_dump(path: str | Path) -> dict[str, Any]:
    """Read a saved `advisor doctor` dump; InputError if it is not one."""
    from advisor.docload import DocumentError, SyntaxProblem, parse, read_text

    path = Path(path)
    text = read_text(path, lambda message: InputError(message, path=path), what="dump")
    try:
        data = parse(text, as_json=True)
    except SyntaxProblem as exc:
        raise InputError(f"not valid JSON: {exc.problem}", path=path, line=exc.line) from None
    except DocumentError as exc:
        raise InputError(exc.message, path=path, line=exc.line) from None
    if not isinstance(data, dict) or "reads" not in data:
        raise InputError("not an `advisor doctor` dump (no `reads` section)", path=path)
    return data


def replay_machine(dump: dict[str, Any]):
    """The Machine the probe builds from a recorded run (no bandwidth test: none was recorded)."""
    from advisor.probe.probe import probe_machine

    return probe_machine(measure_bandwidth=False, host=ReplayHost(dump))
