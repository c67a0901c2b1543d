"""The machine panel: CPU, RAM, GPUs, bandwidth and backend, with unknowns and their reasons."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from advisor.probe.machine import Gpu, Machine
from advisor.tui.format import gbs, gib, unknown_because

# Machine.sources says in full which probe path gave a figure ("spec table: RTX 4090",
# "nvml (bus width x max memory clock x 2)"); the panel names the kind only.
_SOURCE_KINDS = (
    ("measured", "measured"),
    ("spec", "spec table"),
    ("nvml", "NVML"),
    ("profile", "profile"),
    ("override", "override"),
)


def short_source(source: str) -> str:
    lowered = source.lower()
    for prefix, kind in _SOURCE_KINDS:
        if lowered.startswith(prefix):
            return kind
    return source.split("(")[0].split(":")[0].strip()


def _source(machine: Machine, key: str) -> str:
    source = machine.sources.get(key)
    return short_source(source) if source else ""


def _reason(machine: Machine, *keys: str) -> str | None:
    return next((machine.unknown[k] for k in keys if k in machine.unknown), None)


def _field(label: str) -> Text:
    return Text(f"{label:<8}", style="bold")


def _value(text: Text, value: str, *, unknown: bool = False) -> None:
    text.append(value, style="italic dim" if unknown else "")


def _header_line(machine: Machine) -> Text:
    line = _field("Machine")
    line.append(machine.name, style="bold")
    profile = machine.origin.removeprefix("profile:")
    line.append("  this computer" if machine.origin == "probe" else f"  profile {profile}")
    line.append("  backend ", style="dim")
    line.append(machine.backend, style="bold")
    if machine.virtualization:
        line.append(f"  ({machine.virtualization})", style="dim")
    return line


def _cpu_line(machine: Machine, compact: bool) -> Text:
    cpu = machine.cpu
    line = _field("CPU")
    _value(line, cpu.name or unknown_because(_reason(machine, "cpu.name")), unknown=not cpu.name)
    cores = cpu.physical_cores
    threads = cpu.logical_cores
    line.append(" · ")
    if cores is None and threads is None:
        reason = _reason(machine, "cpu.physical_cores")
        _value(line, "cores " + unknown_because(reason), unknown=True)
    else:
        line.append(f"{cores if cores is not None else '?'} cores / {threads or '?'} threads")
    if cpu.simd_flags and not compact:
        line.append(" · " + " ".join(cpu.simd_flags), style="dim")
    return line


def _ram_bandwidth(machine: Machine, pending: bool) -> Text:
    memory = machine.memory
    text = Text()
    if memory.bandwidth_measured_gbs is not None:
        text.append(f"{gbs(memory.bandwidth_measured_gbs)} measured", style="bold")
        if memory.bandwidth_theoretical_gbs is not None:
            text.append(f" (spec {gbs(memory.bandwidth_theoretical_gbs)})", style="dim")
        return text
    if memory.bandwidth_theoretical_gbs is not None:
        source = _source(machine, "memory.bandwidth_theoretical_gbs") or "spec table"
        text.append(f"{gbs(memory.bandwidth_theoretical_gbs)} ({source})")
        if pending:
            text.append(" · measuring…", style="dim")
        return text
    if pending:
        text.append("measuring…", style="italic dim")
        return text
    reason = _reason(machine, "memory.bandwidth_measured_gbs", "memory.bandwidth_gbs")
    _value(text, unknown_because(reason), unknown=True)
    return text


def _ram_line(machine: Machine, pending: bool) -> Text:
    memory = machine.memory
    line = _field("RAM")
    if memory.ram_total_bytes is None:
        _value(line, unknown_because(_reason(machine, "memory.ram_total_bytes")), unknown=True)
    else:
        line.append(gib(memory.ram_total_bytes))
        if memory.ram_available_bytes is not None and machine.origin == "probe":
            line.append(f" ({gib(memory.ram_available_bytes)} free)", style="dim")
    line.append(" · bandwidth ")
    line.append_text(_ram_bandwidth(machine, pending))
    return line


def _gpu_memory(machine: Machine, gpu: Gpu) -> Text:
    key = f"gpus[{gpu.index}]"
    text = Text()
    if gpu.unified_memory:
        limit = machine.gpu_working_set_bytes
        text.append("shares RAM")
        if limit is not None:
            text.append(f", GPU may use {gib(limit)}")
        return text
    if gpu.vram_total_bytes is None:
        reason = _reason(machine, f"{key}.vram_total_bytes")
        _value(text, "VRAM " + unknown_because(reason), unknown=True)
        return text
    text.append(f"{gib(gpu.vram_total_bytes)} VRAM")
    if gpu.vram_free_bytes is not None and machine.origin == "probe":
        text.append(f" ({gib(gpu.vram_free_bytes)} free)", style="dim")
    return text


def _gpu_line(machine: Machine, gpu: Gpu, compact: bool) -> Text:
    key = f"gpus[{gpu.index}]"
    line = _field(f"GPU {gpu.index}")
    line.append(gpu.name)
    line.append(" · ")
    line.append_text(_gpu_memory(machine, gpu))
    line.append(" · ")
    if gpu.memory_bandwidth_gbs is None:
        reason = _reason(machine, f"{key}.memory_bandwidth_gbs")
        _value(line, "bandwidth " + unknown_because(reason), unknown=True)
    else:
        source = _source(machine, f"{key}.memory_bandwidth_gbs")
        line.append(gbs(gpu.memory_bandwidth_gbs) + (f" ({source})" if source else ""))
    if gpu.fp16_tflops is not None and not compact:
        line.append(f" · {gpu.fp16_tflops:g} TFLOPS fp16", style="dim")
    return line


def _no_gpu_line(machine: Machine) -> Text:
    line = _field("GPU")
    reason = _reason(machine, "gpus") or machine.backend_reason
    line.append("none")
    if reason:
        line.append(f" ({reason})", style="dim")
    return line


def machine_text(
    machine: Machine, *, bandwidth_pending: bool = False, compact: bool = False
) -> Text:
    """The panel's lines for `machine`; `compact` leaves out SIMD flags and TFLOPS."""
    lines = [
        _header_line(machine),
        _cpu_line(machine, compact),
        _ram_line(machine, bandwidth_pending),
    ]
    lines.extend(_gpu_line(machine, gpu, compact) for gpu in machine.gpus)
    if not machine.gpus:
        lines.append(_no_gpu_line(machine))
    lines.extend(Text(f"note    {note}", style="dim") for note in machine.notes)
    return Text("\n").join(lines)


class MachinePanel(Static):
    """Shows the machine being advised about; says what it is waiting for until then."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(Text("Probing this computer…", style="italic dim"), id=id)
        self.machine: Machine | None = None
        self.bandwidth_pending = False
        self.failure: str | None = None

    def show(self, machine: Machine, *, bandwidth_pending: bool = False) -> None:
        self.machine, self.bandwidth_pending, self.failure = machine, bandwidth_pending, None
        self._draw()

    def wait_for(self, what: str) -> None:
        """No machine yet: say what is being loaded."""
        self.machine, self.failure = None, None
        self.update(Text(what, style="italic dim"))

    def fail(self, message: str) -> None:
        self.machine, self.failure = None, message
        self.update(Text(f"No machine: {message}", style="bold red"))

    def on_resize(self) -> None:
        # Compact or not depends on the width. A layout asked for while this resize is being
        # handled can be lost, so redraw once it is done.
        if self.machine is not None:
            self.call_after_refresh(self._draw)

    def _draw(self) -> None:
        if self.machine is None:
            return
        width = self.size.width or self.app.size.width
        text = machine_text(
            self.machine, bandwidth_pending=self.bandwidth_pending, compact=width < 100
        )
        self.update(text)
