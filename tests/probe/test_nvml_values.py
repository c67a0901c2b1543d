"""NVML answers no GPU can have are unknown with a reason, and what pynvml throws never escapes
the gateway: `probe --json` then always reads back as a --profile."""

from __future__ import annotations

import ctypes
import json
from pathlib import Path
from typing import Any

import pytest
from probe_fakes import RTX_4090, linux, nvidia_gpu, with_nvidia

from advisor.cli import main
from advisor.errors import ExitCode
from advisor.probe.profiles.serialize import machine_from_dict, machine_to_dict
from advisor.probe.record.replay import ReplayHost, ReplayNvml, replay_machine


def _dump_with(**answers: Any) -> dict[str, Any]:
    gpu = nvidia_gpu(**RTX_4090)
    gpu.update(answers)
    return with_nvidia(linux(), [gpu])


ABSURD = [
    ("vram_total_bytes", {"nvmlDeviceGetMemoryInfo": {"total": 0, "free": 0, "used": 0}}),
    ("vram_total_bytes", {"nvmlDeviceGetMemoryInfo": {"total": -1, "free": 0, "used": 0}}),
    ("vram_total_bytes", {"nvmlDeviceGetMemoryInfo": {"total": 2**64 - 1, "free": 0, "used": 0}}),
    ("vram_free_bytes", {"nvmlDeviceGetMemoryInfo": {"total": 2**34, "free": 2**40, "used": 0}}),
    ("power_limit_w", {"nvmlDeviceGetEnforcedPowerLimit": 0}),
    ("tdp_w", {"nvmlDeviceGetPowerManagementDefaultLimit": 0}),
    ("bus_width_bits", {"nvmlDeviceGetMemoryBusWidth": 0}),
    ("max_memory_clock_mhz", {"nvmlDeviceGetMaxClockInfo": 0}),
    ("power_draw_w", {"nvmlDeviceGetPowerUsage": -5000}),
]


@pytest.mark.parametrize(("field", "answers"), ABSURD)
def test_an_absurd_answer_is_unknown_with_a_reason(field: str, answers: dict) -> None:
    machine = replay_machine(_dump_with(**answers))
    (gpu,) = machine.gpus
    if field == "tdp_w":  # the spec table stands in for a default limit NVML got wrong
        assert gpu.tdp_w == 450 and not machine.sources["gpus[0].tdp_w"].startswith("nvml")
        return
    reason = machine.unknown[f"gpus[0].{field}"]
    assert getattr(gpu, field) is None
    assert "which no GPU has" in reason or "bytes free of" in reason


@pytest.mark.parametrize(("field", "answers"), ABSURD)
def test_probe_json_reads_back_as_a_profile(
    field: str, answers: dict, tmp_path: Path, capsys
) -> None:
    """What `probe --json` writes passes advisor's own profile schema."""
    dump = tmp_path / "dump.json"
    dump.write_text(json.dumps(_dump_with(**answers)), encoding="utf-8")
    assert main(["probe", "--replay", str(dump), "--json"]) == ExitCode.OK
    profile = tmp_path / "me.json"
    profile.write_text(capsys.readouterr().out, encoding="utf-8")
    assert main(["probe", "--profile", str(profile), "--json"]) == ExitCode.OK
    again = json.loads(capsys.readouterr().out)
    assert again["gpus"][0]["name"] == "NVIDIA GeForce RTX 4090"


def test_an_absurd_gpu_count_probes_no_gpu() -> None:
    dump = _dump_with()
    calls = dump["reads"]["nvml"]["calls"]
    next(c for c in calls if c["call"] == "nvmlDeviceGetCount")["value"] = 2**70
    machine = replay_machine(dump)
    assert machine.gpus == ()
    assert any("not a GPU count" in note for note in machine.notes)


class _Throwing(ReplayNvml):
    """pynvml as recorded, except that some calls throw what its ctypes layer throws."""

    def __init__(self, calls, throws: dict[str, BaseException]) -> None:
        super().__init__(calls)
        self._throws = throws

    def __getattribute__(self, name: str) -> Any:
        throws = object.__getattribute__(self, "_throws")
        if name in throws:

            def throw(*args: Any) -> Any:
                raise throws[name]

            return throw
        return object.__getattribute__(self, name)


class _ThrowingHost(ReplayHost):
    def __init__(self, dump: dict[str, Any], throws: dict[str, BaseException]) -> None:
        super().__init__(dump)
        self._throws = throws

    def nvml_module(self):
        return _Throwing(self._section("nvml").get("calls", []), self._throws), None


@pytest.mark.parametrize(
    "exc",
    [
        RuntimeError("NVML call failed"),
        ctypes.ArgumentError("argument 1: wrong type"),
        MemoryError(),
        OverflowError("int too big to convert"),
    ],  # fmt: skip
    ids=lambda e: type(e).__name__,
)
@pytest.mark.parametrize(
    "fn",
    ["nvmlInit", "nvmlDeviceGetCount", "nvmlDeviceGetHandleByIndex", "nvmlDeviceGetMemoryInfo"],
)
def test_nothing_pynvml_throws_escapes_the_gateway(fn: str, exc: BaseException) -> None:
    from advisor.probe.live.probe import probe_machine

    host = _ThrowingHost(_dump_with(), {fn: exc})
    machine = probe_machine(measure_bandwidth=False, host=host)
    assert type(exc).__name__ in json.dumps(machine.unknown) + " ".join(machine.notes)
    machine_from_dict(machine_to_dict(machine))  # and it reads back
