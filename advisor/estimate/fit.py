"""Where a model's layers go on a machine, and the longest context each placement holds.

Candidates follow llama.cpp's own knobs: all layers on the GPU(s) (-ngl 999), the routed
experts of a MoE model kept in RAM (--cpu-moe), a partial offload (-ngl N: the output layer
and the last N-1 repeating layers on the GPU), or the CPU alone. Several GPUs share the layers
in proportion to their memory, as llama.cpp's default layer split does. On unified memory the
GPU's share must stay under the working-set limit and everything under RAM.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable
from dataclasses import dataclass

from advisor.catalog.model import Architecture
from advisor.estimate.budget import Budgets
from advisor.estimate.fit_sums import context_at, file_sums
from advisor.estimate.footprint import (
    Assignment,
    Context,
    Tallies,
    device_shares,
    devices_of,
    input_device,
    needs,
    overheads,
    tallies,
)
from advisor.estimate.kv import padded_context
from advisor.estimate.placement import DeviceShare, MemoryMode, Placement, PlacementKind, Pool
from advisor.estimate.settings import RunSettings

CONTEXT_STEP = 256  # llama.cpp pads contexts to 256 cells: no finer answer exists
_SPLITS: dict[tuple, Assignment] = {}
_ASSIGNMENTS: dict[Assignment, Assignment] = {}  # one instance of each distinct split
# (file's bytes, their sums, assignment, context) -> (tallies, needs): the bytes a placement
# needs at a context do not depend on the machine, so every machine (and every estimate of one)
# that meets the same file, split and context shares them. The key holds everything tallies()
# reads.
_TALLIES: dict[tuple, tuple[Tallies, tuple[int, ...]]] = {}
_TALLIES_MAX = 200_000


@dataclass(frozen=True)
class Option:
    """One evaluated placement at one context."""

    assignment: Assignment
    kind: PlacementKind
    gpu_layers: int
    tallies: dict  # device -> [layers, weights, cache, compute]
    totals: tuple[tuple[str, int], ...]  # device, bytes needed (overhead included)
    fits: bool
    overflow: tuple[str, ...]  # devices that do not fit


def _kind(a: Assignment) -> PlacementKind:
    """ "gpu" only when every weight but the input layer sits on the GPUs."""
    if not a.gpus:
        return "cpu"
    if a.cpu_blocks == 0 and a.output != "cpu" and not a.experts_on_cpu:
        return "gpu"
    return "partial"


def layer_split(n: int, gpu_layers: int, gpus: tuple[str, ...], weights: tuple[int, ...],
                experts_on_cpu: bool = False, mapped: bool = False) -> Assignment:  # fmt: skip
    """llama.cpp's assignment for -ngl `gpu_layers`: blocks 0..n-1, the output layer is n.

    The last `gpu_layers` of the n + 1 go to the GPUs, shared in proportion to `weights`
    (llama.cpp uses each device's free memory); the rest stay on the CPU.
    """
    key = (n, gpu_layers, gpus, weights, experts_on_cpu, mapped)
    hit = _SPLITS.get(key)
    if hit is not None:
        return hit
    if not gpus or gpu_layers <= 0:
        result = Assignment((("cpu", 0, n),), "cpu", False)
    else:
        act = min(gpu_layers, n + 1)
        start = n + 1 - act
        total, running, splits = sum(weights), 0, []
        for w in weights:
            running += w
            splits.append(running / total)
        last = len(splits) - 1

        def owner(il: int) -> str:
            if il < start:
                return "cpu"
            return gpus[min(bisect.bisect_right(splits, (il - start) / act), last)]

        owners = [owner(il) for il in range(n + 1)]
        ranges, lo = [], 0
        for il in range(1, n + 1):
            if il == n or owners[il] != owners[lo]:
                ranges.append((owners[lo], lo, il))
                lo = il
        result = Assignment(tuple(ranges), owners[n], experts_on_cpu, mapped)
    # One object per distinct split (one GPU of any size splits alike): what is cached per
    # assignment is then shared by every machine with that split.
    result = _ASSIGNMENTS.setdefault(result, result)
    _SPLITS[key] = result
    return result


class Planner:
    """Evaluates placements of one model file on one machine under one memory mode."""

    def __init__(self, arch: Architecture, quant: str, settings: RunSettings, budgets: Budgets,
                 *, backend: str, mode: MemoryMode) -> None:  # fmt: skip
        self.arch, self.settings, self.budgets = arch, settings, budgets
        self.backend, self.mode = backend, mode
        self.qb, self.sums, self.shape = file_sums(arch, quant, settings)
        self.n = arch.n_layers
        self.vocab = arch.vocab_size or 0
        self.gpu_overhead, self.cpu_overhead = overheads(backend, self.vocab)
        self.gpu_names = tuple(b.device for b in budgets.gpus)
        self.gpu_weights = tuple(b.available_bytes or 0 for b in budgets.gpus)
        self.budget_of = {b.device: b.available_bytes for b in (*budgets.gpus, budgets.cpu)}
        self.ram = budgets.cpu.available_bytes
        # Everything of the machine that placements depend on: machines alike in it place a
        # file alike (the budgets' wording aside).
        self.signature = (backend, mode, self.gpu_names, tuple(self.budget_of.items()),
                          budgets.unified)  # fmt: skip
        # This planner's answers by context and by -ngl: a search asks each many times (the
        # placements tried, the binary search of best_partial), and both depend on nothing
        # else of the planner's that changes.
        self._contexts: dict[int, Context] = {}
        self._splits: dict[tuple[int, bool], Assignment] = {}
        # choices() by context, -ngl left to it: a search asks whether a file fits, then
        # (for some files) estimates it.
        self._choices: dict[int, tuple[Option, ...]] = {}

    @property
    def usable_gpus(self) -> bool:
        return bool(self.gpu_names) and all(self.gpu_weights)

    def context(self, tokens: int) -> Context:
        ctx = self._contexts.get(tokens)
        if ctx is None:
            ctx = self._contexts[tokens] = self._context(tokens)
        return ctx

    def _context(self, tokens: int) -> Context:
        return context_at(self.sums.window, self.shape, self.settings, tokens)

    def assignment(self, gpu_layers: int, experts_on_cpu: bool = False) -> Assignment:
        key = (gpu_layers, experts_on_cpu)
        found = self._splits.get(key)
        if found is None:
            gpus = self.gpu_names if self.usable_gpus else ()
            found = layer_split(self.n, gpu_layers, gpus, self.gpu_weights, experts_on_cpu,
                                self.backend == "metal")  # fmt: skip
            self._splits[key] = found
        return found

    def _tallies(self, a: Assignment, ctx: Context) -> tuple[dict, tuple[int, ...]]:
        key = (self.qb, self.sums, a, ctx)
        hit = _TALLIES.get(key)
        if hit is not None:
            return hit
        t = tallies(a, self.qb, self.sums, ctx)
        base = tuple(int(w + c + s) for _, w, c, s in t.values())
        if len(_TALLIES) >= _TALLIES_MAX:
            _TALLIES.clear()
        _TALLIES[key] = (t, base)
        return t, base

    def _needs(self, a: Assignment, ctx: Context) -> tuple[int, ...]:
        """Bytes per device before overhead: shared tallies when known, else the arithmetic
        alone (longest-context probes land on contexts no other estimate asks about)."""
        hit = _TALLIES.get((self.qb, self.sums, a, ctx))
        if hit is not None:
            return hit[1]
        return needs(a, self.qb, self.sums, ctx)

    def _overhead(self, device: str) -> int:
        return self.cpu_overhead if device == "cpu" else self.gpu_overhead

    def evaluate(self, a: Assignment, ctx: Context, gpu_layers: int) -> Option:
        t, base = self._tallies(a, ctx)
        totals, overflow = [], []
        for device, b in zip(t, base, strict=True):
            need = b + self._overhead(device)
            totals.append((device, need))
            room = self.budget_of.get(device)
            if room is None or need > room:
                overflow.append(device)
        ram = self.ram
        unified = self.budgets.unified and not overflow and ram is not None
        if unified and ram is not None and sum(need for _, need in totals) > ram:
            overflow.append("unified RAM")
        kind = _kind(a)
        ngl = min(gpu_layers, self.n + 1) if kind != "cpu" else 0
        return Option(a, kind, ngl, t, tuple(totals),
                      not overflow, tuple(overflow))  # fmt: skip

    def option(self, tokens: int, gpu_layers: int, experts_on_cpu: bool = False) -> Option:
        return self.evaluate(self.assignment(gpu_layers, experts_on_cpu), self.context(tokens),
                             gpu_layers)  # fmt: skip

    def shares(self, option: Option) -> tuple[DeviceShare, ...]:
        return device_shares(option.tallies, self.qb, backend=self.backend, vocab=self.vocab,
                             budgets=self.budget_of,
                             input_on=input_device(option.assignment))  # fmt: skip

    def _gpus_fit(self, a: Assignment, ctx: Context) -> bool:
        """Whether every GPU's share fits its budget (what evaluate's overflow says of them)."""
        for device, b in zip(devices_of(a), self._tallies(a, ctx)[1], strict=True):
            if device != "cpu":
                room = self.budget_of.get(device)
                if room is None or b + self.gpu_overhead > room:
                    return False
        return True

    def best_partial(self, tokens: int) -> Option | None:
        """The most GPU layers whose GPU shares fit (binary search over -ngl 1..n)."""
        ctx = self.context(tokens)
        lo, hi, best = 1, self.n, None
        while lo <= hi:
            mid = (lo + hi) // 2
            if self._gpus_fit(self.assignment(mid), ctx):
                best, lo = mid, mid + 1
            else:
                hi = mid - 1
        return None if best is None else self.evaluate(self.assignment(best), ctx, best)

    def _slack(self, a: Assignment, gpu_layers: int, tokens: int) -> int:
        """The largest shortfall over devices at `tokens` (<= 0: it fits)."""
        del gpu_layers  # the assignment says where every layer goes
        worst = None
        total = 0
        fits = True
        for device, b in zip(devices_of(a), self._needs(a, self.context(tokens)), strict=True):
            need = b + self._overhead(device)
            total += need
            room = self.budget_of.get(device)
            if room is None or need > room:
                fits = False
            short = need - (room or 0)
            if worst is None or short > worst:
                worst = short
        assert worst is not None  # the CPU is always listed
        if self.budgets.unified and self.ram is not None:
            fits = fits and total <= self.ram
            worst = max(worst, total - self.ram)
        return worst if fits or worst > 0 else max(worst, 1)

    def max_context(self, option: Option, limit: int, tokens: int) -> int | None:
        """The longest context (a multiple of 256, at most `limit`) this placement holds.

        Memory grows piecewise linearly with the context, so a false-position search over
        multiples of 256 lands in a few evaluations; `option` was evaluated at `tokens`.
        """
        a, ngl, step = option.assignment, option.gpu_layers, CONTEXT_STEP
        top = max(step, limit // step * step)
        top_slack = self._slack(a, ngl, top)
        if top_slack <= 0:
            return limit
        lo = padded_context(tokens) if option.fits else step
        lo = min(lo, top - step)
        lo_slack = self._slack(a, ngl, lo) if lo != padded_context(tokens) else -1
        if lo_slack > 0:
            return None
        hi, hi_slack, previous, repeats = top, top_slack, 0, 0
        while hi - lo > step:
            if repeats >= 2:  # one end moved twice running: bisect (false position can stall)
                guess = (lo + hi) / 2
            else:
                guess = lo + (hi - lo) * (-lo_slack) / max(hi_slack - lo_slack, 1)
            mid = min(max(int(guess) // step * step, lo + step), hi - step)
            slack = self._slack(a, ngl, mid)
            side = 1 if slack <= 0 else -1
            repeats = repeats + 1 if side == previous else 1
            previous = side
            if slack <= 0:
                lo, lo_slack = mid, slack
            else:
                hi, hi_slack = mid, slack
        return lo


SpeedOf = Callable[[Option], float | None]


def choose(planner: Planner, tokens: int, gpu_layers: int | None, speed_of: SpeedOf) -> Option:
    """The fastest placement that fits; the least overflowing one when none does."""
    return pick(choices(planner, tokens, gpu_layers), speed_of)


def choices(planner: Planner, tokens: int, gpu_layers: int | None) -> tuple[Option, ...]:
    """What choose() decides without speeds: the one option it takes, or the fitting options
    (several) that the fastest of is taken from."""
    if gpu_layers is None:
        found = planner._choices.get(tokens)
        if found is None:
            found = planner._choices[tokens] = _choices(planner, tokens, None)
        return found
    return _choices(planner, tokens, gpu_layers)


def _choices(planner: Planner, tokens: int, gpu_layers: int | None) -> tuple[Option, ...]:
    n = planner.n
    if gpu_layers is not None or not planner.usable_gpus:
        return (planner.option(tokens, gpu_layers if gpu_layers is not None else 0),)
    full = planner.option(tokens, n + 1)
    if full.fits:
        return (full,)
    candidates = []
    if planner.qb.expert_bytes:
        candidates.append(planner.option(tokens, n + 1, experts_on_cpu=True))
    partial = planner.best_partial(tokens)
    if partial is not None:
        candidates.append(partial)
    cpu_only = planner.option(tokens, 0)
    fitting = [c for c in candidates if c.fits]
    # The CPU alone is never faster than a fitting offload: only a fallback.
    if not fitting:
        candidates.append(cpu_only)
        fitting = [cpu_only] if cpu_only.fits else []
    if fitting:
        return tuple(fitting)
    return (min((full, *candidates), key=lambda c: _excess(planner, c)),)


def pick(options: tuple[Option, ...], speed_of: SpeedOf) -> Option:
    """The fastest of `options` (the first on a tie, or when a speed is unknown)."""
    if len(options) > 1:
        speeds = [speed_of(c) for c in options]
        if all(s is not None for s in speeds):
            return options[max(range(len(options)), key=lambda i: (speeds[i], -i))]
    return options[0]


def _excess(planner: Planner, option: Option) -> int:
    return sum(max(0, need - (planner.budget_of.get(d) or 0)) for d, need in option.totals)


@dataclass(frozen=True)
class PlacementContext:
    """The longest context one way of placing the model holds (None: not even 256 tokens)."""

    label: str  # "all on the GPU", "experts in RAM (--cpu-moe)", "-ngl 20", "CPU only"
    kind: PlacementKind
    gpu_layers: int
    experts_on_cpu: bool
    max_context_tokens: int | None


def placement_contexts(planner: Planner, chosen: Option, tokens: int,
                       limit: int) -> tuple[PlacementContext, ...]:  # fmt: skip
    """The longest context of every candidate placement, the chosen one included."""
    n = planner.n
    options = []
    if planner.usable_gpus:
        options.append(("all on the GPU", planner.option(tokens, n + 1)))
        if planner.qb.expert_bytes:
            options.append(("experts in RAM (--cpu-moe)",
                            planner.option(tokens, n + 1, experts_on_cpu=True)))  # fmt: skip
        if chosen.kind == "partial" and not chosen.assignment.experts_on_cpu:
            options.append((f"-ngl {chosen.gpu_layers}", chosen))
    options.append(("CPU only", planner.option(tokens, 0)))
    return tuple(
        PlacementContext(label, o.kind, o.gpu_layers, o.assignment.experts_on_cpu,
                         planner.max_context(o, limit, tokens))
        for label, o in options
    )  # fmt: skip


def to_placement(planner: Planner, option: Option, pool: Pool) -> Placement:
    return Placement(kind=option.kind, gpu_layers=option.gpu_layers, total_layers=planner.n + 1,
                     experts_on_cpu=option.assignment.experts_on_cpu, pool=pool,
                     mode=planner.mode, shares=planner.shares(option))  # fmt: skip
