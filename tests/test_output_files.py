"""Files advisor writes (-o, the overlay, caches) behave like ordinary writes, done atomically:
the umask's mode, an existing file's mode kept, a symlink written through, no orphans left."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from advisor.cli import main
from advisor.errors import ExitCode
from advisor.paths import atomic_write_pieces, atomic_write_text

pytestmark = pytest.mark.skipif(os.name == "nt", reason="POSIX modes and symlinks")


@pytest.fixture
def umask_022():
    old = os.umask(0o022)
    yield
    os.umask(old)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_report_gets_the_umasks_mode(tmp_path: Path, umask_022, capsys) -> None:
    """-o once made every file 0600 whatever the umask."""
    out = tmp_path / "report.json"
    args = ["report", "--json", "--profile", "rtx-4090-desktop", "--workload", "chat-assistant"]
    assert main([*args, "-o", str(out)]) == ExitCode.OK
    assert _mode(out) == 0o644


def test_an_existing_file_keeps_its_mode(tmp_path: Path, umask_022) -> None:
    out = tmp_path / "shared.json"
    for mode in (0o640, 0o664):
        out.write_text("old")
        out.chmod(mode)
        atomic_write_text(out, "new")
        assert out.read_text() == "new" and _mode(out) == mode


def test_a_symlink_is_written_through(tmp_path: Path) -> None:
    """-o once replaced the link itself with a file, leaving its target stale."""
    real = tmp_path / "store" / "report.json"
    real.parent.mkdir()
    real.write_text("old")
    link = tmp_path / "latest.json"
    link.symlink_to(real)
    atomic_write_text(link, "new")
    assert link.is_symlink() and real.read_text() == "new"


def test_orphans_are_the_files_a_glob_of_their_pattern_finds(tmp_path: Path) -> None:
    """The temporary files a write looks for beside its target are those a glob of
    `.{name}.*.tmp` (the name escaped) finds: names with glob characters, too short to hold
    both dots, or of another file are not among them."""
    import glob

    from advisor.paths import _remove_orphans

    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True).stdout.strip()  # fmt: skip
    for name in ("report.json", "odd[1]*?.json"):
        names = [f".{name}.{dead}.0a1b2c3d.tmp", f".{name}.{dead}..tmp", f".{name}.tmp",
                 f".{name}..tmp", f".{name}.{dead}.tmp.x", f".{name}x.{dead}.ab.tmp",
                 f"{name}.{dead}.ab.tmp", f".{name}.{dead}.a.b.tmp"]  # fmt: skip
        for other in names:
            (tmp_path / other).write_text("x")
        target = tmp_path / name
        globbed = {p.name for p in tmp_path.glob(f".{glob.escape(name)}.*.tmp")}
        dead_writers = {n for n in globbed if n[len(name) + 2 :].split(".", 1)[0] == dead}
        _remove_orphans(target)
        left = {p.name for p in tmp_path.iterdir()}
        assert left == set(names) - dead_writers and len(dead_writers) == 3
        for other in left:
            (tmp_path / other).unlink()


def test_a_write_imports_neither_secrets_nor_glob(tmp_path: Path) -> None:
    """A first run writes its caches in two processes; importing secrets (base64, hmac, random)
    and glob for the first write cost ~3 ms CPU in each (2026-12-07)."""
    code = (
        "import sys; from advisor.paths import atomic_write_bytes;"
        f"atomic_write_bytes({str(tmp_path / 'a.pickle')!r}, b'x', private=True, durable=False);"
        "print([m for m in ('secrets', 'glob', 'random', 'hmac') if m in sys.modules])"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
    assert (tmp_path / "a.pickle").read_bytes() == b"x"


def test_a_killed_writers_temporary_file_is_removed_by_the_next_write(tmp_path: Path) -> None:
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True).stdout.strip()  # fmt: skip
    out = tmp_path / "report.json"
    orphan = tmp_path / f".report.json.{dead}.0a1b2c3d.tmp"
    orphan.write_text("half a report")
    in_progress = tmp_path / f".report.json.{os.getppid()}.0a1b2c3d.tmp"  # a live writer's
    in_progress.write_text("being written")
    atomic_write_text(out, "whole")
    assert out.read_text() == "whole"
    assert not orphan.exists() and in_progress.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([out.name, in_progress.name])


def test_pieces_are_written_as_one_file(tmp_path: Path) -> None:
    out = tmp_path / "audit.json"
    pieces = [f"piece {i} caf\u00e9\n" * (i * 1000) for i in range(50)]
    atomic_write_pieces(out, iter(pieces))
    assert out.read_text(encoding="utf-8") == "".join(pieces)
    assert os.listdir(tmp_path) == ["audit.json"]


def test_a_piece_that_cannot_be_made_leaves_the_old_file(tmp_path: Path) -> None:
    out = tmp_path / "audit.json"
    out.write_text("old")

    def pieces():
        yield "new " * 100_000
        raise RuntimeError("the renderer failed")

    with pytest.raises(RuntimeError, match="the renderer failed"):
        atomic_write_pieces(out, pieces())
    assert out.read_text() == "old" and os.listdir(tmp_path) == ["audit.json"]


def test_a_piece_that_cannot_be_written_is_a_write_error(tmp_path: Path) -> None:
    """A write the system refuses (here a file size limit: EFBIG) is the same WriteError, exit
    code 9, as a whole text's, with the old file unchanged and no writer thread left behind."""
    out = tmp_path / "audit.json"
    out.write_text("old")
    script = f"""
import resource, signal, threading
from advisor.errors import WriteError
from advisor.paths import atomic_write_pieces
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
resource.setrlimit(resource.RLIMIT_FSIZE, (100_000, 100_000))
def pieces():
    for i in range(100):
        yield "x" * 50_000
try:
    atomic_write_pieces({str(out)!r}, pieces())
except WriteError as exc:
    print(exc.message, "|", exc.exit_code, "|", threading.active_count())
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          check=True)  # fmt: skip
    message, code, threads = done.stdout.strip().split(" | ")
    assert message == f"could not write {out}: File too large"
    assert int(code) == ExitCode.WRITE_FAILED and threads == "1"
    assert out.read_text() == "old" and os.listdir(tmp_path) == ["audit.json"]
