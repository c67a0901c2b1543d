"""The bounded GGUF header reader: it agrees with gguf.GGUFReader, and refuses bad files."""

from __future__ import annotations

import struct
import subprocess
import sys
from pathlib import Path

import gguf
import pytest
from catalog_testkit import arch_metadata, llama_tensors, write_gguf
from gguf import GGMLQuantizationType as T

from advisor.catalog.gguf.header import KEEP_ARRAY_ITEMS, LongArray, read_header
from advisor.errors import ExitCode, GGUFError


def _reader_value(field: gguf.ReaderField) -> object:
    value = field.contents()
    return tuple(value) if isinstance(value, list) else value


def test_agrees_with_gguf_reader_on_a_real_model(synthetic_gguf: Path) -> None:
    header = read_header(synthetic_gguf)
    reader = gguf.GGUFReader(synthetic_gguf)
    assert header.data_offset_bytes == reader.data_offset
    assert header.version == 3 and not header.big_endian
    assert [(t.name, t.ggml_type, t.n_elements, t.n_bytes) for t in header.tensors] == [
        (t.name, t.tensor_type, t.n_elements, t.n_bytes) for t in reader.tensors
    ]
    assert [header.data_offset_bytes + t.offset_bytes for t in header.tensors] == [
        t.data_offset for t in reader.tensors
    ]
    assert [t.shape for t in header.tensors] == [tuple(map(int, t.shape)) for t in reader.tensors]
    for key, field in reader.fields.items():
        if key.startswith("GGUF."):
            continue
        expected = _reader_value(field)
        got = header.metadata[key]
        if (
            isinstance(expected, float)
            or isinstance(expected, tuple)
            and expected
            and isinstance(expected[0], float)
        ):
            assert got == pytest.approx(expected)
        else:
            assert got == expected, key


def test_long_arrays_keep_their_length_only(tmp_path: Path) -> None:
    n = KEEP_ARRAY_ITEMS + 1
    metadata = {"tokenizer.ggml.tokens": [f"t{i}" for i in range(n)], "x.per_layer": [1, 2, 3]}
    (path,) = write_gguf(tmp_path / "m.gguf", "x", metadata, [])
    header = read_header(path)
    assert header.metadata["tokenizer.ggml.tokens"] == LongArray(n, "string")
    assert header.metadata["x.per_layer"] == (1, 2, 3)


def test_reads_big_endian_files(tmp_path: Path) -> None:
    meta = arch_metadata("llama", block_count=2, context_length=512)
    (path,) = write_gguf(
        tmp_path / "be.gguf",
        "llama",
        meta,
        llama_tensors(2, 64, 128, 100, 32, T.F16),
        endianess=gguf.GGUFEndian.BIG,
    )
    header = read_header(path)
    assert header.big_endian
    assert header.get("llama.block_count") == 2
    assert header.tensors[0].shape == (64, 100)


def test_metadata_only_read_skips_tensor_infos(synthetic_gguf: Path) -> None:
    header = read_header(synthetic_gguf, tensors=False)
    assert header.tensors == () and header.data_offset_bytes is None
    assert header.tensor_count == len(read_header(synthetic_gguf).tensors)


def _header_bytes(tensor_count: int, kv_count: int, version: int = 3) -> bytes:
    return b"GGUF" + struct.pack("<IQQ", version, tensor_count, kv_count)


def _kv_string(key: str, value: bytes, declared: int | None = None) -> bytes:
    length = len(value) if declared is None else declared
    return struct.pack("<Q", len(key)) + key.encode() + struct.pack("<IQ", 8, length) + value


def _write(tmp_path: Path, content: bytes) -> Path:
    path = tmp_path / "bad.gguf"
    path.write_bytes(content)
    return path


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "the file is empty"),
        (b"GGML" + bytes(40), "not a GGUF file (starts with b'GGML'"),
        (b"PK\x03\x04" + bytes(40), "not a GGUF file"),
        (b"GGUF\x03\x00", "truncated: the magic and version"),
        (_header_bytes(0, 0, version=1), "GGUF version 1 is not supported"),
        (_header_bytes(0, 0, version=4), "GGUF version 4 is not supported"),
        (_header_bytes(2**63, 0), "claims 9223372036854775808 tensors"),
        (_header_bytes(0, 2**40), "claims 1099511627776 metadata keys"),
        (
            _header_bytes(0, 1) + _kv_string("general.name", b"abc", declared=2**62),
            "claims 4611686018427387904 bytes",
        ),
        (
            _header_bytes(0, 1) + _kv_string("general.name", b"abc", declared=50),
            "truncated: the value of 'general.name'",
        ),
        (
            _header_bytes(0, 1) + struct.pack("<Q", 3) + b"key" + struct.pack("<I", 77),
            "unknown value type 77",
        ),
        (
            _header_bytes(0, 1) + struct.pack("<Q", 1) + b"a" + struct.pack("<IIQ", 9, 4, 2**60),
            "array 'a' claims 1152921504606846976 items",
        ),
        (
            _header_bytes(0, 1) + struct.pack("<Q", 1) + b"a" + struct.pack("<IIQ", 9, 9, 1),
            "holds arrays",
        ),
        (
            _header_bytes(0, 2) + _kv_string("k", b"v") + _kv_string("k", b"w"),
            "duplicate metadata key 'k'",
        ),
        (
            _header_bytes(0, 1)
            + struct.pack("<Q", 17)
            + b"general.alignment"
            + struct.pack("<II", 4, 48),
            "general.alignment is 48, expected a power of two",
        ),
    ],
)
def test_hostile_headers_get_a_clear_gguf_error(
    tmp_path: Path, content: bytes, expected: str
) -> None:
    path = _write(tmp_path, content)
    with pytest.raises(GGUFError) as caught:
        read_header(path)
    assert expected in caught.value.message
    assert caught.value.message.startswith(f"{path}: ")
    assert caught.value.exit_code == ExitCode.BAD_INPUT


def _one_tensor(
    tmp_path: Path,
    name: str = "w",
    dims=(32, 2),
    ggml_type: int = 0,
    offset: int = 0,
    data: int = 256,
) -> Path:
    info = struct.pack("<Q", len(name)) + name.encode() + struct.pack("<I", len(dims))
    info += b"".join(struct.pack("<Q", d) for d in dims) + struct.pack("<IQ", ggml_type, offset)
    body = _header_bytes(1, 0) + info
    body += bytes(-len(body) % 32)
    return _write(tmp_path, body + bytes(data))


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"data": 100}, "ends past the end of the file: the file is truncated"),
        ({"offset": 2**40}, "ends past the end of the file"),
        ({"offset": 7}, "not a multiple of the alignment 32"),
        ({"ggml_type": 99}, "tensor type 99, unknown"),
        ({"dims": (1, 2, 3, 4, 5)}, "has 5 dimensions (at most 4)"),
        ({"dims": (2**62, 2**62)}, "impossible shape"),
        ({"dims": (7, 2), "ggml_type": int(T.Q8_0)}, "does not fill whole Q8_0 blocks of 32"),
        ({"name": "x" * 80}, "longer than 63 bytes"),
    ],
)
def test_hostile_tensor_infos(tmp_path: Path, kwargs: dict, expected: str) -> None:
    path = _one_tensor(tmp_path, **kwargs)
    with pytest.raises(GGUFError, match=expected.replace("(", r"\(").replace(")", r"\)")):
        read_header(path)


def test_metadata_decoding_has_a_memory_budget(tmp_path: Path) -> None:
    """Many per-layer-sized arrays: each is legal, together they would cost gigabytes."""
    n_keys, items = 1000, KEEP_ARRAY_ITEMS
    body = bytearray(_header_bytes(0, n_keys))
    for i in range(n_keys):
        key = f"k{i}".encode()
        body += struct.pack("<Q", len(key)) + key + struct.pack("<IIQ", 9, 0, items)
        body += bytes(items)
    with pytest.raises(GGUFError, match="more than 64 MiB of metadata"):
        read_header(_write(tmp_path, bytes(body)))


def test_too_many_tensors_for_any_model(tmp_path: Path) -> None:
    path = _write(tmp_path, _header_bytes(70_000, 0) + bytes(70_000 * 24))
    with pytest.raises(GGUFError, match="claims 70000 tensors"):
        read_header(path)


def test_a_valid_one_tensor_file_passes(tmp_path: Path) -> None:
    header = read_header(_one_tensor(tmp_path))
    assert header.tensors[0].n_bytes == 256  # 64 F32 values


def test_every_truncation_of_a_real_header_is_refused(tmp_path: Path, synthetic_gguf: Path) -> None:
    content = synthetic_gguf.read_bytes()
    data_offset = read_header(synthetic_gguf).data_offset_bytes
    assert data_offset is not None
    for cut in [*range(0, data_offset, 7), data_offset, len(content) - 1]:
        path = _write(tmp_path, content[:cut])
        with pytest.raises(GGUFError):
            read_header(path)


def test_unreadable_and_odd_paths(tmp_path: Path) -> None:
    with pytest.raises(GGUFError, match="cannot read the file"):
        read_header(tmp_path / "absent.gguf")
    with pytest.raises(GGUFError, match="cannot read the file"):
        read_header(tmp_path)


def test_header_read_never_touches_tensor_data(tmp_path: Path) -> None:
    """A 2 GiB model (a sparse hole) is read in a process whose memory stays small."""
    n_embd, n_ff, n_vocab = 4096, 14336, 32000
    tensors = llama_tensors(4, n_embd, n_ff, n_vocab, 1024, T.F16)
    meta = arch_metadata(
        "llama",
        block_count=4,
        context_length=4096,
        embedding_length=n_embd,
        feed_forward_length=n_ff,
        attention__head_count=32,
        attention__head_count_kv=8,
    )
    meta["general.file_type"] = int(gguf.LlamaFileType.MOSTLY_F16)
    (path,) = write_gguf(tmp_path / "big.gguf", "llama", meta, tensors)
    assert path.stat().st_size > 2 * 2**30
    code = (
        "import resource, sys\n"
        "from advisor.catalog.gguf.file import read_model_file\n"
        "from advisor.catalog.add import entry_from_gguf\n"
        "before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        f"entry = entry_from_gguf(read_model_file({str(path)!r}))\n"
        "after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "print(entry.model.quants[0].size_bytes, after - before)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    size, grown_kib = map(int, out.stdout.split())
    assert size == path.stat().st_size
    assert grown_kib < 64 * 1024, f"the read grew the process by {grown_kib} KiB"
