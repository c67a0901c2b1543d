"""A live check: llama.cpp loads a sparse GGUF of a real architecture and allocates exactly the
weights and cache the estimate predicts (skipped without llama-cpp-python)."""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

import pytest
from estimate_archs import arch

from advisor.units import MIB

pytest.importorskip("llama_cpp")
sys.path.insert(0, str(Path(__file__).parents[2] / "scripts" / "memory"))

from measure import Setting, measure  # noqa: E402

from advisor.catalog.tensors.layout import quant_tensor_bytes  # noqa: E402
from advisor.estimate.kv import kv_layout  # noqa: E402


@pytest.mark.parametrize(("model_id", "quant"), [("qwen3-0.6b", "Q4_K_M"),
                                                 ("lfm2-1.2b", "Q8_0")])  # fmt: skip
def test_llama_cpp_allocates_what_the_estimate_says(model_id: str, quant: str) -> None:
    a = arch(model_id)
    got = measure(dataclasses.asdict(a), quant, Setting(4096), timeout_s=600)
    assert got.model_mib == pytest.approx(quant_tensor_bytes(a, quant).total_bytes / MIB,
                                          abs=0.01)  # fmt: skip
    layout = kv_layout(a, 4096)
    assert got.kv_mib == pytest.approx(sum(layout.kv_bytes) / MIB, abs=0.01)
    assert got.rs_mib == pytest.approx(sum(layout.state_bytes) / MIB, abs=0.01)
