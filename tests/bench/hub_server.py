"""A Hugging Face Hub on 127.0.0.1 for the real huggingface_hub: /resolve/ HEAD and GET.

Answers as huggingface.co does (the recorded HEAD shape in fixtures/hf_resolve_head.json):
X-Repo-Commit, a quoted ETag, Content-Length, and on errors the X-Error-Code header that
huggingface_hub's hf_raise_for_status maps to RepositoryNotFoundError, GatedRepoError or
EntryNotFoundError. Byte ranges are honoured, so resumed downloads are real.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

COMMIT = "0123456789abcdef0123456789abcdef01234567"


@dataclass
class Hub:
    files: dict[str, bytes]  # "org/repo/file" -> content
    gated: set[str] = field(default_factory=set)  # "org/repo"
    requests: list[tuple[str, str]] = field(default_factory=list)  # (method, path)
    url: str = ""

    def gets(self) -> list[str]:
        """File downloads (huggingface_hub 2.x also asks /api/ things on the side)."""
        return [p for m, p in self.requests if m == "GET" and "/resolve/" in p]


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
            parts = self.path.split("?")[0].strip("/").split("/")
            if len(parts) < 5 or parts[2] != "resolve":
                return self._error(404, "RepoNotFound", body)
            repo, name = "/".join(parts[:2]), "/".join(parts[4:])
            repos = {k.rsplit("/", 1)[0] for k in hub.files} | hub.gated
            if repo not in repos:
                return self._error(404, "RepoNotFound", body)
            if repo in hub.gated:
                return self._error(403, "GatedRepo", body)
            data = hub.files.get(f"{repo}/{name}")
            if data is None:
                return self._error(404, "EntryNotFound", body)
            start = self._range_start()
            self.send_response(206 if start else 200)
            self.send_header("X-Repo-Commit", COMMIT)
            self.send_header("ETag", f'"{hashlib.sha256(data).hexdigest()}"')
            self.send_header("Content-Length", str(len(data) - start))
            if start:
                self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
            self.end_headers()
            if body:
                self.wfile.write(data[start:])

        def _range_start(self) -> int:
            header = self.headers.get("Range", "")
            if header.startswith("bytes=") and header.endswith("-"):
                return int(header[6:-1])
            return 0

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
