"""The audit's hardware column names its unit: RAM and VRAM are GiB (as the report's header
and the probe say), one decimal, so a probed 15.5 GiB and a profile's 16 read alike."""

from __future__ import annotations

import json

from advisor.cli import main


def test_the_audit_prints_ram_and_vram_in_gib(tmp_path, capsys) -> None:
    """It printed '15.5 GB RAM' for 15.5 GiB (16.6 GB) and '24 GB' for a 24 GiB card: a
    GiB figure with a GB label."""
    for name, extra in (("laptop", ["--ram", "15.5"]), ("desktop", [])):
        profile = "office-laptop-16gb" if name == "laptop" else "rtx-4090-desktop"
        assert main(["report", "--profile", profile, *extra, "--workload", "chat-assistant",
                     "--json", "-o", str(tmp_path / f"{name}.json")]) == 0  # fmt: skip
    capsys.readouterr()
    assert main(["audit", str(tmp_path), "--format", "json", "--no-upgrades", "--no-cache"]) == 0
    doc = json.loads(capsys.readouterr().out)
    hardware = {m["report"].rsplit("/", 1)[-1]: m["hardware"] for m in doc["machines"]}
    assert hardware["laptop.json"]["ram_gb"] == 15.5  # GiB, as in the report's machine
    assert hardware["desktop.json"]["gpus"] == ["NVIDIA GeForce RTX 4090 24 GiB"]
    for fmt in ("markdown", "csv", "table"):
        assert main(["audit", str(tmp_path), "--format", fmt, "--no-upgrades", "--no-cache"]) == 0
        out = capsys.readouterr().out
        assert " GB RAM" not in out and "4090 24 GB" not in out, fmt
        if fmt != "table":  # the table wraps its cells
            assert "NVIDIA GeForce RTX 4090 24 GiB" in out, fmt
    assert "15.5 GiB RAM" in main_text(tmp_path, capsys)


def main_text(folder, capsys) -> str:
    """The markdown audit's machine column."""
    assert main(["audit", str(folder), "--format", "markdown", "--no-upgrades", "--no-cache"]) == 0
    return capsys.readouterr().out
