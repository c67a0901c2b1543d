"""Measurements built by hand, for tests of the store and the calibration maths."""

from __future__ import annotations

import dataclasses

from advisor.bench.measurement import BenchSettings, Measurement, ModelFile, Throughput


def settings(**kw) -> BenchSettings:
    values = dict(
        n_gpu_layers=0,
        n_threads=8,
        n_ctx=640,
        n_batch=2048,
        n_ubatch=512,
        kv_type="f16",
        flash_attn="auto",
        extra_buffers=True,
        llama_cpp_version="0.3.36",
        backend="cpu",
    )
    values.update(kw)
    return BenchSettings(**values)


def measurement(
    *,
    fingerprint: str = "m-aaaa",
    file: str = "a",
    decode: float | None = 20.0,
    prefill: float | None = 200.0,
    estimated_decode: float | None = None,
    estimated_prefill: float | None = None,
    placement: str = "cpu",
    model_id: str | None = None,
    quant: str | None = None,
    started_at: str = "2026-11-24T10:00:00+00:00",
    interrupted: bool = False,
    **setting_overrides,
) -> Measurement:
    """A run of file `file` (its identity is derived from the name) with the given rates."""
    s = settings(**setting_overrides)
    model = ModelFile(
        path=f"/models/{file}.gguf",
        size_bytes=1000 + len(file),
        header_sha256=(file * 64)[:64],
        name=file,
        architecture="llama",
        file_type=quant or "Q4_K_M",
        n_params=8_000_000_000,
        n_layers=32,
        model_id=model_id,
        quant=quant,
    )
    return Measurement(
        machine_fingerprint=fingerprint,
        model=model,
        settings=s,
        placement=placement,  # type: ignore[arg-type]
        load_s=1.5,
        prefill=_rates(f"pp{s.n_prompt}", s.n_prompt, prefill),
        decode=_rates(f"tg{s.n_gen}", s.n_gen, decode),
        started_at=started_at,
        duration_s=25.0,
        budget_s=30.0,
        interrupted=interrupted,
        peak_rss_bytes=6 * 2**30,
        estimated_decode_tokens_per_s=estimated_decode,
        estimated_prefill_tokens_per_s=estimated_prefill,
        notes=("a note",),
        unknown={"peak_vram_bytes": "no GPU"},
    )


def _rates(test: str, n: int, mean: float | None) -> Throughput | None:
    if mean is None:
        return None
    return Throughput(test, n, (mean * 0.98, mean, mean * 1.02))


def relabel(m: Measurement, **model_fields) -> Measurement:
    return dataclasses.replace(m, model=dataclasses.replace(m.model, **model_fields))
