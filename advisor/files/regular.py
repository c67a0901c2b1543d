"""Opening the files people point advisor at: regular files only, read up to a cap.

A path can name a FIFO (opening it waits for a writer that never comes), a device such as
/dev/zero (endless, and `st_size` says 0), a directory, or a symlink to any of these. Every
file advisor reads from a user (catalog, overlay, profile, workload, config, report, dump,
GGUF header, Ollama manifest) is opened without blocking, checked to be a regular file, and
read with a cap. The errors are OSErrors, so each reader's existing `except OSError` names the
file and the reason in its own words.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from advisor.units import MIB

MAX_DOCUMENT_BYTES = 64 << 20  # a catalog, profile, workload or config: real ones are < 2 MB

_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a pipe (FIFO)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


class NotRegularFile(OSError):
    """The path is a folder, pipe, device or socket, not a file."""


class FileTooLarge(OSError):
    """The file is larger than what it could be."""


def kind_of(mode: int) -> str:
    return next((name for test, name in _KINDS if test(mode)), "not a regular file")


# Read only, never blocking (a FIFO), never becoming the controlling terminal, binary.
_FLAGS = (
    os.O_RDONLY
    | getattr(os, "O_NONBLOCK", 0)
    | getattr(os, "O_NOCTTY", 0)
    | getattr(os, "O_BINARY", 0)
)


def open_regular(path: str | Path) -> BinaryIO:
    """`path` opened for binary reading; NotRegularFile (an OSError) if it is not a regular
    file. Never blocks, even on a FIFO."""
    fd, _ = _open_fd(path)
    try:
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def _open_fd(path: str | Path) -> tuple[int, os.stat_result]:
    """`path` opened as a descriptor, with its fstat; NotRegularFile (an OSError, the
    descriptor closed) if it is not a regular file."""
    fd = os.open(path, _FLAGS)
    try:
        found = os.fstat(fd)
        if not stat.S_ISREG(found.st_mode):
            what = kind_of(found.st_mode)
            raise NotRegularFile(errno.EINVAL, f"it is {what}, not a file", str(path))
    except BaseException:
        os.close(fd)
        raise
    return fd, found


def read_regular(path: str | Path, limit: int = MAX_DOCUMENT_BYTES) -> bytes:
    """The bytes of regular file `path`: NotRegularFile or FileTooLarge (OSErrors) otherwise.

    Read through the descriptor (open_regular's checks, then os.read), without a buffered
    file object: an audit reads 10,000 report files, and the file object's making and
    closing cost about as much as the read (256-293 ms against 184-200 ms for 10,000 86 KB
    reports, one process, shared 2-core machine, 2026-12-07)."""
    fd, found = _open_fd(path)
    try:
        data = _read_fd(fd, found.st_size, limit)
    finally:
        os.close(fd)
    if len(data) > limit:
        size = f"{limit / MIB:g} MiB"
        raise FileTooLarge(errno.EFBIG, f"it is larger than {size}, more than such a file holds",
                           str(path))  # fmt: skip
    return data


# What read_capped reads at a time once the file turns out larger than its size said.
_CHUNK = 1 << 20


def read_capped(handle: BinaryIO, limit: int) -> bytes:
    """Up to `limit` + 1 bytes of an open regular file (one more than `limit` says it is too
    large), read to its end.

    A read asks for the size the file states, plus one byte: `handle.read(n)` allocates `n`
    bytes before it reads, so asking for the cap itself (1 GiB for an audit's report files)
    costs a large allocation per file, several times the read. A file that is larger than it
    said (it grew, or a /proc file that states size 0) is read on in chunks, still capped.
    """
    first = min(os.fstat(handle.fileno()).st_size, limit) + 1
    data = handle.read(first)
    if len(data) < first:
        return data  # its end
    return _read_on(handle.read, data, limit)


def _read_fd(fd: int, size: int, limit: int) -> bytes:
    """read_capped on a descriptor whose file states `size` bytes: os.read may give fewer
    bytes than asked before the end, so it is asked again until it gives none."""
    first = min(size, limit) + 1
    data = os.read(fd, first)
    while 0 < len(data) < first:
        more = os.read(fd, first - len(data))
        if not more:
            return data  # its end
        data += more
    if len(data) < first:
        return data  # its end
    return _read_on(lambda n: os.read(fd, n), data, limit)


def _read_on(read: Callable[[int], bytes], data: bytes, limit: int) -> bytes:
    """`data` and the rest of a file that holds more than it stated, in chunks, up to
    `limit` + 1 bytes."""
    parts = [data]
    held = len(data)
    while held <= limit:
        part = read(min(_CHUNK, limit + 1 - held))
        if not part:
            break
        parts.append(part)
        held += len(part)
    return b"".join(parts)
