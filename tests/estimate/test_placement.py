"""Every placement path: full GPU, partial offload, MoE experts in RAM, CPU only, several GPUs,
unified memory under its working-set limit, "now" against "dedicated", forced -ngl."""

from __future__ import annotations

import pytest
from estimate_archs import model
from estimate_machines import cpu_machine, gpu_machine, unified_machine

from advisor.estimate import estimate
from advisor.estimate.budget import device_budgets
from advisor.estimate.fit import Planner, choose
from advisor.estimate.settings import RunSettings
from advisor.units import GIB


def _planner(machine, model_id: str, quant: str = "Q4_K_M", mode: str = "dedicated"):
    m = model(model_id, (quant,))
    return Planner(m.architecture, quant, RunSettings(), device_budgets(machine, mode),
                   backend=machine.backend, mode=mode)  # fmt: skip


def _shares(est) -> dict:
    return {s.device: s for s in est.placement.shares}


def test_full_gpu() -> None:
    est = estimate(gpu_machine(24), model("llama-3.1-8b-instruct"), "Q4_K_M",
                   context_tokens=8192)  # fmt: skip
    assert est.fits and est.placement.kind == "gpu" and est.placement.pool == "vram"
    assert est.placement.gpu_layers == est.placement.total_layers == 33
    shares = _shares(est)
    assert shares["gpu0"].layers == 32 and shares["cpu"].layers == 0
    assert shares["cpu"].weights_bytes == shares["cpu"].input_bytes > 0  # token embeddings
    assert est.speed is not None and est.speed.decode_tokens_per_s > 0


def test_partial_offload_on_a_small_gpu_puts_as_many_layers_as_fit() -> None:
    machine = gpu_machine(6, ram_gb=32)
    est = estimate(machine, model("qwen2.5-14b-instruct"), "Q4_K_M", context_tokens=8192)
    assert est.fits and est.placement.kind == "partial" and est.placement.pool == "vram"
    ngl = est.placement.gpu_layers
    assert 0 < ngl < est.placement.total_layers
    gpu = _shares(est)["gpu0"]
    assert gpu.layers == ngl - 1  # -ngl counts the output layer first
    assert gpu.total_bytes <= gpu.available_bytes
    # One more layer would not fit on the GPU.
    over = _planner(machine, "qwen2.5-14b-instruct").option(8192, ngl + 1)
    assert "gpu0" in over.overflow


def test_experts_in_ram_keep_attention_on_the_gpu() -> None:
    planner = _planner(gpu_machine(8, ram_gb=64), "qwen3-30b-a3b")
    option = planner.option(8192, planner.n + 1, experts_on_cpu=True)
    assert option.fits and option.kind == "partial" and option.assignment.experts_on_cpu
    gpu, cpu = planner.shares(option)
    assert gpu.layers == 48 and cpu.layers == 0
    assert cpu.weights_bytes == pytest.approx(planner.qb.expert_bytes + planner.qb.input_bytes)
    assert gpu.weights_bytes < 2 * GIB  # attention, norms, router and output head only


@pytest.mark.parametrize("prefer_experts", [True, False])
def test_the_faster_of_the_fitting_candidates_is_chosen(prefer_experts: bool) -> None:
    planner = _planner(gpu_machine(8, ram_gb=64), "qwen3-30b-a3b")

    def speed(option) -> float:
        experts = option.assignment.experts_on_cpu
        return option.gpu_layers + (1000 if experts == prefer_experts else 0)

    chosen = choose(planner, 8192, None, speed)
    assert chosen.fits and chosen.assignment.experts_on_cpu is prefer_experts


def test_cpu_only() -> None:
    est = estimate(cpu_machine(32), model("llama-3.1-8b-instruct"), "Q4_K_M",
                   context_tokens=8192)  # fmt: skip
    assert est.fits and est.placement.kind == "cpu" and est.placement.pool == "ram"
    assert est.placement.gpu_layers == 0
    (share,) = est.placement.shares
    assert share.device == "cpu" and share.layers == 32


def test_two_equal_gpus_share_the_layers() -> None:
    est = estimate(gpu_machine(24, 24), model("llama-3-70b-instruct"), "Q4_K_M",
                   context_tokens=8192)  # fmt: skip
    assert est.fits and est.placement.kind == "gpu"
    shares = _shares(est)
    # llama.cpp splits the 81 layers (the output layer is the last): 41 and 39 + output.
    assert (shares["gpu0"].layers, shares["gpu1"].layers) == (41, 39)
    assert all(s.total_bytes <= s.available_bytes for s in est.placement.shares)


def test_unequal_gpus_split_in_proportion_to_memory() -> None:
    est = estimate(gpu_machine(24, 12, ram_gb=128), model("qwen2.5-32b-instruct"), "Q4_K_M",
                   context_tokens=4096)  # fmt: skip
    shares = _shares(est)
    big, small = shares["gpu0"].layers, shares["gpu1"].layers
    assert big + small == 64
    assert big / (big + small) == pytest.approx(23.5 / 35, abs=0.03)


def test_unified_memory_is_bounded_by_the_working_set_not_ram() -> None:
    m = model("qwen3-30b-a3b")
    roomy = estimate(unified_machine(64, working_set_gb=48), m, "Q4_K_M", context_tokens=8192)
    assert roomy.fits and roomy.placement.kind == "gpu" and roomy.placement.pool == "unified"
    tight = estimate(unified_machine(64, working_set_gb=12), m, "Q4_K_M", context_tokens=8192)
    assert tight.fits and tight.placement.kind == "partial"
    gpu = _shares(tight)["gpu0"]
    assert gpu.total_bytes <= 12 * GIB
    small = estimate(unified_machine(16, working_set_gb=12), m, "Q4_K_M", context_tokens=8192)
    assert not small.fits and small.speed is None
    assert any("unified memory" in r for r in small.reasons)


def test_unified_working_set_defaults_to_metals_rule() -> None:
    machine = unified_machine(32, working_set_gb=None)
    (gpu,) = device_budgets(machine).gpus
    assert gpu.available_bytes == int(32 * GIB * 2 / 3)


def test_now_counts_free_memory_and_dedicated_the_total_less_a_reserve() -> None:
    machine = gpu_machine(24, free_vram_gb=(10,), ram_gb=64, free_ram_gb=20)
    m = model("qwen2.5-14b-instruct")
    dedicated = estimate(machine, m, "Q4_K_M", context_tokens=32768, mode="dedicated")
    now = estimate(machine, m, "Q4_K_M", context_tokens=32768, mode="now")
    assert _shares(dedicated)["gpu0"].available_bytes == 24 * GIB - 512 * 1024**2
    assert _shares(now)["gpu0"].available_bytes == 10 * GIB
    assert dedicated.placement.kind == "gpu"
    assert now.placement.gpu_layers < dedicated.placement.gpu_layers


def test_now_without_free_figures_falls_back_to_dedicated() -> None:
    budgets = device_budgets(gpu_machine(24), "now")
    assert budgets.gpus[0].available_bytes == 24 * GIB - 512 * 1024**2
    assert "free VRAM unknown" in budgets.gpus[0].basis


def test_forced_gpu_layers_are_honoured() -> None:
    est = estimate(gpu_machine(24), model("llama-3.1-8b-instruct"), "Q4_K_M",
                   context_tokens=8192, gpu_layers=10)  # fmt: skip
    assert est.placement.kind == "partial" and est.placement.gpu_layers == 10
    assert _shares(est)["gpu0"].layers == 9
    every = estimate(gpu_machine(24), model("llama-3.1-8b-instruct"), "Q4_K_M",
                     context_tokens=8192, gpu_layers=999)  # fmt: skip
    assert every.placement.kind == "gpu" and every.placement.gpu_layers == 33


def test_nothing_fits_says_why_with_numbers() -> None:
    est = estimate(cpu_machine(8), model("llama-3-70b-instruct"), "Q4_K_M",
                   context_tokens=8192)  # fmt: skip
    assert not est.fits and est.speed is None and est.max_context_tokens is None
    assert est.reasons[0].startswith("does not fit at 8192 tokens")
    assert "GiB" in est.reasons[1]


@pytest.mark.parametrize(
    ("machine", "model_id", "quant"),
    [
        (gpu_machine(20), "qwen3-30b-a3b", "Q4_K_M"),
        (gpu_machine(12, ram_gb=32), "gemma-3-12b-it", "Q4_K_M"),
        (gpu_machine(13), "gpt-oss-20b", "MXFP4"),
        (cpu_machine(16), "qwen3.5-9b", "Q4_K_M"),
        (unified_machine(24, working_set_gb=16), "mistral-small-3.2-24b-instruct-2506", "Q4_K_M"),
    ],
)
def test_longest_context_sits_on_the_boundary(machine, model_id: str, quant: str) -> None:
    m = model(model_id, (quant,))
    est = estimate(machine, m, quant, context_tokens=4096)
    longest = est.max_context_tokens
    assert longest is not None and longest < m.architecture.max_context
    planner = _planner(machine, model_id, quant)
    ngl = est.placement.gpu_layers
    assignment = planner.assignment(ngl, est.placement.experts_on_cpu)
    assert planner.evaluate(assignment, planner.context(longest), ngl).fits
    assert not planner.evaluate(assignment, planner.context(longest + 256), ngl).fits


def test_longest_context_is_capped_by_the_model() -> None:
    est = estimate(gpu_machine(80), model("llama-3-8b-instruct"), "Q4_K_M",
                   context_tokens=4096)  # fmt: skip
    assert est.max_context_tokens == 8192  # Llama 3's trained context
