"""Repository listings, GGUF headers and config files of Hugging Face models, kept under the
user cache dir (`<cache>/hub/`), so a second estimate of a repository asks nothing of the
network and works offline.

A listing is reused for LISTING_TTL_S, and whatever its age when offline (HF_HUB_OFFLINE) or
when the Hub cannot be reached. Headers and configs are filed by the content digest the listing
gives (the LFS sha256 or git blob id), so they are never stale. A cache is only a shortcut: an
entry that cannot be read is missing, one that cannot be written is skipped.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
from pathlib import Path

from advisor.catalog.hub.client import HubFile, RepoInfo
from advisor.errors import WriteError
from advisor.paths import atomic_write_bytes, user_cache_dir

LISTING_TTL_S = 24 * 3600  # a repository gains quants over days, not minutes
_LISTING_VERSION = 1
_HEX = re.compile(r"^[0-9a-f]{16,128}$")
MAX_ENTRY_BYTES = 64 << 20  # as large as a header advisor reads


def hub_cache_dir() -> Path:
    return user_cache_dir() / "hub"


def load_listing(repo: str, *, now: float, max_age_s: float | None) -> RepoInfo | None:
    """The cached listing of `repo`, if there is one no older than max_age_s (None: any age)."""
    doc = _read_json(_listing_path(repo))
    try:
        if doc["version"] != _LISTING_VERSION or doc["repo"] != repo:
            return None
        if max_age_s is not None and not 0 <= now - float(doc["fetched_s"]) <= max_age_s:
            return None
        files = tuple(
            HubFile(str(p), int(s), d if d is None else str(d)) for p, s, d in doc["files"]
        )
        params = doc["safetensors_params"]
        return RepoInfo(
            repo,
            str(doc["commit"]),
            files,
            bool(doc["gated"]),
            int(params) if params is not None else None,
        )
    except (KeyError, TypeError, ValueError):
        return None


def store_listing(info: RepoInfo, *, now: float) -> None:
    doc = {
        "version": _LISTING_VERSION,
        "repo": info.repo,
        "commit": info.commit,
        "fetched_s": now,
        "gated": info.gated,
        "safetensors_params": info.safetensors_params,
        "files": [[f.path, f.size_bytes, f.digest] for f in info.files],
    }
    _write(_listing_path(info.repo), json.dumps(doc).encode())


def load_blob(kind: str, repo: str, file: HubFile) -> bytes | None:
    """A cached header prefix ('header') or small file ('config') of `file`, if kept."""
    try:
        data = _blob_path(kind, repo, file).read_bytes()
    except OSError:
        return None
    return data if len(data) <= MAX_ENTRY_BYTES else None


def store_blob(kind: str, repo: str, file: HubFile, data: bytes) -> None:
    _write(_blob_path(kind, repo, file), data)


def _listing_path(repo: str) -> Path:
    return hub_cache_dir() / "listings" / (repo.replace("/", "--") + ".json")


def _blob_path(kind: str, repo: str, file: HubFile) -> Path:
    digest = (file.digest or "").lower()
    if not _HEX.match(digest):  # no content digest: the name and size stand in for it
        digest = hashlib.sha256(f"{repo}\n{file.path}\n{file.size_bytes}".encode()).hexdigest()
    return hub_cache_dir() / f"{kind}s" / f"{digest}.bin"


def _read_json(path: Path) -> dict:
    try:
        raw = path.read_bytes()
        doc = json.loads(raw) if len(raw) <= MAX_ENTRY_BYTES else None
    except (OSError, ValueError):
        return {}
    return doc if isinstance(doc, dict) else {}


def _write(path: Path, data: bytes) -> None:
    # a cache that cannot be written is skipped: the next run asks the Hub again
    with contextlib.suppress(WriteError):
        atomic_write_bytes(path, data)
