"""The speed model against the committed calibration set: pinned accuracy and shipped constants."""

from __future__ import annotations

import statistics
from pathlib import Path

import pytest

from advisor.estimate.speed.model import load_constants
from scripts.fitting.speed_fit import (
    Prediction,
    fit_constants,
    leave_one_device_out,
    quoted_range,
    range_checks,
    range_coverage,
    row_path,
    spreads,
)
from scripts.fitting.speed_rows import (
    base_quant,
    load_rows,
    load_spec_table,
    parse_test,
    repository_catalog,
    row_weight,
    unstable,
)

DATA = Path(__file__).resolve().parents[2] / "benchmarks" / "data"


@pytest.fixture(scope="module")
def rows():
    found, skipped = load_rows(
        DATA / "throughput_calibration.csv",
        load_spec_table(DATA / "hardware_specs.csv"),
        repository_catalog(),
    )
    assert len(found) == 197 and len(skipped) == 23
    return found


@pytest.fixture(scope="module")
def held_out(rows):
    return leave_one_device_out(rows)


def _errors(predictions, kind):
    return [abs(p.error) for p in predictions if p.row.kind == kind]


def test_decode_on_unseen_devices_holds_the_pinned_accuracy(held_out):
    errors = _errors(held_out, "decode")
    # 5.2% when pinned, with the int8 mat-vec instructions counted per weight type (6.3% with
    # the two kernel kinds' shader costs, gamma_gpu and gamma_float, before the counts; 5.2%
    # with one shared gamma, 5.3% before the M2 Max CPU decode took the counted Arm vec_dot
    # constants; 6.0% with the shader-compute term before the CPU paths' refit; 5.1% before
    # either; issue 15: at most 8%)
    assert statistics.median(errors) <= 0.06
    # 86.9% when pinned (85.9% before the per-type counts, 83.8% with one shared gamma, 82.8%
    # before the Arm decode constants, 81.0% with gamma_gpu alone, 80.0% before; issue 15 asks
    # 85%).
    assert sum(e <= 0.2 for e in errors) / len(errors) >= 0.86


def test_prefill_on_unseen_devices_holds_the_pinned_accuracy(held_out):
    assert statistics.median(_errors(held_out, "prefill")) <= 0.16  # 15.3% when pinned


def _backend_median(predictions, kind, backend):
    return statistics.median(
        abs(p.error) for p in predictions if p.row.kind == kind and p.row.backend == backend
    )


def test_vulkan_prefill_follows_the_devices_matrix_path(held_out):
    """Vulkan's prompt speed is set by the matrix hardware it reaches: coopmat2 on NVIDIA
    (the tensor cores CUDA uses), KHR coopmat on RDNA4 (WMMA at twice the fp16 figure), the
    scalar shaders on RDNA1/2 and GCN. One Vulkan efficiency for all of them was 64% off."""
    assert _backend_median(held_out, "prefill", "vulkan") <= 0.40  # 34.0% when pinned
    paths = {p.row.device: row_path(p.row) for p in held_out if p.row.backend == "vulkan"}
    assert paths["RTX 3090"] == "vulkan.coopmat2"
    assert paths["RX 9070"] == paths["Radeon AI PRO R9700"] == "vulkan.coopmat"
    assert paths["RX 580"] == paths["RX 5700 XT"] == "vulkan.no_matrix"


def test_m2_max_cpu_decode_follows_the_counted_vec_dot_kernels(held_out):
    """Decode runs every type through its row-by-row vec_dot (llamafile_sgemm declines one
    column): counted for Apple's P-core, Q4_0's costs 0.8 of Q5_0's per FLOP, and the kernel's
    time, its loads included, hides the weight stream. With the fitted CPU factor, shared by
    both, the 4-thread Q4_0 row was -21.5% held out while Q5_0 was within 5%; now both are
    within 5% at 4 threads (Q4_0 -2.1%, Q5_0 +3.1% when pinned). The 8-thread Q4_0 row, which
    ran no faster than 4 threads on its 2024 build, stays outside (+88%; +35% before)."""
    m2 = {(p.row.quant, round(p.row.rate.compute_tflops, 3)): p.error for p in held_out
          if p.row.device == "Apple M2 Max (CPU only)" and p.row.kind == "decode"}  # fmt: skip
    four = round(4 * 3.49 * 32 / 1000, 3)  # 4 P-cores x 3.49 GHz x 32 FLOPs a cycle
    assert abs(m2[("Q4_0", four)]) <= 0.05
    assert abs(m2[("Q5_0", four)]) <= 0.05
    assert sum(abs(e) <= 0.2 for e in m2.values()) == 5


def test_m2_max_cpu_prefill_keeps_q4_0_faster_than_q5_0_per_flop(held_out):
    """The published M2 Max CPU rows ran Q4_0 through tinyBLAS_Q0_ARM (3x3 tiles of sdot) and
    Q5_0 through the row-by-row vec_dot: 1.6x apart per FLOP. One legacy-family factor put
    them 59 points apart held out (Q4_0 -37%, Q5_0 +10% at 8 threads); the counted kernel
    paths (cpu_paths.ARM_DOTPROD_NO_REPACK) keep their ratio within 10%."""
    m2 = [p for p in held_out
          if p.row.device == "Apple M2 Max (CPU only)" and p.row.kind == "prefill"]  # fmt: skip
    at_8 = {p.row.quant: 1 + p.error for p in m2 if p.row.rate.compute_tflops > 0.8}
    assert set(at_8) == {"Q4_0", "Q5_0"}
    assert abs(at_8["Q4_0"] / at_8["Q5_0"] - 1) <= 0.10
    # 11.8% when pinned (50.6% before the kernel paths; 37.1% with the N100 rows, which the
    # row rules now skip: no thread count, test_a_cpu_row_without_threads_is_skipped)
    assert _backend_median(held_out, "prefill", "cpu") <= 0.15


def test_a_cpu_row_without_threads_is_skipped():
    """A CPU's compute is threads x the core's rate: the crowd-sourced Intel N100 rows give no
    thread count (nor build), so they are skipped with that reason, not scored or fitted."""
    found, skipped = load_rows(
        DATA / "throughput_calibration.csv",
        load_spec_table(DATA / "hardware_specs.csv"),
        repository_catalog(),
    )
    assert not any(r.device.startswith("Intel N100") for r in found)
    reasons = [s.reason for s in skipped if s.reason.startswith("CPU row with no thread count")]
    assert len(reasons) == 2
    assert all(r.backend != "cpu" or r.rate.compute_tflops > 0 for r in found)


def test_rocm_prefill_takes_its_quant_factors_from_the_matrix_hardware(held_out):
    """Strix Halo (RDNA3.5 WMMA, the only ROCm matrix device) held out: its K-quant factor
    comes from the RDNA4 Vulkan rows on the same kind of matrix units, not from the RX 6800
    XT's ROCm row (RDNA2, MMQ on dp4a). Keyed by backend, ROCm's median was 40.8% and its
    K-quant rows 43-83% too fast."""
    assert _backend_median(held_out, "prefill", "rocm") <= 0.30  # 26.0% when pinned (target)
    errors = _errors(held_out, "prefill")
    assert sum(e <= 0.2 for e in errors) / len(errors) >= 0.65  # 68.4% when pinned (target)
    strix_k = [
        p.error
        for p in held_out
        if p.row.kind == "prefill"
        and row_path(p.row) == "rocm.wmma"
        and p.row.cost.quant_class == "kquant"
    ]
    assert statistics.median(strix_k) <= 0.45  # +37% when pinned; +54% keyed by backend


def test_quoted_ranges_hold_most_rows_of_unseen_devices(held_out):
    coverage = range_coverage(held_out)
    assert coverage["decode"] >= 0.80  # 82.8% when pinned
    assert coverage["prefill"] >= 0.80  # 83.8% when pinned


def test_quoted_ranges_are_as_narrow_as_their_evidence_allows(held_out):
    """Issue 15: the range holds >= 80% of unseen devices' rows at a median half-width of at
    most 30% (one 5th-95th band per backend gave 81% at 40%): a path that errs little (Metal's
    M3/M4 GPUs) is quoted narrower than one that errs much (CUDA's MMQ rows)."""
    checks = range_checks(held_out)
    assert sum(c.inside for c in checks) / len(checks) >= 0.80  # 82.7% when pinned
    assert statistics.median(c.half_width for c in checks) <= 0.30  # 22.5% when pinned
    table = spreads(held_out)

    def width(kind, group):
        low, high = table[kind][group]
        return high - low

    assert width("prefill", "metal.apple9") < width("prefill", "cuda.mmq") / 2
    # 0.30 against 0.36 when pinned: the int8 mat-vec instructions counted per weight type
    # narrowed CUDA's (0.42 before, with Metal's 0.30); 0.27 against 0.39 before the two kernel
    # kinds, 0.42 for CUDA before the recurrent-state reads, 0.57 before the shader-compute term
    assert width("decode", "metal") < width("decode", "cuda") * 0.9


def test_a_device_with_many_rows_counts_as_one_in_the_range(rows):
    """Errors cluster by machine: twenty rows of one device that all read 2x slow must not set
    the band as twenty devices would. Each device weighs one, its rows sharing the weight."""
    # prefill's band is the central 75%: one of the nine M3/M4 devices (1/9 of the weight)
    # fits inside either tail (decode's central 80% leaves 10% a side, less than one device)
    metal = [r for r in rows if r.kind == "prefill" and row_path(r) == "metal.apple9"]
    by_device: dict[str, list] = {}
    for r in metal:
        by_device.setdefault(r.device, []).append(r)
    many = max(by_device, key=lambda d: len(by_device[d]))
    predictions = []
    for device, mine in by_device.items():
        for r in mine:  # the busiest device measured at half the estimate, the rest on it
            factor = 2.0 if device == many else 1.0
            predictions.append(Prediction(r, r.tokens_per_s * factor))
    assert len(by_device[many]) > len(metal) / len(by_device)  # it has more than its share
    low, high = spreads(predictions)["prefill"]["metal.apple9"]
    assert high == 1.0 and low > 0.5  # its 0.5 ratios are one device's worth: inside the tail


def test_a_path_few_devices_measured_is_quoted_with_more_room(rows, held_out):
    """Prefill ranges come per kernel path once three devices back it, else per backend; with
    neither (ROCm's WMMA path: one machine) a row gets the range over every row, cut wider."""
    table = spreads(held_out)["prefill"]
    assert "cuda.mmq" in table and "metal.apple9" in table and "vulkan" in table
    assert "vulkan.coopmat2" not in table and "rocm.wmma" not in table and "rocm" not in table
    rtx3090 = next(r for r in rows if r.device == "RTX 3090" and r.kind == "prefill")
    assert quoted_range(table, rtx3090) == tuple(table["vulkan"])
    strix = next(r for r in rows if row_path(r) == "rocm.wmma" and r.kind == "prefill")
    low, high = quoted_range(table, strix)
    assert (low, high) == tuple(table["*"])
    for group in ("cuda.mmq", "metal.apple9"):
        assert low < table[group][0] and high > table[group][1]
    # Vulkan's own band is widened for its three devices: the fallback is wider as a whole
    # (since the M2 Max CPU rows stopped erring by half, its low side is no longer the lower).
    assert high / low > table["vulkan"][1] / table["vulkan"][0]


def test_range_half_widths_are_reported_per_row(held_out):
    checks = range_checks(held_out)
    assert len(checks) == len(held_out)
    assert all(c.low <= 1.0 <= c.high and c.half_width > 0 for c in checks)


def test_shipped_constants_are_the_fit_of_the_committed_rows(rows):
    fitted = fit_constants(rows)
    shipped = load_constants()
    decode, prefill = fitted["decode"], fitted["prefill"]
    for table, shipped_table in (
        (decode["alpha"], shipped.alpha),
        (decode["beta"], shipped.beta),
        (decode["tau_layer_s"], shipped.tau_layer_s),
        (prefill["kappa"], shipped.kappa),
        (prefill["rho"], shipped.rho),
    ):
        assert set(table) == set(shipped_table)
        for key, value in table.items():
            assert shipped_table[key] == pytest.approx(value, rel=1e-4, abs=1e-9)
    assert shipped.multi_die == pytest.approx(decode["multi_die"], rel=1e-4)
    assert shipped.tau_moe_layer_s == pytest.approx(decode["tau_moe_layer_s"], rel=1e-4)
    assert shipped.gamma_cpu == pytest.approx(decode["gamma_cpu"], rel=1e-4)
    assert shipped.mu_moe == pytest.approx(prefill["mu_moe"], rel=1e-4)
    assert shipped.mu_tile == pytest.approx(prefill["mu_tile"], rel=1e-4)
    assert shipped.shader_mmq == pytest.approx(prefill["shader_mmq"], rel=1e-4, abs=1e-9)


def test_reading_across_two_dies_is_fitted_slower_than_one(rows):
    """Apple's Ultra rows: the fit finds llama.cpp reaching less of their summed bandwidth."""
    assert {r.device for r in rows if r.rate.dies == 2} == {
        "Apple M1 Ultra (48-core GPU)", "Apple M3 Ultra (80-core GPU)",
    }  # fmt: skip
    assert load_constants().multi_die > 0.1


@pytest.mark.parametrize(
    ("test", "parsed"),
    [
        ("pp512", ("prefill", 512)),
        ("tg128", ("decode", 128)),
        ("other: pp2048", ("prefill", 2048)),
        ("other: tg32", ("decode", 32)),
        ("other: tg1024 (main)", ("decode", 1024)),
        ("other: prompt eval ~494 tok", ("prefill", 494)),
        ("other: tg eval rate", None),
    ],
)
def test_only_llama_bench_tests_with_a_length_are_used(test, parsed):
    assert parse_test(test) == parsed


def test_row_rules():
    assert base_quant("Q4_K_M (UD-Q4_K_XL file)") == "Q4_K_M"
    assert row_weight("build x; secondary_single_copy") == 0.5
    assert row_weight("crowd-sourced; low confidence") == 0.25
    assert row_weight("secondary_xcheck(>=2 copies)") == 1.0
    assert unstable(36.23, "host SiFive P550; +-17.62 (unstable)")
    assert not unstable(36.23, "host SiFive P550; +-0.62")
    assert not unstable(36.23, "build e598697d (4696)")


def test_rows_carry_the_benchmark_batch_and_the_devices_dies(rows):
    by_line = {r.line: r for r in rows}
    assert by_line[130].ubatch_tokens == 2048  # DGX Spark: llama-bench -ub 2048
    assert by_line[2].ubatch_tokens == 512  # llama-bench's default
    assert by_line[9].rate.dies == 2 and by_line[3].rate.dies == 1  # M1 Ultra, M1 Pro
    assert 194 not in by_line  # RX 580 tg128 at 36.23 +-17.62: skipped as unstable
