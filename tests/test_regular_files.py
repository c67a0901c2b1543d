"""advisor.files.regular: files read whole, capped, without asking for the cap in one read."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from advisor.files import regular
from advisor.files.regular import FileTooLarge, read_regular


def test_a_read_asks_for_the_files_size_not_the_cap(tmp_path: Path, monkeypatch) -> None:
    """`read(n)` allocates n bytes first: asking for a 1 GiB cap per report file cost an audit
    of 10,000 reports about a second of CPU."""
    path = tmp_path / "report.json"
    path.write_bytes(b"{}" * 5000)
    asked: list[int] = []
    real = regular.os.read

    def recording(fd: int, size: int) -> bytes:
        asked.append(size)
        return real(fd, size)

    monkeypatch.setattr(regular.os, "read", recording)
    assert read_regular(path, 1 << 30) == b"{}" * 5000
    assert asked and max(asked) <= 10_001


def test_a_short_read_is_not_taken_for_the_end(tmp_path: Path, monkeypatch) -> None:
    """os.read may give fewer bytes than asked before the file's end (a network file system,
    a signal): the file is read on until a read gives nothing."""
    path = tmp_path / "report.json"
    path.write_bytes(bytes(range(256)) * 40)
    real = regular.os.read
    monkeypatch.setattr(regular.os, "read", lambda fd, size: real(fd, min(size, 1000)))
    assert read_regular(path, 1 << 30) == bytes(range(256)) * 40
    with pytest.raises(FileTooLarge):
        read_regular(path, 256 * 40 - 1)


def test_the_cap_holds_to_the_byte(tmp_path: Path) -> None:
    path = tmp_path / "doc.yaml"
    path.write_bytes(b"x" * 100)
    assert read_regular(path, 100) == b"x" * 100
    with pytest.raises(FileTooLarge, match="larger than"):
        read_regular(path, 99)
    path.write_bytes(b"")
    assert read_regular(path, 10) == b""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/proc is Linux's")
def test_a_file_larger_than_its_stated_size_is_read_to_its_end_and_capped() -> None:
    """/proc files are regular files that state size 0: what they hold is still read whole."""
    proc = Path("/proc/self/cmdline")
    assert proc.stat().st_size == 0
    whole = proc.read_bytes()
    assert len(whole) > 10
    assert read_regular(proc, 1 << 30) == whole
    with pytest.raises(FileTooLarge):
        read_regular(proc, len(whole) - 1)
    assert read_regular(proc, len(whole)) == whole
