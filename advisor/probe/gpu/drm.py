"""AMD and Intel GPUs on Linux, read from sysfs (/sys/class/drm/card*/device, KFD topology).

AMD APUs (780M, Strix Halo) report a BIOS carve-out as `mem_info_vram_total` that can be as
small as 512 MB; the GPU also uses GTT, a share of system RAM, so its usable memory is
carve-out + GTT. Intel iGPUs share RAM the same way (Mesa's ANV heap rule).
"""

from __future__ import annotations

import re

from advisor.probe.gpu.nvidia import ProbedGpu
from advisor.probe.gpu.unified import ANV_RULE, intel_igpu_heap_bytes
from advisor.probe.live.host import Host
from advisor.probe.live.result import Findings
from advisor.probe.machine import Gpu
from advisor.probe.specs.table import match_pci
from advisor.units import GIB

DRM = "/sys/class/drm"
KFD_NODES = "/sys/class/kfd/kfd/topology/nodes"
VENDORS = {"0x1002": "amd", "0x8086": "intel", "0x10de": "nvidia"}
INTEL_LMEM_FILES = ("lmem_total_bytes", "device/lmem_total_bytes", "device/tile0/vram0/size")


def _int(text: str | None) -> int | None:
    try:
        return int(text.strip(), 0) if text else None
    except ValueError:
        return None


def gfx_name(version: int | None) -> str | None:
    """KFD's gfx_target_version (110501) as the LLVM target name (gfx1151)."""
    if not version:
        return None
    major, minor, step = version // 10000, (version // 100) % 100, version % 100
    return f"gfx{major}{minor}{step:x}"


def _kfd_nodes(host: Host) -> dict[int, dict[str, int]]:
    """KFD topology properties of each GPU node, keyed by its DRM render minor."""
    nodes, _ = host.listdir(KFD_NODES)
    out: dict[int, dict[str, int]] = {}
    for node in nodes or ():
        text, _ = host.file(f"{KFD_NODES}/{node}/properties")
        props = {}
        for line in (text or "").splitlines():
            key, _, value = line.partition(" ")
            if value.strip().lstrip("-").isdigit():
                props[key] = int(value)
        if props.get("simd_count") and "drm_render_minor" in props:
            out[props["drm_render_minor"]] = props
    return out


def _render_minor(host: Host, card: str) -> int | None:
    entries, _ = host.listdir(f"{DRM}/{card}/device/drm")
    for entry in entries or ():
        if entry.startswith("renderD"):
            return _int(entry[len("renderD") :])
    return None


def _amd(
    host: Host, card: str, pci_id: str, bus_id: str | None, kfd: dict, ram_total: int | None
) -> ProbedGpu:
    found = Findings()
    dev = f"{DRM}/{card}/device"
    vram_text, vram_why = host.file(f"{dev}/mem_info_vram_total")
    used_text, _ = host.file(f"{dev}/mem_info_vram_used")
    gtt_text, gtt_why = host.file(f"{dev}/mem_info_gtt_total")
    carve, used, gtt = _int(vram_text), _int(used_text), _int(gtt_text)
    props = kfd.get(_render_minor(host, card) or -1, {})
    gfx = gfx_name(props.get("gfx_target_version"))
    cus = props["simd_count"] // props["simd_per_cu"] if props.get("simd_per_cu") else None
    match = match_pci(
        pci_id,
        gfx_target=gfx,
        memory_bytes=carve if carve and carve > 4 * GIB else None,
        compute_units=cus,
    )
    spec = match.spec if match else None
    apu = bool(props.get("cpu_cores_count")) or bool(spec and spec.unified_memory)
    product, _ = host.file(f"{dev}/product_name")
    name = (product or "").strip() or (spec and _amd_marketing(spec.name)) or f"AMD GPU {pci_id}"
    found.got(
        "name",
        name,
        "sysfs product_name"
        if product and product.strip()
        else (match.note if match else "sysfs PCI id"),
    )
    found.got(
        "compute_capability",
        gfx,
        "KFD topology gfx_target_version",
        "KFD topology not readable (amdgpu without ROCm's kfd?)",
    )
    if apu and carve is not None:
        usable = carve + min(gtt or 0, ram_total or gtt or 0)
        total = found.got(
            "vram_total_bytes", usable, "sysfs mem_info_vram_total + mem_info_gtt_total"
        )
        free = found.got("vram_free_bytes", usable - (used or 0), "sysfs mem_info_vram_used")
        found.notes.append(
            f"{name}: BIOS carve-out {carve / GIB:.1f} GiB; the GPU also uses GTT "
            f"{(gtt or 0) / GIB:.1f} GiB of system RAM, {usable / GIB:.1f} GiB in all"
        )
    else:
        total = found.got("vram_total_bytes", carve, "sysfs mem_info_vram_total", vram_why)
        free = found.got(
            "vram_free_bytes",
            None if carve is None or used is None else carve - used,
            "sysfs mem_info_vram_used",
            vram_why,
        )
    if gtt is None and apu:
        found.unknown["vram_total_bytes"] = gtt_why or "GTT size unreadable"
    return ProbedGpu(
        _gpu_from_spec(name, "amd", total, free, spec, match, apu, found, pci_id, bus_id, gfx, cus),
        found,
    )


def _amd_marketing(name: str) -> str:
    return name if name.startswith(("AMD", "Radeon")) else f"AMD Radeon {name}"


def _intel(
    host: Host, card: str, pci_id: str, bus_id: str | None, ram_total: int | None
) -> ProbedGpu:
    found = Findings()
    lmem, source = None, None
    for rel in INTEL_LMEM_FILES:
        text, _ = host.file(f"{DRM}/{card}/{rel}")
        if _int(text):
            lmem, source = _int(text), f"sysfs {rel}"
            break
    match = match_pci(pci_id, memory_bytes=lmem)
    spec = match.spec if match else None
    integrated = (spec.kind == "integrated") if spec else (bus_id or "").endswith("00:02.0")
    name = (
        f"Intel {spec.name}"
        if spec
        else ("Intel integrated GPU" if integrated else f"Intel GPU {pci_id}")
    )
    found.got("name", name, match.note if match else "sysfs PCI id")
    if integrated:
        total = found.got(
            "vram_total_bytes",
            ram_total and intel_igpu_heap_bytes(ram_total),
            ANV_RULE,
            "host RAM unknown",
        )
    elif lmem is not None:
        total = found.got("vram_total_bytes", lmem, source)
    else:
        total = found.got(
            "vram_total_bytes",
            spec and spec.memory_bytes,
            match.note if match else None,
            "the driver exposes no local-memory size and the PCI id is not in the spec table",
        )
    found.unknown.setdefault("vram_free_bytes", "i915/xe do not expose free local memory in sysfs")
    found.unknown["compute_capability"] = "Intel GPUs have no compute-capability figure"
    return ProbedGpu(
        _gpu_from_spec(
            name, "intel", total, None, spec, match, integrated, found, pci_id, bus_id, None, None
        ),
        found,
    )


def _gpu_from_spec(
    name, vendor, total, free, spec, match, unified, found, pci_id, bus_id, gfx, cus
) -> Gpu:
    note = match.note if match else None
    missing = f"{name} ({pci_id}) is not in the spec table"
    return Gpu(
        index=0,
        name=name,
        vendor=vendor,
        vram_total_bytes=total,
        vram_free_bytes=free,
        memory_bandwidth_gbs=found.got(
            "memory_bandwidth_gbs",
            spec and spec.memory_bandwidth_gbs,
            note,
            missing if not unified else "an integrated GPU reads system RAM: see memory bandwidth",
        ),
        fp16_tflops=found.got("fp16_tflops", spec and spec.fp16_tflops, note, missing),
        unified_memory=unified,
        integrated=unified,
        bus_width_bits=found.got("bus_width_bits", spec and spec.bus_width_bits, note, missing),
        compute_capability=gfx,
        core_count=found.got(
            "core_count", cus or (spec and spec.gpu_cores), "KFD topology" if cus else note, missing
        ),
        pci_id=found.got("pci_id", pci_id, "sysfs vendor/device"),
        pci_bus_id=found.got("pci_bus_id", bus_id, "sysfs device link"),
        tdp_w=found.got("tdp_w", spec and spec.tdp_w, note, missing),
    )


def probe_drm(
    host: Host, ram_total: int | None, nvidia_missing: str | None = None
) -> tuple[list[ProbedGpu], Findings]:
    """AMD and Intel GPUs from sysfs; NVIDIA cards seen here are left to NVML (noted only)."""
    machine = Findings()
    cards, why = host.listdir(DRM)
    if cards is None:
        machine.notes.append(f"no AMD or Intel GPU probed: {why or DRM + ' unreadable'}")
        return [], machine
    kfd: dict | None = None
    gpus: list[ProbedGpu] = []
    for card in cards:
        if not re.fullmatch(r"card\d+", card):
            continue
        dev = f"{DRM}/{card}/device"
        vendor_text, _ = host.file(f"{dev}/vendor")
        device_text, _ = host.file(f"{dev}/device")
        vendor = VENDORS.get((vendor_text or "").strip())
        if vendor is None or not device_text:
            continue
        pci_id = f"{vendor_text.strip()[2:]}:{device_text.strip()[2:]}".lower()
        if vendor == "nvidia":
            if nvidia_missing:
                machine.notes.append(
                    f"NVIDIA GPU {pci_id} is present but unreadable: {nvidia_missing}"
                )
            continue
        link, _ = host.readlink(dev)
        bus_id = link.rsplit("/", 1)[-1] if link else None
        if vendor == "amd":
            kfd = _kfd_nodes(host) if kfd is None else kfd
            gpus.append(_amd(host, card, pci_id, bus_id, kfd, ram_total))
        else:
            gpus.append(_intel(host, card, pci_id, bus_id, ram_total))
    return gpus, machine
