"""Hardware changes an audit tries: more RAM, a larger-memory variant of the GPU, another GPU.

Each change builds the upgraded Machine the way the probe would describe it (RAM through the
probe's --ram override, GPUs through the spec table, as a profile naming them would), so the
estimator judges the upgraded machine itself; nothing is scaled or guessed. Prices come from the
spec table's list prices, or from a RAM price per GB the user gives; otherwise they are unknown.

What a machine can take is limited by what the report shows: unified-memory machines (Apple
Silicon, Strix Halo, GB10, Jetson) have their memory in the package, so they get no changes;
machines whose CPU takes soldered RAM only (Intel Core Ultra 200V, Snapdragon X, a spec-table
row with LPDDR memory such as the Raspberry Pi 5's) get no RAM change, and a laptop's RAM change
says it holds only if the RAM is in slots; laptops (a battery, a laptop GPU or CPU, or a name
that says so), ARM boards and multi-GPU machines get no GPU changes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from advisor.probe.machine import Gpu, Machine
    from advisor.probe.profiles.build import AnyProfile
    from advisor.probe.specs.table import HardwareSpec

ChangeKind = Literal["ram", "vram", "gpu"]
RAM_STEPS_GB = (8, 16, 32, 64)
# Common desktop cards from 12 to 32 GB, all in the spec table; CUDA is llama.cpp's most
# travelled GPU path. Prices are the table's list prices where it has one.
GPU_MENU = ("RTX 3060 12GB", "RTX 5060 Ti 16GB", "RTX 3090", "RTX 4090", "RTX 5090")
_LAPTOP_WORDS = ("laptop", "mobile", "max-q", "notebook", "macbook")
BATTERY_SOURCE = "psutil sensors_battery"  # advisor.probe.live.system: a battery is present
# Mobile CPU model numbers: Intel Core i7-1165G7 / i7-13700H / Core Ultra 7 155H / 258V, AMD
# Ryzen 5 7530U / Ryzen 9 7945HX, and every Ryzen AI 300 part (HX 370). Desktop parts end in
# K, F, X, T, G (AMD APUs) or nothing.
MOBILE_CPU = re.compile(
    r"\b(?:i[3579]-\d{4,5}|ultra [3579] \d{3}|ryzen [3579](?: pro)? \d{4})"
    r"(?:u|h|hs|hx|hk|p|y|v|g\d)\b|\bryzen ai [3579](?: hx| pro)? \d{3}\b",
    re.IGNORECASE,
)
_MEMORY_IN_NAME = re.compile(r"\d+\s*GB", re.IGNORECASE)
# Laptop processors whose RAM sits in or beside the package, with no slot for a module: Intel
# Core Ultra 200V (Lunar Lake: LPDDR5X-8533 on the package, Intel Core Ultra 200V series product
# brief, 2024-09) and Qualcomm Snapdragon X (X1E/X1P: LPDDR5X-8448 only, Qualcomm Snapdragon X
# Elite product brief, 2024).
_PACKAGE_MEMORY = re.compile(
    r"\bcore(?:\(tm\))? ultra [579] 2\d\dv\b|\bsnapdragon\(?r?\)? x\b|\bx1[ep]-\d", re.IGNORECASE
)
LAPTOP_RAM_WORDS = "if the laptop's RAM is in slots"  # many thin laptops solder theirs


@dataclass(frozen=True)
class Change:
    """One hardware change; machines that get the same change share a label."""

    kind: ChangeKind
    label: str  # "+16 GB RAM", "RTX 3090 (24 GB)", "RTX 4060 Ti with 16 GB"
    size_gb: float  # RAM added, or the GPU's memory
    spec_name: str | None  # the spec-table row of a GPU change
    unit_price_usd: float | None
    price_source: str | None

    @property
    def keeps_measurements(self) -> bool:
        """Throughput tests still describe the machine after a RAM change, not a new GPU."""
        return self.kind == "ram"


def ram_changes(machine: Machine, ram_usd_per_gb: float | None) -> list[Change]:
    """More RAM, where it can go in: none where it is soldered (ram_soldered says why); on a
    laptop whose slots nobody knows, the label says it holds only if the RAM is in slots."""
    if ram_soldered(machine) or machine.memory.ram_total_bytes is None:
        return []
    source = "RAM price per GB given with --ram-price" if ram_usd_per_gb is not None else None
    caveat = f" ({LAPTOP_RAM_WORDS})" if is_laptop(machine) else ""
    return [
        Change(
            kind="ram",
            label=f"+{step} GB RAM{caveat}",
            size_gb=float(step),
            spec_name=None,
            unit_price_usd=step * ram_usd_per_gb if ram_usd_per_gb is not None else None,
            price_source=source,
        )
        for step in RAM_STEPS_GB
    ]


def gpu_changes(machine: Machine) -> list[Change]:
    """Cards from GPU_MENU with more memory than the machine's one discrete GPU, if any."""
    current = _only_discrete(machine)
    if current is False:
        return []
    floor = (current.vram_total_bytes or 0) if current is not None else 0
    changes = []
    for spec in _menu():
        if spec.memory_bytes is not None and spec.memory_bytes > floor:
            changes.append(_gpu_change("gpu", gpu_label(spec), spec))
    return changes


def vram_changes(machine: Machine) -> list[Change]:
    """Larger-memory variants of the machine's one discrete GPU in the spec table."""
    current = _only_discrete(machine)
    if not current:
        return []
    spec = _spec_of(current)
    if spec is None or spec.memory_gb is None:
        return []
    return [
        _gpu_change("vram", f"{current.name} with {v.memory_gb:g} GB", v)
        for v in _variants(spec)
        if v.memory_gb is not None and v.memory_gb > spec.memory_gb
    ]


def gpu_label(spec: HardwareSpec) -> str:
    """'RTX 3090 GPU (24 GB)'; a name that states its memory ('RTX 3060 12GB') keeps it."""
    if _MEMORY_IN_NAME.search(spec.name):
        return f"{spec.name} GPU"
    return f"{spec.name} GPU ({spec.memory_gb:g} GB)"


def _gpu_change(kind: ChangeKind, label: str, spec: HardwareSpec) -> Change:
    return Change(
        kind=kind,
        label=label,
        size_gb=spec.memory_gb or 0.0,
        spec_name=spec.name,
        unit_price_usd=spec.price_usd,
        price_source=spec.price_source if spec.price_usd is not None else None,
    )


def apply_change(machine: Machine, change: Change) -> Machine:
    """The machine after the change."""
    if change.kind == "ram":
        from advisor.probe.resolve import apply_overrides
        from advisor.units import GIB

        ram_gib = (machine.memory.ram_total_bytes or 0) / GIB + change.size_gb
        return apply_overrides(machine, ram_gb=ram_gib, vram_gb=None)
    assert change.spec_name is not None
    return _with_gpu(machine, _spec_named(change.spec_name))


def _with_gpu(machine: Machine, spec: HardwareSpec) -> Machine:
    """`machine` with its discrete GPU (if any) replaced by `spec`'s card, as a profile would
    describe it: the probe fills the card's figures from the spec table and picks the backend.
    The dict is the machine's own, so it is read without pydantic where it can be
    (advisor.probe.profiles.plain), else validated by the profile schema."""
    from advisor.probe.profiles.build import entry_to_machine
    from advisor.probe.profiles.plain import Untrusted, plain_entry
    from advisor.probe.profiles.serialize import machine_to_dict

    data = machine_to_dict(machine)
    kept = [g for g in data["gpus"] if g["integrated"]]
    card = {"name": spec.name, "vendor": spec.vendor, "vram_gb": spec.memory_gb}
    data["gpus"] = [*kept, card]
    for gone in ("backend", "backend_reason"):
        data.pop(gone)
    data["sources"] = _without_gpus(data["sources"])
    data["unknown"] = _without_gpus(data["unknown"])
    try:
        entry: AnyProfile = plain_entry(data)
    except Untrusted:
        from advisor.probe.profiles.schema import ProfileEntry

        entry = ProfileEntry.model_validate(data)
    return entry_to_machine(entry, origin=machine.origin, lookup=True)


def _without_gpus(paths: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in paths.items() if not k.startswith(("gpus[", "backend"))}


def limits(machine: Machine) -> tuple[str, ...]:
    """Why a kind of change is not tried on this machine, in words: what a reader needs when
    no change makes a workload local."""
    if _soldered(machine):
        return ("its memory is in the package (unified memory): no RAM or GPU change goes in",)
    said = []
    soldered = ram_soldered(machine)
    if soldered:
        said.append(f"{soldered}: no RAM change goes in")
    if machine.memory.ram_total_bytes is None:
        said.append("its RAM size is unknown: no RAM change is tried")
    if _only_discrete(machine) is False:
        if is_laptop(machine):
            said.append("a laptop takes no desktop GPU")
        elif not _pc(machine):
            said.append("an ARM machine takes no desktop GPU")
        else:
            said.append("it has two or more GPUs already: no GPU change is tried")
    return tuple(said)


def _soldered(machine: Machine) -> bool:
    return machine.unified_memory or any(g.unified_memory for g in machine.gpus)


def ram_soldered(machine: Machine) -> str | None:
    """Why no RAM can be added, in words; None where it may be (slots, or nothing known)."""
    if _soldered(machine):
        return "its memory is in the package (unified memory)"
    cpu = machine.cpu.name or ""
    if _PACKAGE_MEMORY.search(cpu):
        return (
            f"its RAM is soldered: the {cpu} takes LPDDR5X in or beside its package only "
            "(Intel Core Ultra 200V and Qualcomm Snapdragon X product briefs, 2024)"
        )
    spec = _remembered(("cpu", cpu), lambda: _cpu_spec(cpu)) if cpu else None
    if spec is not None and (spec.memory_type or "").upper().startswith("LPDDR"):
        return (
            f"its RAM is soldered: the {spec.name} takes {spec.memory_type} on the board, "
            f"which has no slot (spec table: {spec.source.split(':')[0]})"
        )
    return None


def _cpu_spec(name: str) -> HardwareSpec | None:
    from advisor.probe.specs.table import lookup_spec

    return lookup_spec(name)


def is_laptop(machine: Machine) -> bool:
    """A battery, a laptop GPU or CPU, or a name that says so: no desktop card goes in."""
    if machine.sources.get("on_battery") == BATTERY_SOURCE:
        return True
    if laptop_by_name_or_state(machine.name, machine.on_battery):
        return True
    return laptop_parts(machine.cpu.name, [g.name for g in machine.gpus])


def laptop_parts(cpu_name: str | None, gpu_names: list[str]) -> bool:
    """A laptop GPU or CPU."""
    if any(w in name.lower() for name in gpu_names for w in _LAPTOP_WORDS):
        return True
    return bool(cpu_name and MOBILE_CPU.search(cpu_name))


def laptop_by_name_or_state(name: str | None, on_battery: bool | None) -> bool:
    """What is_laptop reads beyond the hardware: a machine name that says laptop, or a battery
    in use (a profile's on_battery). An audit's key leaves the name and the battery state
    out, so it keeps this where the parts do not say laptop already (advisor.audit.keys)."""
    return bool(on_battery) or any(w in (name or "").lower() for w in _LAPTOP_WORDS)


def has_battery(machine: Machine) -> bool | None:
    """Whether the probe found a battery (psutil): True, False (it found none), or None when
    it could not tell or the machine comes from a profile. Not the machine's name: the audit
    judges machines alike whatever they are called."""
    source = machine.sources.get("on_battery", "")
    if source == BATTERY_SOURCE:
        return True
    return False if source.startswith(f"{BATTERY_SOURCE} (no battery)") else None


def _only_discrete(machine: Machine) -> Gpu | None | Literal[False]:
    """The machine's one discrete GPU, None when it has none, False when no card can go in."""
    if _soldered(machine) or is_laptop(machine) or not _pc(machine):
        return False
    discrete = [g for g in machine.gpus if not g.integrated]
    if len(discrete) > 1:
        return False
    return discrete[0] if discrete else None


def _pc(machine: Machine) -> bool:
    """An x86 PC (or one whose CPU is unknown): ARM boards here are SBCs, Jetsons and Macs."""
    arch = (machine.cpu.architecture or "x86_64").lower()
    return arch in ("x86_64", "amd64", "x64")


# Spec-table answers an audit asks for every machine, kept per table object (a test or a
# user's table swaps it whole): key -> (table, answer).
_ASKED: dict[tuple, tuple[object, object]] = {}


def _remembered(key: tuple, answer):
    """`answer()` for this spec table, computed once per table and key."""
    from advisor.probe.specs.table import spec_table

    table = spec_table()
    hit = _ASKED.get(key)
    if hit is None or hit[0] is not table:
        if len(_ASKED) >= 4096:
            _ASKED.clear()
        hit = _ASKED[key] = (table, answer())
    return hit[1]


def _menu() -> tuple[HardwareSpec, ...]:
    return _remembered(("menu",), lambda: tuple(sorted(
        (_spec_named(name) for name in GPU_MENU),
        key=lambda s: (s.memory_gb or 0, s.memory_bandwidth_gbs or 0),
    )))  # fmt: skip


def _spec_named(name: str) -> HardwareSpec:
    from advisor.probe.specs.table import spec_table

    for spec in spec_table():
        if spec.name == name:
            return spec
    raise LookupError(f"{name!r} is not a row of the spec table")


def _spec_of(gpu: Gpu) -> HardwareSpec | None:
    from advisor.probe.specs.table import lookup_spec

    key = ("spec", gpu.name, gpu.vendor, gpu.vram_total_bytes)
    return _remembered(key, lambda: lookup_spec(gpu.name, vendor=gpu.vendor,
                                                memory_bytes=gpu.vram_total_bytes))  # fmt: skip


def _variants(spec: HardwareSpec) -> tuple[HardwareSpec, ...]:
    """Rows naming the same card (same model words, laptop or not) with another memory size."""
    return _remembered(("variants", spec), lambda: _same_card(spec))


def _same_card(spec: HardwareSpec) -> tuple[HardwareSpec, ...]:
    from advisor.probe.specs.table import name_key

    key = name_key(spec.name)
    same = [
        s
        for k, s in _row_keys()
        if s.kind == spec.kind
        and s.vendor == spec.vendor
        and k.core == key.core
        and (k.laptop, k.maxq, k.forms) == (key.laptop, key.maxq, key.forms)
    ]
    return tuple(sorted(same, key=lambda s: s.memory_gb or 0))


def _row_keys() -> tuple:
    """(name_key of its name, row) for every row, keyed once per table: an audit asks
    _same_card for each card of its fleet, and keying the ~190 names for each took ~0.1 s of
    the audit process's CPU between its judging rounds."""
    from advisor.probe.specs.table import name_key, spec_table

    return _remembered(("row keys",), lambda: tuple((name_key(s.name), s) for s in spec_table()))
