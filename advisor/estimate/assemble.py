"""Builds an Estimate: budgets, placement choice, memory totals, speed, reasons in words."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache, lru_cache

from advisor.catalog.model import Model
from advisor.estimate.budget import Budgets, device_budgets
from advisor.estimate.calibration.apply import apply_calibration
from advisor.estimate.calibration.values import Calibration, Target
from advisor.estimate.estimate import Estimate
from advisor.estimate.fit import (
    Option,
    Planner,
    choices,
    pick,
    placement_contexts,
    to_placement,
)
from advisor.estimate.fit_sums import cpu_only_fits
from advisor.estimate.memory import MemoryBreakdown
from advisor.estimate.placement import MemoryMode, Placement, Pool
from advisor.estimate.settings import RunSettings
from advisor.estimate.speed.figures import Speed
from advisor.estimate.speed.predict import speed_of_placement
from advisor.probe.machine import Machine
from advisor.units import GIB


def memory_of(shares) -> MemoryBreakdown:
    weights = kv = compute = overhead = 0
    for s in shares:
        weights += s.weights_bytes
        kv += s.kv_cache_bytes
        compute += s.compute_bytes
        overhead += s.overhead_bytes
    return MemoryBreakdown(weights, kv, compute, overhead)


def _pool(option: Option, budgets: Budgets) -> Pool:
    if option.kind == "cpu":
        return "ram"
    return "unified" if budgets.unified else "vram"


def _device_name(machine: Machine, device: str) -> str:
    if device == "cpu":
        return "RAM"
    gpu = next((g for g in machine.gpus if f"gpu{g.index}" == device), None)
    return f"{gpu.name} ({device})" if gpu else device


def _share_line(machine: Machine, s, budgets: Budgets) -> str:
    basis = budgets.cpu.basis if s.device == "cpu" else next(
        b.basis for b in budgets.gpus if b.device == s.device)  # fmt: skip
    room = "unknown" if s.available_bytes is None else f"{s.available_bytes / GIB:.1f} GiB"
    return (f"{_device_name(machine, s.device)}: needs {s.total_bytes / GIB:.1f} GiB (weights "
            f"{s.weights_bytes / GIB:.1f} GiB + KV {s.kv_cache_bytes / GIB:.1f} GiB + compute "
            f"{s.compute_bytes / GIB:.1f} GiB + overhead {s.overhead_bytes / GIB:.1f} GiB) of "
            f"{room} ({basis})")  # fmt: skip


def _placement_line(option: Option, n_layers: int) -> str:
    a = option.assignment
    gpus = "GPUs" if len(a.gpus) > 1 else "GPU"
    if a.experts_on_cpu:
        return f"attention and shared weights on the {gpus}, the MoE experts in RAM (--cpu-moe)"
    if option.kind == "gpu":
        return f"every layer on the {gpus}"
    if option.kind == "partial":
        return (f"{option.gpu_layers} of {n_layers + 1} layers on the GPU (-ngl "
                f"{option.gpu_layers}), the rest on the CPU")  # fmt: skip
    return "CPU only"


def reasons_for(machine: Machine, option: Option, placement: Placement, budgets: Budgets,
                context_tokens: int, max_context: int | None) -> tuple[str, ...]:  # fmt: skip
    head = "fits" if option.fits else "does not fit"
    lines = [f"{head} at {context_tokens} tokens of context: "
             f"{_placement_line(option, placement.total_layers - 1)}"]  # fmt: skip
    lines += [_share_line(machine, s, budgets) for s in placement.shares]
    if budgets.unified and option.kind != "cpu":
        lines.append(f"unified memory: all of it shares {budgets.cpu.basis}")
    unknown = [b.basis for b in budgets.gpus if b.available_bytes is None]
    if unknown:
        lines.append(f"{'; '.join(unknown)}: the estimate keeps every layer on the CPU")
    if max_context is not None:
        lines.append(f"longest context that fits this way: {max_context} tokens")
    elif option.fits is False:
        lines.append("no context fits this way")
    return tuple(lines)


class _MachineMemo:
    """What one machine's estimates share: a planner per file and setting (contexts differ,
    budgets do not), and the speed of each placement (a placement's speed does not depend on
    the context: depth enters through the slopes)."""

    def __init__(self, machine: Machine) -> None:
        self.machine = machine
        self.planners: dict[tuple, Planner] = {}
        self.speeds: dict[tuple, Speed] = {}
        self._fingerprint: str | None = None
        self._cpu_only: dict[str, int | None | bool] = {}

    def cpu_only(self, mode: MemoryMode) -> int | None | bool:
        """False where a planner has usable GPUs under `mode` (Planner.usable_gpus); else
        every layer stays on the CPU, and this is the RAM a file may take (None: unknown)."""
        found = self._cpu_only.get(mode, self)
        if found is self:
            budgets = device_budgets(self.machine, mode)
            rooms = [b.available_bytes or 0 for b in budgets.gpus]
            usable = bool(rooms) and all(rooms)
            found = self._cpu_only[mode] = False if usable else budgets.cpu.available_bytes
        return found  # type: ignore[return-value]

    @property
    def fingerprint(self) -> str:
        """The machine's fingerprint: a calibration speaks only for its own machine."""
        if self._fingerprint is None:
            from advisor.probe.fingerprint import machine_fingerprint

            self._fingerprint = machine_fingerprint(self.machine)
        return self._fingerprint


# A ranking or a verdict asks about one machine hundreds of times; an audit goes from machine
# to machine. Keyed by the machine's value: equal machines share their memo.
_memo = lru_cache(maxsize=8)(_MachineMemo)


@cache
def _settings(kv_type: str, flash_attn: bool) -> RunSettings:
    return RunSettings(kv_type, flash_attn)


def _planner(memo: _MachineMemo, arch, quant: str, settings: RunSettings,
             mode: MemoryMode) -> Planner:  # fmt: skip
    key = (arch, quant, settings, mode)
    planner = memo.planners.get(key)
    if planner is None:
        machine = memo.machine
        planner = Planner(arch, quant, settings, device_budgets(machine, mode),
                          backend=machine.backend, mode=mode)  # fmt: skip
        memo.planners[key] = planner
    return planner


def _raw_speed(memo: _MachineMemo, model: Model, quant: str, placement: Placement,
               weights_bytes: int, kv_type: str, basis: bool) -> Speed:  # fmt: skip
    """predict_speed for this placement, remembered for the machine."""
    arch = model.architecture
    shares = tuple((s.device, s.weights_bytes, s.input_bytes) for s in placement.shares)
    key = (arch, quant, kv_type, weights_bytes, placement.experts_on_cpu, shares, basis)
    speed = memo.speeds.get(key)
    if speed is None:
        speed = speed_of_placement(memo.machine, model, quant, placement, weights_bytes, kv_type,
                                   basis=basis)  # fmt: skip
        memo.speeds[key] = speed
    return speed


# (file, setting, machine signature, context, -ngl) -> (architecture, the placements choose()
# decides between): a placement depends on the machine only through its budgets and backend
# (Planner.signature), so machines alike in those share it. Bounded: cleared when full.
Placed = tuple[tuple[Option, Placement, MemoryBreakdown], ...]
_PLACED: dict[tuple, Placed] = {}
_PLACED_MAX = 100_000


def _placed(planner: Planner, arch, quant: str, settings: RunSettings, tokens: int,
            gpu_layers: int | None) -> Placed:  # fmt: skip
    """The options choose() decides between, each with its placement and memory."""
    key = (arch, quant, settings, planner.signature, tokens, gpu_layers)
    hit = _PLACED.get(key)
    if hit is not None:
        return hit
    found = []
    for option in choices(planner, tokens, gpu_layers):
        placement = to_placement(planner, option, _pool(option, planner.budgets))
        found.append((option, placement, memory_of(placement.shares)))
    if len(_PLACED) >= _PLACED_MAX:
        _PLACED.clear()
    placed = _PLACED[key] = tuple(found)
    return placed


def _fastest(memo: _MachineMemo, model: Model, quant: str, kv_type: str, placed: Placed):
    """choose()'s pick among `placed`, by this machine's speeds."""
    if len(placed) == 1:
        return placed[0]

    def entry(option: Option):  # a handful of options: a scan is cheaper than a table
        return next(e for e in placed if e[0] is option)

    def speed(option: Option) -> float | None:
        _, placement, memory = entry(option)
        return _raw_speed(memo, model, quant, placement, memory.weights_bytes, kv_type,
                          False).decode_tokens_per_s  # fmt: skip

    return entry(pick(tuple(o for o, _, _ in placed), speed))


def _speed(memo: _MachineMemo, model, quant, placement: Placement, memory, kv_type,
           calibration: Calibration | None, basis: bool) -> Speed:  # fmt: skip
    speed = _raw_speed(memo, model, quant, placement, memory.weights_bytes, kv_type, basis)
    if calibration is None:
        return speed
    target = Target(memo.fingerprint, memo.machine.backend, placement.kind, model.id, quant,
                    weights_bytes=memory.weights_bytes)  # fmt: skip
    return apply_calibration(speed, calibration, target)


def placement_contexts_for(machine: Machine, model: Model, est: Estimate):
    """The longest context of every candidate placement for the setting of `est`."""
    settings = RunSettings(kv_type=est.kv_type, flash_attn=est.flash_attn)
    budgets = device_budgets(machine, est.mode)
    planner = Planner(model.architecture, est.quant, settings, budgets,
                      backend=machine.backend, mode=est.mode)  # fmt: skip
    p = est.placement
    chosen = planner.option(est.context_tokens, p.gpu_layers, p.experts_on_cpu)
    return placement_contexts(planner, chosen, est.context_tokens, model.architecture.max_context)


def fits(machine: Machine, model: Model, quant: str, *, context_tokens: int, kv_type: str,
         mode: MemoryMode) -> bool:  # fmt: skip
    """Whether assemble's estimate (no -ngl forced, flash attention "auto") fits: the same
    placements, decided without their speeds (choices() offers several placements only when
    all of them fit), their memory shares not worked out (a search that checks a file this
    way mostly never estimates it)."""
    return fits_check(machine, kv_type, mode)(model, quant, context_tokens)


FitsCheck = Callable[[Model, str, int], bool]


def fits_check(machine: Machine, kv_type: str, mode: MemoryMode) -> FitsCheck:
    """fits() on one machine and setting, as a function of (model, quant, context tokens):
    what it reads of the machine and setting looked up once (a search asks thousands)."""
    settings = _settings(kv_type.lower(), True)  # raises for an unknown KV type
    memo = _memo(machine)
    room = memo.cpu_only(mode)

    def check(model: Model, quant: str, context_tokens: int) -> bool:
        quant = quant.upper()
        if context_tokens < 1:
            raise ValueError("context_tokens must be at least 1")
        arch = model.architecture
        if room is not False:  # no usable GPU: choices() has the one option, -ngl 0
            answer = cpu_only_fits(arch, quant, settings, room, context_tokens)
            if answer is not None:
                return answer
        return _planned_fits(memo, arch, quant, settings, mode, context_tokens)

    return check


def _planned_fits(memo: _MachineMemo, arch, quant: str, settings: RunSettings,
                  mode: MemoryMode, context_tokens: int) -> bool:  # fmt: skip
    planner = _planner(memo, arch, quant, settings, mode)
    placed = _PLACED.get((arch, quant, settings, planner.signature, context_tokens, None))
    if placed is not None:
        return placed[0][0].fits
    return choices(planner, context_tokens, None)[0].fits


def assemble(machine: Machine, model: Model, quant: str, *, context_tokens: int, kv_type: str,
             mode: MemoryMode, gpu_layers: int | None, calibration: Calibration | None,
             flash_attn: bool | None = None, detail: bool = True) -> Estimate:  # fmt: skip
    """The Estimate; `detail` False leaves out what a search does not read (the longest
    context, the reasons and the speed's basis: None, () and ())."""
    quant = quant.upper()
    kv_type = kv_type.lower()
    if context_tokens < 1:
        raise ValueError("context_tokens must be at least 1")
    arch = model.architecture
    settings = _settings(kv_type, flash_attn is not False)  # raises for an unknown KV type
    memo = _memo(machine)
    planner = _planner(memo, arch, quant, settings, mode)
    budgets = planner.budgets
    placed = _placed(planner, arch, quant, settings, context_tokens, gpu_layers)
    option, placement, memory = _fastest(memo, model, quant, kv_type, placed)
    speed = None
    if option.fits:
        speed = _speed(memo, model, quant, placement, memory, kv_type, calibration, detail)
    max_context: int | None = None
    reasons: tuple[str, ...] = ()
    if detail:
        max_context = planner.max_context(option, arch.max_context, context_tokens)
        reasons = reasons_for(machine, option, placement, budgets, context_tokens, max_context)
        if context_tokens > arch.max_context:
            reasons += (f"{context_tokens} tokens is past the model's {arch.max_context}-token "
                        "training context",)  # fmt: skip
    return Estimate(model_id=model.id, quant=quant, context_tokens=context_tokens,
                    kv_type=kv_type, mode=mode, backend=machine.backend, memory=memory,
                    placement=placement, fits=option.fits, max_context_tokens=max_context,
                    speed=speed, reasons=reasons, flash_attn=settings.flash_attn)  # fmt: skip
