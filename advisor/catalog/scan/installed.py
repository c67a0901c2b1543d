"""Models already on disk: find GGUF files, read their headers, match them to the catalog.

Only headers are read (a few MB at most per file, a few ms each), never tensor data, so a
scan of many large files stays quick. The header reader needs the gguf package (and numpy,
~90 ms to import): it is imported once there is a file to read, so a scan that finds none
(the TUI's start on a machine without models) pays nothing for it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from advisor.catalog.model import Catalog
from advisor.catalog.scan.layouts import Found, Skipped, find_files
from advisor.catalog.scan.locations import Location, default_locations, unique
from advisor.errors import GGUFError

if TYPE_CHECKING:
    from advisor.catalog.scan.identify import GGUFSummary

NOT_MODELS = {"clip": "a vision projector (mmproj), used beside a model"}


@dataclass(frozen=True)
class InstalledModel:
    """One model file (or split set) on disk, and the catalog entry it is, if any."""

    path: Path  # what to load: the file, or the first shard of a split model
    size_bytes: int  # all shards
    where: str  # "huggingface" | "lmstudio" | "ollama" | "llama.cpp" | "folder"
    model_id: str | None  # None: not identified against the catalog
    quant: str | None
    matched_by: str | None  # "ollama tag" | "file name" | "repository" | "metadata"
    in_catalog: bool  # the catalog lists this quant for this model
    repo: str | None
    ollama_tags: tuple[str, ...]
    shards: tuple[Path, ...]
    complete: bool  # False when some shards of a split model are missing
    summary: GGUFSummary


@dataclass(frozen=True)
class ScanResult:
    installed: tuple[InstalledModel, ...]
    skipped: tuple[Skipped, ...]
    searched: tuple[Location, ...]


def scan(
    dirs: Iterable[str | Path] | None = None,
    catalog: Catalog | None = None,
    *,
    include_defaults: bool | None = None,
) -> ScanResult:
    """Search `dirs` (and, by default when none are given, every known model folder)."""
    if catalog is None:
        from advisor.catalog import load_catalog

        catalog = load_catalog()
    named = [Location(Path(d).expanduser(), "folder") for d in dirs or ()]
    if include_defaults is None:
        include_defaults = dirs is None
    locations = unique([*(default_locations() if include_defaults else ()), *named])
    found: list[Found] = []
    skipped: list[Skipped] = []
    for location in locations:
        if location.path.is_dir():
            more_found, more_skipped = find_files(location)
            found += more_found
            skipped += more_skipped
        elif location.kind == "folder":
            skipped.append(Skipped(location.path, "no such folder"))
    installed = []
    for group in _group_shards(_dedupe(found), skipped):
        model = _installed(group, catalog, skipped)
        if model is not None:
            installed.append(model)
    return ScanResult(tuple(installed), tuple(skipped), locations)


def scan_models(
    dirs: Iterable[str | Path] | None = None,
    catalog: Catalog | None = None,
    *,
    include_defaults: bool | None = None,
) -> tuple[InstalledModel, ...]:
    """The model files found on disk (see `scan`)."""
    return scan(dirs, catalog, include_defaults=include_defaults).installed


def find_installed(
    catalog: Catalog,
    model_id: str,
    quant: str,
    *,
    installed: Sequence[InstalledModel] | None = None,
) -> Path | None:
    """The file to load for this catalog model and quant, if it is on disk and complete."""
    models = installed if installed is not None else scan_models(catalog=catalog)
    wanted = quant.upper()
    for model in models:
        if model.model_id == model_id and model.quant == wanted and model.complete:
            return model.path
    return None


def _dedupe(found: list[Found]) -> list[tuple[Found, tuple[str, ...]]]:
    """One entry per real file; several Ollama tags (or HF revisions) may share it."""
    by_real: dict[Path, list[Found]] = {}
    for item in found:
        by_real.setdefault(item.real, []).append(item)
    merged = []
    for items in by_real.values():
        best = next((i for i in items if i.repo), items[0])
        tags = tuple(sorted({i.ollama_tag for i in items if i.ollama_tag}))
        merged.append((best, tags))
    return merged


def _group_shards(
    found: list[tuple[Found, tuple[str, ...]]], skipped: list[Skipped]
) -> list[list[tuple[Found, tuple[str, ...]]]]:
    """Split models as one group, first shard first; single files as groups of one."""
    if not found:
        return []
    from advisor.catalog.gguf.file import shard_name

    groups: dict[tuple[Path, str, int], list[tuple[Found, tuple[str, ...]]]] = {}
    for entry in found:
        name = shard_name(entry[0].path)
        key = (entry[0].path.parent, name.stem, name.count) if name else (entry[0].path, "", 0)
        groups.setdefault(key, []).append(entry)
    result = []
    for members in groups.values():
        members.sort(key=lambda e: e[0].path.name)
        first = shard_name(members[0][0].path)
        if first is not None and first.index != 1:
            reason = "the first part of this split model is missing"
            skipped.append(Skipped(members[0][0].path, reason))
            continue
        result.append(members)
    return result


def _installed(
    group: list[tuple[Found, tuple[str, ...]]], catalog: Catalog, skipped: list[Skipped]
) -> InstalledModel | None:
    from advisor.catalog.gguf.file import quant_from_name, shard_name
    from advisor.catalog.gguf.header import read_header
    from advisor.catalog.scan.identify import identify, summarize

    first, tags = group[0]
    try:
        header = read_header(first.real, tensors=False)
    except GGUFError as exc:
        skipped.append(Skipped(first.path, exc.detail))
        return None
    if header.architecture in NOT_MODELS:
        skipped.append(Skipped(first.path, NOT_MODELS[header.architecture]))
        return None
    summary = summarize(header)
    name = shard_name(first.path)
    expected = name.count if name else 1
    found = identify(catalog, summary, file_name=first.path.name, repo=first.repo, ollama_tags=tags)
    return InstalledModel(
        path=first.path,
        size_bytes=sum(f.real.stat().st_size for f, _ in group),
        where=first.where,
        model_id=found.model.id if found else None,
        quant=found.quant if found else summary.quant or quant_from_name(first.path.name),
        matched_by=found.matched_by if found else None,
        in_catalog=bool(found and found.quant and found.model.quant(found.quant)),
        repo=first.repo,
        ollama_tags=tags,
        shards=tuple(f.path for f, _ in group),
        complete=len(group) == expected,
        summary=summary,
    )
