"""What placing a model file reads of it, whatever the machine: its byte totals and block
sums, the facts of a context, and whether it fits a machine without usable GPUs.

A planner (advisor.estimate.fit.Planner) takes a file's sums from here, shared by every
machine that places it; a search on a machine whose planner would keep every layer on the CPU
asks whether each file fits without building one (cpu_only_fits).
"""

from __future__ import annotations

from typing import Any, Literal, TypeVar

from advisor.catalog.model import Architecture
from advisor.catalog.tensors.layout import QuantBytes, arch_key, quant_tensor_bytes
from advisor.estimate.compute import ComputeShape, compute_shape
from advisor.estimate.footprint import Context, _Static, all_on_cpu, overheads, static_needs
from advisor.estimate.kv import block_caches, padded_context, swa_cells
from advisor.estimate.layout_sums import BlockSums, CacheSums, cache_sums
from advisor.estimate.settings import RunSettings

# (layout key, quant, KV type, flash attention) -> the file's byte sums, block sums and compute
# shape
_SUMS: dict[tuple, tuple[QuantBytes, BlockSums, ComputeShape]] = {}
# (layout key, KV type, flash attention) -> BlockSums' cache part: shared by an architecture's
# files (the blocks' cache does not depend on the quant).
_CACHE_SUMS: dict[tuple, CacheSums] = {}
_CONTEXTS: dict[tuple, Context] = {}
# Each distinct QuantBytes, BlockSums and ComputeShape value once (file_sums): at most three
# per _SUMS entry.
_ALIKE: dict[Any, Any] = {}
T = TypeVar("T")


def file_sums(arch: Architecture, quant: str,
              settings: RunSettings) -> tuple[QuantBytes, BlockSums, ComputeShape]:  # fmt: skip
    """A file's byte totals, its block sums under `settings` and its architecture's compute
    shape: what placing it reads of the file, whatever the machine."""
    akey = arch_key(arch)
    key = (akey, quant, settings.kv_type, settings.flash_attn)
    cached = _SUMS.get(key)
    if cached is None:
        qb = quant_tensor_bytes(arch, quant)  # by (akey, quant) as well
        blocks = block_caches(arch, settings.kv_type, flash_attn=settings.flash_attn)
        sums = BlockSums.of(qb, blocks, _cache_sums(arch, akey, settings))
        shape = compute_shape(arch)
        # One object per distinct value: files of layouts alike (two catalog entries of one
        # architecture) share the planners' tallies (fit._TALLIES), whose look-ups would
        # otherwise compare the byte sums and block sums field by field on every hit.
        cached = _SUMS[key] = (_one(qb), _one(sums), _one(shape))
    return cached


def _one(value: T) -> T:
    """The first object seen equal to `value` (_ALIKE)."""
    return _ALIKE.setdefault(value, value)


def _cache_sums(arch: Architecture, akey: tuple, settings: RunSettings) -> CacheSums:
    part = (akey, settings.kv_type, settings.flash_attn)
    cache = _CACHE_SUMS.get(part)
    if cache is None:
        blocks = block_caches(arch, settings.kv_type, flash_attn=settings.flash_attn)
        cache = _CACHE_SUMS[part] = cache_sums(blocks)
    return cache


def context_at(window: int | None, shape: ComputeShape, settings: RunSettings,
               tokens: int) -> Context:  # fmt: skip
    """The per-context facts of a file of this sliding window (BlockSums.window) and compute
    shape at `tokens` of context."""
    st = settings
    n_cells = padded_context(tokens)
    swa = None if window is None else swa_cells(window, n_cells, st.n_ubatch)
    key = (shape, n_cells, swa, st.kv_type, st.flash_attn, st.n_batch, st.n_ubatch)
    ctx = _CONTEXTS.get(key)
    if ctx is None:
        if len(_CONTEXTS) > 100_000:
            _CONTEXTS.clear()
        ctx = _CONTEXTS[key] = Context(n_cells, st.n_ubatch, shape.at(n_cells, swa, settings))
    return ctx


# What cpu_only_fits reads of a file: its all-on-CPU footprint apart from the context, its
# sliding window, compute shape and CPU overhead; False for a file left to the planner.
CpuOnly = tuple[_Static, "int | None", ComputeShape, int]
_CPU_ONLY: dict[tuple, CpuOnly | Literal[False]] = {}  # by (architecture, quant, settings)


def cpu_only_fits(arch: Architecture, quant: str, settings: RunSettings, room: int | None,
                  tokens: int) -> bool | None:  # fmt: skip
    """Whether the file fits `room` bytes of RAM with every layer on the CPU at `tokens` of
    context: choices()' one option where the planner has no usable GPUs (-ngl 0), decided
    from the file's totals (footprint.all_on_cpu) without a planner: a search asks this of
    ~2,000 file x context pairs on such a machine, and estimates few of them. The bytes are
    Planner.evaluate's (footprint.static_needs, overhead included). None: a file whose blocks
    of bytes are not one per layer, left to the planner."""
    found = cpu_only_sums(arch, quant, settings)
    if found is False:
        return None
    static, window, shape, overhead = found
    need = static_needs(static, window, context_at(window, shape, settings, tokens))[0]
    return room is not None and need + overhead <= room


def cpu_only_sums(arch: Architecture, quant: str,
                  settings: RunSettings) -> CpuOnly | Literal[False]:  # fmt: skip
    """What cpu_only_fits reads of the file, remembered (a first report works it out for the
    catalog's files while it waits for the copy test: advisor.advice_ahead)."""
    key = (arch, quant, settings)
    found = _CPU_ONLY.get(key)
    if found is None:
        if len(_CPU_ONLY) > 100_000:
            _CPU_ONLY.clear()
        found = _CPU_ONLY[key] = _cpu_only(arch, quant, settings)
    return found


def _cpu_only(arch: Architecture, quant: str, settings: RunSettings) -> CpuOnly | Literal[False]:
    qb = quant_tensor_bytes(arch, quant)
    n = arch.n_layers
    if len(qb.layer_bytes) != n:
        return False
    cache = _cache_sums(arch, arch_key(arch), settings)
    return (all_on_cpu(qb, cache, n), cache[3], compute_shape(arch),
            overheads("cpu", arch.vocab_size or 0)[1])  # fmt: skip
