"""What the on-disk caches (estimates, audit verdicts, validated files, remedies) share: one
rule for the code they depend on (source_stamp), a tolerant read, and a write that prunes the
oldest files.

Every cache entry answers only under its whole key, and the key always holds advisor's version
and the path, size and modification time of the source files the value depends on: a changed
or reinstalled source file is a miss. A cache is only ever a shortcut: one that cannot be read
is empty, one that cannot be written is skipped.
"""

from __future__ import annotations

import hashlib
import pickle
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from advisor import __version__
from advisor.errors import WriteError
from advisor.paths import atomic_write_bytes

PACKAGE = Path(__file__).resolve().parent.parent  # the advisor package


def source_stamp(names: Iterable[str]) -> str:
    """The code a cached value depends on, as every cache keys it: advisor's version and the
    path, size and modification time of every file under each of `names` (folders or files,
    relative to the advisor package; one that does not exist is named as missing)."""
    names = tuple(names)
    digest = hashlib.sha256(f"advisor {__version__}".encode())
    for name in names:
        if not (PACKAGE / name).exists():
            digest.update(f"no source for {name}".encode())
    update_with_sources(digest, names)
    return digest.hexdigest()


def update_with_sources(digest: Any, names: Iterable[str]) -> None:
    """Feed `digest` the path, size and modification time of every file under each of `names`
    (folders or files, relative to the advisor package)."""
    for name in names:
        root = PACKAGE / name
        for path in sorted(root.rglob("*") if root.is_dir() else [root]):
            if path.is_file() and "__pycache__" not in path.parts:
                stat = path.stat()
                digest.update(
                    f"{path.relative_to(PACKAGE)}:{stat.st_size}:{stat.st_mtime_ns}".encode()
                )


def read_dict(path: Path) -> dict:
    """The dict pickled at `path`; empty when it is missing, unreadable or from other code."""
    try:
        data = pickle.loads(path.read_bytes())
    except FileNotFoundError:
        return {}
    except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError,
            TypeError, ValueError):  # fmt: skip
        return {}
    return data if isinstance(data, dict) else {}


def write_pruned(path: Path, data: dict, keep: int) -> bool:
    """Add `data` to the dict pickled at `path` (what other runs added meanwhile stays), write
    it atomically and keep the `keep` newest *.pickle files beside it; False (and nothing
    written) when the folder is read-only or full."""
    from advisor.files.locks import file_lock

    try:
        with file_lock(path):
            merged = {**read_dict(path), **data}
            atomic_write_bytes(path, pickle.dumps(merged, pickle.HIGHEST_PROTOCOL), private=True)
    except WriteError:
        return False
    files = sorted(path.parent.glob("*.pickle"), key=_mtime)
    for old in files[:-keep]:
        old.unlink(missing_ok=True)
    return True


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except FileNotFoundError:  # another process pruned it meanwhile
        return 0.0
