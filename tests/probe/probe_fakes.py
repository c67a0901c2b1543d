"""Recorded-style probe answers for fake machines, in `advisor doctor` dump form.

Figures follow published outputs of real machines: `nvidia-smi -q` (max memory clock, bus width,
power limits, PCI device ids), amdgpu sysfs and KFD topology files, and macOS sysctl/ioreg.
"""

from __future__ import annotations

import copy
from typing import Any

from advisor.units import GIB, MIB

X86_CPUINFO = """processor\t: 0
vendor_id\t: AuthenticAMD
model name\t: AMD Ryzen 9 7950X 16-Core Processor
flags\t\t: fpu sse sse2 ssse3 sse4_1 sse4_2 avx f16c fma avx2 avx512f avx512bw avx512_vnni

processor\t: 1
vendor_id\t: AuthenticAMD
model name\t: AMD Ryzen 9 7950X 16-Core Processor
flags\t\t: fpu sse sse2 ssse3 sse4_1 sse4_2 avx f16c fma avx2 avx512f avx512bw avx512_vnni
"""

PI5_CPUINFO = "\n\n".join(
    f"processor\t: {i}\nBogoMIPS\t: 108.00\nFeatures\t: fp asimd evtstrm aes pmull sha1 sha2 crc32 "
    "atomics fphp asimdhp cpuid asimdrdm lrcpc dcpop asimddp\nCPU implementer\t: 0x41\n"
    "CPU architecture: 8\nCPU variant\t: 0x4\nCPU part\t: 0xd0b\nCPU revision\t: 1"
    for i in range(4)
)


def ok(value: Any) -> dict[str, Any]:
    return {"value": value}


def missing(path: str) -> dict[str, Any]:
    return {"value": None, "reason": f"{path} does not exist"}


def linux(
    *,
    ram_gb: float = 64,
    available_gb: float = 48,
    cpuinfo: str = X86_CPUINFO,
    cores: int = 16,
    threads: int = 32,
    machine: str = "x86_64",
    release: str = "6.8.0-45-generic",
) -> dict[str, Any]:
    """A bare Linux box: psutil, /proc/cpuinfo, no GPU driver, no /sys/class/drm cards."""
    return {
        "doctor_version": 1,
        "reads": {
            "platform": {"system": "Linux", "machine": machine, "node": "box", "release": release},
            "env": {"HOME": "/home/user"},
            "files": {"/proc/cpuinfo": ok(cpuinfo)},
            "dirs": {
                "/proc/driver/nvidia": missing("/proc/driver/nvidia"),
                "/sys/class/drm": ok([]),
            },
            "links": {},
            "sysctl": {},
            "commands": {},
            "psutil": {
                "virtual_memory": ok(
                    {"total": int(ram_gb * GIB), "available": int(available_gb * GIB)}
                ),
                "swap_memory": ok({"total": 8 * GIB, "free": 8 * GIB}),
                "cpu_count:physical": ok(cores),
                "cpu_count:logical": ok(threads),
                "cpu_freq": ok({"current": 4500.0, "min": 400.0, "max": 5700.0}),
                "battery": ok({"present": False}),
                "disk_usage:/home/user/.cache/huggingface/hub": missing("hub"),
                "disk_usage:/home/user/.cache/huggingface": missing("hf"),
                "disk_usage:/home/user/.cache": ok({"total": 2000 * GIB, "free": 750 * GIB}),
            },
            "nvml": {"module": None, "calls": []},
        },
    }


def nvidia_gpu(
    name: str,
    *,
    total_mib: int,
    used_mib: int = 500,
    bus: int,
    mem_clock: int,
    cc: tuple[int, int],
    limit_w: float,
    default_w: float | None = None,
    draw_w: float = 30.0,
    pci_device: int,
    serial: str | None = "1324021012345",
) -> dict[str, Any]:
    return {
        "nvmlDeviceGetName": name,
        "nvmlDeviceGetMemoryInfo": {
            "total": total_mib * MIB,
            "free": (total_mib - used_mib) * MIB,
            "used": used_mib * MIB,
        },
        "nvmlDeviceGetMemoryBusWidth": bus,
        "nvmlDeviceGetMaxClockInfo": mem_clock,
        "nvmlDeviceGetCudaComputeCapability": list(cc),
        "nvmlDeviceGetEnforcedPowerLimit": int(limit_w * 1000),
        "nvmlDeviceGetPowerManagementDefaultLimit": int((default_w or limit_w) * 1000),
        "nvmlDeviceGetPowerUsage": int(draw_w * 1000),
        "nvmlDeviceGetUUID": f"GPU-{pci_device:08x}-0000-0000-0000-000000000000",
        "nvmlDeviceGetSerial": serial if serial else {"code": 3},
        "nvmlDeviceGetPciInfo": {"busId": "00000000:01:00.0", "pciDeviceId": pci_device},
    }


RTX_4090 = dict(
    name="NVIDIA GeForce RTX 4090",
    total_mib=24564,
    bus=384,
    mem_clock=10501,
    cc=(8, 9),
    limit_w=450,
    pci_device=0x268410DE,
    serial=None,
)
RTX_3060 = dict(
    name="NVIDIA GeForce RTX 3060",
    total_mib=12288,
    bus=192,
    mem_clock=7501,
    cc=(8, 6),
    limit_w=170,
    pci_device=0x250410DE,
    serial=None,
)
RTX_5090 = dict(
    name="NVIDIA GeForce RTX 5090",
    total_mib=32607,
    bus=512,
    mem_clock=14001,
    cc=(12, 0),
    limit_w=575,
    pci_device=0x2B8510DE,
    serial=None,
)
H100_PCIE = dict(
    name="NVIDIA H100 PCIe",
    total_mib=81559,
    bus=5120,
    mem_clock=1593,
    cc=(9, 0),
    limit_w=350,
    pci_device=0x233110DE,
)


def with_nvidia(
    dump: dict[str, Any],
    gpus: list[dict[str, Any]],
    *,
    driver: str = "550.54.14",
    cuda: int = 12040,
    init_code: int | None = None,
) -> dict[str, Any]:
    """Add an NVIDIA driver and NVML answers for `gpus` (from nvidia_gpu)."""
    dump = copy.deepcopy(dump)
    reads = dump["reads"]
    reads["dirs"]["/proc/driver/nvidia"] = ok(["gpus", "params", "version"])
    calls: list[dict[str, Any]] = []
    if init_code is not None:
        calls.append({"call": "nvmlInit", "error": "NVMLError", "code": init_code})
    else:
        calls += [
            {"call": "nvmlInit", "value": None},
            {"call": "nvmlDeviceGetCount", "value": len(gpus)},
            {"call": "nvmlSystemGetDriverVersion", "value": driver},
            {"call": "nvmlSystemGetCudaDriverVersion", "value": cuda},
        ]
    for i, gpu in enumerate(gpus):
        for fn, answer in gpu.items():
            call: dict[str, Any] = {"call": fn, "device": i}
            if fn == "nvmlDeviceGetMaxClockInfo":
                call["args"] = [2]
            if isinstance(answer, dict) and "code" in answer:
                call.update(error="NVMLError", code=answer["code"])
            else:
                call["value"] = answer
            calls.append(call)
    reads["nvml"] = {"module": "pynvml", "calls": calls}
    return dump


def with_drm_card(
    dump: dict[str, Any],
    card: str,
    files: dict[str, str],
    *,
    bus_id: str,
    render_minor: int = 128,
    kfd: dict[str, int] | None = None,
) -> dict[str, Any]:
    """Add /sys/class/drm/<card> with `files` under device/, and optionally a KFD node."""
    dump = copy.deepcopy(dump)
    reads = dump["reads"]
    drm = reads["dirs"]["/sys/class/drm"]["value"]
    drm += [card, f"renderD{render_minor}"]
    dev = f"/sys/class/drm/{card}/device"
    for name, text in files.items():
        reads["files"][f"{dev}/{name}"] = ok(text)
    reads["dirs"][f"{dev}/drm"] = ok([card, f"renderD{render_minor}"])
    reads["links"][dev] = ok(f"../../../{bus_id}")
    if kfd is not None:
        nodes = reads["dirs"].setdefault("/sys/class/kfd/kfd/topology/nodes", ok(["0"]))
        node = str(len(nodes["value"]))
        nodes["value"].append(node)
        props = {**kfd, "drm_render_minor": render_minor}
        reads["files"][f"/sys/class/kfd/kfd/topology/nodes/{node}/properties"] = ok(
            "".join(f"{k} {v}\n" for k, v in props.items())
        )
        reads["files"]["/sys/class/kfd/kfd/topology/nodes/0/properties"] = ok(
            "cpu_cores_count 16\nsimd_count 0\n"
        )
    return dump


def mac(
    *, chip: str, ram_gb: int, gpu_cores: int, p_cores: int, e_cores: int, wired_limit_mb: int = 0
) -> dict[str, Any]:
    ram = ram_gb * GIB
    values = {
        "hw.memsize": str(ram),
        "iogpu.wired_limit_mb": str(wired_limit_mb),
        "machdep.cpu.brand_string": chip,
        "hw.physicalcpu": str(p_cores + e_cores),
        "hw.logicalcpu": str(p_cores + e_cores),
        "hw.perflevel0.physicalcpu": str(p_cores),
        "hw.perflevel1.physicalcpu": str(e_cores),
        "hw.optional.neon": "1",
        "hw.optional.arm.FEAT_DotProd": "1",
        "hw.optional.arm.FEAT_I8MM": "1",
    }
    ioreg = (
        f'+-o AGXAcceleratorG15X  <class AGXAcceleratorG15X>\n    "gpu-core-count" = {gpu_cores}\n'
    )
    return {
        "doctor_version": 1,
        "reads": {
            "platform": {
                "system": "Darwin",
                "machine": "arm64",
                "node": "mac",
                "release": "24.1.0",
            },
            "env": {"HOME": "/Users/me"},
            "files": {},
            "dirs": {},
            "links": {},
            "sysctl": {"all": values},
            "commands": {"ioreg -rc AGXAccelerator -d1": ok(ioreg)},
            "psutil": {
                "virtual_memory": ok({"total": ram, "available": ram // 2}),
                "swap_memory": ok({"total": 0, "free": 0}),
                "cpu_count:physical": ok(p_cores + e_cores),
                "cpu_count:logical": ok(p_cores + e_cores),
                "cpu_freq": {"value": None, "reason": "psutil reports no cpu freq here"},
                "battery": ok({"present": True, "percent": 80, "power_plugged": False}),
                "disk_usage:/Users/me/.cache/huggingface/hub": ok(
                    {"total": 1000 * GIB, "free": 300 * GIB}
                ),
            },
            "nvml": {"module": None, "calls": []},
        },
    }
