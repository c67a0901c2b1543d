"""Hardware facts behind the speed model: Apple GPU throughput by generation, multi-die chips."""

from __future__ import annotations

import dataclasses

import pytest

from advisor.catalog import load_catalog
from advisor.catalog.tensors.layout import quant_tensor_bytes
from advisor.estimate.memory import MemoryBreakdown
from advisor.estimate.placement import DeviceShare, Placement
from advisor.estimate.speed.hardware import apple_generation, apple_gpu_tflops, memory_dies
from advisor.estimate.speed.predict import predict_speed
from advisor.probe.profiles.load import load_profile


@pytest.mark.parametrize(
    ("name", "dies"),
    [
        ("Apple M1 Ultra (48-core GPU)", 2),
        ("Apple M2 Ultra", 2),
        ("Apple M3 Ultra", 2),
        ("Apple M3 Max (40-core GPU)", 1),
        ("Apple M4 Pro", 1),
        ("NVIDIA GeForce RTX 4090", 1),
        ("AMD Ryzen AI Max+ 395 / Radeon 8060S (Strix Halo)", 1),
    ],
)
def test_only_apples_ultrafusion_chips_span_two_memory_dies(name, dies):
    assert memory_dies(name) == dies


def test_apple_gpu_throughput_follows_the_published_figure_of_its_generation():
    assert apple_generation("Apple M1 Max (32-core GPU)") == "M1"
    assert apple_gpu_tflops("Apple M1 Max (32-core GPU)", 32)[0] == pytest.approx(10.4)
    assert apple_gpu_tflops("Apple M2", 10)[0] == pytest.approx(3.6)
    tflops, source = apple_gpu_tflops("Apple M4 Max", 40)
    assert tflops == pytest.approx(14.4) and "M2" in source  # unpublished: M2's figure


@pytest.fixture(scope="module")
def catalog():
    return load_catalog(overlay=False)


def _speed(machine, catalog, model_id="llama-3.1-8b-instruct", quant="Q4_K_M"):
    model = catalog.find(model_id)
    weights = quant_tensor_bytes(model.architecture, quant).total_bytes
    layers = model.architecture.n_layers
    share = DeviceShare("gpu0", layers + 1, weights, 0, 0, 0, None)
    placement = Placement("gpu", layers + 1, layers + 1, False, "vram", "dedicated", (share,))
    return predict_speed(machine, model, quant, placement, MemoryBreakdown(weights, 0, 0, 0),
                         context_tokens=4096)  # fmt: skip


def test_an_ultra_decodes_slower_than_one_die_with_the_same_bandwidth(catalog):
    ultra = load_profile("mac-studio-m3-ultra-512gb")
    gpu = ultra.gpus[0]
    one_die = dataclasses.replace(
        ultra, gpus=(dataclasses.replace(gpu, name="Apple M3 Max"),)
    )  # same bandwidth and cores, one die
    two, one = _speed(ultra, catalog), _speed(one_die, catalog)
    assert two.decode_tokens_per_s < 0.9 * one.decode_tokens_per_s
    figures = {f.name: f for f in two.basis}
    assert figures["gpu0.memory_dies"].value == 2
    assert figures["decode.multi_die"].status == "fitted"
    assert "gpu0.memory_dies" not in {f.name for f in one.basis}
