"""Header consistency: what llama.cpp refuses (or asserts on) when it loads a model, checked first.

A GGUF can read cleanly (advisor.catalog.gguf.header bounds every length) and still describe a
model llama.cpp rejects: more heads than KV heads can share, a block_count the tensors do not
fill, tensors whose data overlap, no tokenizer. `advisor catalog add` refuses such a file
rather than write an overlay entry no loader can use, and the throughput test checks the same
before llama.cpp sees the file (where some of these are an abort, not an error).

Each rule cites the llama.cpp code it mirrors (the vendored copy in llama-cpp-python 0.3.x):
- per-layer keys: src/llama-model-loader.cpp get_key_or_arr (an array must have one value per
  layer), src/llama-hparams.h LLAMA_MAX_LAYERS = 512 and LLAMA_MAX_EXPERTS = 1024;
- experts: src/llama-model.cpp load_hparams, GGML_ASSERT(n_expert_used <= n_expert) and
  GGML_ASSERT(n_expert_used > 0) when there are experts;
- heads: grouped-query attention shares each KV head among n_head / n_head_kv query heads,
  which ggml's broadcast (ggml_can_mul_mat) needs to be whole;
- tensor data: ggml/src/gguf.cpp gguf_init_from_file_impl, each tensor at the running offset
  (the previous one's end padded to the alignment), so no two tensors overlap;
- vocabulary: src/llama-vocab.cpp load, tokenizer.ggml.model is required, and every model but
  "none"/"no_vocab" needs tokenizer.ggml.tokens.

Two rules go past what llama.cpp checks at load time: NaN or infinite hyperparameters load, then
abort or compute garbage at the first token; a zero context length loads, but is no model the
catalog can describe. Checked against llama-cpp-python 0.3.36 loading each kind of header.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

from advisor.catalog.gguf.file import GGUFModelFile
from advisor.catalog.gguf.header import GGUFHeader, LongArray, TensorInfo
from advisor.errors import GGUFError

MAX_LAYERS = 512  # LLAMA_MAX_LAYERS
MAX_EXPERTS = 1024  # LLAMA_MAX_EXPERTS
NO_VOCAB = ("none", "no_vocab")
_BLOCK = re.compile(r"^blk\.(\d+)\.")
_HINT = (
    "llama.cpp would refuse this file (or abort on it); convert the model again with a current "
    "llama.cpp, or download it again"
)


def consistency_problems(
    headers: Sequence[GGUFHeader], tensors: Sequence[TensorInfo] | None = None
) -> list[str]:
    """What llama.cpp would refuse in a model made of `headers` (its shards, first one first).

    `tensors` are every shard's tensor infos (default: the headers' own). Empty when the
    header is consistent.
    """
    first = headers[0]
    every = list(tensors) if tensors is not None else [t for h in headers for t in h.tensors]
    problems: list[str] = []
    arch = first.architecture
    if arch is None:
        return ["general.architecture is missing: llama.cpp cannot tell which network this is"]
    for header in headers:
        problems += _layout_problems(header)
    n_layers = _int(first.get(f"{arch}.block_count"))
    if n_layers is None or not 0 < n_layers <= MAX_LAYERS:
        value = first.get(f"{arch}.block_count")
        problems.append(f"{arch}.block_count is {_shown(value)}, expected 1 to {MAX_LAYERS}")
        return problems + _vocab_problems(first)
    problems += _block_problems(arch, n_layers, every)
    problems += _head_problems(first, arch, n_layers)
    problems += _expert_problems(first, arch)
    problems += _float_problems(first, arch)
    problems += _positive_problems(first, arch)
    return problems + _vocab_problems(first)


def check_consistency(
    headers: Sequence[GGUFHeader], tensors: Sequence[TensorInfo] | None = None
) -> None:
    """Raise GGUFError (naming the first file and every problem) if llama.cpp would refuse it."""
    problems = consistency_problems(headers, tensors)
    if not problems:
        return
    message = problems[0] if len(problems) == 1 else "; ".join(problems[:5])
    if len(problems) > 5:
        message += f"; and {len(problems) - 5} more"
    raise GGUFError(f"inconsistent header: {message}", path=headers[0].path, hint=_HINT)


def check_model_file(gguf: GGUFModelFile) -> None:
    """check_consistency for a model read with advisor.catalog.gguf.file.read_model_file."""
    check_consistency(gguf.headers or (gguf.header,), gguf.tensors)


def _int(value: object) -> int | None:
    return value if type(value) is int else None


def _shown(value: object) -> str:
    if value is None:
        return "missing"
    if isinstance(value, LongArray):
        return f"an array of {value.length}"
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _layout_problems(header: GGUFHeader) -> list[str]:
    """Tensors must sit one after the other at padded offsets, as ggml's loader demands."""
    expected = 0
    for info in header.tensors:
        if info.offset_bytes != expected:
            how = (
                "overlaps the tensor before it" if info.offset_bytes < expected else "leaves a gap"
            )
            return [
                f"tensor {info.name!r} in {header.path.name} starts at data offset "
                f"{info.offset_bytes}, expected {expected} ({how})"
            ]
        expected += -(-info.n_bytes // header.alignment) * header.alignment
    return []


def _block_problems(arch: str, n_layers: int, tensors: Sequence[TensorInfo]) -> list[str]:
    present = {int(m[1]) for t in tensors if (m := _BLOCK.match(t.name))}
    problems = []
    missing = [i for i in range(n_layers) if i not in present]
    if missing:
        problems.append(
            f"{arch}.block_count is {n_layers} but no tensors exist for block(s) {_ranges(missing)}"
        )
    extra = sorted(i for i in present if i >= n_layers)
    if extra:
        problems.append(
            f"{arch}.block_count is {n_layers} but tensors exist for block(s) {_ranges(extra)}"
        )
    return problems


def _ranges(numbers: list[int]) -> str:
    shown = ", ".join(map(str, numbers[:8]))
    return shown + (f" and {len(numbers) - 8} more" if len(numbers) > 8 else "")


def _per_layer(header: GGUFHeader, key: str, n_layers: int) -> tuple[list[int] | None, str | None]:
    """(one value per layer, None) or (None, what is wrong); (None, None) when absent."""
    value = header.get(key)
    if value is None:
        return None, None
    if isinstance(value, LongArray):
        return None, f"{key} is an array of {value.length} values for {n_layers} layers"
    if isinstance(value, tuple):
        if len(value) != n_layers:
            return None, f"{key} has {len(value)} values for {n_layers} layers"
        values = list(value)
    else:
        values = [value] * n_layers
    if not all(type(v) is int and 0 <= v < 1 << 32 for v in values):
        return None, f"{key} is {_shown(value)}, expected whole numbers from 0"
    return values, None


def _head_problems(header: GGUFHeader, arch: str, n_layers: int) -> list[str]:
    heads, problem = _per_layer(header, f"{arch}.attention.head_count", n_layers)
    if problem:
        return [problem]
    kv_heads, problem = _per_layer(header, f"{arch}.attention.head_count_kv", n_layers)
    if problem:
        return [problem]
    if heads is None:
        return []
    kv_heads = kv_heads or heads
    for layer, (n_head, n_kv) in enumerate(zip(heads, kv_heads, strict=True)):
        if n_kv and not n_head:
            return [f"layer {layer} has {n_kv} KV heads but no attention heads"]
        if n_kv and (n_kv > n_head or n_head % n_kv):
            return [
                f"layer {layer} has {n_head} attention heads and {n_kv} KV heads: each KV head "
                f"must serve a whole number of attention heads"
            ]
    if max(heads) > 0 and f"{arch}.attention.key_length" not in header.metadata:
        width = _int(header.get(f"{arch}.embedding_length"))
        if width is not None and width < max(heads):
            return [f"{arch}.embedding_length {width} is narrower than {max(heads)} heads"]
    return []


def _expert_problems(header: GGUFHeader, arch: str) -> list[str]:
    experts = header.get(f"{arch}.expert_count", 0)
    used = header.get(f"{arch}.expert_used_count", 0)
    if type(experts) is not int or type(used) is not int:
        return [f"{arch}.expert_count / expert_used_count are not whole numbers"]
    if not 0 <= experts <= MAX_EXPERTS:
        return [f"{arch}.expert_count is {experts}, expected 0 to {MAX_EXPERTS}"]
    if used > experts or used < 0:
        return [f"{arch}.expert_used_count ({used}) is more than expert_count ({experts})"]
    if experts and not used:
        return [f"{arch}.expert_count is {experts} but expert_used_count is 0"]
    return []


def _float_problems(header: GGUFHeader, arch: str) -> list[str]:
    """Hyperparameters such as layer_norm_rms_epsilon must be real numbers."""
    for key, value in header.metadata.items():
        if not key.startswith(f"{arch}."):
            continue
        values = value if isinstance(value, tuple) else (value,)
        if any(isinstance(v, float) and not math.isfinite(v) for v in values):
            return [f"{key} is {_shown(value)}, not a finite number"]
    return []


def _positive_problems(header: GGUFHeader, arch: str) -> list[str]:
    problems = []
    for name in ("embedding_length", "context_length"):
        value = header.get(f"{arch}.{name}")
        if value is not None and (type(value) is not int or value <= 0):
            problems.append(f"{arch}.{name} is {_shown(value)}, expected a positive number")
    return problems


def _vocab_problems(header: GGUFHeader) -> list[str]:
    model = header.get("tokenizer.ggml.model")
    if not isinstance(model, str):
        return ["tokenizer.ggml.model is missing: the file has no tokenizer llama.cpp can load"]
    if model in NO_VOCAB:
        return []
    tokens = header.get("tokenizer.ggml.tokens")
    count = (
        tokens.length
        if isinstance(tokens, LongArray)
        else len(tokens)
        if isinstance(tokens, tuple)
        else 0
    )
    if not count:
        return [f"tokenizer.ggml.tokens is missing or empty for a {model!r} tokenizer"]
    return []
