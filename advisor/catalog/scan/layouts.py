"""Find GGUF files in a folder, reading its layout: HF cache, LM Studio, Ollama, or plain."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from advisor.catalog.scan.locations import Location

MAX_DEPTH = 8  # HF: models--org--name/snapshots/<rev>/<subdir>/file.gguf is 4 deep
MAX_MANIFEST_BYTES = 1 << 20
OLLAMA_MODEL_LAYER = "application/vnd.ollama.image.model"
OLLAMA_REGISTRY = "registry.ollama.ai"
_DIGEST = re.compile(r"^sha256:([0-9a-f]{64})$")
_HF_HOSTS = ("hf.co", "huggingface.co")


@dataclass(frozen=True)
class Found:
    """A GGUF file seen on disk, with what its place says about it."""

    path: Path  # as found: for the HF cache, the snapshot link with the real file name
    real: Path  # the file itself
    where: str  # the Location kind it was found in
    repo: str | None  # Hugging Face repo id, from the folder layout
    ollama_tag: str | None


@dataclass(frozen=True)
class Skipped:
    """A file or folder the scan could not use, and why."""

    path: Path
    reason: str


def find_files(location: Location) -> tuple[list[Found], list[Skipped]]:
    """Every GGUF file under `location` and everything that had to be skipped."""
    root = location.path
    if is_ollama_dir(root):
        return _ollama_files(root)
    found: list[Found] = []
    skipped: list[Skipped] = []
    for path in _walk_gguf(root, skipped):
        real = Path(os.path.realpath(path))
        if not real.is_file():
            reason = "broken link (an unfinished download?)" if path.is_symlink() else "not a file"
            skipped.append(Skipped(path, reason))
            continue
        repo = _hf_repo(path)
        where = "huggingface" if repo and location.kind == "folder" else location.kind
        if repo is None and location.kind == "lmstudio":
            repo = _lmstudio_repo(root, path)
        found.append(Found(path, real, where, repo, None))
    return found, skipped


def is_ollama_dir(root: Path) -> bool:
    return (root / "manifests").is_dir() and (root / "blobs").is_dir()


def _walk_gguf(root: Path, skipped: list[Skipped]) -> Iterator[Path]:
    def unreadable(exc: OSError) -> None:
        skipped.append(Skipped(Path(exc.filename or root), f"cannot list: {exc.strerror}"))

    base_depth = len(root.parts)
    for folder, dirs, files in os.walk(root, onerror=unreadable):
        here = Path(folder)
        # Hidden folders hold locks and partial downloads; HF blobs are reached through links.
        in_hf_repo = here.name.startswith("models--")
        dirs[:] = [d for d in dirs if not d.startswith(".") and not (in_hf_repo and d == "blobs")]
        if len(here.parts) - base_depth >= MAX_DEPTH:
            dirs[:] = []
        for name in sorted(files):
            if name.lower().endswith(".gguf") and not name.startswith("."):
                yield here / name


def _hf_repo(path: Path) -> str | None:
    """The repo of a file in a hub cache: .../models--org--name/snapshots/<rev>/file."""
    parts = path.parts
    for index, part in enumerate(parts[:-1]):
        if part.startswith("models--") and parts[index + 1 : index + 2] == ("snapshots",):
            return part.removeprefix("models--").replace("--", "/", 1)
    return None


def _lmstudio_repo(root: Path, path: Path) -> str | None:
    """LM Studio keeps models/<publisher>/<repo>/<file>.gguf."""
    relative = path.relative_to(root).parts
    return f"{relative[0]}/{relative[1]}" if len(relative) >= 3 else None


def _ollama_files(root: Path) -> tuple[list[Found], list[Skipped]]:
    found: list[Found] = []
    skipped: list[Skipped] = []
    manifests = root / "manifests"
    for folder, dirs, files in os.walk(manifests):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in sorted(files):
            manifest = Path(folder) / name
            tag = ollama_tag(manifest.relative_to(manifests).parts)
            blob, problem = _model_blob(root, manifest)
            if blob is None:
                skipped.append(Skipped(manifest, problem))
                continue
            repo = _ollama_repo(manifest, manifests)
            found.append(Found(blob, blob.resolve(), "ollama", repo, tag))
    return found, skipped


def ollama_tag(parts: tuple[str, ...]) -> str:
    """manifests/<host>/<namespace>/<name>/<tag> as `ollama list` shows it."""
    *path, tag = parts
    if len(path) == 3 and path[0] == OLLAMA_REGISTRY:
        path = path[2:] if path[1] == "library" else path[1:]
    return f"{'/'.join(path)}:{tag}"


def _ollama_repo(manifest: Path, manifests: Path) -> str | None:
    """hf.co/<org>/<repo>:<tag> models were pulled from a Hugging Face GGUF repo."""
    parts = manifest.relative_to(manifests).parts
    if len(parts) == 4 and parts[0] in _HF_HOSTS:
        return f"{parts[1]}/{parts[2]}"
    return None


def _model_blob(root: Path, manifest: Path) -> tuple[Path | None, str]:
    """The blob a manifest's model layer names, or None and why not."""
    from advisor.files.regular import FileTooLarge, read_regular

    try:
        document = json.loads(read_regular(manifest, MAX_MANIFEST_BYTES).decode("utf-8"))
    except FileTooLarge:
        return None, "manifest too large to be an Ollama manifest"
    except OSError as exc:  # a FIFO, a device, a folder: never opened for long, never read
        return None, f"unreadable Ollama manifest: {exc.strerror or exc}"
    except (UnicodeDecodeError, ValueError) as exc:
        return None, f"unreadable Ollama manifest: {exc}"
    layers = document.get("layers") if isinstance(document, dict) else None
    layer = next(
        (
            item
            for item in layers or ()
            if isinstance(item, dict) and item.get("mediaType") == OLLAMA_MODEL_LAYER
        ),
        None,
    )
    if layer is None:
        return None, "Ollama manifest has no model layer"
    match = _DIGEST.match(str(layer.get("digest", "")))
    if not match:  # never build a path from an unchecked digest
        return None, f"Ollama manifest has a malformed digest {str(layer.get('digest'))[:80]!r}"
    blob = root / "blobs" / f"sha256-{match[1]}"
    if not blob.is_file():
        return None, f"its model blob {blob.name} is missing (an unfinished pull?)"
    return blob, ""
