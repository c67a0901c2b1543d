"""A stand-in for huggingface_hub at its function boundary, answering from recorded HEADs.

get_hf_file_metadata answers what the Hub's HEAD on /resolve/ said (fixtures/
hf_resolve_head.json); hf_hub_download writes a payload file where huggingface_hub would
(models--org--name/snapshots/<commit>/<file> under the cache). The error classes copy
huggingface_hub 2.x's hierarchy (LocalEntryNotFoundError is a FileNotFoundError and an
EntryNotFoundError; GatedRepoError a RepositoryNotFoundError, an HfHubHTTPError, an OSError).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from types import SimpleNamespace

RECORDED = json.loads(
    (Path(__file__).parent / "fixtures" / "hf_resolve_head.json").read_text(encoding="utf-8")
)


class HfHubHTTPError(OSError): ...


class RepositoryNotFoundError(HfHubHTTPError): ...


class GatedRepoError(RepositoryNotFoundError): ...


class EntryNotFoundError(Exception): ...


class LocalEntryNotFoundError(FileNotFoundError, EntryNotFoundError): ...


class OfflineModeIsEnabled(ConnectionError): ...


ERRORS = SimpleNamespace(
    HfHubHTTPError=HfHubHTTPError,
    RepositoryNotFoundError=RepositoryNotFoundError,
    GatedRepoError=GatedRepoError,
    EntryNotFoundError=EntryNotFoundError,
    LocalEntryNotFoundError=LocalEntryNotFoundError,
    OfflineModeIsEnabled=OfflineModeIsEnabled,
)
_PREFIX = "https://huggingface.co/"


class FakeHub:
    """huggingface_hub's download functions; `fail` makes every call raise that error."""

    def __init__(
        self,
        cache: Path,
        payload: Path | None = None,
        recorded: dict | None = None,
        fail: Exception | None = None,
    ) -> None:
        self.constants = SimpleNamespace(HF_HUB_CACHE=str(cache))
        self.errors = ERRORS
        self.payload = payload
        self.recorded = recorded if recorded is not None else RECORDED
        self.fail = fail
        self.downloads: list[tuple[str, str]] = []
        self.heads: list[str] = []

    @staticmethod
    def hf_hub_url(repo_id: str, filename: str) -> str:
        return f"{_PREFIX}{repo_id}/resolve/main/{filename}"

    def _head(self, repo_id: str, filename: str) -> dict:
        if self.fail is not None:
            raise self.fail
        entry = self.recorded.get(f"{repo_id}/{filename}")
        if entry is None:
            if not any(key.startswith(f"{repo_id}/") for key in self.recorded):
                raise RepositoryNotFoundError(f"404 Client Error: Repository Not Found: {repo_id}")
            raise EntryNotFoundError(f"404 Client Error: Entry Not Found: {filename}")
        return entry["headers"]

    def get_hf_file_metadata(self, url: str) -> SimpleNamespace:
        self.heads.append(url)
        repo_and_file = url.removeprefix(_PREFIX).replace("/resolve/main/", "/", 1)
        org, name, filename = repo_and_file.split("/", 2)
        headers = self._head(f"{org}/{name}", filename)
        size = headers.get("x-linked-size") or headers.get("content-length")
        return SimpleNamespace(
            commit_hash=headers.get("x-repo-commit"),
            etag=(headers.get("x-linked-etag") or headers.get("etag", "")).strip('"'),
            location=headers.get("location"),
            size=int(size) if size else None,
        )

    def hf_hub_download(self, repo_id: str, filename: str, cache_dir: Path, **kw) -> str:
        headers = self._head(repo_id, filename)
        self.downloads.append((repo_id, filename))
        folder = Path(cache_dir) / f"models--{repo_id.replace('/', '--')}"
        target = folder / "snapshots" / headers["x-repo-commit"] / filename
        target.parent.mkdir(parents=True, exist_ok=True)
        if self.payload is not None:
            shutil.copyfile(self.payload, target)
        else:
            target.write_bytes(b"GGUF")
        return str(target)
