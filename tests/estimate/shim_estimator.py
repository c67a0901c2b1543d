"""A stand-in for advisor.estimate.estimate until the memory engineer's lands (then removed).

Real but simple: exact weights from the tensor layout, an f16 KV cache for the full-attention
layers (sliding-window layers keep the window), 0.5 GiB of compute buffers; all on the GPU
when it fits, else layers split with system RAM, else CPU only; speed from predict_speed.
"""

from __future__ import annotations

from advisor.catalog.model import Model
from advisor.catalog.tensors.layout import quant_tensor_bytes
from advisor.estimate.estimate import Estimate
from advisor.estimate.memory import MemoryBreakdown
from advisor.estimate.placement import DeviceShare, Placement
from advisor.estimate.speed.predict import predict_speed
from advisor.probe.machine import Machine
from advisor.units import GIB

COMPUTE_BYTES = GIB // 2
OS_RESERVE = 4 * GIB


def _kv_bytes(model: Model, context: int) -> int:
    a = model.architecture
    head_dim = a.head_dim or a.hidden_size // a.n_heads
    full = a.n_full_attention_layers
    if full is None:
        full = a.n_layers - a.n_linear_attention_layers
    window = min(context, a.sliding_window or context)
    sliding = a.n_layers - full - a.n_linear_attention_layers
    per_token = 2 * a.n_kv_heads * head_dim * 2
    return int(per_token * (full * context + max(sliding, 0) * window))


def shim_estimate(
    machine: Machine,
    model: Model,
    quant: str,
    *,
    context_tokens: int,
    kv_type: str = "f16",
    mode: str = "dedicated",
    **_,
) -> Estimate:
    weights = quant_tensor_bytes(model.architecture, quant).loaded_bytes
    memory = MemoryBreakdown(weights, _kv_bytes(model, context_tokens), COMPUTE_BYTES, 0)
    vram = sum(g.vram_total_bytes or 0 for g in machine.gpus)
    if machine.unified_memory:
        vram = machine.gpu_working_set_bytes or 0
    ram = max((machine.memory.ram_total_bytes or 0) - OS_RESERVE, 0)
    layers = model.architecture.n_layers
    need = memory.total_bytes
    if machine.gpus and need <= vram:
        share = DeviceShare("gpu0", layers, weights, memory.kv_cache_bytes, COMPUTE_BYTES, 0, vram)
        placement = Placement("gpu", layers + 1, layers + 1, False, "vram", mode, (share,))
    elif need <= vram + ram:
        on_gpu = int(weights * vram / need) if machine.gpus else 0
        gpu_layers = int(layers * on_gpu / weights)
        shares = (DeviceShare("gpu0", gpu_layers, on_gpu, 0, 0, 0, vram),) if on_gpu else ()
        shares += (
            DeviceShare(
                "cpu",
                layers - gpu_layers,
                weights - on_gpu,
                memory.kv_cache_bytes,
                COMPUTE_BYTES,
                0,
                ram,
            ),
        )
        kind = "partial" if on_gpu else "cpu"
        placement = Placement(kind, gpu_layers, layers + 1, False, "ram", mode, shares)
    else:
        placement = Placement("cpu", 0, layers + 1, False, "ram", mode, ())
        return Estimate(
            model.id,
            quant,
            context_tokens,
            kv_type,
            mode,
            machine.backend,
            memory,
            placement,
            False,
            None,
            None,
            ("does not fit",),
        )
    speed = predict_speed(
        machine, model, quant, placement, memory, context_tokens=context_tokens, kv_type=kv_type
    )
    return Estimate(
        model.id,
        quant,
        context_tokens,
        kv_type,
        mode,
        machine.backend,
        memory,
        placement,
        True,
        None,
        speed,
    )
