"""A parse cache for the catalog: YAML takes ~50 ms to parse, its JSON copy ~1 ms.

The cache holds the parsed document, not the validated catalog, so every load still goes
through the schema. An entry is used only if the file's path, size, mtime, content hash and
the advisor version all match; a corrupt entry is ignored and rewritten.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from advisor import __version__
from advisor.errors import WriteError
from advisor.paths import atomic_write_text, user_cache_dir

FORMAT = 1


def cache_file(path: Path) -> Path:
    digest = hashlib.sha256(str(path.resolve()).encode()).hexdigest()[:20]
    return user_cache_dir() / "catalog" / f"{digest}.json"


def _key(path: Path, content: bytes) -> dict[str, Any]:
    stat = path.stat()
    return {
        "format": FORMAT,
        "path": str(path.resolve()),
        "size": stat.st_size,
        "mtime_ns": stat.st_mtime_ns,
        "advisor": __version__,
        "sha256": hashlib.sha256(content).hexdigest(),
    }


def lookup(path: Path, content: bytes) -> Any | None:
    """The parsed document cached for this exact file content, or None."""
    try:
        entry = json.loads(cache_file(path).read_text(encoding="utf-8"))
        key = _key(path, content)
    except (OSError, ValueError):  # absent, unreadable or corrupt: parse the YAML instead
        return None
    if not isinstance(entry, dict) or entry.get("key") != key:
        return None
    return entry.get("data")


def store(path: Path, content: bytes, data: Any) -> None:
    """Cache `data` (already validated) for this file content."""
    try:
        text = json.dumps({"key": _key(path, content), "data": data}, ensure_ascii=False)
    except (OSError, TypeError, ValueError):  # data JSON cannot hold: loads just stay slower
        return
    try:
        atomic_write_text(cache_file(path), text)
    except WriteError:
        # A read-only or full cache dir must not break loading; the next load parses again.
        return


def clear(path: Path) -> None:
    """Forget the cached entry for `path` (tests and benchmarks measure cold loads)."""
    cache_file(path).unlink(missing_ok=True)
