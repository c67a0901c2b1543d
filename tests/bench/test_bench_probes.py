"""The kernel-path probes: written with gguf, quantized by llama.cpp, run once per machine."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from advisor.bench.kernels.name import PROBE_NAME, probe_shape
from advisor.bench.kernels.probes import PROBE_QUANTS, write_probes
from advisor.bench.kernels.synthetic import TINY
from advisor.bench.store.db import BenchStore
from advisor.cli import main
from advisor.errors import ExitCode

# Tiny, but with rows of 256 values so llama.cpp quantizes every matrix to the K-quant asked.
SPEC = dataclasses.replace(TINY, n_embd=256, n_ff=512, name=f"{PROBE_NAME}-test")


@pytest.fixture(autouse=True)
def _canary(seeded_canary: bool) -> None:
    """Every test here starts with the canary's answer cached (no child process)."""


@pytest.fixture
def tiny_probes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("advisor.bench.kernels.probes.PROBE_SPEC", SPEC)
    monkeypatch.setattr("advisor.bench.kernels.probes.PROBE_BUDGET_S", 60.0)
    monkeypatch.setattr("advisor.bench.kernels.probes.PROBE_RUNS", 2)


def test_probes_are_real_files_of_each_quant_type(tmp_path: Path) -> None:
    from advisor.bench.run.native import import_llama_cpp
    from advisor.catalog.gguf.file import file_type_name, read_model_file

    files = write_probes(import_llama_cpp(), tmp_path, 1, spec=SPEC)
    assert tuple(files) == PROBE_QUANTS
    sizes = {q: p.stat().st_size for q, p in files.items()}
    assert sizes["F16"] > sizes["Q8_0"] > sizes["Q4_K_M"] > sizes["Q4_0"]
    for quant, path in files.items():
        header = read_model_file(path).header
        assert header.get("general.name") == SPEC.name
        assert file_type_name(header.get("general.file_type")) == quant


def test_a_quantized_file_appears_only_once_complete(tmp_path: Path) -> None:
    """llama.cpp writes the quantized file beside its name; a reader of the name (a second
    benchmark waiting for the file) never sees it half written."""
    from advisor.bench.kernels.probes import quantize
    from advisor.bench.kernels.synthetic import write_synthetic_gguf
    from advisor.bench.run.native import import_llama_cpp

    real = import_llama_cpp()
    target = tmp_path / "probe-Q4_0.gguf"
    seen = []

    class Watched:  # the real llama.cpp, with the write watched
        def __getattr__(self, name):
            return getattr(real, name)

        def llama_model_quantize(self, source, output, params):
            seen.append((output.decode(), target.exists()))
            return real.llama_model_quantize(source, output, params)

    f16 = write_synthetic_gguf(tmp_path / "probe-F16.gguf", "F16", SPEC)
    assert quantize(Watched(), f16, target, "Q4_0", 1) == target
    assert seen == [(seen[0][0], False)] and seen[0][0] != str(target)
    assert target.read_bytes()[:4] == b"GGUF"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["probe-F16.gguf", "probe-Q4_0.gguf"]


def _history() -> list:
    with BenchStore() as store:
        return [r.measurement for r in store.history()]


def test_a_first_cpu_run_adds_the_probes_once(tiny_f16: Path, tiny_probes, capsys) -> None:
    argv = ["bench", str(tiny_f16), "--json", "--runs", "2", "--budget", "120"]
    assert main(argv) == ExitCode.OK
    assert json.loads(capsys.readouterr().out)["model"]["path"] == str(tiny_f16.resolve())
    runs = _history()
    probes = [m for m in runs if probe_shape(m.model)]
    assert len(runs) == 1 + len(PROBE_QUANTS) and len(probes) == len(PROBE_QUANTS)
    assert sorted(m.model.file_type for m in probes) == sorted(PROBE_QUANTS)
    assert all(m.estimated_decode_tokens_per_s and m.decode for m in probes)
    assert main(argv) == ExitCode.OK  # the second run finds them stored
    assert len(_history()) == 2 + len(PROBE_QUANTS)


def test_no_probes_skips_them(tiny_f16: Path, tiny_probes, capsys) -> None:
    argv = ["bench", str(tiny_f16), "--json", "--runs", "2", "--budget", "120", "--no-probes"]
    assert main(argv) == ExitCode.OK
    assert len(_history()) == 1
