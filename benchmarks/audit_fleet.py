"""Generate a synthetic fleet of advisor reports for `advisor audit` (used by audit_scale.py).

    python benchmarks/audit_fleet.py OUT_DIR --reports 10000 --configs 300 [--seed 1]

Every machine is a variant of a reference profile (profiles/*.yaml, picked uniformly): its RAM
size, its GPU (kept, swapped for a desktop card from the spec table, or none) and its measured
RAM bandwidth (55-85% of the theoretical figure, as a copy test finds) vary, so `--configs`
distinct hardware configurations come out. Reports are spread over the configurations (each
used at least once), and each report has its own machine id and time, like one report per
machine collected from a fleet.

A report's document is a real `advisor report --json --anonymize` of its base profile, built
once per profile with advise() and the shipped catalog; only the machine entry, the machine id
and the time are replaced. Its stored verdicts are therefore those of the base profile; the
audit does not read them (it judges each machine again), so they only give the file its real
size and shape (about 60 KB, written with indent=2 as `advisor report -o` writes it).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from advisor.advice_options import AdviceOptions
from advisor.advise import advise
from advisor.catalog import load_catalog
from advisor.probe import list_profiles, load_profile
from advisor.probe.gpu.unified import apple_default_working_set_bytes
from advisor.probe.specs.table import HardwareSpec, spec_table
from advisor.report.document import build_document
from advisor.units import GIB
from advisor.workload import load_workloads

RAM_SIZES_GB = (8, 12, 16, 24, 32, 48, 64, 96, 128)
UNIFIED_RAM_GB = (16, 24, 32, 36, 48, 64, 96, 128)
NEWEST = datetime(2026, 11, 20, 12, 0, tzinfo=timezone.utc)
_MARK = "@@{}@@"


@dataclass(frozen=True)
class Template:
    """A base profile's machine entry and its report text with the per-machine parts marked."""

    profile: str
    machine: dict[str, Any]
    text: str


def templates() -> list[Template]:
    """One real anonymized report per reference profile (about 2-5 s in all)."""
    catalog = load_catalog(overlay=False)
    workloads = load_workloads()
    found = []
    for name in list_profiles():
        machine = load_profile(name)
        doc = build_document(
            advise(machine, catalog, workloads, AdviceOptions(cache=False)), anonymize=True
        )
        base = doc["machine"]
        doc.update(machine=_MARK.format("machine"), machine_id=_MARK.format("id"))
        doc["generated_at"] = _MARK.format("time")
        text = json.dumps(doc, indent=2, ensure_ascii=False)
        found.append(Template(name, base, text))
    return found


def _desktop_gpus() -> list[HardwareSpec]:
    return [
        s
        for s in spec_table()
        if s.kind == "discrete"
        and not s.laptop
        and s.vendor in ("nvidia", "amd")
        and s.memory_gb
        and s.memory_gb >= 4
        and s.memory_bandwidth_gbs
        and s.fp16_tflops
    ]


def _gpu_entry(spec: HardwareSpec) -> dict[str, Any]:
    return {
        "index": 0,
        "name": spec.name,
        "vendor": spec.vendor,
        "vram_gb": spec.memory_gb,
        "vram_free_gb": None,
        "memory_bandwidth_gbs": spec.memory_bandwidth_gbs,
        "fp16_tflops": spec.fp16_tflops,
        "unified_memory": False,
        "integrated": False,
        "bus_width_bits": spec.bus_width_bits,
        "max_memory_clock_mhz": None,
        "compute_capability": None,
        "core_count": spec.gpu_cores,
        "power_limit_w": None,
        "power_draw_w": None,
        "tdp_w": spec.tdp_w,
        "driver_version": None,
        "cuda_version": None,
        "pci_id": None,
        "pci_bus_id": None,
        "uuid": None,
        "serial": None,
    }


def variant(base: dict[str, Any], rng: random.Random, gpus: list[HardwareSpec]) -> dict:
    """A machine entry like `base` with another RAM size, GPU and measured bandwidth."""
    machine = json.loads(json.dumps(base))
    machine.update(origin="probe", source=None, name=None, notes=[])
    if machine["unified_memory"]:
        ram = rng.choice(UNIFIED_RAM_GB)
        apple = any(g["vendor"] == "apple" for g in machine["gpus"])
        share = apple_default_working_set_bytes(ram * GIB) / GIB if apple else ram
        machine.update(ram_gb=float(ram), gpu_working_set_gb=share)
        for gpu in machine["gpus"]:
            gpu["vram_gb"] = share
    else:
        machine["ram_gb"] = float(rng.choice(RAM_SIZES_GB))
        roll = rng.random()
        if machine["gpus"] and roll < 0.6:
            spec = rng.choice(gpus)
            machine["gpus"] = [_gpu_entry(spec)]
            machine["backend"] = "cuda" if spec.vendor == "nvidia" else "rocm"
            machine["sources"] = {
                k: v for k, v in machine["sources"].items() if not k.startswith("gpus[")
            }
    cpu = machine["cpu"]
    theoretical = cpu["memory_bandwidth_gbs"] or 50.0
    cpu["memory_bandwidth_measured_gbs"] = round(theoretical * rng.uniform(0.55, 0.85), 1)
    return machine


def configurations(bases: list[Template], count: int, seed: int) -> list[tuple[int, dict]]:
    """`count` distinct (template index, machine entry) pairs."""
    rng = random.Random(seed)
    gpus = _desktop_gpus()
    seen: set[str] = set()
    found = []
    while len(found) < count:
        index = rng.randrange(len(bases))
        machine = variant(bases[index].machine, rng, gpus)
        key = json.dumps(machine, sort_keys=True)
        if key not in seen:
            seen.add(key)
            found.append((index, machine))
    return found


def reports(reports: int, configs: int, seed: int = 1) -> Iterator[tuple[str, str]]:
    """(file name, report text) for `reports` machines over `configs` configurations."""
    bases = templates()
    chosen = configurations(bases, configs, seed)
    rng = random.Random(seed + 1)
    for number in range(reports):
        index, machine = chosen[number] if number < configs else rng.choice(chosen)
        machine_id = f"m-{number:020x}"
        entry = dict(machine, name=f"machine {machine_id}")
        when = NEWEST - timedelta(minutes=rng.randrange(90 * 24 * 60))
        text = (
            bases[index]
            .text.replace(json.dumps(_MARK.format("machine")), json.dumps(entry, indent=2))
            .replace(_MARK.format("id"), machine_id)
            .replace(_MARK.format("time"), when.isoformat().replace("+00:00", "Z"))
        )
        yield f"host-{number:05d}.json", text


def write_fleet(folder: Path, count: int, configs: int, seed: int = 1) -> int:
    """Write the fleet into `folder`; returns the bytes written."""
    folder.mkdir(parents=True, exist_ok=True)
    total = 0
    for name, text in reports(count, configs, seed):
        data = text.encode("utf-8")
        (folder / name).write_bytes(data)
        total += len(data)
    return total


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write a synthetic fleet of advisor reports")
    parser.add_argument("folder", type=Path)
    parser.add_argument("--reports", type=int, default=10_000)
    parser.add_argument("--configs", type=int, default=300, help="distinct hardware configurations")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    if not 0 < args.configs <= args.reports:
        parser.error("--configs must be between 1 and --reports")
    size = write_fleet(args.folder, args.reports, args.configs, args.seed)
    print(
        f"wrote {args.reports} reports ({args.configs} configurations, {size / 1e6:.0f} MB) "
        f"to {args.folder}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
