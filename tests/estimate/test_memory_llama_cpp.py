"""Memory estimates against what llama.cpp itself allocated for real architectures.

data/llama_cpp_memory.csv was recorded by scripts/memory/record.py: a GGUF with each model's
exact header and a sparse data region, loaded on the CPU by llama-cpp-python 0.3.36, buffer
sizes read from llama.cpp's log. Weights, KV cache and recurrent state must match to the
byte (they are sizes of known tensors); compute buffers come from a model of the graph's peak.
"""

from __future__ import annotations

import csv
import json
import statistics

import pytest
from estimate_archs import DATA
from estimate_machines import cpu_machine

from advisor.catalog.model import Architecture
from advisor.estimate.budget import device_budgets
from advisor.estimate.fit import Planner
from advisor.estimate.settings import RunSettings
from advisor.files.strict import validate
from advisor.units import MIB

COMPUTE_TOLERANCE = 0.12  # worst case today 10.7% (Nemotron-H, q8_0 cache at 32k); median 0.3%


def _rows() -> list[dict[str, str]]:
    with open(DATA / "llama_cpp_memory.csv", newline="") as handle:
        return list(csv.DictReader(handle))


def _cpu_share(row: dict[str, str]):
    arch = validate(Architecture, json.loads(row["arch_json"]))
    settings = RunSettings(row["kv_type"], row["flash_attn"] == "1", int(row["n_batch"]),
                           int(row["n_ubatch"]))  # fmt: skip
    machine = cpu_machine(ram_gb=4096)
    planner = Planner(arch, row["quant"], settings, device_budgets(machine), backend="cpu",
                      mode="dedicated")  # fmt: skip
    option = planner.option(int(row["context"]), 0)
    (share,) = planner.shares(option)
    return planner, share


def _id(row: dict[str, str]) -> str:
    return (f"{row['model_id']}-{row['quant']}-{row['context']}-{row['kv_type']}"
            f"-fa{row['flash_attn']}-ub{row['n_ubatch']}")  # fmt: skip


@pytest.mark.parametrize("row", _rows(), ids=_id)
def test_weights_kv_and_state_match_llama_cpp(row: dict[str, str]) -> None:
    planner, share = _cpu_share(row)
    assert share.weights_bytes / MIB == pytest.approx(float(row["model_mib"]), abs=0.01)
    cache = float(row["kv_mib"]) + float(row["rs_mib"])
    assert share.kv_cache_bytes / MIB == pytest.approx(cache, abs=0.02)


@pytest.mark.parametrize("row", _rows(), ids=_id)
def test_compute_buffer_close_to_llama_cpp(row: dict[str, str]) -> None:
    _, share = _cpu_share(row)
    assert share.compute_bytes / MIB == pytest.approx(float(row["compute_mib"]),
                                                      rel=COMPUTE_TOLERANCE)  # fmt: skip


def test_compute_buffer_median_error_is_small() -> None:
    errors = []
    for row in _rows():
        _, share = _cpu_share(row)
        measured = float(row["compute_mib"])
        errors.append(abs(share.compute_bytes / MIB - measured) / measured)
    assert statistics.median(errors) < 0.02
    assert sum(e > 0.05 for e in errors) <= 11  # 10 of 87 today
