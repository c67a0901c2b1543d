"""GGUF headers of a Hugging Face repository's file, read with HTTP range requests.

The header reader (advisor.catalog.gguf.header) reads front to back; RangeReader gives it the
file's first bytes, fetching a longer prefix each time it runs past what it has (1 MiB, then
doubling), and never past MAX_HEADER_BYTES: a real header is 1 to 15 MB (vocabulary and
merges), so the weights are never fetched. The prefix the header took is cached by the file's
content digest, and read back from there next time.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from advisor.catalog.gguf.file import GGUFModelFile, model_file_from_headers
from advisor.catalog.gguf.header import GGUFHeader, read_header_from
from advisor.catalog.hub import cache, client
from advisor.catalog.hub.client import HubFile
from advisor.catalog.hub.listing import RemoteQuant
from advisor.errors import GGUFError

MAX_HEADER_BYTES = 64 << 20
_FIRST_FETCH = 1 << 20


class RangeReader:
    """A read-only, seekable view of a remote file's first bytes, fetched as they are read.

    With no `fetch` (a cached prefix), reads past the prefix return what there is: the header
    reader then says the file was cut short, and the caller fetches it afresh.
    """

    def __init__(
        self,
        size: int,
        fetch: Callable[[int, int], bytes] | None,
        *,
        name: str,
        prefix: bytes = b"",
    ) -> None:
        self.size = size
        self.fetch = fetch
        self.name = name
        self.data = bytearray(prefix)
        self.pos = 0
        self.requests = 0
        self.limited = False  # a read was cut at MAX_HEADER_BYTES

    def seek(self, pos: int, whence: int = 0) -> int:
        self.pos = pos if whence == 0 else self.pos + pos
        return self.pos

    def read(self, n: int = -1) -> bytes:
        end = self.size if n < 0 else min(self.pos + n, self.size)
        if end > MAX_HEADER_BYTES:
            self.limited = True  # a short read: the header reader fails if it needed more
            end = MAX_HEADER_BYTES
        if end > len(self.data) and self.fetch is not None:
            self._grow(end)
        out = bytes(self.data[self.pos : min(end, len(self.data))]) if self.pos < end else b""
        self.pos += len(out)
        return out

    def _grow(self, end: int) -> None:
        have = len(self.data)
        target = min(self.size, MAX_HEADER_BYTES, max(end, 2 * have, _FIRST_FETCH))
        assert self.fetch is not None
        chunk = self.fetch(have, target)
        self.requests += 1
        if len(chunk) != target - have:
            raise GGUFError(
                f"asked for bytes {have} to {target} of a {self.size}-byte file, got "
                f"{len(chunk)}: the file changed on the Hub, or the connection broke",
                path=self.name,
                hint="try again",
            )
        self.data += chunk

    def limit_error(self) -> GGUFError:
        return GGUFError(
            f"its header runs past the first {MAX_HEADER_BYTES >> 20} MiB; real GGUF headers "
            "are a few MB, and advisor reads no further (it never fetches weights)",
            path=self.name,
            hint="check the file is a GGUF model; a local copy can be read with --model FILE.gguf",
        )

    def header_prefix(self, header: GGUFHeader) -> bytes:
        """The bytes the header took (what a cache keeps to read it again)."""
        end = header.data_offset_bytes if header.data_offset_bytes is not None else len(self.data)
        return bytes(self.data[: min(end, len(self.data))])


def read_remote_gguf(repo: str, commit: str, quant: RemoteQuant, *, online: bool) -> GGUFModelFile:
    """Every part's header of `quant`, from the cache or (if `online`) by range requests."""
    headers = [_header(repo, commit, f, online=online) for f in quant.files]
    shards = tuple(Path(label(repo, f)) for f in quant.files)
    return model_file_from_headers(shards, headers)


def label(repo: str, file: HubFile) -> str:
    """How errors name a remote file: hf:ORG/REPO/PATH."""
    return f"hf:{repo}/{file.path}"


def _header(repo: str, commit: str, file: HubFile, *, online: bool) -> GGUFHeader:
    name = label(repo, file)
    cached = cache.load_blob("header", repo, file)
    if cached is not None:
        try:
            return read_header_from(
                RangeReader(file.size_bytes, None, name=name, prefix=cached),
                file.size_bytes,
                path=name,
            )
        except GGUFError:
            if not online:
                raise
    if not online:
        from advisor.errors import UnreachableError

        raise UnreachableError(
            f"offline (HF_HUB_OFFLINE is set) and the header of {name} is not in advisor's cache",
            hint="unset HF_HUB_OFFLINE once online; an estimate made online is kept for later",
        )
    reader = RangeReader(
        file.size_bytes,
        lambda start, end: client.read_range(repo, commit, file.path, start, end),
        name=name,
    )
    try:
        header = read_header_from(reader, file.size_bytes, path=name)
    except GGUFError:
        if reader.limited:
            raise reader.limit_error() from None
        raise
    cache.store_blob("header", repo, file, reader.header_prefix(header))
    return header
