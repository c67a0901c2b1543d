"""`advisor bench --download`: fetch a catalog model's GGUF into the Hugging Face cache.

Only ever called when the user asks for it. Split models (`-00001-of-00003.gguf`) come down
whole. Before anything is fetched, the file sizes the Hub reports are checked against the
free disk space of the cache.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from types import ModuleType

from advisor.bench.native import INSTALL_HINT
from advisor.catalog.gguf.file import shard_name
from advisor.catalog.model import Model, Quant
from advisor.errors import BenchError, MissingDependencyError, NotFoundError, WriteError

_SPACE_MARGIN = 1.02  # leave a little room beside the file


def import_hub() -> ModuleType:
    try:
        # huggingface_hub 1.x and 2.x load their submodules lazily: `hub.constants` and
        # `hub.errors` exist only once imported by name.
        import huggingface_hub
        import huggingface_hub.constants
        import huggingface_hub.errors  # noqa: F401 - read as hub.errors
    except ImportError as exc:
        raise MissingDependencyError(
            "huggingface_hub is not installed; --download needs it", hint=INSTALL_HINT
        ) from exc
    return huggingface_hub


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
) -> Path:
    """Download the quant's GGUF (all parts) and return the path llama.cpp should open."""
    hub = import_hub()
    repo, filename = source_of(model, quant)
    files = shard_files(filename)
    cache = Path(cache_dir) if cache_dir is not None else _hub_cache(hub)
    _check_space(hub, repo, files, cache, free_bytes or _free_bytes)
    paths = [_fetch(hub, repo, name, cache) for name in files]
    return paths[0]


def _hub_cache(hub: ModuleType) -> Path:
    return Path(hub.constants.HF_HUB_CACHE)


def _free_bytes(folder: Path) -> int:
    probe = folder
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    return shutil.disk_usage(probe).free


def _check_space(
    hub: ModuleType, repo: str, files: list[str], cache: Path, free: Callable[[Path], int]
) -> None:
    sizes = [_remote_size(hub, repo, name) for name in files]
    if any(size is None for size in sizes):
        return  # the Hub did not say; the download itself will fail cleanly if space runs out
    needed = sum(sizes)  # type: ignore[arg-type]
    available = free(cache)
    if needed * _SPACE_MARGIN > available:
        raise WriteError(
            f"{repo}/{files[0]} needs {needed / 1e9:.1f} GB but only "
            f"{available / 1e9:.1f} GB is free under {cache}",
            hint="free some space, or set HF_HUB_CACHE to a larger disk",
        )


def _remote_size(hub: ModuleType, repo: str, filename: str) -> int | None:
    try:
        meta = hub.get_hf_file_metadata(hub.hf_hub_url(repo, filename))
    except Exception as exc:  # noqa: BLE001 - every Hub failure is mapped to one of ours
        raise _hub_failure(hub, exc, repo, filename) from exc
    return meta.size


def _fetch(hub: ModuleType, repo: str, filename: str, cache: Path) -> Path:
    try:
        return Path(hub.hf_hub_download(repo_id=repo, filename=filename, cache_dir=cache))
    except Exception as exc:  # noqa: BLE001 - every Hub failure is mapped to one of ours
        raise _hub_failure(hub, exc, repo, filename) from exc


def _hub_failure(hub: ModuleType, exc: Exception, repo: str, filename: str) -> Exception:
    """Our error for a Hub exception: missing repo or file, gated, offline, or else."""
    errors = hub.errors
    where = f"{repo}/{filename}"
    if isinstance(exc, errors.GatedRepoError):
        return BenchError(
            f"{repo} is gated on Hugging Face: accept its terms to download it",
            hint="log in with `hf auth login` after accepting the terms on the model page",
        )
    if isinstance(exc, errors.RepositoryNotFoundError):
        return NotFoundError(f"Hugging Face has no repository {repo}")
    # LocalEntryNotFoundError (offline, nothing cached) is a kind of EntryNotFoundError.
    if isinstance(exc, (errors.LocalEntryNotFoundError, errors.OfflineModeIsEnabled)):
        return BenchError(
            f"cannot reach Hugging Face to download {where}",
            hint="check the network (or HF_HUB_OFFLINE), or download the file yourself "
            "and pass its path",
        )
    if isinstance(exc, errors.EntryNotFoundError):
        return NotFoundError(f"Hugging Face has no file {where}")
    if isinstance(exc, errors.HfHubHTTPError):
        return BenchError(f"downloading {where} failed: {exc}")
    if isinstance(exc, OSError):
        return WriteError(f"could not save {where}: {exc}")
    raise exc
