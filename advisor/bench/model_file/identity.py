"""Which model file this is, cheaply: its size plus a hash of its header and its last bytes.

Hashing a 40 GB file would take longer than the test. The GGUF header (metadata, tokenizer,
tensor names, shapes, types and offsets) identifies the model and its quantization; the
last MiB (the end of the last tensor's data) tells apart two fine-tunes that share a header.
"""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path

from advisor.bench.measurement import ModelFile
from advisor.errors import GGUFError, NotFoundError

HEADER_BYTES = 4 * 1024 * 1024
TAIL_BYTES = 1024 * 1024
_GGUF_MAGIC = b"GGUF"


def require_model_file(path: Path) -> None:
    """NotFoundError when nothing is at `path`; GGUFError (exit 3) when something is but it is
    no file to run: a folder, a FIFO, a device, a symlink loop."""
    from advisor.files.regular import kind_of

    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        raise NotFoundError(f"{path}: no such model file") from None
    except OSError as exc:  # a symlink loop (ELOOP), a folder that may not be entered
        raise GGUFError(f"cannot read the file: {exc.strerror or exc}", path=path) from None
    if not stat.S_ISREG(mode):
        raise GGUFError(
            f"it is {kind_of(mode)}, not a GGUF model file",
            path=path,
            hint="pass the .gguf file itself (for a split model, its first part)",
        )


def describe_file(path: str | Path) -> ModelFile:
    """Size and header hash of a GGUF file; refuses what is not a GGUF at all."""
    from advisor.files.regular import open_regular

    target = Path(path).expanduser()
    require_model_file(target)
    try:
        with open_regular(target) as handle:
            size = os.fstat(handle.fileno()).st_size
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
