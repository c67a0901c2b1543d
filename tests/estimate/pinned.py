"""Pinned outputs: the machines, estimates and verdicts whose every field must stay as recorded.

The estimator's fast paths (precomputed model-file facts, placement arithmetic, the longest
context found without a search) must give exactly what the object-by-object code gave. These
helpers build a fixed set of machines (every reference profile, the kinds of variant an audit
meets, the machines its upgrade search builds) and digest the repr of each result: repr shows
every field, floats to the last bit.

    python tests/estimate/pinned.py    # rewrite tests/estimate/data/estimate_pins.json

Regenerate only when a change of results is meant (a catalog or constants update), and say so.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import sys
from collections.abc import Iterator
from pathlib import Path

from advisor.advice_options import AdviceOptions
from advisor.advise import advise
from advisor.bench.measurement import BenchSettings, Measurement, ModelFile, Throughput
from advisor.estimate import estimate
from advisor.estimate.assemble import placement_contexts_for
from advisor.probe import list_profiles, load_profile, machine_fingerprint
from advisor.probe.machine import Machine
from advisor.probe.specs.upgrades import apply_change, gpu_changes, ram_changes
from advisor.units import GIB

PINS = Path(__file__).resolve().parent / "data" / "estimate_pins.json"
# Each file is estimated at one of these, in turn: short, the presets' contexts, past most
# models' training context, and the longest any catalog model takes.
CONTEXTS = (4096, 8192, 32768, 49152, 65536, 200_000, 1_048_576)
PRESETS = ("chat-assistant", "coding-agent", "document-batch", "rag-summarisation", "support-bot")


def digest(value: object) -> str:
    return hashlib.sha256(repr(value).encode()).hexdigest()[:16]


def _memory(machine: Machine, **changes) -> Machine:
    return dataclasses.replace(machine, memory=dataclasses.replace(machine.memory, **changes))


def machines() -> dict[str, Machine]:
    """Every reference profile and audit-style variants of some, by name."""
    found = {name: load_profile(name) for name in list_profiles()}
    desk, laptop = found["rtx-4090-desktop"], found["office-laptop-8gb"]
    found["4090-16gb-measured"] = _memory(
        desk, ram_total_bytes=16 * GIB, bandwidth_measured_gbs=51.3
    )
    found["laptop-measured"] = _memory(laptop, bandwidth_measured_gbs=21.7)
    found["laptop-no-bandwidth"] = _memory(
        laptop, bandwidth_measured_gbs=None, bandwidth_theoretical_gbs=None
    )
    found["laptop-free-ram"] = _memory(laptop, ram_available_bytes=3 * GIB)
    mac = found["macbook-air-m2-16gb"]
    found["mac-24gb"] = dataclasses.replace(
        _memory(mac, ram_total_bytes=24 * GIB, bandwidth_measured_gbs=70.4),
        gpu_working_set_bytes=16 * GIB,
    )
    found["dual-3090-32gb"] = _memory(found["dual-rtx-3090"], ram_total_bytes=32 * GIB)
    small = found["rtx-3060-desktop"]
    found["3060+16gb"] = apply_change(small, ram_changes(small, None)[1])
    for change in gpu_changes(small)[::2]:
        found[f"3060->{change.spec_name}"] = apply_change(small, change)
    return found


def _estimates(machine: Machine, catalog) -> Iterator[tuple[str, object]]:
    turn = 0
    for model in catalog.models:
        for quant in model.quants:
            context = CONTEXTS[turn % len(CONTEXTS)]
            turn += 1
            est = estimate(machine, model, quant.type, context_tokens=context)
            yield f"{model.id}/{quant.type}", est


def _settings(machine: Machine, catalog) -> Iterator[tuple[str, object]]:
    """Other settings and the per-placement contexts, on a few models of each kind."""
    for model in catalog.models[::9]:
        quant = model.quants[len(model.quants) // 2].type
        for name, kw in (
            ("now", {"mode": "now"}),
            ("q8_0", {"kv_type": "q8_0"}),
            ("no-fa", {"flash_attn": False}),
            ("ngl10", {"gpu_layers": 10}),
            ("ngl0", {"gpu_layers": 0}),
        ):
            est = estimate(machine, model, quant, context_tokens=32768, **kw)
            yield f"{model.id}/{quant}/{name}", est
            yield f"{model.id}/{quant}/{name}/contexts", placement_contexts_for(machine, model, est)


def estimate_pins(machine: Machine, catalog) -> dict[str, str]:
    """model id -> digest of every estimate of its files (and settings) on `machine`."""
    grouped: dict[str, list] = {}
    for key, value in (*_estimates(machine, catalog), *_settings(machine, catalog)):
        grouped.setdefault(key.split("/")[0], []).append((key, value))
    return {model: digest(items) for model, items in grouped.items()}


def measured(machine: Machine, model_id: str, quant: str) -> Measurement:
    """A throughput test of one file on `machine`, as a report would carry it."""
    settings = BenchSettings(
        n_gpu_layers=-1, n_threads=machine.cpu.physical_cores, n_ctx=640, n_batch=2048,
        n_ubatch=512, kv_type="f16", flash_attn="auto", extra_buffers=True,
        llama_cpp_version="0.3.36", backend=machine.backend,
    )  # fmt: skip
    model = ModelFile(
        path="/models/model.gguf", size_bytes=17_000_000_000, header_sha256="ab" * 32,
        model_id=model_id, quant=quant, n_layers=64,
    )  # fmt: skip
    return Measurement(
        machine_fingerprint=machine_fingerprint(machine), model=model, settings=settings,
        placement="gpu", load_s=4.0,
        prefill=Throughput("pp512", 512, (1090.0, 1100.0, 1110.0)),
        decode=Throughput("tg128", 128, (30.7, 31.0, 31.3)),
        started_at="2026-11-24T10:00:00+00:00", duration_s=25.0, budget_s=30.0,
        mean_power_w=300.0,
    )  # fmt: skip


def advice_pins(machine: Machine, catalog, workloads, measurements=()) -> dict[str, str]:
    """Workload name -> digest of its verdict; "candidates" -> digest of the top candidates.

    Options as an audit sets them (no disk cache); the workload enters as its name.
    """
    options = AdviceOptions(cache=False, measurements=tuple(measurements))
    advice = advise(machine, catalog, workloads, options)
    pins = {
        v.workload.name: digest(dataclasses.replace(v, workload=v.workload.name))
        for v in advice.verdicts
    }
    pins["candidates"] = digest(advice.candidates)
    return pins


def compute(catalog, workloads) -> dict[str, dict]:
    found = machines()
    pins: dict[str, dict] = {"estimates": {}, "advice": {}}
    for name, machine in found.items():
        pins["estimates"][name] = estimate_pins(machine, catalog)
        pins["advice"][name] = advice_pins(machine, catalog, workloads)
    box = found["rtx-3090-desktop"]
    tests = (measured(box, "qwen3.6-27b", "Q4_K_M"), measured(box, "gemma-4-26b-a4b-it", "Q6_K"))
    pins["advice"]["rtx-3090-desktop+measured"] = advice_pins(box, catalog, workloads, tests)
    return pins


def main() -> int:
    from advisor.catalog import load_catalog
    from advisor.workload import load_workloads

    pins = compute(load_catalog(overlay=False), load_workloads(list(PRESETS)))
    PINS.write_text(json.dumps(pins, indent=1, sort_keys=True) + "\n")
    print(f"wrote {PINS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
