"""A GGUF model on disk: its shards, its quant type, and the header facts a scan matches on."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from gguf.constants import LlamaFileType

from advisor.catalog.fields import QUANT_TYPES
from advisor.catalog.gguf.header import GGUFHeader, TensorInfo, read_header
from advisor.errors import GGUFError

# llama.cpp's gguf-split names: <stem>-00001-of-00003.gguf
_SHARD = re.compile(r"^(?P<stem>.+)-(?P<index>\d{5})-of-(?P<count>\d{5})\.gguf$", re.IGNORECASE)
# A quant type inside a file name or an Ollama tag: Q4_K_M, iq4_xs, bf16, mxfp4 ...
_QUANT_IN_NAME = re.compile(
    r"(?<![A-Za-z0-9])("
    + "|".join(sorted(QUANT_TYPES, key=len, reverse=True))
    + r")(?![A-Za-z0-9])",
    re.IGNORECASE,
)
# LlamaFileType names that do not read as the quant type once the prefix is dropped.
_FILE_TYPE_ALIASES = {"MXFP4_MOE": "MXFP4"}


@dataclass(frozen=True)
class ShardName:
    stem: str
    index: int  # 1-based
    count: int

    def sibling(self, directory: Path, index: int) -> Path:
        return directory / f"{self.stem}-{index:05d}-of-{self.count:05d}.gguf"


def shard_name(path: Path) -> ShardName | None:
    """The gguf-split parts of a file name, or None for a single-file model."""
    match = _SHARD.match(path.name)
    if not match or int(match["count"]) < 1:
        return None
    return ShardName(match["stem"], int(match["index"]), int(match["count"]))


def quant_from_file_type(file_type: object) -> str | None:
    """The catalog quant type for general.file_type, or None if unknown or unlisted."""
    if type(file_type) is not int:
        return None
    try:
        name = LlamaFileType(file_type).name
    except ValueError:
        return None
    name = name.removeprefix("MOSTLY_").removeprefix("ALL_")
    name = _FILE_TYPE_ALIASES.get(name, name)
    return name if name in QUANT_TYPES else None


def file_type_name(file_type: object) -> str | None:
    """llama.cpp's name for general.file_type, also for types the catalog does not list."""
    if type(file_type) is not int:
        return None
    try:
        return LlamaFileType(file_type).name.removeprefix("MOSTLY_").removeprefix("ALL_")
    except ValueError:
        return f"file type {file_type}"


def quant_from_name(name: str) -> str | None:
    """A quant type written in a file name or tag (`Qwen3-8B-Q4_K_M.gguf`, `8b-q8_0`)."""
    match = _QUANT_IN_NAME.search(name)
    return match[1].upper() if match else None


@dataclass(frozen=True)
class GGUFModelFile:
    """A whole GGUF model: every shard's header read, no tensor data touched."""

    path: Path  # the first shard, the one llama.cpp is given
    shards: tuple[Path, ...]
    size_bytes: int  # all shards on disk
    header: GGUFHeader  # the first shard's: it carries the model's metadata
    tensors: tuple[TensorInfo, ...]  # every shard's
    headers: tuple[GGUFHeader, ...] = ()  # every shard's, first one first

    @property
    def quant(self) -> str | None:
        return quant_from_file_type(self.header.get("general.file_type")) or quant_from_name(
            self.path.name
        )


def read_model_file(path: str | Path) -> GGUFModelFile:
    """Read a GGUF model's headers; given any shard of a split model, read them all."""
    target = Path(path)
    name = shard_name(target)
    if name is None:
        header = read_header(target)
        return GGUFModelFile(
            target, (target,), header.file_size_bytes, header, header.tensors, (header,)
        )
    shards = tuple(name.sibling(target.parent, i) for i in range(1, name.count + 1))
    missing = [s.name for s in shards if not s.is_file()]
    if missing:
        raise GGUFError(
            f"split model is incomplete: {', '.join(missing)} not found beside it",
            path=target,
            hint="download every part of the model into the same folder",
        )
    return model_file_from_headers(shards, [read_header(s) for s in shards])


def model_file_from_headers(shards: tuple[Path, ...], headers: list[GGUFHeader]) -> GGUFModelFile:
    """The model made of these shards' headers (one, or a whole split set, first part first)."""
    if len(headers) > 1:
        _check_split(headers, len(headers))
    tensors = tuple(t for h in headers for t in h.tensors)
    size = sum(h.file_size_bytes for h in headers)
    return GGUFModelFile(shards[0], shards, size, headers[0], tensors, tuple(headers))


def _check_split(headers: list[GGUFHeader], count: int) -> None:
    for index, header in enumerate(headers):
        declared = header.get("split.count")
        number = header.get("split.no")
        if declared not in (None, count) or number not in (None, index):
            raise GGUFError(
                f"its header says part {number} of {declared}, but its name says part "
                f"{index + 1} of {count} (parts of different downloads mixed?)",
                path=header.path,
            )
