"""Batched speed (advisor.estimate.speed.batched): the physics on real catalog models, profiles."""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path

import pytest

from advisor.catalog import load_catalog
from advisor.estimate import estimate
from advisor.estimate.speed.batched import batch_model, parallel_speed
from advisor.estimate.speed.batched_physics import (
    BatchConstants,
    DeviceStep,
    decode_step_s,
    dense_compute_s,
    distinct_expert_share,
    expert_compute_s,
    expert_read_share,
    extra_matrix_s,
    load_batch_constants,
    matrix_columns,
    moe_vector_max_batch,
    swa_cells,
    vector_columns,
    vector_flop_s,
    weight_passes,
)
from advisor.estimate.speed.predict import TG_DEPTH
from advisor.probe import resolve_machine


@pytest.fixture(scope="module")
def catalog():
    return load_catalog(overlay=False)


def _setup(catalog, profile: str, model_id: str, quant: str, context: int = 32768):
    machine = resolve_machine(profile=profile)
    model = catalog.find(model_id)
    est = estimate(machine, model, quant, context_tokens=context)
    assert est.fits
    return machine, model, est


@pytest.fixture(scope="module")
def spark_dense(catalog):
    return _setup(catalog, "dgx-spark", "qwen2.5-coder-7b-instruct", "Q8_0")


@pytest.fixture(scope="module")
def spark_moe(catalog):
    return _setup(catalog, "dgx-spark", "gpt-oss-20b", "MXFP4")


def test_one_sequence_is_the_single_stream_estimate(spark_dense) -> None:
    machine, model, est = spark_dense
    bm = batch_model(machine, model, est)
    assert bm.decode_step_s(1, TG_DEPTH) == pytest.approx(1 / est.speed.decode_tokens_per_s)
    # pp512 with llama.cpp's 512-token ubatch is one prompt of 512 tokens.
    assert bm.prefill_s(1, 512) == pytest.approx(512 / est.speed.prefill_tokens_per_s)
    one = bm.speed(1)
    assert one.scaling == pytest.approx(1.0)
    assert one.decode_tokens_per_s == one.decode_tokens_per_s_per_sequence


def test_calibrated_single_stream_anchors_every_batch(spark_dense) -> None:
    machine, model, est = spark_dense
    speed = dataclasses.replace(est.speed, decode_tokens_per_s=est.speed.decode_tokens_per_s / 2,
                                calibrated_from_runs=3)  # fmt: skip
    halved = batch_model(machine, model, dataclasses.replace(est, speed=speed))
    plain = batch_model(machine, model, est)
    assert halved.decode_step_s(1, TG_DEPTH) == pytest.approx(2 * plain.decode_step_s(1, TG_DEPTH))
    assert halved.speed(8).scaling == pytest.approx(plain.speed(8).scaling)
    assert halved.speed(8).calibrated_from_runs == 3


def test_aggregate_grows_and_each_sequence_slows(spark_dense) -> None:
    machine, model, est = spark_dense
    runs = [parallel_speed(machine, model, est, sequences=b) for b in (1, 2, 4, 8, 16, 32)]
    aggregates = [r.decode_tokens_per_s for r in runs]
    each = [r.decode_tokens_per_s_per_sequence for r in runs]
    assert aggregates == sorted(aggregates) and aggregates[-1] > 5 * aggregates[0]
    assert each == sorted(each, reverse=True)
    for r in runs:
        low, high = r.decode_range
        assert low < r.decode_tokens_per_s < high
        assert r.context_tokens_needed == r.sequences * (512 + 128)
        assert r.decode_s == pytest.approx(r.sequences * 128 / r.decode_tokens_per_s)


def test_mixture_of_experts_gains_less_than_a_dense_model(spark_dense, spark_moe) -> None:
    dense = parallel_speed(*spark_dense, sequences=8)
    moe = parallel_speed(*spark_moe, sequences=8)
    assert moe.scaling < dense.scaling
    names = {f.name for f in moe.basis}
    assert "parallel.expert_bytes_read_share" in names
    assert "parallel.expert_bytes_read_share" not in {f.name for f in dense.basis}


def test_long_prompts_erode_the_gain(spark_dense) -> None:
    short = parallel_speed(*spark_dense, sequences=32, prompt_tokens=512)
    long = parallel_speed(*spark_dense, sequences=32, prompt_tokens=8192)
    assert long.scaling < short.scaling
    assert long.prefill_tokens_per_s < short.prefill_tokens_per_s


def test_decode_never_outruns_prefill_compute(catalog) -> None:
    machine, model, est = _setup(catalog, "office-laptop-16gb", "qwen2.5-coder-7b-instruct",
                                 "Q4_K_M", context=8192)  # fmt: skip
    for b in (2, 8, 64, 256):
        p = parallel_speed(machine, model, est, sequences=b)
        assert p.decode_tokens_per_s <= est.speed.prefill_tokens_per_s


def test_prefill_of_many_prompts_reads_the_weights_once_a_batch(spark_moe) -> None:
    bm = batch_model(*spark_moe)
    # One 512-token prompt fills one ubatch; eight fill eight: the same rate per token.
    assert bm.prefill_s(8, 512) == pytest.approx(8 * bm.prefill_s(1, 512))
    # A 100-token prompt reads every expert for only 100 tokens; eight of them share reads.
    assert bm.prefill_s(8, 100) < 8 * bm.prefill_s(1, 100)


def test_bad_inputs_raise(spark_dense, catalog) -> None:
    machine, model, est = spark_dense
    with pytest.raises(ValueError, match="sequences"):
        parallel_speed(machine, model, est, sequences=0)
    with pytest.raises(ValueError, match="prompt_tokens"):
        parallel_speed(machine, model, est, sequences=2, prompt_tokens=0)
    small = resolve_machine(profile="raspberry-pi-5-8gb")
    big = catalog.find("gpt-oss-120b")
    nofit = estimate(small, big, "MXFP4", context_tokens=4096)
    assert not nofit.fits
    with pytest.raises(ValueError, match="does not fit"):
        batch_model(small, big, nofit)


@pytest.mark.parametrize("k,e,b", [(4, 32, 1), (4, 32, 2), (8, 128, 8), (22, 512, 32)])
def test_uniform_routing_is_the_textbook_count(spark_moe, k, e, b) -> None:
    _, _, est = spark_moe
    from advisor.estimate.speed.load import TokenCost

    cost = TokenCost(weight_bytes_read=0, expert_bytes_read=k / e * 1e9, expert_bytes_total=1e9,
                     weight_bytes_total=0, flops=0, expert_flops=0, n_layers=1, n_moe_layers=1,
                     kv_bytes_per_depth=0, attn_flops_per_depth=0, quant="Q4_0",
                     quant_class="legacy")  # fmt: skip
    expected = e * (1 - (1 - k / e) ** b) / e
    assert distinct_expert_share(cost, b, 1.0) == pytest.approx(expected)
    # A smaller pool: fewer distinct experts, never fewer than one token's.
    assert k / e <= distinct_expert_share(cost, b, 0.3) <= expected + 1e-12


def test_metal_matrix_kernel_rounds_sequences_to_its_tiles() -> None:
    bc = load_batch_constants()
    g = bc.get("metal", "g_matrix")
    assert matrix_columns("metal", 16, bc) == pytest.approx(31 * g)
    assert matrix_columns("metal", 32, bc) == pytest.approx(31 * g)
    assert matrix_columns("cuda", 16, bc) == pytest.approx(15 * bc.get("cuda", "g_matrix"))
    # Up to 8 sequences the vector kernel runs: its columns, not the matrix kernel's.
    assert matrix_columns("cuda", 8, bc) == 0.0
    assert vector_columns("cuda", 8, bc) == pytest.approx(7 * bc.get("cuda", "g_vector"))
    assert vector_columns("cuda", 16, bc) == 0.0
    assert matrix_columns("cpu", 1, bc) == 0.0 and vector_columns("cpu", 1, bc) == 0.0


def test_moe_experts_keep_the_vector_kernel_longer_than_dense_matmuls() -> None:
    # llama.cpp's mul_mat_id switches to its matrix kernel later than mul_mat: Metal at 32
    # tokens, CUDA after 8 (after 7 for MXFP4 experts), by the quant of the experts.
    assert moe_vector_max_batch("metal", "Q8_0") == 31
    assert moe_vector_max_batch("cuda", "Q8_0") == 8
    assert moe_vector_max_batch("cuda", "MXFP4") == 7
    assert moe_vector_max_batch("cuda", "Q3_K_M") == 5
    assert moe_vector_max_batch("cpu", "MXFP4") == 8
    bc = load_batch_constants()
    assert matrix_columns("metal", 16, bc, vector_max=31) == 0.0
    assert vector_columns("metal", 16, bc, vector_max=31) == pytest.approx(
        15 * bc.get("metal", "g_vector")
    )


def test_metal_moe_at_16_sequences_rounds_only_the_dense_matmuls(spark_dense) -> None:
    from advisor.estimate.speed.load import TokenCost

    bc = load_batch_constants()
    k = batch_model(*spark_dense).steps[0].k  # real unit costs; the backend is set below
    cost = TokenCost(weight_bytes_read=1e9, expert_bytes_read=2e8, expert_bytes_total=4e9,
                     weight_bytes_total=5e9, flops=1e9, expert_flops=4e8, n_layers=10,
                     n_moe_layers=10, kv_bytes_per_depth=0, attn_flops_per_depth=0,
                     quant="Q8_0", quant_class="legacy")  # fmt: skip
    step = DeviceStep(cost, 1.0, k, "metal")
    dense, experts = dense_compute_s(step, 0.0), expert_compute_s(step)
    assert experts > 0
    # Dense matmuls: 16 sequences fill one 32-column tile; experts: 15 more vector columns,
    # each the experts' FLOPs at the shader rate.
    vector = 15 * bc.get("metal", "g_vector") * cost.expert_flops * vector_flop_s(step)
    expected = 31 * bc.get("metal", "g_matrix") * dense + vector
    assert extra_matrix_s(step, bc, 16, 0.0) == pytest.approx(expected)


def _moe_cost(quant: str = "Q8_0"):
    from advisor.estimate.speed.load import TokenCost

    return TokenCost(weight_bytes_read=1e9, expert_bytes_read=2e8, expert_bytes_total=4e9,
                     weight_bytes_total=5e9, flops=1e9, expert_flops=4e8, n_layers=10,
                     n_moe_layers=10, kv_bytes_per_depth=0, attn_flops_per_depth=0,
                     quant=quant, quant_class="legacy")  # fmt: skip


def test_metal_vector_mul_mat_id_reads_each_token_expert_pair(spark_dense) -> None:
    # ggml-metal's mul_mv_id runs one slice per (token, expert) pair, so below its switch to
    # the matrix kernel (32 tokens) B tokens read B x k experts' weights; CUDA's MoE vector
    # kernel shares a slot's reads between the tokens of one block: distinct experts only.
    k = batch_model(*spark_dense).steps[0].k
    cost = _moe_cost()
    one = cost.expert_bytes_read / cost.expert_bytes_total  # k / E = 0.05
    metal, cuda = DeviceStep(cost, 1.0, k, "metal"), DeviceStep(cost, 1.0, k, "cuda")
    assert expert_read_share(metal, 4, 1.0) == pytest.approx(4 * one)
    assert expert_read_share(cuda, 4, 1.0) == pytest.approx(distinct_expert_share(cost, 4, 1.0))
    assert expert_read_share(cuda, 4, 1.0) < 4 * one
    # From 32 tokens Metal's mul_mm_id reads each distinct expert once.
    assert expert_read_share(metal, 32, 1.0) == pytest.approx(distinct_expert_share(cost, 32, 1.0))


def test_vector_columns_cost_the_shader_rate_not_the_prefill_path() -> None:
    # A mat-vec column is one more dot product per weight row on the shader ALUs: its cost
    # per FLOP is 1 / the FP32 rate whatever the quant's prefill path (MMQ on tensor cores,
    # MXFP4's cheaper prefill) would make of it.
    from advisor.estimate.speed.model import DeviceRate, coefficients, load_constants

    c = load_constants()
    spark = DeviceRate("gpu0", "cuda", 273.0, 29.71, 1.0, arch="nvidia.blackwell")
    a100 = DeviceRate("gpu0", "cuda", 2039.0, 77.97, 1.0, arch="nvidia.ampere_dc")
    mxfp4, q8 = coefficients(c, spark, "mxfp4"), coefficients(c, spark, "q8_0")
    assert mxfp4.prefill_s_per_flop < 0.8 * q8.prefill_s_per_flop  # MXFP4 prefills cheaper
    assert (
        mxfp4.vector_s_per_flop
        == q8.vector_s_per_flop
        == pytest.approx(1 / 29.71e12, rel=1e-9, abs=0)
    )
    # GA100's fp16 column is 4x its FP32 rate (paths.FP16_PER_FP32).
    assert coefficients(c, a100, "q8_0").vector_s_per_flop == pytest.approx(
        4 / 77.97e12, rel=1e-9, abs=0
    )


def test_unfitted_backend_falls_back_to_the_shared_constants() -> None:
    bc = BatchConstants({"*": {"g_vector": 1.0, "g_matrix": 2.0, "tau_multi_layer_s": 0.0,
                               "expert_pool": 1.0}}, 0.0, {"*": (0.8, 1.2)}, "test")  # fmt: skip
    assert bc.get("vulkan", "g_matrix") == 2.0 and not bc.fitted_for("vulkan")
    assert bc.range_for("vulkan") == (0.8, 1.2)


def test_shipped_constants_name_their_fit() -> None:
    bc = load_batch_constants()
    assert bc.source.startswith("fit by scripts/fit_batched.py on batched_bench.csv")
    assert {"*", "cuda", "metal"} <= set(bc.per_backend)
    assert all(math.isfinite(v) and v >= 0 for t in bc.per_backend.values() for v in t.values())
    assert bc.get("metal", "tau_multi_layer_s") == 0.0  # only graph backends pay launches


def test_rows_of_a_generated_model_on_a_measured_cpu_load(tmp_path) -> None:
    import csv

    from advisor.bench.kernels.synthetic import BENCH_60M, synthetic_architecture
    from scripts.batched_bench_rows import COLUMNS
    from scripts.fitting.batched_fit import load_rows, predict
    from scripts.fitting.speed_rows import load_spec_table

    path = tmp_path / "rows.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        for b, s_tg in ((1, 100.0), (4, 150.0)):
            writer.writerow(dict(source="here", device="Test CPU (1 thread, here)",
                                 backend="cpu", model="synthetic:BENCH_60M", quant="Q8_0",
                                 file_gib="0.058", n_batch=2048, n_ubatch=512, flash_attn=-1,
                                 pp=128, tg=32, b=b, t_pp_s=1, s_pp=128 * b, t_tg_s=1,
                                 s_tg=s_tg, notes="", mem_bandwidth_gbs=20.0,
                                 compute_tflops=0.2))  # fmt: skip
    specs = load_spec_table(Path(__file__).resolve().parents[2] / "benchmarks" / "data" /
                            "hardware_specs.csv")  # fmt: skip
    rows = load_rows(path, specs, load_catalog(overlay=False), synthetic_architecture)
    assert [r.b for r in rows] == [1, 4] and rows[0].backend == "cpu"
    assert rows[0].step.cost.n_layers == BENCH_60M.n_layer
    # 20 GB/s with the CPU's fitted per-byte cost: what the row's bandwidth column said.
    from advisor.estimate.speed.model import load_constants

    c = load_constants()
    per_byte = (c.get(c.alpha, "cpu") + c.quant_extra("cpu", "q8_0")) / 20e9
    assert rows[0].step.k.decode_s_per_byte == pytest.approx(per_byte, rel=1e-6, abs=0)
    (one, four) = predict(rows, load_batch_constants())
    assert one.measured_scaling == 1.0 and four.measured_scaling == pytest.approx(1.5)


def test_metal_small_batches_read_the_weights_once_per_column_group() -> None:
    # ggml_metal_op_mul_mat: mul_mv_ext groups 2-8 columns r1ptg at a time (8 columns: two
    # groups of 4); K-quants only from 4 columns, below that mul_mv reads per column.
    assert [weight_passes("metal", "Q8_0", b) for b in range(1, 9)] == [1, 1, 1, 1, 1, 2, 2, 2]
    assert [weight_passes("metal", "Q4_K_M", b) for b in range(1, 9)] == [1, 2, 3, 1, 1, 2, 2, 2]
    assert weight_passes("metal", "IQ3_XXS", 3) == 3  # no mul_mv_ext kernel for the type
    assert weight_passes("metal", "Q8_0", 16) == 1  # the matrix kernel: once a tile
    assert weight_passes("cuda", "Q4_K_M", 8) == 1  # MMVQ: up to 8 columns at once


def test_metal_rereads_cost_a_pass_over_the_dense_weights(spark_dense) -> None:
    from advisor.estimate.speed.model import load_constants

    c, bc = load_constants(), load_batch_constants()
    step = batch_model(*spark_dense).steps[0]
    metal = dataclasses.replace(step, backend="metal")
    dense = step.cost.weight_bytes_read - step.cost.expert_bytes_read
    # From 5 to 6 sequences Q8_0's column groups go from one to two: one more pass of reads.
    six = decode_step_s(metal, c, bc, 6, 0.0) - decode_step_s(metal, c, bc, 5, 0.0)
    extra_column = vector_columns("metal", 2, bc) * step.cost.flops * vector_flop_s(metal)
    assert six == pytest.approx(dense * step.k.decode_s_per_byte + extra_column)


def test_sliding_window_layers_read_each_sequence_s_window(catalog) -> None:
    # Gemma 3 4B: 29 of its 34 layers keep a 1,024-token window (4 KV heads x 256, f16);
    # llama.cpp gives them the window plus one ubatch of cells.
    from advisor.estimate.speed.load import token_cost

    arch = catalog.find("gemma-3-4b-it").architecture
    cost = token_cost(arch, "Q4_0", 2.35 * 2**30)
    assert cost.swa_window == 1024
    assert cost.swa_kv_bytes_per_cell == pytest.approx(29 * 2 * 4 * 256 * 2)
    assert swa_cells(cost, 600.0) == 600.0
    assert swa_cells(cost, 8192.0) == 1024 + 512
    assert swa_cells(cost, 8192.0, ubatch_tokens=2048) == 1024 + 2048
    dense = catalog.find("qwen2.5-coder-7b-instruct").architecture
    assert token_cost(dense, "Q8_0", 7.54 * 2**30).swa_kv_bytes_per_cell == 0.0


def test_extra_sequences_read_their_sliding_windows(catalog, spark_dense) -> None:
    from advisor.estimate.speed.load import token_cost
    from advisor.estimate.speed.model import load_constants, window_s_per_cell

    c, bc = load_constants(), load_batch_constants()
    step = batch_model(*spark_dense).steps[0]
    cost = token_cost(catalog.find("gemma-3-4b-it").architecture, "Q4_0", 2.35 * 2**30)
    gemma = dataclasses.replace(step, cost=cost)
    no_window = dataclasses.replace(gemma, cost=dataclasses.replace(cost, swa_window=0))
    extra = decode_step_s(gemma, c, bc, 4, 4096.0) - decode_step_s(no_window, c, bc, 4, 4096.0)
    per_cell = window_s_per_cell(cost, step.share, step.k)  # KV bytes and attention FLOPs
    assert per_cell > cost.swa_kv_bytes_per_cell * step.k.decode_s_per_byte > 0
    # each of the 4 sequences reads its own 1536-cell window (the first one too, since the
    # single stream counts its window: model.window_s_per_cell)
    assert extra == pytest.approx(4 * 1536 * per_cell)
    one = decode_step_s(gemma, c, bc, 1, 4096.0) - decode_step_s(no_window, c, bc, 1, 4096.0)
    assert one == pytest.approx(1536 * per_cell)
