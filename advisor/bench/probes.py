"""Kernel-path probes: generated models of one shape in each quant type, run on the CPU.

A throughput test of one file says how far the estimator is off for that file's kernel path
(advisor.estimate.speed_load.quant_class) on this machine. The probes measure every path the
same way, so the calibration can carry what one file says to files of other quant types
(advisor.estimate.calibration). They are random-weight llama models written with `gguf`
(advisor.bench.synthetic), quantized by llama.cpp itself, large enough to stream from RAM
rather than the CPU's cache, and small enough that all of them run in a few seconds each.
"""

from __future__ import annotations

from advisor.bench.measurement import ModelFile

PROBE_NAME = "advisor-kernel-path-probe"


def probe_shape(model_file: ModelFile) -> str | None:
    """The probe shape a file was generated in (its general.name), or None for other files."""
    name = model_file.name or ""
    return name if name.startswith(PROBE_NAME) else None
