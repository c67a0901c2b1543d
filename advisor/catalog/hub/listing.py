"""A repository's GGUF files grouped into quants (split sets as one), and the quant asked for."""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from advisor.catalog.gguf.file import quant_from_name, shard_name
from advisor.catalog.hub.client import HubFile, RepoInfo
from advisor.errors import GGUFError, NotFoundError, UsageError

# GGUFs that are no language model of their own: vision projectors and importance matrices.
_NOT_MODELS = ("mmproj", "imatrix")


@dataclass(frozen=True)
class RemoteQuant:
    """One downloadable model in a repository: a GGUF file, or every part of a split set."""

    label: str  # the quant type its name carries (Q4_K_M), else its name without .gguf
    files: tuple[HubFile, ...]  # first part first
    expected_parts: int  # what the names say (1 for a single file)

    @property
    def path(self) -> str:
        return self.files[0].path

    @property
    def size_bytes(self) -> int:
        return sum(f.size_bytes for f in self.files)

    @property
    def complete(self) -> bool:
        return len(self.files) == self.expected_parts

    def describe(self) -> str:
        from advisor.catalog.render import file_size

        parts = f", {self.expected_parts} parts" if self.expected_parts > 1 else ""
        return f"{self.label} {file_size(self.size_bytes)} ({self.path}{parts})"


def gguf_quants(info: RepoInfo) -> tuple[RemoteQuant, ...]:
    """The repository's GGUF models, smallest first."""
    groups: dict[tuple[str, str, int], list[tuple[int, HubFile]]] = {}
    for file in info.files:
        name = PurePosixPath(file.path).name
        if not name.lower().endswith(".gguf") or any(w in name.lower() for w in _NOT_MODELS):
            continue
        shard = shard_name(Path(name))
        folder = str(PurePosixPath(file.path).parent)
        key = (folder, shard.stem, shard.count) if shard else (folder, name, 1)
        groups.setdefault(key, []).append((shard.index if shard else 1, file))
    quants = []
    for (_, stem, count), members in groups.items():
        files = tuple(f for _, f in sorted(members, key=lambda m: m[0]))
        label = quant_from_name(stem) or stem.removesuffix(".gguf")
        quants.append(RemoteQuant(label, files, count))
    return tuple(sorted(quants, key=lambda q: (q.size_bytes, q.path)))


def choose(quants: Sequence[RemoteQuant], wanted: str | None, repo: str) -> RemoteQuant:
    """The quant `wanted` names (a quant type or a file name); the only one if none is named."""
    listed = "; ".join(q.describe() for q in quants)
    if wanted is None:
        if len(quants) == 1:
            return _whole(quants[0], repo)
        raise UsageError(
            f"hf:{repo} has {len(quants)} GGUF models; choose one: {listed}",
            hint=f"e.g. --model hf:{repo}:{quants[0].label}",
        )
    if wanted.lower().endswith(".gguf"):
        found = [q for q in quants if any(_same_file(f.path, wanted) for f in q.files)]
    else:
        found = [q for q in quants if q.label.upper() == wanted.upper()]
    if len(found) > 1:
        raise UsageError(
            f"hf:{repo} has {len(found)} GGUF models of {wanted}: "
            + "; ".join(q.describe() for q in found),
            hint=f"name the file: --model hf:{repo}:{found[0].path}",
        )
    if not found:
        labels = [q.label for q in quants]
        close = difflib.get_close_matches(wanted, labels, n=3, cutoff=0.5)
        mean = f"; did you mean {', '.join(close)}?" if close else ""
        raise NotFoundError(f"hf:{repo} has no GGUF {wanted}{mean} (it has: {listed})")
    return _whole(found[0], repo)


def _same_file(path: str, wanted: str) -> bool:
    return path == wanted or PurePosixPath(path).name == wanted


def _whole(quant: RemoteQuant, repo: str) -> RemoteQuant:
    if quant.complete:
        return quant
    have = ", ".join(PurePosixPath(f.path).name for f in quant.files)
    raise GGUFError(
        f"the split set {quant.label} is incomplete: {len(quant.files)} of "
        f"{quant.expected_parts} parts are in the repository ({have})",
        path=f"hf:{repo}",
        hint="choose another quant; the repository's owner has not uploaded every part",
    )
