"""A catalog's compiled form: the YAML parsed once at build time and shipped as JSON beside it.

Parsing the shipped models.yaml (333 KB) takes ~80 ms; reading models.compiled.json ~3 ms, so
even the first run after an install loads fast. The compiled file records the SHA-256 of the
YAML bytes it was compiled from, and the loader uses it only when the file it is loading has
exactly those bytes: an edited models.yaml is always parsed for real. Like the user cache, it
holds the parsed document, not the validated catalog. The build step validates the document
before writing it and records `validated_by` (advisor.catalog.trusted.seal): a seal of the
schema's source and of the document's bytes. While both still match, the loader builds the
catalog without pydantic; otherwise (an edited schema, an older or hand-edited file) the schema
checks the document in full.

    python -m scripts.catalog.build --compile   # after editing models.yaml by hand (it writes it)
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

FORMAT = 1
_DATA = b',"data":'  # the document follows this, up to the file's last "}"


def compiled_path(path: Path) -> Path:
    """models.yaml -> models.compiled.json, in the same directory."""
    return path.with_name(f"{path.stem}.compiled.json")


def lookup(path: Path, content: bytes) -> Any | None:
    """The document compiled from exactly `content` (the bytes of `path`), or None."""
    found = lookup_sealed(path, content)
    return None if found is None else found[0]


def lookup_sealed(path: Path, content: bytes) -> tuple[Any, bool] | None:
    """The document compiled from exactly `content`, and whether the build step's seal on it
    holds (it validated these bytes with the schema as it is now); None without one."""
    try:
        from advisor.files.regular import read_regular

        raw = read_regular(compiled_path(path))
        entry = json.loads(raw)
    except (OSError, ValueError):  # absent, unreadable or corrupt: the YAML is parsed instead
        return None
    if not isinstance(entry, dict) or entry.get("format") != FORMAT or "data" not in entry:
        return None
    if entry.get("yaml_sha256") != hashlib.sha256(content).hexdigest():
        return None
    seal = entry.get("validated_by")
    return entry["data"], isinstance(seal, str) and seal == _seal_of(raw)


def _seal_of(raw: bytes) -> str | None:
    """The seal the build step would write on the document in the compiled file `raw`."""
    from advisor.catalog.trusted import seal

    start, end = raw.find(_DATA), raw.rfind(b"}")
    return None if start < 0 or end < start else seal(raw[start + len(_DATA) : end])


def compiled_text(content: bytes, data: Any, *, validated: bool = False) -> str:
    """The compiled form of the YAML `content`, parsed as `data`; sealed when `validated` (the
    caller validated `data` with the schema: see advisor.catalog.trusted).

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
    sealed = ""
    if validated:
        from advisor.catalog.trusted import seal

        sealed = f',"validated_by":"{seal(text.encode())}"'
    return f'{{"format":{FORMAT},"yaml_sha256":"{sha}"{sealed}{_DATA.decode()}{text}}}\n'
