"""`advisor probe` and `advisor doctor` end to end through the CLI."""

from __future__ import annotations

import json

import pytest

from advisor.cli import main


def test_probe_json_is_a_profile_and_text_reads(capsys, tmp_path) -> None:
    assert main(["probe", "--json", "--no-bandwidth"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert (
        doc["schema_version"] == 1
        and doc["origin"] == "probe"
        and doc["fingerprint"].startswith("m-")
    )
    path = tmp_path / "me.json"
    path.write_text(json.dumps(doc))
    assert main(["probe", "--profile", str(path), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["ram_gb"] == doc["ram_gb"]
    assert main(["probe", "--profile", "dual-rtx-3090"]) == 0
    text = capsys.readouterr().out
    assert "GPU 1: NVIDIA GeForce RTX 3090" in text and "Backend: cuda" in text


def test_probe_bad_profile_exit_code(capsys, tmp_path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("name: x\nram_gb: -4\n")
    assert main(["probe", "--profile", str(path)]) == 3
    assert f"{path}:2: ram_gb:" in capsys.readouterr().err
    assert main(["probe", "--profile", "no-such-machine"]) == 4


def test_doctor_dump_replays_through_probe(capsys, tmp_path) -> None:
    out = tmp_path / "dump.json"
    assert main(["doctor", "--no-bandwidth", "-o", str(out)]) == 0
    dump = json.loads(out.read_text())
    assert {"files", "dirs", "psutil", "nvml", "platform"} <= set(dump["reads"])
    assert "/proc/cpuinfo" in dump["reads"]["files"]
    assert main(["probe", "--replay", str(out), "--json"]) == 0
    replayed = json.loads(capsys.readouterr().out)
    assert {
        k: v for k, v in replayed.items() if k not in ("schema_version", "fingerprint")
    } == dump["machine"]


def test_doctor_leaves_the_installation_id_out(tmp_path) -> None:
    """This machine has /etc/machine-id: the probe keys a host id on it, the dump (made to be
    shared) carries neither the id nor the file."""
    from pathlib import Path

    from advisor.probe import probe_machine

    machine_id = Path("/etc/machine-id")
    if not machine_id.is_file() or not machine_id.read_text().strip():
        pytest.skip("this machine has no /etc/machine-id")
    raw = machine_id.read_text().strip()
    assert probe_machine(measure_bandwidth=False).host_id not in (None, raw)
    out = tmp_path / "dump.json"
    assert main(["doctor", "--no-bandwidth", "-o", str(out)]) == 0
    text = out.read_text()
    dump = json.loads(text)
    assert raw not in text and dump["machine"]["host_id"] is None
    assert "identifies this installation" in dump["reads"]["files"]["/etc/machine-id"]["reason"]
