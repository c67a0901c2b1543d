"""A Hugging Face Hub on 127.0.0.1 for the real huggingface_hub: the model API and /resolve/.

Answers as huggingface.co does:
- `GET /api/models/ORG/REPO[/revision/REV]?blobs=true` (HfApi.model_info with files_metadata):
  the repository's id, commit sha, gated flag and `siblings` with size, blobId and lfs, the
  fields of huggingface.co's answer that huggingface_hub's ModelInfo reads (written from its
  documented shape: no network here to record one);
- `GET /api/models?search=WORD` (HfApi.list_models): the ids containing WORD;
- `HEAD`/`GET /ORG/REPO/resolve/REV/FILE` (the recorded HEAD shape in fixtures/
  hf_resolve_head.json): X-Repo-Commit, a quoted ETag, Content-Length, and byte ranges
  (`bytes=A-B` and `bytes=A-`) answered 206 with Content-Range, so resumed downloads and header
  reads by range are real;
- on errors, the X-Error-Code header that huggingface_hub's hf_raise_for_status maps to
  RepositoryNotFoundError, GatedRepoError or EntryNotFoundError. A gated repository's listing
  is public (as on huggingface.co); its files are not.
A file is bytes, or a Path read by ranges (a sparse GGUF of tens of GB is never read whole).
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

COMMIT = "0123456789abcdef0123456789abcdef01234567"
_RANGE = re.compile(r"^bytes=(\d+)-(\d*)$")
_CHUNK = 1 << 20


@dataclass
class Hub:
    files: dict[str, bytes | Path]  # "org/repo/file" -> content, or a file holding it
    gated: set[str] = field(default_factory=set)  # "org/repo"
    requests: list[tuple[str, str]] = field(default_factory=list)  # (method, path)
    authorizations: list[str] = field(default_factory=list)  # Authorization headers received
    ranges: list[str] = field(default_factory=list)  # Range headers of file GETs
    url: str = ""
    bytes_sent: int = 0

    def gets(self) -> list[str]:
        """File downloads (huggingface_hub 2.x also asks /api/ things on the side)."""
        return [p for m, p in self.requests if m == "GET" and "/resolve/" in p]

    def api_calls(self) -> list[str]:
        return [p for m, p in self.requests if p.startswith("/api/models")]

    def repos(self) -> set[str]:
        return {"/".join(k.split("/")[:2]) for k in self.files} | self.gated

    def size(self, key: str) -> int:
        data = self.files[key]
        return data.stat().st_size if isinstance(data, Path) else len(data)

    def read(self, key: str, start: int, end: int) -> bytes:
        data = self.files[key]
        if isinstance(data, Path):
            with data.open("rb") as handle:
                handle.seek(start)
                return handle.read(end - start)
        return data[start:end]

    def digest(self, key: str) -> str:
        """What the Hub calls the file's LFS sha256: here a hash of its name and size."""
        return hashlib.sha256(f"{key}:{self.size(key)}".encode()).hexdigest()


def _handler(hub: Hub) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:  # keep test output clean
            pass

        def do_HEAD(self) -> None:
            self._answer(body=False)

        def do_GET(self) -> None:
            self._answer(body=True)

        def _answer(self, *, body: bool) -> None:
            hub.requests.append((self.command, self.path))
            if self.headers.get("Authorization"):
                hub.authorizations.append(self.headers["Authorization"])
            url = urlsplit(self.path)
            parts = url.path.strip("/").split("/")
            if parts[:2] == ["api", "models"]:
                return self._api(parts[2:], parse_qs(url.query), body)
            if len(parts) < 5 or parts[2] != "resolve":
                return self._error(404, "RepoNotFound", body)
            if body and self.headers.get("Range"):
                hub.ranges.append(self.headers["Range"])
            self._resolve("/".join(parts[:2]), "/".join(parts[4:]), body)

        def _api(self, parts: list[str], query: dict[str, list[str]], body: bool) -> None:
            if not parts:
                word = query.get("search", [""])[0].lower()
                found = [{"id": r, "modelId": r} for r in sorted(hub.repos()) if word in r.lower()]
                return self._json(found, body)
            repo = "/".join(parts[:2])
            if len(parts) not in (2, 4) or repo not in hub.repos():
                return self._error(404, "RepoNotFound", body)
            siblings = [
                {"rfilename": key[len(repo) + 1 :], "size": hub.size(key),
                 "blobId": hub.digest(key)[:40],
                 "lfs": {"sha256": hub.digest(key), "size": hub.size(key), "pointerSize": 135}}
                for key in sorted(hub.files) if key.startswith(repo + "/")
            ]  # fmt: skip
            info = {"_id": "0" * 24, "id": repo, "modelId": repo, "author": repo.split("/")[0],
                    "sha": COMMIT, "private": False, "disabled": False,
                    "gated": "manual" if repo in hub.gated else False,
                    "tags": [], "downloads": 0, "likes": 0, "siblings": siblings}  # fmt: skip
            self._json(info, body)

        def _resolve(self, repo: str, name: str, body: bool) -> None:
            if repo not in hub.repos():
                return self._error(404, "RepoNotFound", body)
            if repo in hub.gated:
                return self._error(403, "GatedRepo", body)
            key = f"{repo}/{name}"
            if key not in hub.files:
                return self._error(404, "EntryNotFound", body)
            size = hub.size(key)
            start, end = self._range(size)
            self.send_response(206 if (start, end) != (0, size) else 200)
            self.send_header("X-Repo-Commit", COMMIT)
            self.send_header("ETag", f'"{hub.digest(key)}"')
            self.send_header("Accept-Ranges", "bytes")
            self.send_header("Content-Length", str(end - start))
            if (start, end) != (0, size):
                self.send_header("Content-Range", f"bytes {start}-{end - 1}/{size}")
            self.end_headers()
            if not body:
                return
            for at in range(start, end, _CHUNK):
                chunk = hub.read(key, at, min(at + _CHUNK, end))
                hub.bytes_sent += len(chunk)
                self.wfile.write(chunk)

        def _range(self, size: int) -> tuple[int, int]:
            match = _RANGE.match(self.headers.get("Range", ""))
            if not match:
                return 0, size
            start = int(match[1])
            end = min(int(match[2]) + 1, size) if match[2] else size
            return start, max(start, end)

        def _json(self, doc: object, body: bool) -> None:
            data = json.dumps(doc).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            if body:
                self.wfile.write(data)

        def _error(self, status: int, code: str, body: bool) -> None:
            message = f'{{"error": "{code}"}}'.encode()
            self.send_response(status)
            self.send_header("X-Error-Code", code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(message)))
            self.end_headers()
            if body:
                self.wfile.write(message)

    return Handler


@contextmanager
def serve(hub: Hub) -> Iterator[Hub]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(hub))
    server.daemon_threads = True
    hub.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield hub
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def point_huggingface_hub_at(monkeypatch, url: str, cache: str | None = None) -> None:
    """What HF_ENDPOINT (and HF_HUB_CACHE) set when huggingface_hub is imported."""
    import huggingface_hub.constants as constants

    monkeypatch.setattr(constants, "ENDPOINT", url)
    monkeypatch.setattr(constants, "HUGGINGFACE_CO_URL_TEMPLATE",
                        url + "/{repo_id}/resolve/{revision}/{filename}")  # fmt: skip
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", False)
    if cache is not None:
        monkeypatch.setattr(constants, "HF_HUB_CACHE", cache)
    monkeypatch.delenv("HF_TOKEN", raising=False)
