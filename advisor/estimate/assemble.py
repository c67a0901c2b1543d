"""Builds an Estimate: budgets, placement choice, memory totals, speed, reasons in words."""

from __future__ import annotations

from advisor.catalog.model import Model
from advisor.estimate.budget import Budgets, device_budgets
from advisor.estimate.estimate import Estimate
from advisor.estimate.fit import Option, Planner, choose, placement_contexts, to_placement
from advisor.estimate.memory import MemoryBreakdown
from advisor.estimate.placement import MemoryMode, Placement
from advisor.estimate.settings import RunSettings
from advisor.estimate.speed import Speed, predict_speed
from advisor.probe.machine import Machine

GIB = 1024**3


def memory_of(shares) -> MemoryBreakdown:
    weights = kv = compute = overhead = 0
    for s in shares:
        weights += s.weights_bytes
        kv += s.kv_cache_bytes
        compute += s.compute_bytes
        overhead += s.overhead_bytes
    return MemoryBreakdown(weights, kv, compute, overhead)


def _pool(option: Option, budgets: Budgets) -> str:
    if option.kind == "cpu":
        return "ram"
    return "unified" if budgets.unified else "vram"


def _device_name(machine: Machine, device: str) -> str:
    if device == "cpu":
        return "RAM"
    gpu = next((g for g in machine.gpus if f"gpu{g.index}" == device), None)
    return f"{gpu.name} ({device})" if gpu else device


def _share_line(machine: Machine, s, budgets: Budgets) -> str:
    basis = budgets.cpu.basis if s.device == "cpu" else next(
        b.basis for b in budgets.gpus if b.device == s.device)  # fmt: skip
    room = "unknown" if s.available_bytes is None else f"{s.available_bytes / GIB:.1f} GiB"
    return (f"{_device_name(machine, s.device)}: needs {s.total_bytes / GIB:.1f} GiB (weights "
            f"{s.weights_bytes / GIB:.1f} GiB + KV {s.kv_cache_bytes / GIB:.1f} GiB + compute "
            f"{s.compute_bytes / GIB:.1f} GiB + overhead {s.overhead_bytes / GIB:.1f} GiB) of "
            f"{room} ({basis})")  # fmt: skip


def _placement_line(option: Option, n_layers: int) -> str:
    a = option.assignment
    gpus = "GPUs" if len(a.gpus) > 1 else "GPU"
    if a.experts_on_cpu:
        return f"attention and shared weights on the {gpus}, the MoE experts in RAM (--cpu-moe)"
    if option.kind == "gpu":
        return f"every layer on the {gpus}"
    if option.kind == "partial":
        return (f"{option.gpu_layers} of {n_layers + 1} layers on the GPU (-ngl "
                f"{option.gpu_layers}), the rest on the CPU")  # fmt: skip
    return "CPU only"


def reasons_for(machine: Machine, option: Option, placement: Placement, budgets: Budgets,
                context_tokens: int, max_context: int | None) -> tuple[str, ...]:  # fmt: skip
    head = "fits" if option.fits else "does not fit"
    lines = [f"{head} at {context_tokens} tokens of context: "
             f"{_placement_line(option, placement.total_layers - 1)}"]  # fmt: skip
    lines += [_share_line(machine, s, budgets) for s in placement.shares]
    if budgets.unified and option.kind != "cpu":
        lines.append(f"unified memory: all of it shares {budgets.cpu.basis}")
    unknown = [b.basis for b in budgets.gpus if b.available_bytes is None]
    if unknown:
        lines.append(f"{'; '.join(unknown)}: the estimate keeps every layer on the CPU")
    if max_context is not None:
        lines.append(f"longest context that fits this way: {max_context} tokens")
    elif option.fits is False:
        lines.append("no context fits this way")
    return tuple(lines)


def _speed_of(machine: Machine, model: Model, quant: str, planner: Planner, tokens: int,
              kv_type: str, mode: MemoryMode):  # fmt: skip
    def speed(option: Option) -> float | None:
        placement = to_placement(planner, option, _pool(option, planner.budgets))
        result = predict_speed(machine, model, quant, placement, memory_of(placement.shares),
                               context_tokens=tokens, kv_type=kv_type)  # fmt: skip
        return result.decode_tokens_per_s

    return speed


def _speed(machine, model, quant, placement: Placement, memory, tokens, kv_type,
           calibration) -> Speed:  # fmt: skip
    speed = predict_speed(machine, model, quant, placement, memory, context_tokens=tokens,
                          kv_type=kv_type)  # fmt: skip
    if calibration is None:
        return speed
    from advisor.bench.calibration import apply_calibration

    return apply_calibration(speed, calibration, placement, backend=machine.backend,
                             model_id=model.id, quant=quant)  # fmt: skip


def placement_contexts_for(machine: Machine, model: Model, est: Estimate):
    """The longest context of every candidate placement for the setting of `est`."""
    settings = RunSettings(kv_type=est.kv_type, flash_attn=est.flash_attn)
    budgets = device_budgets(machine, est.mode)
    planner = Planner(model.architecture, est.quant, settings, budgets,
                      backend=machine.backend, mode=est.mode)  # fmt: skip
    p = est.placement
    chosen = planner.option(est.context_tokens, p.gpu_layers, p.experts_on_cpu)
    return placement_contexts(planner, chosen, est.context_tokens, model.architecture.max_context)


def assemble(machine: Machine, model: Model, quant: str, *, context_tokens: int, kv_type: str,
             mode: MemoryMode, gpu_layers: int | None, calibration,
             flash_attn: bool | None = None) -> Estimate:  # fmt: skip
    quant = quant.upper()
    kv_type = kv_type.lower()
    if context_tokens < 1:
        raise ValueError("context_tokens must be at least 1")
    arch = model.architecture
    settings = RunSettings(kv_type=kv_type, flash_attn=flash_attn is not False)
    budgets = device_budgets(machine, mode)
    planner = Planner(arch, quant, settings, budgets, backend=machine.backend, mode=mode)
    speed_of = _speed_of(machine, model, quant, planner, context_tokens, kv_type, mode)
    option = choose(planner, context_tokens, gpu_layers, speed_of)
    max_context = planner.max_context(option, arch.max_context, context_tokens)
    placement = to_placement(planner, option, _pool(option, budgets))
    memory = memory_of(placement.shares)
    speed = None
    if option.fits:
        speed = _speed(machine, model, quant, placement, memory, context_tokens, kv_type,
                       calibration)  # fmt: skip
    reasons = reasons_for(machine, option, placement, budgets, context_tokens, max_context)
    if context_tokens > arch.max_context:
        reasons += (f"{context_tokens} tokens is past the model's {arch.max_context}-token "
                    "training context",)  # fmt: skip
    return Estimate(model_id=model.id, quant=quant, context_tokens=context_tokens,
                    kv_type=kv_type, mode=mode, backend=machine.backend, memory=memory,
                    placement=placement, fits=option.fits, max_context_tokens=max_context,
                    speed=speed, reasons=reasons, flash_attn=settings.flash_attn)  # fmt: skip
