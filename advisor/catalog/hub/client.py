"""The one gateway onto huggingface_hub for reading a repository: its listing, byte ranges of a
file, a small file whole. Every Hub failure becomes one of advisor's errors here.

Only calls that exist from huggingface_hub 0.24 (requests underneath) to 2.x (httpx) are used:
`HfApi.model_info(files_metadata=True)`, `HfApi.list_models`, `utils.get_session`,
`utils.build_hf_headers` and `utils.hf_raise_for_status`. HF_ENDPOINT, HF_TOKEN (or the token
`hf auth login` stored) and HF_HUB_OFFLINE are honoured as huggingface_hub reads them.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from types import ModuleType
from typing import Any
from urllib.parse import quote

from advisor.errors import (
    BENCH_EXTRA_HINT,
    AdvisorError,
    MissingDependencyError,
    NotFoundError,
    UnreachableError,
)

# Modules whose exceptions mean the connection failed (DNS, refused, reset, timeout, TLS).
_TRANSPORT_MODULES = (
    "requests",
    "urllib3",
    "httpx",
    "httpx2",
    "httpcore",
    "httpcore2",
    "ssl",
    "socket",
)
_SUGGESTIONS = 50  # repositories a "did you mean" compares against


@dataclass(frozen=True)
class HubFile:
    """One file of a repository, as the Hub lists it."""

    path: str  # inside the repository
    size_bytes: int
    digest: str | None  # the LFS sha256, else the git blob id: names the content


@dataclass(frozen=True)
class RepoInfo:
    """A repository at one commit: its files and what the Hub says of its weights."""

    repo: str
    commit: str
    files: tuple[HubFile, ...]
    gated: bool
    safetensors_params: int | None  # the Hub's count from the safetensors headers


def import_hub() -> ModuleType:
    try:
        # huggingface_hub 1.x and 2.x load their submodules lazily: `hub.constants` and
        # `hub.utils` exist only once imported by name.
        import huggingface_hub
        import huggingface_hub.constants
        import huggingface_hub.utils  # noqa: F401 - read as hub.utils
    except ImportError as exc:
        raise MissingDependencyError(
            "huggingface_hub is not installed; a Hugging Face model needs it", hint=BENCH_EXTRA_HINT
        ) from exc
    return huggingface_hub


def cli_name() -> str:
    """The command huggingface_hub installs: `hf` (0.34 on), `huggingface-cli` before it."""
    from importlib.metadata import entry_points

    scripts = {e.name for e in entry_points(group="console_scripts")
               if e.value.startswith("huggingface_hub")}  # fmt: skip
    return "huggingface-cli" if "hf" not in scripts and "huggingface-cli" in scripts else "hf"


def offline() -> bool:
    """HF_HUB_OFFLINE, as huggingface_hub read it."""
    return bool(import_hub().constants.HF_HUB_OFFLINE)


def endpoint() -> str:
    """The Hub's base URL (HF_ENDPOINT, default https://huggingface.co)."""
    return str(import_hub().constants.ENDPOINT).rstrip("/")


def repo_info(repo: str) -> RepoInfo:
    """The repository's files with their sizes, at its current commit (one request)."""
    hub = import_hub()
    with _mapped(repo, None):
        info = hub.HfApi(endpoint=endpoint()).model_info(repo, files_metadata=True)
    files = tuple(HubFile(s.rfilename, int(s.size or 0), _digest(s)) for s in info.siblings or ())
    safetensors = getattr(info, "safetensors", None)
    total = getattr(safetensors, "total", None)
    return RepoInfo(repo, str(info.sha), files, bool(info.gated), total if total else None)


def read_range(repo: str, commit: str, path: str, start: int, end: int) -> bytes:
    """Bytes [start, end) of a file, by an HTTP range request; never more than that."""
    hub = import_hub()
    # huggingface.co's file URL, as hf_hub_url builds it; built here because hf_hub_url derives
    # it from a template fixed when huggingface_hub was imported, not from the endpoint now.
    url = f"{endpoint()}/{repo}/resolve/{quote(commit, safe='')}/{quote(path)}"
    headers = {**hub.utils.build_hf_headers(), "Range": f"bytes={start}-{end - 1}"}
    with _mapped(repo, path), _streamed(hub, url, headers) as (status, chunks):
        if status != 206 and not (status == 200 and start == 0):
            raise UnreachableError(
                f"{endpoint()} answered {status} to a byte range of {repo}/{path}",
                hint="advisor reads only a GGUF's header; use a Hub that honours Range requests",
            )
        return _take(chunks, end - start)


@contextmanager
def open_stream(repo: str, commit: str, path: str, start: int = 0):
    """(status, byte chunks) of a file from byte `start` on (206), or whole (200) where the
    Hub ignored the range; Hub failures are advisor's errors."""
    hub = import_hub()
    url = f"{endpoint()}/{repo}/resolve/{quote(commit, safe='')}/{quote(path)}"
    headers = dict(hub.utils.build_hf_headers())
    if start:
        headers["Range"] = f"bytes={start}-"
    with _mapped(repo, path), _streamed(hub, url, headers) as answer:
        yield answer


def read_file(repo: str, commit: str, path: str, limit: int) -> bytes:
    """A small file whole (config.json); at most `limit` bytes are read."""
    return read_range(repo, commit, path, 0, limit)


def suggest(repo: str) -> str:
    """'; did you mean X?' from the Hub's search for the repository's name, or ''."""
    hub = import_hub()
    word = repo.split("/")[-1].replace("_", "-").split("-")[0]
    try:
        with _mapped(repo, None):
            api = hub.HfApi(endpoint=endpoint())
            found = [m.id for m in api.list_models(search=word, limit=_SUGGESTIONS)]
    except (NotFoundError, UnreachableError):
        return ""  # a suggestion is a courtesy: its failure is not the error being reported
    close = difflib.get_close_matches(repo, found, n=3, cutoff=0.6)
    return f"; did you mean {', '.join(close)}?" if close else ""


def _digest(sibling: Any) -> str | None:
    lfs = getattr(sibling, "lfs", None)
    sha = getattr(lfs, "sha256", None) if lfs is not None else None
    return sha or getattr(sibling, "blob_id", None)


def _take(chunks: Iterator[bytes], n: int) -> bytes:
    data = bytearray()
    for chunk in chunks:
        data += chunk
        if len(data) >= n:
            break
    return bytes(data[:n])


@contextmanager
def _streamed(hub: ModuleType, url: str, headers: dict[str, str]):
    """(status, body chunks) of a GET whose body is read only as far as it is consumed."""
    session = hub.utils.get_session()
    timeout = getattr(hub.constants, "HF_HUB_DOWNLOAD_TIMEOUT", 10)
    if callable(getattr(session, "stream", None)):  # httpx: huggingface_hub 1.x and later
        with session.stream("GET", url, headers=headers, timeout=timeout) as response:
            if response.status_code >= 400:
                response.read()
                hub.utils.hf_raise_for_status(response)
            yield response.status_code, response.iter_bytes()
        return
    response = session.get(url, headers=headers, timeout=timeout, stream=True)  # requests
    try:
        if response.status_code >= 400:
            hub.utils.hf_raise_for_status(response)
        yield response.status_code, response.iter_content(1 << 16)
    finally:
        response.close()


@contextmanager
def _mapped(repo: str, path: str | None):
    """Turn what huggingface_hub (or its HTTP library) raises into advisor's errors."""
    hub = import_hub()
    try:
        yield
    except AdvisorError:
        raise
    except Exception as exc:  # noqa: BLE001 - every Hub failure is mapped, or raised as is
        raise hub_failure(hub, exc, repo, path) from exc


def hub_failure(hub: ModuleType, exc: Exception, repo: str, path: str | None) -> Exception:
    """Our error for a Hub exception: gated, missing repo or file, offline, unreachable."""
    errors = hub.utils  # 0.24 keeps them there only; later versions there and in hub.errors
    what = f"hf:{repo}" + (f" file {path}" if path else "")
    if isinstance(exc, errors.GatedRepoError):
        return UnreachableError(
            f"hf:{repo} is gated: Hugging Face gives its files only to accounts that accepted "
            "its terms",
            hint=f"accept them on {endpoint()}/{repo}, then set HF_TOKEN to a token of that "
            "account (or run `hf auth login`)",
        )
    if isinstance(exc, errors.RepositoryNotFoundError):
        return NotFoundError(
            f"Hugging Face has no repository {repo} (or it is private)",
            hint="check the name on the model's page; a private repo needs HF_TOKEN",
        )
    if isinstance(exc, (errors.LocalEntryNotFoundError, errors.OfflineModeIsEnabled)):
        return UnreachableError(
            f"offline (HF_HUB_OFFLINE is set) and {what} is not in advisor's cache",
            hint="unset HF_HUB_OFFLINE once online; an estimate made online is kept for later",
        )
    if isinstance(exc, errors.EntryNotFoundError):
        return NotFoundError(f"{what} does not exist")
    if isinstance(exc, errors.HfHubHTTPError):
        status = getattr(getattr(exc, "response", None), "status_code", None)
        if status in (401, 403):
            return UnreachableError(
                f"Hugging Face refused access to {what} ({status})",
                hint="check HF_TOKEN (or `hf auth login`): the token is wrong or lacks access",
            )
        return UnreachableError(f"Hugging Face answered {status} for {what}: {exc}")
    if type(exc).__module__.split(".")[0] in _TRANSPORT_MODULES or isinstance(exc, OSError):
        return UnreachableError(
            f"cannot reach {endpoint()} for {what}: {type(exc).__name__}: {exc}",
            hint="check the network (or HF_ENDPOINT); an estimate made online is kept for later",
        )
    return exc
