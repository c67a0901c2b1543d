"""`probe --replay` on a doctored dump: values of the wrong shape read as unknown, a GPU count
of 2**70 ends at once, and nothing raises (issue 17, "Replay dumps")."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from probe_fakes import RTX_4090, linux, nvidia_gpu, with_nvidia

from advisor.cli import main
from advisor.errors import ExitCode
from advisor.probe.record.replay import NOT_READ, replay_machine

NVIDIA = with_nvidia(linux(), [nvidia_gpu(**RTX_4090)])


def _replay(tmp_path: Path, capsys, dump: object) -> tuple[int, dict | None, str]:
    path = tmp_path / "dump.json"
    path.write_text(json.dumps(dump))
    code = main(["probe", "--replay", str(path), "--json"])
    out, err = capsys.readouterr()
    return code, json.loads(out) if code == 0 else None, err


def _calls(dump: dict, fn: str) -> list[dict]:
    return [c for c in dump["reads"]["nvml"]["calls"] if c["call"] == fn]


@pytest.mark.parametrize("count", [2**70, 10**6, -1, "2", [1]])
def test_an_absurd_gpu_count_ends_with_a_note(tmp_path, capsys, count) -> None:
    dump = copy.deepcopy(NVIDIA)
    _calls(dump, "nvmlDeviceGetCount")[0]["value"] = count
    code, doc, err = _replay(tmp_path, capsys, dump)
    assert code == ExitCode.OK, err
    assert doc["gpus"] == []
    assert any("NVIDIA GPUs not probed" in note for note in doc["notes"])


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("virtual_memory", {"total": "64 GB", "available": 1}),
        ("virtual_memory", {"available": 1}),
        ("swap_memory", {"total": {}, "free": 0}),
        ("cpu_count:physical", [16]),
        ("cpu_freq", {"current": "fast", "min": None, "max": None}),
        ("battery", 5),
        ("disk_usage:/home/user/.cache", 750),
    ],
)
def test_psutil_answers_of_the_wrong_shape_read_as_unknown(key: str, value: object) -> None:
    dump = copy.deepcopy(linux())
    dump["reads"]["psutil"][key] = {"value": value}
    from advisor.probe.record.replay import ReplayHost

    name, _, arg = key.partition(":")
    assert ReplayHost(dump).psutil(name, arg or None) == (None, NOT_READ)
    replay_machine(dump)  # and the probe builds a machine from the rest


@pytest.mark.parametrize(
    ("fn", "value"),
    [
        ("nvmlDeviceGetMemoryInfo", [1, 2]),
        ("nvmlDeviceGetMemoryInfo", {"total": "24 GB", "free": 1}),
        ("nvmlDeviceGetPciInfo", {"busId": 1, "pciDeviceId": [2]}),
        ("nvmlDeviceGetCudaComputeCapability", [8]),
        ("nvmlDeviceGetPowerUsage", {"mW": 3}),
        ("nvmlDeviceGetName", 4090),
    ],
)
def test_nvml_answers_of_the_wrong_shape_are_failed_calls(tmp_path, capsys, fn, value) -> None:
    dump = copy.deepcopy(NVIDIA)
    _calls(dump, fn)[0]["value"] = value
    code, doc, err = _replay(tmp_path, capsys, dump)
    assert code == ExitCode.OK, err
    assert len(doc["gpus"]) == 1


@pytest.mark.parametrize(
    "reads",
    [[], "x", {"psutil": []}, {"platform": {"system": 5}},
     {"nvml": {"module": "pynvml", "calls": 7}},
     {"files": {"/proc/cpuinfo": {"value": ["a"]}}}, {"env": {"HOME": 3}},
     {"nvml": {"module": "pynvml", "calls": [{"call": "nvmlInit", "code": [1]}]}}],
)  # fmt: skip
def test_sections_of_the_wrong_shape_do_not_raise(tmp_path, capsys, reads) -> None:
    code, _, err = _replay(tmp_path, capsys, {"doctor_version": 1, "reads": reads})
    assert code == ExitCode.OK, err
