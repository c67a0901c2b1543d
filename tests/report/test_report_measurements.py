"""Throughput tests in the bench store reach the report: the measured speed and power are used,
the confidence rises, and the measurements travel in the JSON (and anonymized)."""

from __future__ import annotations

import dataclasses

import pytest

from advisor.advice_options import AdviceOptions
from advisor.advise import advise
from advisor.bench.store.db import BenchStore
from advisor.probe import load_profile
from advisor.probe.power.draw import HOST_W_BESIDE_GPU
from advisor.report.document import build_document
from advisor.report.models import validate_report
from advisor.workload import load_workloads
from tests.measurement_kit import gpu_measurement


@pytest.fixture
def machine():
    return load_profile("rtx-3090-desktop")


def test_a_measured_file_is_judged_on_itsgpu_measurement(machine, catalog) -> None:
    # Document batch: local and cloud costs lie far apart (chat's are within 25% since Claude
    # Haiku 5.5's 0.10 / 0.50 per Mtok) and no latency limit sits inside an estimate's range,
    # either of which would hold confidence low whatever is measured.
    workloads = load_workloads(["document-batch"])
    before = advise(machine, catalog, workloads, AdviceOptions(cache=False)).verdicts[0]
    chosen = before.option.candidate
    assert before.kind == "local" and chosen.speed_status == "estimated"
    run = gpu_measurement(machine, chosen.model_id, chosen.quant, decode=31.0, prefill=1100.0,
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
        store.add(gpu_measurement(machine, "qwen3.6-27b", "Q4_K_M", 30.0, 1000.0, None))
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
    run = gpu_measurement(machine, "qwen3.6-27b", "Q4_K_M", 30.0, 1000.0, 280.0)
    options = AdviceOptions(cache=False, measurements=(run,))
    advice = advise(machine, catalog, load_workloads(["chat-assistant"]), options)
    assert advice.measurements == (run,)
    other = dataclasses.replace(run, mean_power_w=None)
    options = AdviceOptions(cache=False, measurements=(other,))
    again = advise(machine, catalog, load_workloads(["chat-assistant"]), options)
    assert again.measurements == (other,)


@pytest.mark.parametrize(
    ("part", "key", "value"),
    [("decode", "stdev_tokens_per_s", -1e308), ("prefill", "runs", 1e308),
     ("decode", "mean_tokens_per_s", 99.0)],
)  # fmt: skip
def test_derived_measurement_keys_that_disagree_with_the_samples_are_refused(
    machine, catalog, part, key, value
) -> None:
    """The means, spreads and run counts beside a measurement's samples are not read back, but
    a report whose figures disagree with its own samples was edited: it is refused, not judged."""
    import json

    from advisor.errors import ReportError
    from advisor.report.read import inputs_from_report

    run = gpu_measurement(machine, "qwen3.6-27b", "Q4_K_M", 30.0, 1000.0, 280.0)
    options = AdviceOptions(cache=False, measurements=(run,))
    advice = advise(machine, catalog, load_workloads(["chat-assistant"]), options)
    doc = json.loads(json.dumps(build_document(advice)))
    assert inputs_from_report(doc).measurements == (run,)
    doc["measurements"][0][part][key] = value
    with pytest.raises(ReportError) as caught:
        inputs_from_report(doc)
    assert caught.value.key == f"measurements[0].{part}.{key}"
