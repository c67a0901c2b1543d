"""The estimate stage: memory, placement, longest context and speed of a model on a machine.

`estimate(machine, model, quant, context_tokens=...)` is the one call front ends and the
ranking use. It is pure (no I/O) and cheap: tensor layouts and per-block sums are cached per
(architecture, quant), so the whole catalog can be estimated for a machine in milliseconds.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

from advisor.estimate.estimate import Estimate
from advisor.estimate.kv_types import KV_TYPES
from advisor.estimate.memory import MemoryBreakdown

if TYPE_CHECKING:
    from collections.abc import Callable

    from advisor.catalog.model import Model
    from advisor.estimate.calibration.values import Calibration
    from advisor.estimate.placement import MemoryMode
    from advisor.probe.machine import Machine

__all__ = ["KV_TYPES", "Estimate", "MemoryBreakdown", "estimate"]


def estimate(
    machine: Machine,
    model: Model,
    quant: str,
    *,
    context_tokens: int,
    kv_type: str = "f16",
    mode: MemoryMode = "dedicated",
    gpu_layers: int | None = None,
    calibration: Calibration | None = None,
    flash_attn: bool | None = None,
    detail: bool = True,
) -> Estimate:
    """Memory, placement, longest context and speed of `model` at `quant` on `machine`.

    Defaults are llama-server's (advisor.estimate.settings); `flash_attn` None means its
    "auto", which every backend resolves to on. `gpu_layers` forces -ngl;
    otherwise the fastest placement that fits is chosen. `calibration` (from
    advisor.bench.calibrate.from_store.load_calibration) rescales the speed by this machine's runs
    where advisor.estimate.calibration.apply.scaling_for says it applies.
    `detail` False is for searches that look at many files and report few: the Estimate then
    leaves out the longest context, the reasons and the speed's basis (None, () and ()),
    which cost more than the rest; estimate the files you report again with `detail` True.
    Raises ValueError for an unknown quant, KV type or memory mode.
    """
    return _assembly()(machine, model, quant, context_tokens=context_tokens, kv_type=kv_type,
                       mode=mode, gpu_layers=gpu_layers, calibration=calibration,
                       flash_attn=flash_attn, detail=detail)  # fmt: skip


@functools.cache
def _assembly() -> Callable[..., Estimate]:
    """advisor.estimate.assemble.assemble, imported when first asked for (importing this
    package stays light: a run whose estimates all come from a cache never needs the speed
    model behind it), and once: a search makes thousands of estimates."""
    from advisor.estimate.assemble import assemble

    return assemble
