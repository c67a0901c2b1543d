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


def open_regular(path: str | Path) -> BinaryIO:
    """`path` opened for binary reading; NotRegularFile (an OSError) if it is not a regular
    file. Never blocks, even on a FIFO."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    flags |= getattr(os, "O_BINARY", 0)
    fd = os.open(path, flags)
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            what = kind_of(mode)
            raise NotRegularFile(errno.EINVAL, f"it is {what}, not a file", str(path))
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_regular(path: str | Path, limit: int = MAX_DOCUMENT_BYTES) -> bytes:
    """The bytes of regular file `path`: NotRegularFile or FileTooLarge (OSErrors) otherwise."""
    with open_regular(path) as handle:
        data = handle.read(limit + 1)
    if len(data) > limit:
        size = f"{limit / MIB:g} MiB"
        raise FileTooLarge(errno.EFBIG, f"it is larger than {size}, more than such a file holds",
                           str(path))  # fmt: skip
    return data
