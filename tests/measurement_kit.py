"""A stored throughput test as `advisor bench` writes it, for tests of what reads one."""

from __future__ import annotations

from advisor.bench.measurement import BenchSettings, Measurement, ModelFile, Throughput
from advisor.probe import machine_fingerprint


def gpu_measurement(machine, model_id: str, quant: str, decode: float, prefill: float,
                    watts: float | None = 300.0) -> Measurement:  # fmt: skip
    """A full-offload CUDA run of `model_id` `quant` on `machine`: pp512 `prefill` and tg128
    `decode` tokens/s (±1%), drawing `watts`."""
    settings = BenchSettings(
        n_gpu_layers=-1, n_threads=machine.cpu.physical_cores, n_ctx=640, n_batch=2048,
        n_ubatch=512, kv_type="f16", flash_attn="auto", extra_buffers=True,
        llama_cpp_version="0.3.36", backend="cuda",
    )  # fmt: skip
    model = ModelFile(
        path="/home/someone/models/model.gguf", size_bytes=17_000_000_000,
        header_sha256="ab" * 32, model_id=model_id, quant=quant, n_layers=64,
    )  # fmt: skip
    return Measurement(
        machine_fingerprint=machine_fingerprint(machine), model=model, settings=settings,
        placement="gpu", load_s=4.0,
        prefill=Throughput("pp512", 512, (prefill * 0.99, prefill, prefill * 1.01)),
        decode=Throughput("tg128", 128, (decode * 0.99, decode, decode * 1.01)),
        started_at="2026-11-24T10:00:00+00:00", duration_s=25.0, budget_s=30.0,
        mean_power_w=watts,
    )  # fmt: skip
