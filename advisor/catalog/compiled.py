"""A catalog's compiled form: the YAML parsed once at build time and shipped as JSON beside it.

Parsing the shipped models.yaml (333 KB) takes ~80 ms; reading models.compiled.json ~3 ms, so
even the first run after an install loads fast. The compiled file records the SHA-256 of the
YAML bytes it was compiled from, and the loader uses it only when the file it is loading has
exactly those bytes: an edited models.yaml is always parsed for real. Like the user cache, it
holds the parsed document, not the validated catalog: the schema still checks every load.

    python -m scripts.catalog.build --compile   # after editing models.yaml by hand (it writes it)
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

FORMAT = 1


def compiled_path(path: Path) -> Path:
    """models.yaml -> models.compiled.json, in the same directory."""
    return path.with_name(f"{path.stem}.compiled.json")


def lookup(path: Path, content: bytes) -> Any | None:
    """The document compiled from exactly `content` (the bytes of `path`), or None."""
    try:
        from advisor.files.regular import read_regular

        entry = json.loads(read_regular(compiled_path(path)))
    except (OSError, ValueError):  # absent, unreadable or corrupt: the YAML is parsed instead
        return None
    if not isinstance(entry, dict) or entry.get("format") != FORMAT or "data" not in entry:
        return None
    if entry.get("yaml_sha256") != hashlib.sha256(content).hexdigest():
        return None
    return entry["data"]


def compiled_text(content: bytes, data: Any) -> str:
    """The compiled form of the YAML `content`, parsed as `data`.

    Raises ValueError when JSON cannot hold `data` as it is (a date, a non-string key): the
    compiled form must give the loader exactly what parsing the YAML gives.
    """
    try:
        text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    except (TypeError, ValueError) as exc:
        raise ValueError(f"the parsed catalog does not fit in JSON: {exc}") from None
    if json.loads(text) != data:
        raise ValueError("the parsed catalog changes through JSON (a non-string key?)")
    sha = hashlib.sha256(content).hexdigest()
    return f'{{"format":{FORMAT},"yaml_sha256":"{sha}","data":{text}}}\n'
