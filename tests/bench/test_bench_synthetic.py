"""The synthetic GGUF generator writes files gguf reads back and llama.cpp tokenizes."""

from __future__ import annotations

from pathlib import Path

import gguf
import numpy as np
import pytest

from advisor.bench.kernels.synthetic import (
    TINY,
    SyntheticSpec,
    synthetic_vocab,
    write_synthetic_gguf,
)

EXPECTED_WEIGHT_TYPE = {
    "F16": gguf.GGMLQuantizationType.F16,
    "Q8_0": gguf.GGMLQuantizationType.Q8_0,
    "Q4_0": gguf.GGMLQuantizationType.Q4_0,
}


def _quant_of(path: Path) -> str:
    return path.stem.split("-", 1)[1]


def test_metadata_and_tensors_read_back(tiny_gguf: Path) -> None:
    reader = gguf.GGUFReader(tiny_gguf)
    arch = reader.fields["general.architecture"]
    assert bytes(arch.parts[arch.data[0]]).decode() == "llama"
    block_count = reader.fields["llama.block_count"]
    assert int(block_count.parts[block_count.data[0]][0]) == TINY.n_layer
    tensors = {t.name: t for t in reader.tensors}
    assert len(tensors) == 2 + 9 * TINY.n_layer + 1
    wanted = EXPECTED_WEIGHT_TYPE[_quant_of(tiny_gguf)]
    assert tensors["blk.0.attn_q.weight"].tensor_type == wanted
    assert tensors["output.weight"].tensor_type == wanted
    assert tensors["blk.1.ffn_norm.weight"].tensor_type == gguf.GGMLQuantizationType.F32
    # gguf lists dims innermost first: (columns, rows).
    kv_rows = TINY.n_head_kv * TINY.head_dim
    assert list(tensors["blk.0.attn_k.weight"].shape) == [TINY.n_embd, kv_rows]
    assert sum(int(t.n_elements) for t in reader.tensors) == TINY.n_params


def test_quantized_weights_decode_to_the_random_normal_they_came_from(tiny_gguf: Path) -> None:
    reader = gguf.GGUFReader(tiny_gguf)
    q = next(t for t in reader.tensors if t.name == "blk.0.ffn_up.weight")
    values = gguf.quants.dequantize(q.data, q.tensor_type)
    assert values.shape == (TINY.n_ff, TINY.n_embd)
    assert np.isfinite(values).all()
    assert 0.015 < float(values.std()) < 0.025


def test_sizes_shrink_with_the_quant(tiny_gguf_dir: Path) -> None:
    sizes = {q: (tiny_gguf_dir / f"tiny-{q}.gguf").stat().st_size for q in EXPECTED_WEIGHT_TYPE}
    assert sizes["F16"] > sizes["Q8_0"] > sizes["Q4_0"]


def test_tokenizer_round_trips_through_llama_cpp(tiny_f16: Path) -> None:
    llama_cpp = pytest.importorskip("llama_cpp")
    llm = llama_cpp.Llama(str(tiny_f16), vocab_only=True, verbose=False)
    text = b"Hello world, the quick brown fox! 42 \xc3\xa9t\xc3\xa9"
    tokens = llm.tokenize(text)
    assert tokens[0] == 1  # BOS, as add_bos_token says
    assert llm.detokenize(tokens) == text
    assert llm.n_vocab() == TINY.n_vocab
    assert all(0 <= t < TINY.n_vocab for t in tokens)


def test_vocab_is_unique_and_typed() -> None:
    tokens, scores, types = synthetic_vocab(2000)
    assert len(tokens) == len(set(tokens)) == len(scores) == len(types) == 2000
    assert tokens[:3] == ["<unk>", "<s>", "</s>"]
    assert tokens[3 + 0x41] == "<0x41>"
    assert types[3 + 0x41] == gguf.TokenType.BYTE


def test_a_failed_write_leaves_no_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(gguf.GGUFWriter, "write_tensor_data", broken)
    target = tmp_path / "model.gguf"
    with pytest.raises(OSError):
        write_synthetic_gguf(target, "Q8_0")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"n_vocab": 100}, "n_vocab"),
        ({"n_embd": 96, "n_head": 5}, "divide"),
        ({"n_embd": 80, "n_head": 4, "n_head_kv": 4}, "multiples of 32"),
    ],
)
def test_bad_specs_are_refused(kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        SyntheticSpec(**kwargs)


def test_unknown_quant_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="Q4_K"):
        write_synthetic_gguf(tmp_path / "x.gguf", "Q4_K")
