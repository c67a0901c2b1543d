"""predict_speed on real catalog models: placements, depth, time to first token, the basis."""

from __future__ import annotations

import dataclasses

import pytest

from advisor.catalog import load_catalog
from advisor.catalog.tensors.layout import quant_tensor_bytes
from advisor.estimate.memory import MemoryBreakdown
from advisor.estimate.placement import DeviceShare, Placement
from advisor.estimate.speed.predict import predict_speed
from advisor.probe.machine import Cpu, Gpu, Machine, SystemMemory
from advisor.units import GIB


@pytest.fixture(scope="module")
def catalog():
    return load_catalog(overlay=False)


def _machine(*, bandwidth: float | None = 1008.0, gpus: int = 1) -> Machine:
    cards = tuple(
        Gpu(index=i, name="NVIDIA GeForce RTX 4090", vendor="nvidia",
            vram_total_bytes=24 * GIB, vram_free_bytes=23 * GIB,
            memory_bandwidth_gbs=bandwidth, fp16_tflops=82.58)
        for i in range(gpus)
    )  # fmt: skip
    return Machine(
        name="desk", origin="profile:test", os="linux",
        cpu=Cpu("AMD Ryzen 9 7950X", "x86_64", 16, 32, ("avx2", "fma", "avx512"),
                max_clock_mhz=5700.0),
        memory=SystemMemory(64 * GIB, 60 * GIB, bandwidth_measured_gbs=70.0),
        gpus=cards, backend="cuda",
    )  # fmt: skip


def _share(device: str, layers: int, weights: int) -> DeviceShare:
    return DeviceShare(device, layers, weights, 0, 0, 0, None)


def _placement(kind, weights, layers, gpu_fraction=1.0, experts_on_cpu=False, gpus=1):
    on_gpu = int(weights * gpu_fraction)
    shares = [_share(f"gpu{i}", layers // gpus, on_gpu // gpus) for i in range(gpus)]
    if kind != "gpu":
        shares.append(_share("cpu", 0, weights - on_gpu))
    pool = "ram" if kind == "cpu" else "vram"
    return Placement(kind, layers + 1, layers + 1, experts_on_cpu, pool, "dedicated",
                     tuple(s for s in shares if s.weights_bytes > 0))  # fmt: skip


def _run(catalog, model_id, quant, placement_args, machine=None):
    model = catalog.find(model_id)
    weights = quant_tensor_bytes(model.architecture, quant).total_bytes
    memory = MemoryBreakdown(weights, 0, 0, 0)
    placement = _placement(*placement_args[:1], weights, model.architecture.n_layers,
                           *placement_args[1:])  # fmt: skip
    return predict_speed(machine or _machine(), model, quant, placement, memory,
                         context_tokens=8192)  # fmt: skip


def test_llama_8b_q4_k_m_on_an_rtx_4090_lands_where_llama_bench_does(catalog):
    speed = _run(catalog, "llama-3.1-8b-instruct", "Q4_K_M", ("gpu",))
    # llama.cpp's CUDA scoreboard puts an RTX 4090 at about 130-150 tg128 on this file.
    assert 110 < speed.decode_tokens_per_s < 170
    assert speed.prefill_tokens_per_s > 20 * speed.decode_tokens_per_s
    low, high = speed.decode_range
    assert low < speed.decode_tokens_per_s < high


def test_basis_says_what_was_fitted_and_what_came_from_the_spec(catalog):
    speed = _run(catalog, "llama-3.1-8b-instruct", "Q4_K_M", ("gpu",))
    status = {f.name: f.status for f in speed.basis}
    assert status["gpu0.memory_bandwidth_gbs"] == "spec"
    assert status["decode.alpha.cuda"] == "fitted"
    assert status["prefill.rho.nv_tensor.kquant"] == "fitted"  # the MMQ path's engine


def test_the_basis_names_the_band_each_range_comes_from(catalog):
    """Every range says what backs it: an RTX 4090 (CUDA, MMQ for a K-quant) is quoted with
    CUDA's decode band and the MMQ path's prefill band, and the ranges are those bands."""
    speed = _run(catalog, "llama-3.1-8b-instruct", "Q4_K_M", ("gpu",))
    bands = {f.name: f.value for f in speed.basis if ".range_" in f.name}
    assert set(bands) == {"decode.range_low.cuda", "decode.range_high.cuda",
                          "prefill.range_low.cuda.mmq", "prefill.range_high.cuda.mmq"}  # fmt: skip
    low, high = speed.decode_range
    assert low == pytest.approx(speed.decode_tokens_per_s * bands["decode.range_low.cuda"])
    assert high == pytest.approx(speed.decode_tokens_per_s * bands["decode.range_high.cuda"])
    low, high = speed.prefill_range
    assert low == pytest.approx(speed.prefill_tokens_per_s * bands["prefill.range_low.cuda.mmq"])
    assert all(f.status == "fitted" for f in speed.basis if ".range_" in f.name)


def test_a_cpu_share_is_quoted_with_the_band_every_row_backs(catalog):
    """Two CPU devices are too few for a band of their own: the CPU's part of a run names the
    band over every row, the widest, and the run's range is the widest of its devices'."""
    speed = _run(catalog, "llama-3.1-8b-instruct", "Q4_K_M", ("partial", 0.5))
    names = {f.name for f in speed.basis}
    assert {"prefill.range_low.all_rows", "prefill.range_low.cuda.mmq"} <= names
    bands = {f.name: f.value for f in speed.basis}
    low, _ = speed.prefill_range
    assert low == pytest.approx(speed.prefill_tokens_per_s * bands["prefill.range_low.all_rows"])


@pytest.mark.parametrize("quant", ["Q8_0", "F16"])
def test_bigger_files_decode_slower(catalog, quant):
    small = _run(catalog, "llama-3.1-8b-instruct", "Q4_K_M", ("gpu",))
    big = _run(catalog, "llama-3.1-8b-instruct", quant, ("gpu",))
    assert big.decode_tokens_per_s < small.decode_tokens_per_s


def test_partial_offload_sits_between_full_gpu_and_cpu_only(catalog):
    gpu = _run(catalog, "llama-3.1-8b-instruct", "Q4_K_M", ("gpu",))
    half = _run(catalog, "llama-3.1-8b-instruct", "Q4_K_M", ("partial", 0.5))
    cpu = _run(catalog, "llama-3.1-8b-instruct", "Q4_K_M", ("cpu", 0.0))
    assert cpu.decode_tokens_per_s < half.decode_tokens_per_s < gpu.decode_tokens_per_s
    assert cpu.prefill_tokens_per_s < half.prefill_tokens_per_s < gpu.prefill_tokens_per_s
    assert any(f.name == "cpu.memory_bandwidth_gbs" and f.status == "measured"
               for f in cpu.basis)  # fmt: skip


def test_moe_experts_in_ram_beat_cpu_only_and_trail_full_gpu(catalog):
    gpu = _run(catalog, "qwen3.6-35b-a3b", "Q4_K_M", ("gpu",))
    experts = _run(catalog, "qwen3.6-35b-a3b", "Q4_K_M", ("partial", 0.1, True))
    cpu = _run(catalog, "qwen3.6-35b-a3b", "Q4_K_M", ("cpu", 0.0))
    assert cpu.decode_tokens_per_s < experts.decode_tokens_per_s < gpu.decode_tokens_per_s


def test_moe_decodes_faster_than_a_dense_model_of_the_same_size(catalog):
    moe = _run(catalog, "qwen3.6-35b-a3b", "Q4_K_M", ("cpu", 0.0))
    dense = _run(catalog, "qwen3.6-27b", "Q4_K_M", ("cpu", 0.0))
    assert moe.decode_tokens_per_s > 3 * dense.decode_tokens_per_s


def test_two_gpus_in_a_layer_split_add_their_times(catalog):
    one = _run(catalog, "llama-3.1-8b-instruct", "Q4_K_M", ("gpu",))
    two = _run(catalog, "llama-3.1-8b-instruct", "Q4_K_M", ("gpu", 1.0, False, 2),
               _machine(gpus=2))  # fmt: skip
    assert two.decode_tokens_per_s == pytest.approx(one.decode_tokens_per_s, rel=0.01)


def test_decode_slows_with_depth_and_ttft_grows_faster_than_the_prompt(catalog):
    speed = _run(catalog, "llama-3.1-8b-instruct", "Q4_K_M", ("gpu",))
    assert speed.decode_s_per_token_per_depth > 0
    assert speed.decode_tokens_per_s_at(32768) < 0.9 * speed.decode_tokens_per_s
    short, long = speed.time_to_first_token_s(1000), speed.time_to_first_token_s(32000)
    assert long > 32 * short * 0.9 and long > short


def test_an_unknown_bandwidth_is_assumed_and_widens_the_range(catalog):
    known = _run(catalog, "llama-3.1-8b-instruct", "Q4_K_M", ("gpu",))
    unknown = _run(catalog, "llama-3.1-8b-instruct", "Q4_K_M", ("gpu",),
                   _machine(bandwidth=None))  # fmt: skip
    assert any(f.status == "assumed" for f in unknown.basis)
    ratio = lambda s: s.decode_range[1] / s.decode_range[0]  # noqa: E731
    assert ratio(unknown) > ratio(known)


def test_each_machine_gets_its_own_rates_however_the_calls_interleave(catalog):
    """predict_speed remembers the last machine's device rates; another machine resets them."""
    fast, slow = _machine(bandwidth=1008.0), _machine(bandwidth=504.0)
    first = _run(catalog, "llama-3.1-8b-instruct", "Q4_K_M", ("gpu",), fast)
    other = _run(catalog, "llama-3.1-8b-instruct", "Q4_K_M", ("gpu",), slow)
    again = _run(catalog, "llama-3.1-8b-instruct", "Q4_K_M", ("gpu",), fast)
    assert again == first
    assert other.decode_tokens_per_s < 0.75 * first.decode_tokens_per_s
    assert {f.value for f in other.basis if f.name == "gpu0.memory_bandwidth_gbs"} == {504.0}


def test_the_token_embedding_left_in_ram_costs_a_full_gpu_placement_nothing(catalog):
    """llama.cpp keeps tok_embd on the CPU and reads one row a token: no CPU share of decode."""
    gpu = _run(catalog, "llama-3.1-8b-instruct", "Q4_K_M", ("gpu",))
    model = catalog.find("llama-3.1-8b-instruct")
    qb = quant_tensor_bytes(model.architecture, "Q4_K_M")
    layers = model.architecture.n_layers
    placement = Placement("gpu", layers + 1, layers + 1, False, "vram", "dedicated", (
        DeviceShare("gpu0", layers, qb.total_bytes - qb.input_bytes, 0, 0, 0, None),
        DeviceShare("cpu", 0, qb.input_bytes, 0, 0, 0, None, input_bytes=qb.input_bytes),
    ))  # fmt: skip
    memory = MemoryBreakdown(qb.total_bytes, 0, 0, 0)
    speed = predict_speed(_machine(), model, "Q4_K_M", placement, memory, context_tokens=8192)
    assert speed.decode_tokens_per_s == pytest.approx(gpu.decode_tokens_per_s, rel=1e-9)
    assert not any(f.name.startswith("cpu.") for f in speed.basis)


def test_a_cpu_clock_from_its_family_table_is_named_and_widens_prefill_only(catalog):
    """A VM's "AMD EPYC" (no clock, no model number): the clock is the EPYC 9004 family's
    median boost, named in the basis, and the prefill range spans the family's clocks."""
    vm = dataclasses.replace(
        _machine(), gpus=(), backend="cpu",
        cpu=Cpu("AMD EPYC", "x86_64", 2, 2, ("avx2", "fma", "avx512")),
    )  # fmt: skip
    known = dataclasses.replace(vm, cpu=dataclasses.replace(vm.cpu, max_clock_mhz=3775.0))
    guess = _run(catalog, "llama-3.1-8b-instruct", "Q4_K_M", ("cpu", 0.0), vm)
    exact = _run(catalog, "llama-3.1-8b-instruct", "Q4_K_M", ("cpu", 0.0), known)
    compute = next(f for f in guess.basis if f.name == "cpu.compute_tflops")
    assert compute.status == "estimated" and "EPYC 9004" in compute.source
    assert guess.prefill_tokens_per_s == pytest.approx(exact.prefill_tokens_per_s)
    assert guess.decode_range == pytest.approx(exact.decode_range)
    assert guess.prefill_range[0] == pytest.approx(exact.prefill_range[0] * 2200 / 3775)
    assert guess.prefill_range[1] == pytest.approx(exact.prefill_range[1] * 4400 / 3775)


def test_sliding_window_layers_read_their_cache_until_it_stops_growing(catalog):
    """Gemma 3 12B: 40 of its 48 layers attend over a 1024-token window, and llama.cpp gives
    them a cache of the window plus one ubatch (1536 cells, llama-kv-cache-iswa.cpp), whose
    keys and values a decoded token reads, masked cells included. Decode counted no such reads
    (only the 8 global layers' KV grew with depth): now they grow to 1536 cells, then stop."""
    speed = _run(catalog, "gemma-3-12b-it", "Q4_K_M", ("gpu",))
    per_cell = speed.decode_s_per_window_cell
    # 40 layers x 8 KV heads x 256 dims x K and V x 2 bytes (F16): 5x the global layers' bytes
    assert per_cell == pytest.approx(5 * speed.decode_s_per_token_per_depth, rel=1e-9, abs=0)
    assert speed.window_cells_left == pytest.approx(1536 - 63.5)

    def seconds(depth):
        return 1.0 / speed.decode_tokens_per_s_at(depth)

    inside = seconds(1000) - seconds(0)
    assert inside == pytest.approx(1000 * 6 * speed.decode_s_per_token_per_depth, rel=1e-9)
    beyond = seconds(20000) - seconds(10000)  # the window's cache is full: globals only
    assert beyond == pytest.approx(10000 * speed.decode_s_per_token_per_depth, rel=1e-9)
