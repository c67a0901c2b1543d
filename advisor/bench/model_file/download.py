"""`advisor bench --download`: fetch a model's GGUF into the Hugging Face cache.

Only ever called when the user asks for it, for a catalog quant or a Hub repository's
(`--model hf:ORG/REPO:QUANT`). Split models (`-00001-of-00003.gguf`) come down whole. Before
anything is fetched, the sizes the repository's listing gives are checked against the free disk
space of the cache; after, each file's size against the listing. huggingface_hub's
hf_hub_download does the transfer (every version from 0.24 on): it shows a progress bar per
file on stderr (HF_HUB_DISABLE_PROGRESS_BARS hides it) and resumes a partial download (the
`.incomplete` blob an interrupted run left) with a byte range.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from types import ModuleType

from advisor.catalog.gguf.file import shard_name
from advisor.catalog.hub import client
from advisor.catalog.model import Model, Quant
from advisor.errors import BenchError, MissingDependencyError, NotFoundError, WriteError

_SPACE_MARGIN = 1.02  # leave a little room beside the file


def import_hub() -> ModuleType:
    """huggingface_hub, or MissingDependencyError saying --download needs it."""
    try:
        return client.import_hub()
    except MissingDependencyError as exc:
        raise MissingDependencyError("huggingface_hub is not installed; --download needs it",
                                     hint=exc.hint) from exc  # fmt: skip


def shard_files(filename: str) -> list[str]:
    """Every part of a split GGUF given any one part's name; the name itself otherwise."""
    path = PurePosixPath(filename)  # a path inside the repository
    name = shard_name(Path(path.name))
    if name is None:
        return [filename]
    parts = (name.sibling(Path(), i).name for i in range(1, name.count + 1))
    return [str(path.with_name(part)) for part in parts]


def source_of(model: Model, quant: Quant) -> tuple[str, str]:
    """The (repository, file name) the catalog gives for this quant."""
    repo = quant.repo or model.gguf_repo
    if not repo or not quant.file:
        raise NotFoundError(
            f"the catalog names no GGUF file for {model.id} {quant.type}",
            hint="download a GGUF yourself and pass its path: advisor bench FILE.gguf",
        )
    return repo, quant.file


def download_quant(
    model: Model,
    quant: Quant,
    *,
    cache_dir: str | Path | None = None,
    free_bytes: Callable[[Path], int] | None = None,
    say: Callable[[str], None] | None = None,
) -> Path:
    """Download the quant's GGUF (all parts) and return the path llama.cpp should open."""
    repo, filename = source_of(model, quant)
    return download_files(repo, shard_files(filename), cache_dir=cache_dir,
                          free_bytes=free_bytes, say=say)  # fmt: skip


def download_files(
    repo: str,
    files: list[str],
    *,
    cache_dir: str | Path | None = None,
    free_bytes: Callable[[Path], int] | None = None,
    say: Callable[[str], None] | None = None,
    local_only: bool = False,
) -> Path:
    """Download `files` of `repo` (the parts of one model) and return the first one's path.

    `local_only`: only find them in the cache (NotFoundError if they are not all there).
    """
    from advisor.bench.model_file.transfer import fetch_file

    hub = import_hub()
    cache = Path(cache_dir) if cache_dir is not None else Path(hub.constants.HF_HUB_CACHE)
    if local_only:
        return _cached(hub, repo, files, cache)
    if client.offline():
        try:
            return _cached(hub, repo, files, cache)
        except NotFoundError:
            raise BenchError(
                f"cannot reach Hugging Face to download {repo}/{files[0]}: HF_HUB_OFFLINE is "
                "set and the file is not in the Hugging Face cache",
                hint="unset HF_HUB_OFFLINE, or download the file yourself and pass its path",
            ) from None
    info = client.repo_info(repo)
    listed = _listed(info, repo, files)
    _check_space(repo, files, [f.size_bytes for f in listed], cache, free_bytes or _free_bytes)
    paths = []
    for index, file in enumerate(listed, start=1):
        if say is not None:
            part = f", part {index} of {len(files)}" if len(files) > 1 else ""
            say(f"downloading hf:{repo}/{file.path} ({file.size_bytes / 1e9:.2f} GB{part}) "
                f"into {cache}")  # fmt: skip
        paths.append(fetch_file(repo, info.commit, file, cache))
    return paths[0]


def _cached(hub: ModuleType, repo: str, files: list[str], cache: Path) -> Path:
    """The first file's path if every one is in the Hugging Face cache."""
    return [_local(hub, repo, name, cache) for name in files][0]


def _listed(info: client.RepoInfo, repo: str, files: list[str]) -> list[client.HubFile]:
    """Each file as the repository's listing gives it (its size and digest)."""
    listed = {f.path: f for f in info.files}
    missing = [name for name in files if name not in listed]
    if missing:
        raise NotFoundError(f"Hugging Face has no file {repo}/{missing[0]}",
                            hint="the repository has moved or renamed its files")  # fmt: skip
    return [listed[name] for name in files]


def _free_bytes(folder: Path) -> int:
    probe = folder
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    return shutil.disk_usage(probe).free


def _check_space(
    repo: str, files: list[str], sizes: list[int], cache: Path, free: Callable[[Path], int]
) -> None:
    needed = sum(sizes)
    available = free(cache)
    if needed * _SPACE_MARGIN > available:
        raise WriteError(
            f"{repo}/{files[0]} needs {needed / 1e9:.1f} GB but only "
            f"{available / 1e9:.1f} GB is free under {cache}",
            hint="free some space, or set HF_HUB_CACHE to a larger disk",
        )


def _local(hub: ModuleType, repo: str, filename: str, cache: Path) -> Path:
    try:
        return Path(hub.hf_hub_download(repo_id=repo, filename=filename, cache_dir=cache,
                                        local_files_only=True))  # fmt: skip
    except Exception as exc:  # noqa: BLE001 - every Hub failure is mapped to one of ours
        raise _hub_failure(hub, exc, repo, filename) from exc


def _hub_failure(hub: ModuleType, exc: Exception, repo: str, filename: str) -> Exception:
    """Our error for a look-up in the Hugging Face cache that failed."""
    if isinstance(exc, hub.utils.LocalEntryNotFoundError):  # 0.24 keeps its errors in utils
        return NotFoundError(f"hf:{repo}/{filename} is not in the Hugging Face cache",
                             hint="add --download to fetch it")  # fmt: skip
    return client.hub_failure(hub, exc, repo, filename)
