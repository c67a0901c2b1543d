"""Replay a recorded probe run (an `advisor doctor` dump) through the same probe code.

ReplayHost answers every read from the recording; its NVML is a pynvml stand-in that returns
the recorded values (dicts become attribute objects, as pynvml's structs are) and raises the
recorded NVMLError codes, so the real gateway and parsers run unchanged.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from advisor.errors import InputError
from advisor.probe.live import psutil_facts
from advisor.probe.live.host import Answer

MISSING = "not in the recording"


def _struct(value: Any) -> Any:
    if isinstance(value, dict):
        return SimpleNamespace(**{k: _struct(v) for k, v in value.items()})
    return value


class _Handle:
    def __init__(self, index: int) -> None:
        self.index = index


def _int(value: Any) -> bool:
    return type(value) is int


def _str(value: Any) -> bool:
    return isinstance(value, str)


def _anything(value: Any) -> bool:
    return True


def _fields(**checks: Callable[[Any], bool]) -> Callable[[Any], bool]:
    """A pynvml struct (a dict once recorded) whose named fields, where present, pass."""
    return lambda value: (
        isinstance(value, dict)
        and all(check(value[key]) for key, check in checks.items() if key in value)
    )


# What pynvml returns (after advisor.probe.gpu.nvml.plain) for each call the probe makes: a replayed
# answer of another shape raises, as a failing pynvml call would, instead of reaching a parser.
_NVML_RESULTS: dict[str, Callable[[Any], bool]] = {
    "nvmlInit": lambda v: v is None,
    "nvmlShutdown": lambda v: v is None,
    "nvmlDeviceGetCount": _int,
    "nvmlSystemGetDriverVersion": _str,
    "nvmlSystemGetCudaDriverVersion": _int,
    "nvmlDeviceGetName": _str,
    "nvmlDeviceGetMemoryInfo": _fields(total=_int, free=_int, used=_int),
    "nvmlDeviceGetMemoryBusWidth": _int,
    "nvmlDeviceGetMaxClockInfo": _int,
    "nvmlDeviceGetCudaComputeCapability": lambda v: (
        isinstance(v, list) and len(v) == 2 and all(map(_int, v))
    ),
    "nvmlDeviceGetEnforcedPowerLimit": _int,
    "nvmlDeviceGetPowerManagementDefaultLimit": _int,
    "nvmlDeviceGetPowerUsage": _int,
    "nvmlDeviceGetUUID": _str,
    "nvmlDeviceGetSerial": _str,
    "nvmlDeviceGetPciInfo": _fields(busId=_str, pciDeviceId=_int),
    "nvmlDeviceGetAddressingMode": _int,
    "nvmlDeviceGetTotalEnergyConsumption": _int,
}


def _code(value: Any) -> int:
    """A recorded NVML error code; 999 (NVML_ERROR_UNKNOWN) for anything else."""
    return value if type(value) is int else 999


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
                    raise self.NVMLError(_code(call["code"]))
                if "error" in call and call["error"] != "missing":
                    raise OSError(str(call.get("message") or call.get("reason"))[:200])
                if call.get("error") == "missing":
                    raise AttributeError(f"{fn} is not in this pynvml version")
                value = call.get("value")
                if not _NVML_RESULTS.get(fn, _anything)(value):
                    raise ValueError(f"the recording's {fn} answer is not one pynvml gives")
                return _struct(value)
        raise self.NVMLError(13)  # FUNCTION_NOT_FOUND: this run asked what the recording did not

    def nvmlDeviceGetHandleByIndex(self, index: int) -> _Handle:
        for call in self._calls:
            if call.get("call") == "nvmlDeviceGetHandleByIndex" and call.get("args") == [index]:
                if "code" in call:
                    raise self.NVMLError(_code(call["code"]))
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


NOT_READ = "the recording's answer is not one this read gives"


def _answer(entry: Any, well_formed: Callable[[Any], bool]) -> Answer:
    """The recorded (value, reason), if the value has the shape a live read gives; a dump is
    untrusted input, so anything else reads as unknown rather than reaching a parser."""
    if not isinstance(entry, dict):
        return None, MISSING
    value, reason = entry.get("value"), entry.get("reason")
    if not isinstance(reason, str):
        reason = None
    if value is None:
        return None, reason or MISSING
    if isinstance(value, list):
        value = tuple(value)
    if not well_formed(value):
        return None, NOT_READ
    return value, reason


def _text(value: Any) -> bool:
    return isinstance(value, str)


def _names(value: Any) -> bool:
    return isinstance(value, tuple) and all(isinstance(v, str) for v in value)


def _strings(value: Any) -> dict[str, str]:
    if not isinstance(value, dict):
        return {}
    return {k: v for k, v in value.items() if isinstance(k, str) and isinstance(v, str)}


class ReplayHost:
    """A Host whose every answer comes from a doctor dump (see advisor.probe.record.doctor)."""

    def __init__(self, dump: dict[str, Any]) -> None:
        self.dump = dump
        reads = dump.get("reads", dump)
        self.reads = reads if isinstance(reads, dict) else {}

    def _section(self, name: str) -> dict[str, Any]:
        section = self.reads.get(name)
        return section if isinstance(section, dict) else {}

    def file(self, path: str) -> Answer:
        return _answer(self._section("files").get(path), _text)

    def listdir(self, path: str) -> Answer:
        return _answer(self._section("dirs").get(path), _names)

    def readlink(self, path: str) -> Answer:
        return _answer(self._section("links").get(path), _text)

    def sysctl(self, names: Sequence[str]) -> dict[str, str]:
        values: dict[str, str] = {}
        for recorded in self._section("sysctl").values():
            values.update({k: v for k, v in _strings(recorded).items() if k in names})
        return values

    def command(self, argv: Sequence[str]) -> Answer:
        return _answer(self._section("commands").get(" ".join(argv)), _text)

    def env(self, name: str) -> str | None:
        return _strings(self._section("env")).get(name)

    def platform(self) -> dict[str, str]:
        return _strings(self._section("platform"))

    def psutil(self, name: str, arg: str | None = None) -> Answer:
        key = name if arg is None else f"{name}:{arg}"
        return _answer(
            self._section("psutil").get(key), lambda value: psutil_facts.well_formed(name, value)
        )

    def nvml_module(self) -> Answer:
        nvml = self._section("nvml")
        module = nvml.get("module")
        calls = nvml.get("calls")
        if module == "pynvml" and isinstance(calls, list):
            return ReplayNvml([c for c in calls if isinstance(c, dict)]), None
        reason = module.get("reason") if isinstance(module, dict) else None
        return None, reason or "NVML was not used in the recording"

    def record_nvml(self, call: dict[str, Any]) -> None:
        """Replays record nothing."""


def load_dump(path: str | Path) -> dict[str, Any]:
    """Read a saved `advisor doctor` dump; InputError if it is not one."""
    from advisor.files.docload import DocumentError, SyntaxProblem, parse, read_text

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
    from advisor.probe.live.probe import probe_machine

    return probe_machine(measure_bandwidth=False, host=ReplayHost(dump))
