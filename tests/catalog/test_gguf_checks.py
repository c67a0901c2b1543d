"""Header consistency: `catalog add` refuses GGUFs llama.cpp would refuse (issue 17, Medium 13),
and leaves the overlay as it was."""

from __future__ import annotations

import struct
from pathlib import Path
from typing import Any

import pytest
from catalog_testkit import arch_metadata, llama_tensors, write_gguf
from gguf import GGMLQuantizationType as T

from advisor.catalog.gguf.checks import consistency_problems
from advisor.catalog.gguf.file import read_model_file
from advisor.cli import main
from advisor.errors import ExitCode

TOKENIZER = {"tokenizer.ggml.model": "llama", "tokenizer.ggml.tokens": [f"t{i}" for i in range(50)]}


def _model(path: Path, *, drop: tuple[str, ...] = (), **changes: Any) -> Path:
    """A two-layer llama header (loadable shapes, a tokenizer) with `changes` to its metadata."""
    meta = arch_metadata(
        "llama",
        block_count=2,
        context_length=2048,
        embedding_length=64,
        feed_forward_length=128,
        attention__head_count=4,
        attention__head_count_kv=2,
    )
    meta |= {"general.name": "Checked", "general.file_type": 7, **TOKENIZER}
    meta |= {key.replace("__", "."): value for key, value in changes.items()}
    for key in drop:
        del meta[key]
    (written,) = write_gguf(path, "llama", meta, llama_tensors(2, 64, 128, 50, 32, T.Q8_0))
    return written


def _overlap(path: Path) -> Path:
    """Point the second tensor's data at the first one's: ggml refuses such a file."""
    content = bytearray(path.read_bytes())
    name = b"blk.0.attn_norm.weight"
    at = content.index(name) + len(name)
    (n_dims,) = struct.unpack_from("<I", content, at)
    offset_at = at + 4 + 8 * n_dims + 4
    struct.pack_into("<Q", content, offset_at, 0)
    path.write_bytes(bytes(content))
    return path


BAD = {
    "head-kv-mismatch": (dict(llama__attention__head_count_kv=3), "KV heads"),
    "more-kv-than-heads": (dict(llama__attention__head_count_kv=8), "KV heads"),
    "blocks-missing": (dict(llama__block_count=5), "no tensors exist for block(s) 2, 3, 4"),
    "blocks-extra": (dict(llama__block_count=1), "tensors exist for block(s) 1"),
    "experts": (dict(llama__expert_count=4, llama__expert_used_count=8), "expert_used_count"),
    "nan-epsilon": (dict(llama__attention__layer_norm_rms_epsilon=float("nan")), "finite"),
    "per-layer-array": (dict(llama__attention__head_count=[4, 4, 4]), "3 values for 2 layers"),
    "zero-width": (dict(llama__embedding_length=0), "embedding_length"),
}


@pytest.mark.parametrize(("changes", "words"), BAD.values(), ids=BAD.keys())
def test_add_refuses_what_llama_cpp_refuses(
    catalog_file: Path, overlay_file: Path, tmp_path: Path, capsys, changes, words
) -> None:
    path = _model(tmp_path / "bad-Q8_0.gguf", **changes)
    code = main(["catalog", "add", str(path), "--catalog", str(catalog_file)])
    err = capsys.readouterr().err
    assert code == ExitCode.BAD_INPUT, err
    assert f"error: {path}: inconsistent header" in err and words in err
    assert not overlay_file.exists()


def test_add_refuses_a_file_without_a_tokenizer(
    catalog_file: Path, overlay_file: Path, tmp_path: Path, capsys
) -> None:
    path = _model(tmp_path / "bare-Q8_0.gguf", drop=tuple(TOKENIZER))
    code = main(["catalog", "add", str(path), "--catalog", str(catalog_file)])
    err = capsys.readouterr().err
    assert code == ExitCode.BAD_INPUT and "tokenizer.ggml.model is missing" in err
    assert not overlay_file.exists()


def test_add_refuses_overlapping_tensors(
    catalog_file: Path, overlay_file: Path, tmp_path: Path, capsys
) -> None:
    path = _overlap(_model(tmp_path / "overlap-Q8_0.gguf"))
    code = main(["catalog", "add", str(path), "--catalog", str(catalog_file)])
    err = capsys.readouterr().err
    assert code == ExitCode.BAD_INPUT, err
    assert "'blk.0.attn_norm.weight'" in err and "overlaps the tensor before it" in err
    assert not overlay_file.exists()


def test_consistent_headers_have_no_problems(tmp_path: Path, synthetic_gguf: Path) -> None:
    assert consistency_problems(read_model_file(_model(tmp_path / "ok-Q8_0.gguf")).headers) == []
    # The synthetic model llama.cpp really loads (tests/bench) passes too.
    assert consistency_problems(read_model_file(synthetic_gguf).headers) == []


def test_split_models_are_checked_shard_by_shard(tmp_path: Path) -> None:
    meta = arch_metadata(
        "llama", block_count=2, context_length=2048, embedding_length=64,
        feed_forward_length=128, attention__head_count=4, attention__head_count_kv=2,
    )  # fmt: skip
    meta |= {"general.file_type": 7, **TOKENIZER}
    paths = write_gguf(
        tmp_path / "split.gguf", "llama", meta, llama_tensors(2, 64, 128, 50, 32, T.Q8_0),
        split_max_tensors=5,
    )  # fmt: skip
    model = read_model_file(paths[0])
    assert len(model.headers) == len(paths) > 1
    assert consistency_problems(model.headers, model.tensors) == []
