"""A GGUF file given where a model is asked for (`--model PATH.gguf`): its Model and exact bytes.

Only the headers are read (every shard's, for a split model). The Model is the one
`advisor catalog add` would write (advisor.catalog.add), kept in memory; the weights are the
file's own tensor bytes, grouped per block the way llama.cpp places them, and they replace the
tensor recipe's sums for this architecture and quant
(advisor.catalog.tensors.layout.use_file_bytes),
so an estimate counts exactly what llama.cpp would load. What the header lacks is listed in
the model's and the architecture's `unknown`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from advisor.catalog.model import Model, Source
from advisor.catalog.tensors.quant_bytes import INPUT_TENSORS, QuantBytes
from advisor.errors import GGUFError, NotFoundError

if TYPE_CHECKING:
    from advisor.catalog.gguf.file import GGUFModelFile

_BLOCK = re.compile(r"^blk\.(\d+)\.")
_EXPERT_MARK = "_exps."  # ffn_{gate,up,down,gate_up}_exps: what --cpu-moe keeps in RAM


@dataclass(frozen=True)
class FileModel:
    """A model read from a GGUF file's headers."""

    model: Model
    quant: str  # the file's quant type, as the catalog names it
    path: Path  # the first shard
    shards: int
    tensor_bytes: int  # every tensor's data, every shard: what llama.cpp loads
    file_bytes: int  # the files on disk, headers and padding included
    sources: dict[str, Source] = field(default_factory=dict)  # what the model's keys cite


def is_model_file(text: str) -> bool:
    """Whether a --model value names a file rather than a catalog id or a repo."""
    from advisor.catalog.hub.ref import is_repo_ref

    if is_repo_ref(text):
        return False
    return text.lower().endswith(".gguf") or Path(text).expanduser().is_file()


def read_file_model(text: str, *, taken_ids: Sequence[str] = ()) -> FileModel:
    """The model in the GGUF file `text` (any shard of a split model), header only."""
    from advisor.catalog.gguf.file import read_model_file

    target = Path(text).expanduser()
    if not target.exists():
        raise NotFoundError(
            f"no such file: {target}",
            hint="give the path of a .gguf file, or a catalog id (advisor catalog list)",
        )
    if not target.is_file():
        raise GGUFError("not a regular file", path=target, hint="give the path of a .gguf file")
    return model_of_file(read_model_file(target), taken_ids=taken_ids)


def model_of_file(gguf: GGUFModelFile, **entry_options: Any) -> FileModel:
    """The model in headers already read (a local file, or a Hub file read by byte ranges);
    `entry_options` go to advisor.catalog.add.entry_from_gguf."""
    from advisor.catalog.add import entry_from_gguf
    from advisor.catalog.gguf.checks import check_model_file
    from advisor.catalog.tensors.layout import use_file_bytes

    check_model_file(gguf)
    entry = entry_from_gguf(gguf, **entry_options)
    model, quant = entry.model, entry.model.quants[0].type
    qb = file_quant_bytes(gguf.tensors, model.architecture.n_layers, path=gguf.path)
    use_file_bytes(model.architecture, quant, qb)
    return FileModel(model, quant, gguf.path, len(gguf.shards), qb.total_bytes, gguf.size_bytes,
                     {entry.source_key: entry.source})  # fmt: skip


def file_quant_bytes(tensors: Sequence, n_layers: int, *, path: Path) -> QuantBytes:
    """The tensors' bytes grouped as llama.cpp places them: per block, input, output, experts."""
    layer = [0] * n_layers
    expert = [0] * n_layers
    input_bytes = output_bytes = token_embd = 0
    for t in tensors:
        block = _BLOCK.match(t.name)
        if block is not None:
            index = int(block[1])
            if index >= n_layers:
                raise GGUFError(
                    f"tensor {t.name} belongs to block {index}, but the header says "
                    f"{n_layers} blocks",
                    path=path,
                )
            layer[index] += t.n_bytes
            expert[index] += t.n_bytes if _EXPERT_MARK in t.name else 0
        elif t.name in INPUT_TENSORS:
            input_bytes += t.n_bytes
            token_embd += t.n_bytes if t.name == "token_embd.weight" else 0
        else:
            output_bytes += t.n_bytes
    tied = all(t.name != "output.weight" for t in tensors)
    return QuantBytes(
        total_bytes=sum(t.n_bytes for t in tensors),
        layer_bytes=tuple(layer),
        layer_expert_bytes=tuple(expert),
        input_bytes=input_bytes,
        output_bytes=output_bytes,
        output_loaded_bytes=output_bytes + (token_embd if tied else 0),
        n_params=sum(t.n_elements for t in tensors),
    )
