"""RAM and swap (with a container's memory limit), free disk where models live, battery,
and whether we run in a container, WSL or a VM."""

from __future__ import annotations

from dataclasses import dataclass

from advisor.probe.live.host import Host
from advisor.probe.live.result import Findings
from advisor.units import GIB

CGROUP_LIMITS = (
    "/sys/fs/cgroup/memory.max",  # cgroup v2
    "/sys/fs/cgroup/memory/memory.limit_in_bytes",  # cgroup v1
)
# A v1 "no limit" is a page-rounded 2**63; anything this large means unlimited.
UNLIMITED = 1 << 60
VM_VENDORS = (
    "qemu",
    "kvm",
    "vmware",
    "virtualbox",
    "innotek",
    "xen",
    "microsoft corporation",
    "amazon ec2",
    "google",
    "parallels",
    "bochs",
    "openstack",
)


@dataclass(frozen=True)
class Ram:
    total_bytes: int | None
    available_bytes: int | None
    swap_total_bytes: int | None
    swap_free_bytes: int | None


def _cgroup_limit(host: Host) -> tuple[int | None, str | None]:
    for path in CGROUP_LIMITS:
        text, _ = host.file(path)
        if text is None:
            continue
        value = text.strip()
        if value.isdigit() and int(value) < UNLIMITED:
            return int(value), path
        return None, None
    return None, None


def probe_ram(host: Host, system: str, found: Findings) -> Ram:
    vm, why = host.psutil("virtual_memory")
    total = vm and vm["total"]
    available = vm and vm["available"]
    found.got("memory.ram_total_bytes", total, "psutil virtual_memory", why)
    found.got("memory.ram_available_bytes", available, "psutil virtual_memory", why)
    if system == "Linux" and total is not None:
        limit, path = _cgroup_limit(host)
        if limit is not None and limit < total:
            found.notes.append(
                f"a container memory limit of {limit / GIB:.1f} GiB applies ({path}); "
                f"the host has {total / GIB:.1f} GiB"
            )
            total = found.got("memory.ram_total_bytes", limit, f"cgroup {path}")
            available = found.got(
                "memory.ram_available_bytes", min(available or limit, limit), f"cgroup {path}"
            )
    swap, why_swap = host.psutil("swap_memory")
    return Ram(
        total_bytes=total,
        available_bytes=available,
        swap_total_bytes=found.got(
            "memory.swap_total_bytes", swap and swap["total"], "psutil swap_memory", why_swap
        ),
        swap_free_bytes=found.got(
            "memory.swap_free_bytes", swap and swap["free"], "psutil swap_memory", why_swap
        ),
    )


def model_dir(host: Host, home: str | None) -> str:
    """Where Hugging Face keeps downloaded models (HF_HUB_CACHE, HF_HOME/hub, ~/.cache/...)."""
    hub = host.env("HF_HUB_CACHE")
    if hub:
        return hub
    hf_home = host.env("HF_HOME")
    if hf_home:
        return hf_home.rstrip("/") + "/hub"
    xdg = host.env("XDG_CACHE_HOME")
    base = xdg or f"{home or '~'}/.cache"
    return base.rstrip("/") + "/huggingface/hub"


def probe_disk(host: Host, found: Findings) -> int | None:
    """Free space on the disk that holds the model cache, or its nearest existing parent."""
    home = host.env("HOME") or host.env("USERPROFILE")
    path = model_dir(host, home)
    tried: list[str | None] = []
    while path:
        usage, why = host.psutil("disk_usage", path)
        if usage is not None:
            return found.got("disk_free_bytes", usage["free"], f"psutil disk_usage({path})")
        tried.append(why)
        parent = path.rsplit("/", 1)[0]
        if parent == path:
            break
        path = parent or ("/" if path != "/" else "")
    found.unknown["disk_free_bytes"] = (tried and tried[-1]) or "no model directory to measure"
    return None


def probe_battery(host: Host, found: Findings) -> bool | None:
    battery, why = host.psutil("battery")
    if battery is None:
        found.unknown["on_battery"] = why or "psutil cannot read the battery"
        return None
    if not battery["present"]:
        found.sources["on_battery"] = "psutil sensors_battery (no battery)"
        return False
    plugged = battery.get("power_plugged")
    if plugged is None:
        found.unknown["on_battery"] = "the battery does not say whether it is charging"
        return None
    found.sources["on_battery"] = "psutil sensors_battery"
    return not plugged


def detect_wsl(host: Host, plat: dict[str, str]) -> bool:
    if plat.get("system") != "Linux":
        return False
    release = plat.get("release", "").lower()
    return "microsoft" in release or "wsl" in release or bool(host.env("WSL_DISTRO_NAME"))


def _in_container(host: Host) -> str | None:
    for marker in ("/.dockerenv", "/run/.containerenv"):
        _, why = host.file(marker)
        if why is None:
            return marker
    if host.env("container"):
        return "$container"
    cgroup, _ = host.file("/proc/1/cgroup")
    if cgroup and any(w in cgroup for w in ("docker", "kubepods", "containerd", "lxc", "libpod")):
        return "/proc/1/cgroup"
    return None


def detect_virtualization(host: Host, plat: dict[str, str], found: Findings) -> str | None:
    """'wsl', 'container' or 'vm' (the innermost layer that limits what the probe sees)."""
    if plat.get("system") != "Linux":
        return None
    if detect_wsl(host, plat):
        found.sources["virtualization"] = "kernel release / $WSL_DISTRO_NAME"
        return "wsl"
    marker = _in_container(host)
    if marker:
        found.sources["virtualization"] = marker
        return "container"
    vendor, _ = host.file("/sys/class/dmi/id/sys_vendor")
    if vendor and any(v in vendor.lower() for v in VM_VENDORS):
        found.sources["virtualization"] = "/sys/class/dmi/id/sys_vendor"
        return "vm"
    return None


MACHINE_ID_FILES = ("/etc/machine-id", "/var/lib/dbus/machine-id")
HOST_ID_COMMAND = ("ioreg", "-rd1", "-c", "IOPlatformExpertDevice")


def probe_host_id(host: Host, plat: dict[str, str], found: Findings) -> str | None:
    """An id for this installation, derived from the operating system's own (/etc/machine-id
    on Linux, the IOPlatformUUID on macOS) by a hash keyed for advisor, as systemd asks of
    programs that use the machine id: the raw id never leaves the probe. Still identifying
    (--anonymize removes it); the report's machine id is a salted hash of it, so identical
    laptops keep apart and a renamed host keeps its id."""
    system = plat.get("system")
    if system == "Linux":
        for path in MACHINE_ID_FILES:
            text, _ = host.file(path)
            if text and text.strip():
                found.sources["host_id"] = path
                return _app_specific(text.strip())
    elif system == "Darwin":
        text, _ = host.command(HOST_ID_COMMAND)
        for line in (text or "").splitlines():
            if '"IOPlatformUUID"' in line and "=" in line:
                raw = line.split("=", 1)[1].strip().strip('"')
                if raw:
                    found.sources["host_id"] = "ioreg IOPlatformExpertDevice"
                    return _app_specific(raw)
    return None


def _app_specific(raw: str) -> str:
    import hashlib

    return hashlib.sha256(f"advisor-host-id:{raw}".encode()).hexdigest()[:32]
