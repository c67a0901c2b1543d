"""An Estimate as the `advisor estimate --json` contract, and as readable text."""

from __future__ import annotations

from advisor.catalog.model import Model
from advisor.estimate.estimate import Estimate
from advisor.estimate.settings import RunSettings
from advisor.probe.machine import Machine
from advisor.units import GIB

# 2: speed.parallel (advisor estimate --parallel B): batched aggregates, null without it.
SCHEMA_VERSION = 2
DEPTHS = (0, 4096, 16384, 32768, 65536, 131072)


def _round(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)


def _device_name(machine: Machine, device: str) -> str:
    if device == "cpu":
        return machine.cpu.name or "CPU"
    gpu = next((g for g in machine.gpus if f"gpu{g.index}" == device), None)
    return gpu.name if gpu else device


def _depths(est: Estimate) -> list[int]:
    limit = est.max_context_tokens or est.context_tokens
    return [d for d in DEPTHS if d <= max(limit, est.context_tokens)]


def _speed(est: Estimate, prompt_tokens: int) -> dict | None:
    s = est.speed
    if s is None:
        return None
    return {
        "decode_tokens_per_s": _round(s.decode_tokens_per_s, 2),
        "prefill_tokens_per_s": _round(s.prefill_tokens_per_s, 1),
        "decode_range": [_round(v, 2) for v in s.decode_range],
        "prefill_range": [_round(v, 1) for v in s.prefill_range],
        "basis": [{"name": f.name, "value": f.value, "status": f.status, "source": f.source}
                  for f in s.basis],  # fmt: skip
        "decode_at_depth": [{"depth_tokens": d, "decode_tokens_per_s":
                             _round(s.decode_tokens_per_s_at(d), 2)} for d in _depths(est)],
        "prompt_tokens": prompt_tokens,
        "time_to_first_token_s": _round(s.time_to_first_token_s(prompt_tokens), 3),
        "calibrated_from_runs": s.calibrated_from_runs,
        "measured_decode_tokens_per_s": s.measured_decode_tokens_per_s,
        "measured_prefill_tokens_per_s": s.measured_prefill_tokens_per_s,
    }  # fmt: skip


def parallel_to_dict(p) -> dict:
    """speed.parallel: a ParallelSpeed as the JSON contract (docs/estimate.md)."""
    return {
        "sequences": p.sequences,
        "prompt_tokens": p.prompt_tokens,
        "generated_tokens": p.generated_tokens,
        "prefill_tokens_per_s": _round(p.prefill_tokens_per_s, 1),
        "decode_tokens_per_s": _round(p.decode_tokens_per_s, 2),
        "decode_tokens_per_s_per_sequence": _round(p.decode_tokens_per_s_per_sequence, 2),
        "decode_range": [_round(v, 2) for v in p.decode_range],
        "prefill_range": [_round(v, 1) for v in p.prefill_range],
        "scaling": _round(p.scaling, 3),
        "context_tokens_needed": p.context_tokens_needed,
        "prefill_s": _round(p.prefill_s, 3),
        "decode_s": _round(p.decode_s, 3),
        "basis": [
            {"name": f.name, "value": f.value, "status": f.status, "source": f.source}
            for f in p.basis
        ],  # fmt: skip
        "calibrated_from_runs": p.calibrated_from_runs,
    }


def _contexts(contexts) -> list[dict]:
    return [{"placement": c.label, "kind": c.kind, "gpu_layers": c.gpu_layers,
             "experts_on_cpu": c.experts_on_cpu, "max_context_tokens": c.max_context_tokens}
            for c in contexts]  # fmt: skip


def _speed_with_parallel(est: Estimate, prompt_tokens: int, parallel) -> dict | None:
    speed = _speed(est, prompt_tokens)
    if speed is not None:
        speed["parallel"] = None if parallel is None else parallel_to_dict(parallel)
    return speed


def estimate_to_dict(est: Estimate, model: Model, machine: Machine, prompt_tokens: int,
                     contexts=(), parallel=None) -> dict:  # fmt: skip
    """The JSON contract of `advisor estimate` (docs/estimate.md lists every field).

    `parallel`: a ParallelSpeed (advisor.estimate.speed.batched) for speed.parallel, else null.
    """
    mem = est.memory
    settings = RunSettings(kv_type=est.kv_type, flash_attn=est.flash_attn)
    return {
        "schema_version": SCHEMA_VERSION,
        "model_id": est.model_id,
        "model_name": model.name,
        "hf_repo": model.hf_repo,
        "quant": est.quant,
        "context_tokens": est.context_tokens,
        "kv_type": est.kv_type,
        "mode": est.mode,
        "machine": machine.name,
        "backend": est.backend,
        "memory": {
            "weights_bytes": mem.weights_bytes,
            "kv_cache_bytes": mem.kv_cache_bytes,
            "compute_bytes": mem.compute_bytes,
            "overhead_bytes": mem.overhead_bytes,
            "total_bytes": mem.total_bytes,
        },
        "placement": est.placement.kind,
        "gpu_layers": est.placement.gpu_layers,
        "total_layers": est.placement.total_layers,
        "experts_on_cpu": est.placement.experts_on_cpu,
        "pool": est.placement.pool,
        "devices": [
            {
                "device": s.device,
                "name": _device_name(machine, s.device),
                "layers": s.layers,
                "weights_bytes": s.weights_bytes,
                "kv_cache_bytes": s.kv_cache_bytes,
                "compute_bytes": s.compute_bytes,
                "overhead_bytes": s.overhead_bytes,
                "total_bytes": s.total_bytes,
                "available_bytes": s.available_bytes,
            }
            for s in est.placement.shares
        ],  # fmt: skip
        "fits": est.fits,
        "max_context_tokens": est.max_context_tokens,
        "max_context_by_placement": _contexts(contexts),
        "speed": _speed_with_parallel(est, prompt_tokens, parallel),
        "settings": {
            "n_batch": settings.n_batch,
            "n_ubatch": settings.n_ubatch,
            "flash_attn": settings.flash_attn,
            "n_parallel": 1,
            "swa_full": False,
        },  # fmt: skip
        "reasons": list(est.reasons),
    }


def _gib(n: float | None) -> str:
    return "unknown" if n is None else f"{n / GIB:.1f} GiB"


def _memory_lines(est: Estimate, machine: Machine) -> list[str]:
    m = est.memory
    lines = [f"Memory   {_gib(m.total_bytes)} = weights {_gib(m.weights_bytes)} + KV "
             f"{_gib(m.kv_cache_bytes)} + compute {_gib(m.compute_bytes)} + overhead "
             f"{_gib(m.overhead_bytes)}"]  # fmt: skip
    for s in est.placement.shares:
        name = f"{s.device} {_device_name(machine, s.device)}"[:34]
        layers = f"{s.layers} layers" if s.layers else "no layers"
        lines.append(f"  {name:34s} {_gib(s.total_bytes):>9} of {_gib(s.available_bytes):>9}"
                     f"  ({layers})")  # fmt: skip
    return lines


def _speed_lines(est: Estimate, prompt_tokens: int) -> list[str]:
    s = est.speed
    if s is None:
        return ["Speed    not estimated: it does not fit"]
    low, high = s.decode_range
    p_low, p_high = s.prefill_range
    lines = [
        f"Speed    decode {s.decode_tokens_per_s:.1f} tok/s ({low:.1f}-{high:.1f}), prefill "
        f"{s.prefill_tokens_per_s:.0f} tok/s ({p_low:.0f}-{p_high:.0f})",
        f"  first token after a {prompt_tokens}-token prompt: "
        f"{s.time_to_first_token_s(prompt_tokens):.2f} s",
        "  decode at depth: " + ", ".join(
            f"{d // 1024}k {s.decode_tokens_per_s_at(d):.1f}" if d else
            f"0 {s.decode_tokens_per_s:.1f}" for d in _depths(est)),
    ]  # fmt: skip
    if s.calibrated_from_runs:
        lines.append(f"  calibrated by {s.calibrated_from_runs} throughput test(s) here")
    return lines


def _parallel_lines(p) -> list[str]:
    low, high = p.decode_range
    return [
        f"Parallel {p.sequences} sequences, {p.prompt_tokens}-token prompts, "
        f"{p.generated_tokens} tokens each: decode {p.decode_tokens_per_s:.1f} tok/s in all "
        f"({low:.1f}-{high:.1f}), {p.decode_tokens_per_s_per_sequence:.1f} each, "
        f"x{p.scaling:.2f} one sequence's",
        f"  prefill {p.prefill_tokens_per_s:.0f} tok/s: {p.prefill_s:.2f} s for every prompt; "
        f"the KV cache must hold {p.context_tokens_needed} tokens (--context)",
    ]


def render_text(est: Estimate, model: Model, machine: Machine, prompt_tokens: int,
                contexts=(), parallel=None) -> str:  # fmt: skip
    p = est.placement
    head = (f"{model.name} · {est.quant} · {est.context_tokens} tokens · {est.kv_type} KV · "
            f"{machine.name} ({est.backend}, {est.mode})")  # fmt: skip
    verdict = "Fits" if est.fits else "Does not fit"
    where = {"gpu": "all on the GPU", "partial": "split between GPU and CPU",
             "cpu": "CPU only"}[p.kind]  # fmt: skip
    lines = [head, f"{verdict}: {where}, -ngl {p.gpu_layers} of {p.total_layers}"
             + (", MoE experts in RAM" if p.experts_on_cpu else "")]  # fmt: skip
    lines += _memory_lines(est, machine)
    longest = est.max_context_tokens
    lines.append(f"Longest context this way: {longest} tokens" if longest else
                 "Longest context this way: none fits")  # fmt: skip
    if contexts:
        lines.append("  other ways: " + ", ".join(
            f"{c.label} {c.max_context_tokens or 'none'}" for c in contexts))  # fmt: skip
    lines += _speed_lines(est, prompt_tokens)
    if parallel is not None:
        lines += _parallel_lines(parallel)
    lines.append("Why:")
    lines += [f"  {r}" for r in est.reasons]
    return "\n".join(lines)
