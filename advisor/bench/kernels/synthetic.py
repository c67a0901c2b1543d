"""A real llama-architecture GGUF with random weights and a working SPM tokenizer, for tests.

llama-cpp-python loads, tokenizes and evaluates these files like any downloaded model. The
weights are random (the text they produce is noise), but the tensors have the shapes, types
and byte counts of a real model, so loading, prefill and decode cost what they would for a
model of that size. `TINY` takes well under a second to write and run; `BENCH_300M` (about
290 MB in Q8_0) is the size the llama-bench comparison uses.

Quantized files are "pure", like `llama-quantize --pure`: every 2-D weight, the token
embedding and the output matrix included, is in the file's type (llama-quantize would keep
the output matrix in Q6_K, which the gguf package cannot write). 1-D norms stay F32.
"""

from __future__ import annotations

import itertools
import os
import string
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import gguf
import numpy as np

SYNTHETIC_QUANTS: tuple[str, ...] = ("F16", "Q8_0", "Q4_0")

_TENSOR_TYPES = {
    "F16": gguf.GGMLQuantizationType.F16,
    "Q8_0": gguf.GGMLQuantizationType.Q8_0,
    "Q4_0": gguf.GGMLQuantizationType.Q4_0,
}
_FILE_TYPES = {
    "F16": gguf.LlamaFileType.MOSTLY_F16,
    "Q8_0": gguf.LlamaFileType.MOSTLY_Q8_0,
    "Q4_0": gguf.LlamaFileType.MOSTLY_Q4_0,
}
_SPECIAL_TOKENS = ("<unk>", "<s>", "</s>")  # ids 0, 1, 2 as in LLaMA's tokenizer.model
_SPACE = "\u2581"  # SentencePiece's word-boundary marker
_WEIGHT_STD = 0.02  # keeps activations finite through the layers


@dataclass(frozen=True)
class SyntheticSpec:
    """The shape of a synthetic llama model. Sizes are counts, not bytes."""

    n_vocab: int = 384
    n_embd: int = 128
    n_layer: int = 2
    n_head: int = 4
    n_head_kv: int = 2
    n_ff: int = 256
    n_ctx_train: int = 4096
    rope_freq_base: float = 10000.0
    rms_norm_eps: float = 1e-5
    tie_embeddings: bool = False
    seed: int = 0
    name: str = "advisor-synthetic-llama"

    def __post_init__(self) -> None:
        if self.n_vocab < len(_SPECIAL_TOKENS) + 256 + 1:
            raise ValueError("n_vocab must hold 3 special tokens, 256 byte tokens and a piece")
        if self.n_embd % self.n_head or self.n_head % self.n_head_kv:
            raise ValueError("n_embd must divide by n_head, and n_head by n_head_kv")
        # Q4_0 and Q8_0 pack rows in blocks of 32 values.
        if self.n_embd % 32 or self.n_ff % 32:
            raise ValueError("n_embd and n_ff must be multiples of 32")

    @property
    def head_dim(self) -> int:
        return self.n_embd // self.n_head

    @property
    def n_params(self) -> int:
        """Parameters, counted the way llama.cpp's llama_model_n_params counts them."""
        return sum(int(np.prod(shape)) for _, shape in _tensor_shapes(self))


TINY = SyntheticSpec()
# About 270 M parameters: 290 MB in Q8_0, 540 MB in F16, 150 MB in Q4_0.
BENCH_300M = SyntheticSpec(
    n_vocab=32000, n_embd=1024, n_layer=16, n_head=16, n_head_kv=8, n_ff=2816, seed=1
)
# About 58 M parameters (62 MB in Q8_0): the llama-batched-bench comparison's model, small
# enough for B = 8 sequences on two busy cores.
BENCH_60M = SyntheticSpec(
    n_vocab=32000, n_embd=512, n_layer=8, n_head=8, n_head_kv=4, n_ff=1536, seed=2
)
# TinyLlama-1.1B's shape (TinyLlama/TinyLlama-1.1B-Chat-v1.0 config.json: 2048 wide, 22 layers,
# 32 heads, 4 KV heads, 5632 FFN, 32000 vocab): 1.1 B parameters, 2.2 GB in F16. The CPU
# comparison's files (benchmarks/bench_vs_llama_bench.py --shape tinyllama) are this shape.
BENCH_1B1 = SyntheticSpec(
    n_vocab=32000, n_embd=2048, n_layer=22, n_head=32, n_head_kv=4, n_ff=5632, seed=3,
    name="advisor-synthetic-tinyllama-1.1b",
)  # fmt: skip
SPECS: dict[str, SyntheticSpec] = {
    "TINY": TINY, "BENCH_300M": BENCH_300M, "BENCH_60M": BENCH_60M, "BENCH_1B1": BENCH_1B1,
}  # fmt: skip


def write_synthetic_gguf(path: str | Path, quant: str = "F16", spec: SyntheticSpec = TINY) -> Path:
    """Write a random-weight llama GGUF in `quant` (F16, Q8_0 or Q4_0) to `path`.

    The file appears under its name only once complete (written beside it, then renamed).
    """
    quant = quant.upper()
    if quant not in _TENSOR_TYPES:
        raise ValueError(f"quant must be one of {SYNTHETIC_QUANTS}, not {quant!r}")
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.{os.getpid()}.partial")
    try:
        _write(partial, quant, spec)
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return target


def _write(path: Path, quant: str, spec: SyntheticSpec) -> None:
    writer = gguf.GGUFWriter(path, "llama")
    _add_metadata(writer, quant, spec)
    _add_tokenizer(writer, spec)
    shapes = _tensor_shapes(spec)
    for name, shape in shapes:
        qtype = _tensor_type(len(shape), quant)
        writer.add_tensor_info(name, shape, np.dtype(np.float32), _nbytes(shape, qtype), qtype)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_ti_data_to_file()
    rng = np.random.default_rng(spec.seed)
    # One tensor at a time, so a 300 MB model never sits in memory as float32 all at once.
    for name, shape in shapes:
        writer.write_tensor_data(_tensor_data(rng, name, shape, quant))
    writer.close()


def _add_metadata(writer: gguf.GGUFWriter, quant: str, spec: SyntheticSpec) -> None:
    writer.add_name(spec.name)
    writer.add_file_type(_FILE_TYPES[quant])
    writer.add_quantization_version(gguf.GGML_QUANT_VERSION)
    writer.add_vocab_size(spec.n_vocab)
    writer.add_context_length(spec.n_ctx_train)
    writer.add_embedding_length(spec.n_embd)
    writer.add_block_count(spec.n_layer)
    writer.add_feed_forward_length(spec.n_ff)
    writer.add_head_count(spec.n_head)
    writer.add_head_count_kv(spec.n_head_kv)
    writer.add_rope_dimension_count(spec.head_dim)
    writer.add_rope_freq_base(spec.rope_freq_base)
    writer.add_layer_norm_rms_eps(spec.rms_norm_eps)


def _add_tokenizer(writer: gguf.GGUFWriter, spec: SyntheticSpec) -> None:
    tokens, scores, types = synthetic_vocab(spec.n_vocab)
    writer.add_tokenizer_model("llama")
    writer.add_tokenizer_pre("default")
    writer.add_token_list(tokens)
    writer.add_token_scores(scores)
    writer.add_token_types(types)
    writer.add_unk_token_id(0)
    writer.add_bos_token_id(1)
    writer.add_eos_token_id(2)
    writer.add_add_bos_token(True)
    writer.add_add_eos_token(False)


def synthetic_vocab(n_vocab: int) -> tuple[list[str], list[float], list[int]]:
    """An SPM vocabulary: specials, 256 byte-fallback tokens, then pieces by falling score.

    Pieces grow from single characters to longer strings, so SentencePiece's bigram merges
    reach them; any text tokenizes (unknown characters fall back to bytes).
    """
    tokens = list(_SPECIAL_TOKENS)
    types = [gguf.TokenType.UNKNOWN, gguf.TokenType.CONTROL, gguf.TokenType.CONTROL]
    tokens += [f"<0x{b:02X}>" for b in range(256)]
    types += [gguf.TokenType.BYTE] * 256
    pieces = itertools.islice(_pieces(), n_vocab - len(tokens))
    for piece in pieces:
        tokens.append(piece)
        types.append(gguf.TokenType.NORMAL)
    scores = [0.0] * (len(_SPECIAL_TOKENS) + 256)
    scores += [-float(i) for i in range(len(tokens) - len(scores))]
    return tokens, scores, [int(t) for t in types]


def _pieces() -> Iterator[str]:
    """Distinct text pieces, shortest first: characters, then words of growing length."""
    chars = string.ascii_lowercase + string.ascii_uppercase + string.digits + string.punctuation
    yield _SPACE
    yield from chars
    yield from (_SPACE + c for c in chars)
    letters = string.ascii_lowercase
    for length in itertools.count(2):
        for combo in itertools.product(letters, repeat=length):
            word = "".join(combo)
            yield word
            yield _SPACE + word


def _tensor_shapes(spec: SyntheticSpec) -> list[tuple[str, tuple[int, ...]]]:
    """Tensor names and numpy shapes (rows, columns) in llama.cpp's LLM_ARCH_LLAMA layout."""
    e, ff, kv = spec.n_embd, spec.n_ff, spec.n_head_kv * spec.head_dim
    shapes: list[tuple[str, tuple[int, ...]]] = [("token_embd.weight", (spec.n_vocab, e))]
    for i in range(spec.n_layer):
        shapes += [
            (f"blk.{i}.attn_norm.weight", (e,)),
            (f"blk.{i}.attn_q.weight", (e, e)),
            (f"blk.{i}.attn_k.weight", (kv, e)),
            (f"blk.{i}.attn_v.weight", (kv, e)),
            (f"blk.{i}.attn_output.weight", (e, e)),
            (f"blk.{i}.ffn_norm.weight", (e,)),
            (f"blk.{i}.ffn_gate.weight", (ff, e)),
            (f"blk.{i}.ffn_up.weight", (ff, e)),
            (f"blk.{i}.ffn_down.weight", (e, ff)),
        ]
    shapes.append(("output_norm.weight", (e,)))
    if not spec.tie_embeddings:
        shapes.append(("output.weight", (spec.n_vocab, e)))
    return shapes


def _tensor_type(n_dims: int, quant: str) -> gguf.GGMLQuantizationType:
    return gguf.GGMLQuantizationType.F32 if n_dims == 1 else _TENSOR_TYPES[quant]


def _nbytes(shape: tuple[int, ...], qtype: gguf.GGMLQuantizationType) -> int:
    block_size, type_size = gguf.GGML_QUANT_SIZES[qtype]
    return int(np.prod(shape)) // block_size * type_size


def _tensor_data(rng: np.random.Generator, name: str, shape: tuple[int, ...], quant: str):
    if len(shape) == 1:
        return np.ones(shape, dtype=np.float32)  # RMS-norm gains
    values = rng.standard_normal(shape, dtype=np.float32) * np.float32(_WEIGHT_STD)
    return gguf.quants.quantize(values, _TENSOR_TYPES[quant])


def synthetic_architecture(name: str):
    """`synthetic:BENCH_60M` -> the catalog Architecture of that generated model, else None."""
    if not name.startswith("synthetic:"):
        return None
    spec = SPECS.get(name.split(":", 1)[1])
    return spec_architecture(spec) if spec is not None else None


def spec_architecture(spec: SyntheticSpec):
    """The catalog Architecture of a generated model of this shape."""
    from advisor.catalog.model import Architecture

    params_b = spec.n_params / 1e9
    return Architecture(
        source=("advisor.bench.kernels.synthetic",), arch="llama", total_params_b=params_b,
        active_params_b=params_b, n_layers=spec.n_layer, hidden_size=spec.n_embd,
        n_heads=spec.n_head, n_kv_heads=spec.n_head_kv, head_dim=spec.head_dim,
        vocab_size=spec.n_vocab, max_context=spec.n_ctx_train, intermediate_size=spec.n_ff,
        tie_word_embeddings=spec.tie_embeddings,
    )  # fmt: skip
