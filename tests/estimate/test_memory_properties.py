"""Properties the memory estimate must keep whatever the model and machine."""

from __future__ import annotations

from estimate_archs import architectures, model
from estimate_machines import gpu_machine
from hypothesis import given, settings
from hypothesis import strategies as st

from advisor.estimate import estimate
from advisor.estimate.budget import device_budgets
from advisor.estimate.fit import Planner
from advisor.estimate.kv import kv_layout
from advisor.estimate.settings import RunSettings

MODEL_IDS = sorted(architectures())
FIXED = settings(max_examples=60, deadline=None, derandomize=True)


@FIXED
@given(
    model_id=st.sampled_from(MODEL_IDS),
    kv_type=st.sampled_from(["f16", "q8_0", "q4_0"]),
    short=st.integers(1, 200_000),
    extra=st.integers(0, 200_000),
)
def test_more_context_never_needs_less_cache(model_id, kv_type, short, extra) -> None:
    a = architectures()[model_id]
    assert (
        kv_layout(a, short + extra, kv_type).total_bytes >= kv_layout(a, short, kv_type).total_bytes
    )


@FIXED
@given(
    model_id=st.sampled_from(MODEL_IDS),
    ngl_fraction=st.floats(0, 1),
    flash_attn=st.booleans(),
    short=st.integers(1, 100_000),
    extra=st.integers(0, 100_000),
)
def test_more_context_never_needs_less_memory_on_any_device(
    model_id, ngl_fraction, flash_attn, short, extra
) -> None:
    machine = gpu_machine(24, 24, ram_gb=256)
    a = architectures()[model_id]
    planner = Planner(a, "Q4_K_M", RunSettings(flash_attn=flash_attn), device_budgets(machine),
                      backend="cuda", mode="dedicated")  # fmt: skip
    ngl = round(ngl_fraction * (a.n_layers + 1))
    small = dict(planner.option(short, ngl).totals)
    large = dict(planner.option(short + extra, ngl).totals)
    assert all(large[d] >= need for d, need in small.items())


@FIXED
@given(
    model_id=st.sampled_from(["llama-3.1-8b-instruct", "qwen2.5-14b-instruct", "gemma-3-12b-it",
                              "qwen3.5-9b", "phi-4", "llama-3-70b-instruct"]),
    vram=st.floats(2, 40),
    more=st.floats(0, 40),
    context=st.sampled_from([2048, 8192, 32768]),
)  # fmt: skip
def test_more_vram_never_yields_fewer_gpu_layers(model_id, vram, more, context) -> None:
    m = model(model_id)
    small = estimate(gpu_machine(vram, ram_gb=192), m, "Q4_K_M", context_tokens=context)
    large = estimate(gpu_machine(vram + more, ram_gb=192), m, "Q4_K_M", context_tokens=context)
    if small.fits:
        assert large.fits
        assert large.placement.gpu_layers >= small.placement.gpu_layers
