"""Throughput tests in the bench store reach the report: the measured speed and power are used,
the confidence rises, and the measurements travel in the JSON (and anonymized)."""

from __future__ import annotations

import dataclasses

import pytest

from advisor.advise import AdviceOptions, advise
from advisor.bench.measurement import BenchSettings, Measurement, ModelFile, Throughput
from advisor.bench.store import BenchStore
from advisor.probe import load_profile, machine_fingerprint
from advisor.report.document import build_document
from advisor.report.models import validate_report
from advisor.verdict.power import HOST_W_BESIDE_GPU
from advisor.verdict.workload import load_workloads


def _measurement(machine, model_id: str, quant: str, decode: float, prefill: float, watts):
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


@pytest.fixture
def machine():
    return load_profile("rtx-3090-desktop")


def test_a_measured_file_is_judged_on_its_measurement(machine, catalog) -> None:
    workloads = load_workloads(["chat-assistant"])
    before = advise(machine, catalog, workloads, AdviceOptions(cache=False)).verdicts[0]
    chosen = before.option.candidate
    assert before.kind == "local" and chosen.speed_status == "estimated"
    run = _measurement(machine, chosen.model_id, chosen.quant, decode=31.0, prefill=1100.0,
                       watts=300.0)  # fmt: skip
    with BenchStore() as store:
        store.add(run)
    advice = advise(machine, catalog, workloads, AdviceOptions(cache=False))
    after = advice.verdicts[0]
    option = after.option.candidate
    assert (option.model_id, option.quant) == (chosen.model_id, chosen.quant)
    assert option.speed_status == "measured"
    assert option.estimate.speed.decode_tokens_per_s == pytest.approx(31.0)
    assert option.power.status == "measured"
    assert option.power.watts == pytest.approx(300.0 + HOST_W_BESIDE_GPU)
    assert "decode and prefill speed" in after.confidence.measured
    assert after.confidence.level == "high"
    assert advice.measurements == (run,)


def test_measurements_travel_in_the_json_and_lose_paths_when_anonymized(machine, catalog):
    with BenchStore() as store:
        store.add(_measurement(machine, "qwen3.6-27b", "Q4_K_M", 30.0, 1000.0, None))
    advice = advise(machine, catalog, load_workloads(["support-bot"]), AdviceOptions(cache=False))
    plain = build_document(advice)
    anon = build_document(advice, anonymize=True)
    validate_report(plain)
    validate_report(anon)
    assert plain["measurements"][0]["model"]["path"] == "/home/someone/models/model.gguf"
    assert anon["measurements"][0]["model"]["path"] == "model.gguf"
    assert anon["measurements"][0]["machine_fingerprint"] == anon["machine_id"]
    assert plain["measurements"][0]["decode"]["mean_tokens_per_s"] == pytest.approx(30.0)


def test_a_report_re_judged_with_its_own_measurements(machine, catalog) -> None:
    run = _measurement(machine, "qwen3.6-27b", "Q4_K_M", 30.0, 1000.0, 280.0)
    options = AdviceOptions(cache=False, measurements=(run,))
    advice = advise(machine, catalog, load_workloads(["chat-assistant"]), options)
    assert advice.measurements == (run,)
    other = dataclasses.replace(run, mean_power_w=None)
    options = AdviceOptions(cache=False, measurements=(other,))
    again = advise(machine, catalog, load_workloads(["chat-assistant"]), options)
    assert again.measurements == (other,)
