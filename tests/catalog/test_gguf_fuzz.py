"""Fuzzed GGUF headers: random and mutated bytes raise GGUFError or read, never anything else.

Each example also runs under tracemalloc: whatever a header claims, the reader must not
allocate more than a small multiple of the file's own size.
"""

from __future__ import annotations

import functools
import struct
import tempfile
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import pytest
from catalog_testkit import arch_metadata, llama_tensors, write_gguf
from gguf import GGMLQuantizationType as T
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from advisor.catalog.add import entry_from_gguf
from advisor.catalog.gguf.file import read_model_file
from advisor.catalog.gguf.header import read_header
from advisor.errors import GGUFError, UsageError

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
MEMORY_LIMIT_BYTES = 8 * 2**20


@pytest.fixture(scope="module")
def workdir() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="gguf-fuzz-") as folder:
        yield Path(folder)


@functools.cache
def _seed() -> tuple[bytes, int]:
    """A small but complete model file, and where its header ends (mutations stay before)."""
    meta = arch_metadata(
        "llama",
        block_count=2,
        context_length=2048,
        embedding_length=64,
        feed_forward_length=128,
        attention__head_count=4,
        attention__head_count_kv=2,
    )
    meta |= {
        "general.name": "Fuzz Seed",
        "general.file_type": 7,
        "tokenizer.ggml.tokens": [f"tok{i}" for i in range(40)],
        "tokenizer.ggml.scores": [0.5] * 40,
    }
    with tempfile.TemporaryDirectory(prefix="gguf-seed-") as folder:
        (path,) = write_gguf(
            Path(folder) / "seed.gguf", "llama", meta, llama_tensors(2, 64, 128, 40, 32, T.Q8_0)
        )
        header = read_header(path)
        assert header.data_offset_bytes is not None
        return path.read_bytes(), header.data_offset_bytes


def _read_everything(path: Path) -> None:
    """What `advisor catalog add` and `advisor scan` do with a file."""
    read_header(path, tensors=False)
    entry_from_gguf(read_model_file(path))


def _check(workdir: Path, content: bytes) -> None:
    path = workdir / "case.gguf"
    path.write_bytes(content)
    tracemalloc.start()
    try:
        _read_everything(path)
    except (GGUFError, UsageError):
        pass  # the only failures allowed: a clear error about the file
    finally:
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    assert peak < MEMORY_LIMIT_BYTES + 64 * len(content), f"allocated {peak} bytes"


@FUZZ
@given(st.binary(max_size=2048))
def test_random_bytes(workdir: Path, data: bytes) -> None:
    _check(workdir, data)


@FUZZ
@given(
    version=st.sampled_from([2, 3]),
    counts=st.tuples(st.integers(0, 2**64 - 1), st.integers(0, 2**64 - 1)),
    rest=st.binary(max_size=1024),
)
def test_random_bodies_behind_a_valid_preamble(
    workdir: Path, version: int, counts: tuple[int, int], rest: bytes
) -> None:
    _check(workdir, b"GGUF" + struct.pack("<IQQ", version, *counts) + rest)


@FUZZ
@given(data=st.data())
def test_mutated_real_headers(workdir: Path, data: st.DataObject) -> None:
    seed, header_end = _seed()
    content = bytearray(seed)
    for _ in range(data.draw(st.integers(1, 4), label="mutations")):
        at = data.draw(st.integers(0, min(header_end, len(content)) - 1), label="offset")
        kind = data.draw(st.sampled_from(["byte", "u64", "u32", "cut"]), label="kind")
        if kind == "byte":
            content[at] = data.draw(st.integers(0, 255))
        elif kind == "u64":
            value = data.draw(st.sampled_from([0, 1, 2**31, 2**32 + 1, 2**63, 2**64 - 1]))
            content[at : at + 8] = struct.pack("<Q", value)
        elif kind == "u32":
            content[at : at + 4] = struct.pack("<I", data.draw(st.integers(0, 2**32 - 1)))
        else:
            del content[at:]
            if not content:
                break
    _check(workdir, bytes(content))


def test_the_seed_itself_reads(workdir: Path) -> None:
    path = workdir / "seed-check.gguf"
    path.write_bytes(_seed()[0])
    entry = entry_from_gguf(read_model_file(path))
    assert entry.model.architecture.n_layers == 2
