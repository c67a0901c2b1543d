"""What the user typed for a Hugging Face model: `hf:ORG/REPO[:QUANT]` or a pasted page URL."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from advisor.errors import UsageError

PREFIX = "hf:"
# huggingface.co's own rule for a repo name part: letters, digits, '-', '_', '.'; no '--' or
# '..', not starting or ending with '-' or '.'; at most 96 characters.
_PART = re.compile(r"^(?![-.])(?!.*(--|\.\.))[A-Za-z0-9_.-]{1,96}(?<![-.])$")
_HOSTS = ("huggingface.co", "www.huggingface.co", "hf.co")
_HINT = "write hf:ORG/REPO, hf:ORG/REPO:Q4_K_M or https://huggingface.co/ORG/REPO"


@dataclass(frozen=True)
class RepoRef:
    """A Hugging Face repository, and the quant (or GGUF file name) asked for, if any."""

    repo: str  # ORG/REPO
    quant: str | None = None  # a quant type (Q4_K_M) or a file in the repo (x-Q4_K_M.gguf)

    def __str__(self) -> str:
        return f"{PREFIX}{self.repo}" + (f":{self.quant}" if self.quant else "")


def is_repo_ref(text: str, endpoint: str | None = None) -> bool:
    """Whether a --model value names a Hugging Face repository (hf:... or a page URL)."""
    if text.lower().startswith(PREFIX):
        return True
    return _url_host(text) in _hosts(endpoint)


def parse_repo_ref(text: str, endpoint: str | None = None) -> RepoRef:
    """The repository in `hf:ORG/REPO[:QUANT]` or `https://huggingface.co/ORG/REPO[/...]`.

    A URL of a file (`.../blob/main/X-Q4_K_M.gguf`) also picks that file. `endpoint` is the
    Hub's base URL (HF_ENDPOINT), whose pages are accepted like huggingface.co's.
    """
    if text.lower().startswith(PREFIX):
        body = text[len(PREFIX) :]
        repo, _, quant = body.partition(":")
        return _checked(text, repo.strip("/"), quant or None)
    if _url_host(text) not in _hosts(endpoint):
        raise UsageError(f"{text!r} is not a Hugging Face repository", hint=_HINT)
    path = [unquote(p) for p in urlsplit(text).path.split("/") if p]
    if path[:1] == ["models"]:
        path = path[1:]
    if len(path) < 2:
        raise UsageError(f"{text!r} names no repository (ORG/REPO after the host)", hint=_HINT)
    file = None
    if len(path) >= 5 and path[2] in ("blob", "resolve", "tree") and path[-1].endswith(".gguf"):
        file = "/".join(path[4:])
    return _checked(text, "/".join(path[:2]), file)


def _checked(text: str, repo: str, quant: str | None) -> RepoRef:
    parts = repo.split("/")
    if len(parts) != 2 or not all(_PART.match(p) for p in parts):
        raise UsageError(
            f"{text!r}: {repo!r} is not a repository id of the form ORG/REPO", hint=_HINT
        )
    if quant is not None and not quant.strip():
        quant = None
    return RepoRef(repo, quant.strip() if quant else None)


def _url_host(text: str) -> str | None:
    if not re.match(r"^https?://", text, flags=re.IGNORECASE):
        return None
    return (urlsplit(text).netloc or "").lower() or None


def _hosts(endpoint: str | None) -> tuple[str, ...]:
    endpoint = endpoint or os.environ.get("HF_ENDPOINT")  # huggingface_hub reads it so too
    extra = urlsplit(endpoint).netloc.lower() if endpoint else ""
    return (*_HOSTS, extra) if extra else _HOSTS
