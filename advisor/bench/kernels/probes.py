"""Kernel-path probes: generated models of one shape in each quant type, run on the CPU.

A throughput test of one file says how far the estimator is off for that file's kernel path
(advisor.estimate.speed.load.quant_class) on this machine. The probes measure the paths the
same way, so the calibration can carry what one file says to files of other quant types
(advisor.estimate.calibration): it rescales a kernel path, not the whole machine. They are
random-weight llama models written with `gguf` (advisor.bench.kernels.synthetic) in F16 and
quantized by llama.cpp itself (as llama-quantize would, output tensor and all), about 93 M
parameters: 52 MB in Q4_0, more than this class of CPU's last-level cache, so decode
streams from RAM as a real model's does, and a short pp512/tg128 run takes a few seconds.

`advisor bench` runs them once per machine, backend and llama.cpp version, after a CPU run
that can calibrate; the files are generated in a temporary folder and removed afterwards.
"""

from __future__ import annotations

import ctypes
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from advisor.bench.kernels.name import PROBE_NAME, probe_shape
from advisor.bench.kernels.synthetic import SyntheticSpec, write_synthetic_gguf
from advisor.bench.measurement import Measurement
from advisor.bench.run.native import LlamaLog

PROBE_SPEC = SyntheticSpec(
    n_vocab=384, n_embd=1024, n_layer=8, n_head=16, n_head_kv=8, n_ff=2816, seed=7,
    name=f"{PROBE_NAME}-v1-1024x8",
)  # fmt: skip
# One file per kernel path the CPU estimate distinguishes (f16, q8_0, legacy, kquant).
PROBE_QUANTS: tuple[str, ...] = ("F16", "Q8_0", "Q4_0", "Q4_K_M")
PROBE_BUDGET_S = 20.0  # each probe: load, warm-up, and up to PROBE_RUNS of pp512 and tg128
PROBE_RUNS = 3


def needs_probes(store, fingerprint: str, backend: str, llama_cpp_version: str) -> bool:
    """True until this machine has a run of every probe with this backend and llama.cpp."""
    found = set()
    for run in store.calibration_runs(fingerprint):
        m = run.measurement
        same = (m.settings.backend, m.settings.llama_cpp_version) == (backend, llama_cpp_version)
        if same and probe_shape(m.model) == PROBE_SPEC.name:
            found.add(m.model.file_type)
    return not set(PROBE_QUANTS) <= found


def quantize(llama_cpp, source: Path, target: Path, quant: str, threads: int) -> Path:
    """`source` (F16) quantized to `quant` by llama.cpp's own quantizer (llama-quantize)."""
    from advisor.errors import BenchError

    ftype = getattr(llama_cpp, f"LLAMA_FTYPE_MOSTLY_{quant.upper()}", None)
    if ftype is None:
        raise BenchError(f"this llama.cpp cannot quantize to {quant}")
    params = llama_cpp.llama_model_quantize_default_params()
    params.ftype = ftype
    params.nthread = threads
    # Written beside the target and renamed once complete: a reader never sees half a file.
    partial = target.with_name(f".{target.name}.{os.getpid()}.partial")
    try:
        with LlamaLog(llama_cpp):  # its per-tensor log lines are not for the terminal
            failed = llama_cpp.llama_model_quantize(
                str(source).encode(), str(partial).encode(), ctypes.byref(params)
            )
        if failed:
            raise BenchError(f"llama.cpp could not quantize the probe to {quant}")
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return target


def write_probes(llama_cpp, folder: Path, threads: int, quants: tuple[str, ...] = PROBE_QUANTS,
                 spec: SyntheticSpec | None = None) -> dict[str, Path]:  # fmt: skip
    """The probe files, by quant type, written into `folder` (`spec`: PROBE_SPEC)."""
    f16 = write_synthetic_gguf(folder / "probe-F16.gguf", "F16", spec or PROBE_SPEC)
    files = {"F16": f16}
    for quant in quants:
        if quant != "F16":
            files[quant] = quantize(llama_cpp, f16, folder / f"probe-{quant}.gguf", quant, threads)
    return {q: files[q] for q in quants}


def run_probes(
    run_one: Callable[[Path, str], Measurement],
    llama_cpp,
    threads: int,
    quants: tuple[str, ...] = PROBE_QUANTS,
) -> tuple[list[Measurement], list[str]]:
    """Write the probes in a temporary folder and run `run_one(path, quant)` on each; the
    runs, and a line for each probe that could not run (the others still do)."""
    from advisor.errors import BenchError

    runs, failed = [], []
    with tempfile.TemporaryDirectory(prefix="advisor-probes-") as tmp:
        files = write_probes(llama_cpp, Path(tmp), threads, quants)
        for quant, path in files.items():
            try:
                runs.append(run_one(path, quant))
            except BenchError as err:
                failed.append(f"{quant}: {err.message}")
    return runs, failed
