"""A bounded GGUF header reader: metadata and tensor infos, never tensor data.

Every count and length in the header is checked against the bytes left in the file (and a
sane ceiling) before anything is allocated, so a corrupt, truncated or hostile file fails
fast with a GGUFError naming the file. Types and sizes come from the `gguf` package.

Why not `gguf.GGUFReader`: it builds a numpy view for every element of every array, which
takes about 6 s on one real header (150k tokenizer strings and merges), and it trusts the
counts it reads (an array length of 2**63 loops forever). This reader skips long arrays by
their length and walks a real header in milliseconds; the tests check it against GGUFReader.

The file is read with plain, bounded read()s of a window that moves along the header, never
mapped: a file cut short while it is read (a download being replaced) then reads short, which
is an error, where a mapping would kill the process with SIGBUS. Only regular files are opened
(advisor.files.regular): a FIFO or /dev/zero named *.gguf is refused at once.
"""

from __future__ import annotations

import os
import struct
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from gguf.constants import (
    GGML_QUANT_SIZES,
    GGUF_DEFAULT_ALIGNMENT,
    GGMLQuantizationType,
    GGUFValueType,
)

from advisor.errors import GGUFError

MAGIC = b"GGUF"
SUPPORTED_VERSIONS = (2, 3)
MAX_KV = 1 << 16  # real files carry fewer than 100 keys
MAX_TENSORS = 1 << 16  # the largest models carry under 2,000 tensors
MAX_ARRAY_ITEMS = 1 << 24  # vocabularies stay below 1M tokens
MAX_STRING_BYTES = 1 << 24  # chat templates are tens of KB
KEEP_ARRAY_ITEMS = 4096  # shorter arrays (per-layer values) are decoded; longer keep a length
MAX_NAME_BYTES = 63  # llama.cpp's GGML_MAX_NAME minus the terminating NUL
MAX_DIMS = 4  # GGML_MAX_DIMS
# What decoding may allocate in Python objects, whatever the header claims: real headers need a
# few MB (long arrays are skipped, not decoded), and a sparse file can claim gigabytes cheaply.
DECODE_BUDGET_BYTES = 1 << 26
_ITEM_COST = 40  # a small Python int or float in a tuple
_OBJECT_COST = 200  # a key, a tensor info
# A skipped string array is walked item by item (each string's length says where the next one
# starts), so its items are charged too: 8 bytes each, the length field's size. A real
# vocabulary of 262k tokens costs 2 MB of the budget; a sparse file claiming 50 arrays of
# 2**24 empty strings is refused at the first, instead of walked for minutes.
_SKIPPED_STRING_COST = 8
_WINDOW_BYTES = 1 << 20  # read from the file this much at a time
_INT64_MAX = (1 << 63) - 1

_STRING, _ARRAY = GGUFValueType.STRING, GGUFValueType.ARRAY
# struct format of one item of each scalar value type
_SCALAR_FORMATS: dict[int, str] = {
    GGUFValueType.UINT8: "B", GGUFValueType.INT8: "b", GGUFValueType.UINT16: "H",
    GGUFValueType.INT16: "h", GGUFValueType.UINT32: "I", GGUFValueType.INT32: "i",
    GGUFValueType.FLOAT32: "f", GGUFValueType.BOOL: "?", GGUFValueType.UINT64: "Q",
    GGUFValueType.INT64: "q", GGUFValueType.FLOAT64: "d",
}  # fmt: skip


@dataclass(frozen=True)
class LongArray:
    """An array too long to be worth decoding (a vocabulary): only its length and item type."""

    length: int
    item_type: str


@dataclass(frozen=True)
class TensorInfo:
    """One tensor as the header describes it. `shape` is in ggml order (ne0 first)."""

    name: str
    shape: tuple[int, ...]
    ggml_type: GGMLQuantizationType
    offset_bytes: int  # from the start of the data section
    n_elements: int
    n_bytes: int


@dataclass(frozen=True)
class GGUFHeader:
    """What a GGUF file says about itself, without its tensor data."""

    path: Path
    version: int
    file_size_bytes: int
    big_endian: bool
    metadata: dict[str, Any] = field(repr=False)
    tensors: tuple[TensorInfo, ...] = field(repr=False)
    tensor_count: int
    alignment: int
    data_offset_bytes: int | None  # None when the tensor infos were not read

    def get(self, key: str, default: Any = None) -> Any:
        return self.metadata.get(key, default)

    @property
    def architecture(self) -> str | None:
        value = self.metadata.get("general.architecture")
        return value if isinstance(value, str) else None


def read_header(path: str | Path, *, tensors: bool = True) -> GGUFHeader:
    """Read a GGUF header. With tensors=False, stop after the metadata (quicker for scans)."""
    from advisor.files.regular import open_regular

    target = Path(path)
    try:
        with open_regular(target) as handle:
            size = os.fstat(handle.fileno()).st_size
            if size == 0:
                raise GGUFError("the file is empty, not a GGUF model", path=target)
            return _Walker(target, handle, size).header(tensors=tensors)
    except OSError as exc:
        raise GGUFError(f"cannot read the file: {exc.strerror or exc}", path=target) from exc


class Seekable(Protocol):
    """What the header walker reads through: a local file, or a remote one read by ranges."""

    def seek(self, offset: int, whence: int = 0, /) -> int: ...

    def read(self, n: int = -1, /) -> bytes: ...


def read_header_from(
    handle: Seekable, size: int, *, path: str | Path, tensors: bool = True
) -> GGUFHeader:
    """Read a GGUF header from any seekable reader of a file of `size` bytes (a remote file read
    by byte ranges); `path` names the file in errors. The reader may return fewer bytes than
    asked, as long as it returns those the header needs."""
    target = Path(path)
    if size == 0:
        raise GGUFError("the file is empty, not a GGUF model", path=target)
    return _Walker(target, handle, size).header(tensors=tensors)


class _Walker:
    """Reads the header front to back, checking every length before it trusts it."""

    def __init__(self, path: Path, handle: Seekable, size: int) -> None:
        self.path = path
        self.handle = handle
        self.buf = b""  # the window: the file's bytes from self.base on
        self.base = 0
        self.size = size  # as the file was when opened; reads past its end now are an error
        self.pos = 0
        self.order = "<"
        self.budget = DECODE_BUDGET_BYTES

    def fail(self, message: str) -> GGUFError:
        return GGUFError(
            message,
            path=self.path,
            hint="the file is corrupt or truncated (an interrupted download?); "
            "download it again, or check it is a GGUF model file",
        )

    def header(self, *, tensors: bool) -> GGUFHeader:
        version = self._preamble()
        tensor_count = self._count("tensor", MAX_TENSORS, min_item_bytes=8 + 4 + 4 + 8)
        kv_count = self._count("metadata key", MAX_KV, min_item_bytes=8 + 4 + 1)
        metadata = self._metadata(kv_count)
        alignment = self._alignment(metadata)
        infos: tuple[TensorInfo, ...] = ()
        data_offset = None
        if tensors:
            infos, data_offset = self._tensor_infos(tensor_count, alignment)
        return GGUFHeader(
            path=self.path,
            version=version,
            file_size_bytes=self.size,
            big_endian=self.order == ">",
            metadata=metadata,
            tensors=infos,
            tensor_count=tensor_count,
            alignment=alignment,
            data_offset_bytes=data_offset,
        )

    # -- primitives -----------------------------------------------------------------------

    def _spend(self, cost: int, what: str) -> None:
        self.budget -= cost
        if self.budget < 0:
            raise self.fail(
                f"the header holds more than {DECODE_BUDGET_BYTES >> 20} MiB of metadata "
                f"(at {what}); that is no model header advisor reads"
            )

    def _need(self, n: int, what: str) -> None:
        if n > self.size - self.pos:
            raise self.fail(
                f"truncated: {what} at byte {self.pos} needs {n} bytes, "
                f"but the file ends {self.size - self.pos} bytes later"
            )

    def _window(self, n: int) -> tuple[bytes, int]:
        """(buffer, offset) holding the n bytes at self.pos; read from the file if they are
        not in the window (the caller checked they are within the file's size)."""
        at = self.pos - self.base
        if at >= 0 and at + n <= len(self.buf):
            return self.buf, at
        self.handle.seek(self.pos)
        data = self.handle.read(max(n, min(_WINDOW_BYTES, self.size - self.pos)))
        if len(data) < n:
            raise self.fail(
                f"the file shrank while its header was read (at byte {self.pos}, "
                f"{len(data)} of {n} bytes left): it is being written or replaced"
            )
        self.buf, self.base = data, self.pos
        return data, 0

    def _unpack(self, fmt: str, n: int, what: str) -> Any:
        self._need(n, what)
        buf, at = self._window(n)
        (value,) = struct.unpack_from(self.order + fmt, buf, at)
        self.pos += n
        return value

    def _u32(self, what: str) -> int:
        return self._unpack("I", 4, what)

    def _u64(self, what: str) -> int:
        return self._unpack("Q", 8, what)

    def _string(self, what: str, limit: int = MAX_STRING_BYTES) -> str:
        length = self._u64(f"the length of {what}")
        if length > limit:
            raise self.fail(f"{what} claims {length} bytes (at most {limit} expected)")
        self._need(length, what)
        self._spend(length + _OBJECT_COST, what)
        buf, at = self._window(length)
        raw = buf[at : at + length]
        self.pos += length
        return raw.decode("utf-8", errors="replace")

    # -- sections -------------------------------------------------------------------------

    def _preamble(self) -> int:
        self._need(8, "the magic and version")
        head, _ = self._window(8)
        magic = bytes(head[0:4])
        if magic != MAGIC:
            raise self.fail(f"not a GGUF file (starts with {magic!r}, expected {MAGIC!r})")
        self.pos = 4
        version = self._u32("the version")
        if version & 0xFFFF == 0 and version != 0:
            # Written on a big-endian machine: every number is byte-swapped.
            self.order = ">"
            version = struct.unpack_from(">I", head, 4)[0]
        if version not in SUPPORTED_VERSIONS:
            raise self.fail(
                f"GGUF version {version} is not supported (expected "
                f"{' or '.join(map(str, SUPPORTED_VERSIONS))}); convert the model again "
                "with a current llama.cpp"
            )
        return version

    def _count(self, what: str, ceiling: int, *, min_item_bytes: int) -> int:
        count = self._u64(f"the {what} count")
        possible = (self.size - self.pos) // min_item_bytes
        if count > min(ceiling, possible):
            raise self.fail(
                f"the header claims {count} {what}s, more than the file could hold "
                f"(at most {min(ceiling, possible)})"
            )
        return count

    def _metadata(self, count: int) -> dict[str, Any]:
        metadata: dict[str, Any] = {}
        for index in range(count):
            key = self._string(f"metadata key #{index}", limit=65535)
            if key in metadata:
                raise self.fail(f"duplicate metadata key {key!r}")
            value_type = self._u32(f"the type of {key!r}")
            metadata[key] = self._value(value_type, key)
        return metadata

    def _value(self, value_type: int, key: str) -> Any:
        if value_type == _STRING:
            return self._string(f"the value of {key!r}")
        if value_type == _ARRAY:
            return self._array(key)
        fmt = _SCALAR_FORMATS.get(value_type)
        if fmt is None:
            raise self.fail(f"metadata key {key!r} has unknown value type {value_type}")
        return self._unpack(fmt, struct.calcsize(fmt), f"the value of {key!r}")

    def _array(self, key: str) -> Any:
        item_type = self._u32(f"the item type of array {key!r}")
        length = self._u64(f"the length of array {key!r}")
        if item_type == _ARRAY:
            raise self.fail(f"array {key!r} holds arrays; GGUF readers do not support that")
        fmt = _SCALAR_FORMATS.get(item_type)
        if fmt is None and item_type != _STRING:
            raise self.fail(f"array {key!r} has unknown item type {item_type}")
        item_bytes = struct.calcsize(fmt) if fmt else 8  # a string needs at least its length
        if length > MAX_ARRAY_ITEMS or length * item_bytes > self.size - self.pos:
            raise self.fail(f"array {key!r} claims {length} items, more than the file could hold")
        if length > KEEP_ARRAY_ITEMS:
            self._skip_items(fmt, length, key)
            return LongArray(length, GGUFValueType(item_type).name.lower())
        if fmt is None:
            return tuple(self._string(f"item {i} of {key!r}") for i in range(length))
        self._spend(length * _ITEM_COST, f"array {key!r}")
        buf, at = self._window(length * item_bytes)
        values = struct.unpack_from(f"{self.order}{length}{fmt}", buf, at)
        self.pos += length * item_bytes
        return values

    def _skip_items(self, fmt: str | None, length: int, key: str) -> None:
        if fmt is not None:
            self.pos += length * struct.calcsize(fmt)  # bounds checked by the caller
            return
        self._spend(length * _SKIPPED_STRING_COST, f"array {key!r}")
        # The hot loop of a scan (a vocabulary is 150k+ strings): locals, no method calls but
        # a window refill every MiB.
        unpack = struct.Struct(self.order + "Q").unpack_from
        buf, base, pos, size = self.buf, self.base, self.pos, self.size
        for _ in range(length):
            if pos + 8 > size:
                break
            if not base <= pos <= base + len(buf) - 8:
                self.pos = pos
                buf, at = self._window(8)
                base = pos - at
            pos += 8 + unpack(buf, pos - base)[0]
            if pos > size:
                break
        else:
            self.pos = pos
            return
        raise self.fail(f"truncated: array {key!r} runs past the end of the file")

    def _alignment(self, metadata: dict[str, Any]) -> int:
        alignment = metadata.get("general.alignment", GGUF_DEFAULT_ALIGNMENT)
        if type(alignment) is not int or alignment <= 0 or alignment & (alignment - 1):
            raise self.fail(f"general.alignment is {alignment!r}, expected a power of two")
        return alignment

    def _tensor_infos(self, count: int, alignment: int) -> tuple[tuple[TensorInfo, ...], int]:
        names: set[str] = set()
        infos = []
        for index in range(count):
            info = self._tensor_info(index)
            self._check_name(info.name, names)
            infos.append(info)
        data_offset = -(-self.pos // alignment) * alignment
        if count and data_offset > self.size:
            raise self.fail("truncated: the file ends before its tensor data begins")
        for info in infos:
            self._check_placement(info, alignment, self.size - data_offset)
        return tuple(infos), data_offset

    def _tensor_info(self, index: int) -> TensorInfo:
        name = self._string(f"the name of tensor #{index}", limit=1 << 16)
        n_dims = self._u32(f"the dimension count of {name!r}")
        if n_dims > MAX_DIMS:
            raise self.fail(f"tensor {name!r} has {n_dims} dimensions (at most {MAX_DIMS})")
        shape = tuple(self._u64(f"dimension {d} of {name!r}") for d in range(n_dims))
        raw_type = self._u32(f"the type of {name!r}")
        offset = self._u64(f"the data offset of {name!r}")
        try:
            ggml_type = GGMLQuantizationType(raw_type)
            block_size, type_size = GGML_QUANT_SIZES[ggml_type]
        except (ValueError, KeyError):
            raise self.fail(
                f"tensor {name!r} has tensor type {raw_type}, unknown to the installed gguf "
                "package (upgrade it: pip install -U gguf)"
            ) from None
        n_elements = 1
        for dim in shape:
            n_elements *= dim
        if any(dim > _INT64_MAX for dim in shape) or n_elements > _INT64_MAX:
            raise self.fail(f"tensor {name!r} has an impossible shape {shape}")
        if shape and shape[0] % block_size:
            raise self.fail(
                f"tensor {name!r}: a row of {shape[0]} values does not fill whole "
                f"{ggml_type.name} blocks of {block_size}"
            )
        n_bytes = n_elements // block_size * type_size
        return TensorInfo(name, shape, ggml_type, offset, n_elements, n_bytes)

    def _check_name(self, name: str, names: set[str]) -> None:
        if len(name.encode()) > MAX_NAME_BYTES:
            raise self.fail(f"tensor name {name[:80]!r} is longer than {MAX_NAME_BYTES} bytes")
        if name in names:
            raise self.fail(f"duplicate tensor name {name!r}")
        names.add(name)

    def _check_placement(self, info: TensorInfo, alignment: int, data_bytes: int) -> None:
        if info.offset_bytes % alignment:
            raise self.fail(
                f"tensor {info.name!r} starts at offset {info.offset_bytes}, "
                f"not a multiple of the alignment {alignment}"
            )
        if info.offset_bytes + info.n_bytes > data_bytes:
            raise self.fail(
                f"tensor {info.name!r} ({info.n_bytes} bytes at data offset "
                f"{info.offset_bytes}) ends past the end of the file: the file is truncated"
            )
