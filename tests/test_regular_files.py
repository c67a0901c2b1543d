"""advisor.files.regular: files read whole, capped, without asking for the cap in one read."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from advisor.files import regular
from advisor.files.regular import FileTooLarge, read_regular


class _Recording:
    """A file handle that records the size of every read asked of it."""

    def __init__(self, handle) -> None:
        self.handle = handle
        self.asked: list[int] = []

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.handle.close()

    def fileno(self) -> int:
        return self.handle.fileno()

    def read(self, size: int = -1) -> bytes:
        self.asked.append(size)
        return self.handle.read(size)


def test_a_read_asks_for_the_files_size_not_the_cap(tmp_path: Path, monkeypatch) -> None:
    """`read(n)` allocates n bytes first: asking for a 1 GiB cap per report file cost an audit
    of 10,000 reports about a second of CPU."""
    path = tmp_path / "report.json"
    path.write_bytes(b"{}" * 5000)
    handles: list[_Recording] = []
    real = regular.open_regular

    def recording(target):
        handles.append(_Recording(real(target)))
        return handles[-1]

    monkeypatch.setattr(regular, "open_regular", recording)
    assert read_regular(path, 1 << 30) == b"{}" * 5000
    assert max(handles[0].asked) <= 10_001


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
