"""An exclusive lock around a read-change-write of one user file, held across processes.

Two `advisor catalog add` runs at once each read the overlay, add their model and replace the
file: without a lock the last one to replace it wins and the other's entry is lost, though
both said "added". Every read-change-write of a file advisor rewrites (the overlay, the caches
of several entries) holds this lock from the read to the replace. The lock is an OS lock
(flock, or msvcrt.locking on Windows) on a hidden `.NAME.lock` beside the file: the OS drops
it when a holder exits or is killed, so a crash never leaves the file locked.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

from advisor.errors import WriteError


def lock_path(path: Path) -> Path:
    return path.with_name(f".{path.name}.lock")


@contextlib.contextmanager
def file_lock(path: str | Path) -> Iterator[None]:
    """Hold the lock of `path` (waiting for another holder) for the `with` block.
    WriteError when the lock file cannot be made (a read-only or missing folder)."""
    target = lock_path(Path(path))
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(target, os.O_RDWR | os.O_CREAT, 0o666)
    except OSError as exc:
        raise WriteError(
            f"cannot write {path}: {exc.strerror or exc}",
            hint="check the folder exists and is writable; the file, if any, is unchanged",
        ) from exc
    try:
        _acquire(fd)
        yield
    finally:
        _release(fd)
        os.close(fd)


if os.name == "nt":  # pragma: no cover - exercised on Windows only
    import msvcrt

    def _acquire(fd: int) -> None:
        while True:
            try:
                msvcrt.locking(fd, msvcrt.LK_LOCK, 1)  # retries for 10 s, then OSError
                return
            except OSError:
                continue

    def _release(fd: int) -> None:
        with contextlib.suppress(OSError):
            os.lseek(fd, 0, os.SEEK_SET)
            msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _acquire(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_EX)

    def _release(fd: int) -> None:
        with contextlib.suppress(OSError):
            fcntl.flock(fd, fcntl.LOCK_UN)
