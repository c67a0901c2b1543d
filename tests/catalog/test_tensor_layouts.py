"""Tensor layouts: the per-class byte totals equal the tensor-by-tensor layout, byte for byte.

The reference digests (layout_reference.py, data/tensor_layouts.json) were written by the
tensor-by-tensor code before the per-class totals existed; every architecture there is checked
at every quant type.
"""

from __future__ import annotations

import random
import subprocess
import sys
from pathlib import Path

import gguf
import pytest
from layout_reference import bytes_digest, layout_digest, load

from advisor.catalog import load_catalog
from advisor.catalog.fields import QUANT_TYPES
from advisor.catalog.tensors.layout import quant_tensor_bytes, tensor_layout, tensor_types
from advisor.catalog.tensors.quant_rules import (
    ATTN_V_GROUP,
    DEFAULT_TYPE,
    TYPE_SIZES,
    UNQUANTIZED_FTYPES,
    Mix,
    QuantHParams,
    index_class,
)

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = load()


def test_reference_covers_every_architecture_and_quant() -> None:
    arches = {arch.arch for arch, _ in REFERENCE}
    assert {"llama", "deepseek2", "gemma4", "nemotron_h_moe", "qwen35moe", "lfm2"} <= arches
    assert all(set(digests) == set(QUANT_TYPES) for _, digests in REFERENCE)


def test_byte_totals_equal_the_reference_for_every_architecture_and_quant() -> None:
    wrong = [
        f"{arch.arch} {arch.total_params_b}B {quant}"
        for arch, digests in REFERENCE
        for quant, digest in digests.items()
        if bytes_digest(quant_tensor_bytes(arch, quant)) != digest[:8]
    ]
    assert wrong == []


def test_tensor_layouts_equal_the_reference() -> None:
    # Listing every tensor is slow: each architecture at one quant, every quant type in turn.
    wrong = []
    for i, (arch, digests) in enumerate(REFERENCE):
        quant = QUANT_TYPES[i % len(QUANT_TYPES)]
        if layout_digest(tensor_layout(arch, quant)) != digests[quant][8:]:
            wrong.append(f"{arch.arch} {arch.total_params_b}B {quant}")
    assert wrong == []


def test_byte_totals_equal_the_layout_sums_on_the_shipped_catalog() -> None:
    """Models added after the reference was written: per-class totals == per-tensor sums."""
    models = load_catalog(ROOT / "models.yaml", overlay=False).models
    checked = 0
    for i, model in enumerate(models):
        if not model.quants:
            continue
        quant = model.quants[i % len(model.quants)].type
        fast = quant_tensor_bytes(model.architecture, quant)
        assert fast == tensor_layout(model.architecture, quant).bytes, (model.id, quant)
        checked += 1
    assert checked > 90


def _typed(layout) -> tuple[bool, list]:
    return layout.tied_embeddings, [
        (t.shape, t.ggml_type, t.is_expert, t.is_input) for t in layout.tensors
    ]


def test_tensor_types_equal_the_layouts_of_the_reference() -> None:
    """tensor_types types each class of alike blocks once: every tensor's type, in order, as
    the tensor-by-tensor layout gives it (the CPU kernel mix reads them)."""
    # Listing every tensor is slow: each architecture at one quant, every quant type in turn.
    wrong = []
    for i, (arch, _) in enumerate(REFERENCE):
        quant = QUANT_TYPES[i % len(QUANT_TYPES)]
        if tensor_types(arch, quant) != _typed(tensor_layout(arch, quant)):
            wrong.append(f"{arch.arch} {arch.total_params_b}B {quant}")
    assert wrong == []


def test_tensor_types_equal_the_layouts_on_the_shipped_catalog() -> None:
    """Every file of the shipped catalog: its architecture at its quant."""
    models = load_catalog(ROOT / "models.yaml", overlay=False).models
    pairs = [(m.architecture, q.type) for m in models for q in m.quants]
    assert len(pairs) > 1000
    wrong = [
        f"{arch.arch} {arch.total_params_b}B {quant}"
        for arch, quant in pairs
        if tensor_types(arch, quant) != _typed(tensor_layout(arch, quant))
    ]
    assert wrong == []


def test_type_sizes_are_ggufs() -> None:
    ggufs = {t.name: size for t, size in gguf.GGML_QUANT_SIZES.items()}
    assert {name: ggufs[name] for name in TYPE_SIZES} == TYPE_SIZES
    assert set(DEFAULT_TYPE.values()) <= set(TYPE_SIZES)


def _hparams(arch: str, n_layer: int, n_expert: int, ftype: str) -> QuantHParams:
    imatrix = ftype.startswith("IQ") and ftype not in ("IQ3_XS", "IQ3_S", "IQ3_M", "IQ4_NL")
    return QuantHParams(arch, n_layer, 8, n_expert, False, imatrix)


def _first_of_each_class(n: int, length: int) -> dict[int, int]:
    first: dict[int, int] = {}
    for i in range(length):
        first.setdefault(index_class(i, n), i)
    return first


@pytest.mark.parametrize("ftype", [q for q in DEFAULT_TYPE if q not in UNQUANTIZED_FTYPES])
def test_rules_see_an_index_only_through_its_class(ftype: str) -> None:
    """What lets quant_bytes type one block per signature: two blocks (or counters) in the same
    index class get the same type from every rule, whatever the model."""
    rng = random.Random(ftype)
    for arch in ("llama", "falcon"):
        for n_expert in (0, 8, 64):
            for n_layer in (16, 43, 80):
                for n_wv in (n_layer, n_layer // 2 + 3):
                    mix = Mix(ftype, _hparams(arch, n_layer, n_expert, ftype), n_wv, False)
                    for cat in ("attn_v", "attn_kv_b", "ffn_down", "ffn_gate", "ffn_up"):
                        n_counter = n_wv if cat in ATTN_V_GROUP else n_layer
                        _check_classes(mix, cat, n_layer, n_counter, rng)


def _check_classes(mix: Mix, cat: str, n_layer: int, n_counter: int, rng: random.Random):
    shape = (4096, 4096)
    layer_reps = _first_of_each_class(n_layer, n_layer)
    counter_reps = _first_of_each_class(n_counter, 2 * n_counter + 2)
    # Dense models have counter == block; MoE ones up to two counted tensors per block.
    pairs = [(i, i) for i in range(n_layer)] + [(i, 2 * i + 1) for i in range(n_layer)]
    pairs += [(rng.randrange(n_layer), rng.randrange(2 * n_counter + 2)) for _ in range(40)]
    for layer, counter in pairs:
        rep = (layer_reps[index_class(layer, n_layer)],
               counter_reps[index_class(counter, n_counter)])  # fmt: skip
        got = mix.quantized_type(cat, shape, layer, counter)
        assert got == mix.quantized_type(cat, shape, *rep), (mix, cat, layer, counter, rep)


def test_sizing_a_layout_imports_neither_gguf_nor_numpy() -> None:
    """They take ~60 ms to import: the first ranking of every `advisor` run would pay it."""
    code = (
        "import sys\n"
        "from advisor.catalog import load_catalog\n"
        "from advisor.catalog.tensors.layout import quant_tensor_bytes, tensor_layout\n"
        "model = load_catalog(overlay=False).find('qwen3-30b-a3b')\n"
        "quant_tensor_bytes(model.architecture, 'Q4_K_M')\n"
        "tensor_layout(model.architecture, 'IQ2_XXS')\n"
        "print(sorted({'gguf', 'numpy'} & set(sys.modules)))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
