"""What the on-disk caches (estimates, audit verdicts) share: a digest of the source files
their contents depend on, a tolerant read, and a write that prunes the oldest files.

A cache is only ever a shortcut: one that cannot be read is empty, one that cannot be written
is skipped.
"""

from __future__ import annotations

import pickle
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from advisor.errors import WriteError
from advisor.paths import atomic_write_bytes

PACKAGE = Path(__file__).resolve().parent.parent  # the advisor package


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
