"""Power draw: measured beats given beats spec beats assumed, and each says where it came from."""

from __future__ import annotations

import pytest
from verdict_builders import make_gpu, make_machine

from advisor.probe.machine import Cpu
from advisor.probe.power.draw import HOST_W_BESIDE_GPU, resolve_power


def test_a_bench_measurement_wins() -> None:
    machine = make_machine(gpus=(make_gpu(),), backend="cuda")
    power = resolve_power(machine, measured_gpu_w=300.0, measured_source="qwen3 8b Q4_K_M")
    assert power.status == "measured"
    assert power.watts == 300 + HOST_W_BESIDE_GPU
    assert "qwen3 8b" in power.source


def test_a_profiles_whole_system_figure_is_given() -> None:
    machine = make_machine(inference_power_w=230.0, sources={"inference_power_w": "profile"})
    power = resolve_power(machine)
    assert (power.watts, power.status) == (230.0, "given")


def test_the_spec_tables_whole_system_figure_counts_as_spec() -> None:
    machine = make_machine(inference_power_w=133.0, sources={"inference_power_w": "spec-table"})
    assert resolve_power(machine).status == "spec"


def test_spec_table_inference_power_for_a_known_gpu() -> None:
    # The spec table has a measured 375 W board figure for the RTX 4090 while generating.
    power = resolve_power(make_machine(gpus=(make_gpu(),), backend="cuda"))
    assert power.status == "spec"
    assert power.watts == pytest.approx(375 + HOST_W_BESIDE_GPU)
    assert "measured while generating" in power.source


def test_tdp_when_no_inference_figure() -> None:
    gpu = make_gpu("NVIDIA GeForce RTX 3060", 12)
    power = resolve_power(make_machine(gpus=(gpu,), backend="cuda"))
    assert power.watts == pytest.approx(170 + HOST_W_BESIDE_GPU)
    assert "TDP" in power.source


def test_an_idle_nvml_reading_is_not_used() -> None:
    gpu = make_gpu("Mystery Accelerator 9000", 16, power_draw_w=21.0, power_limit_w=320.0)
    machine = make_machine(gpus=(gpu,), sources={"gpus[0].power_draw_w": "nvml"})
    power = resolve_power(machine)
    assert power.watts == pytest.approx(320 + HOST_W_BESIDE_GPU)
    assert "ceiling" in power.source


def test_a_profile_stated_gpu_draw_is_used() -> None:
    gpu = make_gpu("Mystery Accelerator 9000", 16, power_draw_w=210.0)
    machine = make_machine(gpus=(gpu,), sources={"gpus[0].power_draw_w": "profile"})
    power = resolve_power(machine)
    assert (power.watts, power.status) == (210 + HOST_W_BESIDE_GPU, "given")


def test_an_unknown_gpu_is_an_assumption_that_says_so() -> None:
    power = resolve_power(make_machine(gpus=(make_gpu("Mystery Accelerator 9000", 16),)))
    assert power.status == "assumed" and "assumed" in power.source


def test_a_layer_split_charges_one_busy_gpu_and_only_the_gpus_used() -> None:
    """Issue 13 item 6: two RTX 3090s were charged 800 W for a model that fits on one. The
    layer split runs the GPUs one after the other; a GPU holding no layers is not charged."""
    gpus = (
        make_gpu("NVIDIA GeForce RTX 3060", 12),
        make_gpu("NVIDIA GeForce RTX 3060", 12, index=1),
    )
    machine = make_machine(gpus=gpus, backend="cuda")
    split = resolve_power(machine)
    assert split.watts == pytest.approx(170 + HOST_W_BESIDE_GPU)
    assert "one busy at a time" in split.source
    one = resolve_power(machine, gpus_used=frozenset({0}))
    assert one.watts == pytest.approx(170 + HOST_W_BESIDE_GPU)
    assert "1 other GPU(s) hold no layers" in one.source


@pytest.mark.parametrize(
    ("cpu", "name", "watts", "kind"),
    [
        # Issue 13 item 6: a 15 W i5-1235U laptop was charged 15 W + 7.5 W × 10 cores = 90 W.
        (Cpu("Intel Core i5-1235U", "x86_64", 10, 12), "Office laptop", 51.7, "a laptop"),
        (Cpu("AMD Ryzen 9 7950X", "x86_64", 16, 32), "Desktop", 140.0, "a desktop"),
        (Cpu("Intel N150", "x86_64", 4, 4), "Mini PC", 30.3, "a low-power mini PC"),
        (Cpu("Broadcom BCM2712 (Cortex-A76)", "aarch64", 4, 4), "Raspberry Pi 5", 11.9,
         "a single-board computer"),
        (Cpu("AMD EPYC 9654", "x86_64", 96, 192), "Server", 477.0, "a server"),
    ],
)  # fmt: skip
def test_cpu_only_power_is_the_sourced_reading_of_its_class(cpu, name, watts, kind) -> None:
    power = resolve_power(make_machine(cpu=cpu, name=name))
    assert power.watts == pytest.approx(watts) and power.status == "spec"
    assert f"CPU-only generation on {kind}" in power.source and "geerlingguy" in power.source


def test_idle_draw_by_class_with_its_source() -> None:
    desktop = resolve_power(make_machine(gpus=(make_gpu(),), backend="cuda"))
    assert desktop.idle_watts == pytest.approx(47.7) and "issue #46" in desktop.idle_source
    laptop = resolve_power(make_machine(cpu=Cpu("Intel Core i5-1235U", "x86_64", 10, 12)))
    assert laptop.idle_watts is None and "not counted" in laptop.idle_source


def test_unified_memory_soc_uses_the_chips_figure() -> None:
    gpu = make_gpu("AMD Radeon 8060S", 96, vendor="amd", unified_memory=True, integrated=True)
    machine = make_machine(gpus=(gpu,), unified_memory=True, backend="vulkan",
                           cpu=Cpu("AMD Ryzen AI Max+ 395", "x86_64", 16, 32))  # fmt: skip
    power = resolve_power(machine)
    assert power.status == "spec" and power.watts == 133
    assert "at the wall" in power.source


def test_identical_gpus_give_their_source_once() -> None:
    # Two RTX 3090s split the layers: one figure, its source said once, for both of them.
    gpus = (
        make_gpu("NVIDIA GeForce RTX 3090", 24),
        make_gpu("NVIDIA GeForce RTX 3090", 24, index=1),
    )
    power = resolve_power(make_machine(gpus=gpus, backend="cuda"))
    assert power.source.count("NVIDIA GeForce RTX 3090:") == 1
    assert "2 GPUs alike, each NVIDIA GeForce RTX 3090: 360 W" in power.source
    mixed = (make_gpu("NVIDIA GeForce RTX 3090", 24), make_gpu(index=1))
    assert "alike" not in resolve_power(make_machine(gpus=mixed, backend="cuda")).source


def test_server_classes_without_a_sourced_idle_reading_say_so() -> None:
    two = (
        make_gpu("NVIDIA GeForce RTX 3090", 24),
        make_gpu("NVIDIA GeForce RTX 3090", 24, index=1),
    )
    power = resolve_power(make_machine(gpus=two, backend="cuda"))
    assert power.idle_watts is None
    assert "no sourced idle reading for a machine with 2 discrete GPUs" in power.idle_source
    h100 = (make_gpu("NVIDIA H100 PCIe", 80),)
    power = resolve_power(make_machine(gpus=h100, backend="cuda"))
    assert power.idle_watts is None
    assert "datacenter or workstation GPU" in power.idle_source


def test_a_48_core_xeon_is_a_server_not_a_desktop() -> None:
    """A 48-core Xeon was classed as a desktop (servers started above 48 cores): no desktop
    part has more than 24 cores, and a Xeon or EPYC is a server at any count."""
    for cpu in (
        Cpu("Intel Xeon Platinum 8468", "x86_64", 48, 96),
        Cpu("Intel Xeon E-2388G", "x86_64", 8, 16),
        Cpu("AMD Ryzen Threadripper 7980X", "x86_64", 64, 128),
    ):
        power = resolve_power(make_machine(cpu=cpu))
        assert power.watts == pytest.approx(477.0), cpu.name
        assert "CPU-only generation on a server" in power.source, cpu.name
    desktop = resolve_power(make_machine(cpu=Cpu("Intel Core i9-14900K", "x86_64", 24, 32)))
    assert "CPU-only generation on a desktop" in desktop.source


def test_a_laptop_gpu_is_charged_a_laptops_rest_not_a_desktops() -> None:
    """A laptop GPU was charged 80 W for the rest of the machine, a desktop's figure; it is
    the sourced wall reading of a whole laptop generating on its CPU (Framework 13, 51.7 W)."""
    gpu = make_gpu("NVIDIA GeForce RTX 4060 Laptop GPU", 8, tdp_w=115.0)
    power = resolve_power(make_machine(gpus=(gpu,), backend="cuda"))
    assert power.watts == pytest.approx(115.0 + 51.7)
    assert "for the rest of a laptop" in power.source and "issue #33" in power.source
    measured = resolve_power(make_machine(gpus=(gpu,), backend="cuda"), measured_gpu_w=90.0)
    assert measured.watts == pytest.approx(90.0 + 51.7)
    desktop = resolve_power(make_machine(gpus=(make_gpu(),), backend="cuda"))
    assert "plus 80 W assumed" in desktop.source


def _apple(battery_source: str | None, chip: str = "Apple M4 Max"):
    gpu = make_gpu(chip, 96, vendor="apple", unified_memory=True, integrated=True)
    sources = {"on_battery": battery_source} if battery_source else {}
    return make_machine(gpus=(gpu,), unified_memory=True, backend="metal", sources=sources,
                        cpu=Cpu(chip, "arm64", 16, 16))  # fmt: skip


def test_apple_idle_draw_follows_the_battery_the_probe_found() -> None:
    """Apple laptops had no idle figure though the power data has a MacBook Pro's (18-25 W at
    the wall, issue #4); a MacBook is told from a Mac mini by its battery, never its name."""
    laptop = resolve_power(_apple("psutil sensors_battery"))
    assert laptop.idle_watts == pytest.approx(21.5)
    assert "MacBook Pro 16 M2 Max" in laptop.idle_source and "18-25 W" in laptop.idle_source
    assert "issue #4, 2024-11-30" in laptop.idle_source
    mini = resolve_power(_apple("psutil sensors_battery (no battery)"))
    assert mini.idle_watts == pytest.approx(6.0) and "Mac mini" in mini.idle_source
    unknown = resolve_power(_apple(None))
    assert unknown.idle_watts is None
    assert "a MacBook idles at about 21.5 W" in unknown.idle_source
    assert "a Mac mini at 6 W" in unknown.idle_source and "not counted" in unknown.idle_source
    studio = resolve_power(_apple(None, "Apple M3 Ultra"))
    assert studio.idle_watts == pytest.approx(6.0)


def test_classes_with_no_idle_reading_are_named() -> None:
    """DGX Spark, servers and laptops said "this class of machine"; each names its class and
    that the cost leaves the idle draw out."""
    spark = make_gpu("NVIDIA GB10", 128, unified_memory=True, integrated=True)
    cases = [
        (make_machine(gpus=(spark,), unified_memory=True, backend="cuda"), "a DGX Spark (GB10)"),
        (make_machine(cpu=Cpu("AMD EPYC 9654", "x86_64", 96, 192)), "a server"),
        (make_machine(cpu=Cpu("Intel Core i5-1235U", "x86_64", 10, 12)), "a laptop"),
    ]
    for machine, kind in cases:
        power = resolve_power(machine)
        assert power.idle_watts is None
        assert f"no sourced idle reading for {kind} (" in power.idle_source, kind
        assert "the monthly cost leaves it out" in power.idle_source
