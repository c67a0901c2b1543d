"""Which model file this is, cheaply: its size plus a hash of its header and its last bytes.

Hashing a 40 GB file would take longer than the test. The GGUF header (metadata, tokenizer,
tensor names, shapes, types and offsets) identifies the model and its quantization; the
last MiB (the end of the last tensor's data) tells apart two fine-tunes that share a header.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from advisor.bench.measurement import ModelFile
from advisor.errors import GGUFError, NotFoundError

HEADER_BYTES = 4 * 1024 * 1024
TAIL_BYTES = 1024 * 1024
_GGUF_MAGIC = b"GGUF"


def describe_file(path: str | Path) -> ModelFile:
    """Size and header hash of a GGUF file; refuses what is not a GGUF at all."""
    target = Path(path).expanduser()
    if not target.is_file():
        raise NotFoundError(f"{target}: no such model file")
    try:
        size = target.stat().st_size
        with target.open("rb") as handle:
            head = handle.read(HEADER_BYTES)
            digest = hashlib.sha256(head)
            if size > HEADER_BYTES + TAIL_BYTES:
                handle.seek(size - TAIL_BYTES)
                digest.update(handle.read(TAIL_BYTES))
    except OSError as exc:
        raise GGUFError(f"cannot read the file: {exc.strerror or exc}", path=target) from exc
    if not head.startswith(_GGUF_MAGIC):
        raise GGUFError(
            "not a GGUF file (it does not start with the GGUF magic bytes)",
            path=target,
            hint="advisor bench runs llama.cpp GGUF models; convert or download a .gguf",
        )
    return ModelFile(path=str(target.resolve()), size_bytes=size, header_sha256=digest.hexdigest())
