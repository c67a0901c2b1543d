"""How a stored run is known to be a kernel-path probe (bench.kernels.probes): its file's name.

Kept apart from advisor.bench.kernels.probes, which writes the files with gguf and numpy, so that
reading a store (every report does) never imports them.
"""

from __future__ import annotations

from advisor.bench.measurement import ModelFile

PROBE_NAME = "advisor-kernel-path-probe"


def probe_shape(model_file: ModelFile) -> str | None:
    """The probe shape a file was generated in (its general.name), or None for other files."""
    name = model_file.name or ""
    return name if name.startswith(PROBE_NAME) else None
