"""Which -ngl a run uses, and which backend a llama-cpp-python build offloads to."""

from __future__ import annotations

import argparse
from types import SimpleNamespace

import pytest

from advisor.bench.calibrate import estimates
from advisor.bench.calibrate.estimates import Prediction
from advisor.bench.run.native import backend_name
from advisor.commands.bench import _offload


def _llama(gpu: bool, info: str = "CPU : SSE3 = 1 | AVX2 = 1 |") -> SimpleNamespace:
    return SimpleNamespace(
        llama_supports_gpu_offload=lambda: gpu,
        llama_print_system_info=lambda: info.encode(),
    )


@pytest.mark.parametrize(
    ("gpu", "info", "expected"),
    [
        (False, "CPU : AVX2 = 1 |", "cpu"),
        (True, "CUDA : ARCHS = 890 | USE_GRAPHS = 1 | CPU : AVX2 = 1 |", "cuda"),
        (True, "Metal : EMBED_LIBRARY = 1 | CPU : NEON = 1 |", "metal"),
        (True, "ROCm : ... HIP", "rocm"),
        (True, "Vulkan : ...", "vulkan"),
    ],
)
def test_backend_name(gpu: bool, info: str, expected: str) -> None:
    assert backend_name(_llama(gpu, info)) == expected


def _args(**kw) -> argparse.Namespace:
    values = dict(gpu_layers=None, prompt_tokens=512, gen_tokens=128, kv_type="f16")
    values.update(kw)
    return argparse.Namespace(**values)


@pytest.fixture
def asked(monkeypatch: pytest.MonkeyPatch) -> list[int | None]:
    """The gpu_layers each estimate was asked for; the estimator recommends 20 of 33."""
    calls: list[int | None] = []

    def predict(machine, model_file, *, context_tokens, kv_type, gpu_layers):
        calls.append(gpu_layers)
        assert context_tokens == 640
        return Prediction(30.0, 900.0, 20 if gpu_layers is None else gpu_layers)

    monkeypatch.setattr(estimates, "predict", predict)
    return calls


def test_a_cpu_build_runs_on_the_cpu_whatever_is_asked(asked, capsys) -> None:
    ngl, prediction = _offload(_args(gpu_layers=10), _llama(False), None, None)
    assert (ngl, asked) == (0, [0])
    assert "no GPU backend" in capsys.readouterr().err


def test_gpu_layers_given_are_used(asked) -> None:
    ngl, prediction = _offload(_args(gpu_layers=12), _llama(True), None, None)
    assert (ngl, asked, prediction.gpu_layers) == (12, [12], 12)


def test_the_estimators_recommendation_is_used(asked) -> None:
    ngl, prediction = _offload(_args(), _llama(True), None, None)
    assert (ngl, asked) == (20, [None])
    assert prediction.decode_tokens_per_s == 30.0


def test_without_a_recommendation_every_layer_goes(monkeypatch, capsys) -> None:
    def predict(*args, **kw):
        return Prediction(None, None, None, "no estimate for this file: unknown architecture")

    monkeypatch.setattr(estimates, "predict", predict)
    ngl, prediction = _offload(_args(), _llama(True), None, None)
    assert ngl == -1
    assert "offloading every layer" in capsys.readouterr().err
