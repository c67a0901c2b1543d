"""The psutil readings the probe uses, as plain JSON-ready values (so they can be recorded)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Answer = tuple[Any, "str | None"]


def _virtual_memory(_: str | None) -> Any:
    import psutil

    vm = psutil.virtual_memory()
    return {"total": int(vm.total), "available": int(vm.available)}


def _swap_memory(_: str | None) -> Any:
    import psutil

    sw = psutil.swap_memory()
    return {"total": int(sw.total), "free": int(sw.free)}


def _cpu_count(arg: str | None) -> Any:
    import psutil

    return psutil.cpu_count(logical=arg != "physical")


def _cpu_freq(_: str | None) -> Any:
    import psutil

    freq = psutil.cpu_freq()
    if freq is None:
        return None
    return {"current": freq.current, "min": freq.min or None, "max": freq.max or None}


def _battery(_: str | None) -> Any:
    import psutil

    if not hasattr(psutil, "sensors_battery"):
        raise NotImplementedError("psutil cannot read batteries on this platform")
    battery = psutil.sensors_battery()
    if battery is None:
        return {"present": False}
    return {"present": True, "percent": battery.percent, "power_plugged": battery.power_plugged}


def _disk_usage(path: str | None) -> Any:
    import psutil

    usage = psutil.disk_usage(path or "/")
    return {"total": int(usage.total), "free": int(usage.free)}


def _count(value: Any) -> bool:
    return type(value) is int and 0 <= value < 1 << 63


def _number(value: Any) -> bool:
    return type(value) in (int, float) and 0 <= value < 1e18


def _maybe(check: Callable[[Any], bool]) -> Callable[[Any], bool]:
    return lambda value: value is None or check(value)


# What each reading looks like when psutil gave it: a recorded one (probe.record.replay) that
# does not is treated as unread, so the probe's parsers only ever see these shapes.
SHAPES: dict[str, Callable[[Any], bool] | dict[str, Callable[[Any], bool]]] = {
    "virtual_memory": {"total": _count, "available": _count},
    "swap_memory": {"total": _count, "free": _count},
    "cpu_count": lambda value: type(value) is int and 1 <= value <= 1 << 20,
    "cpu_freq": {"current": _maybe(_number), "min": _maybe(_number), "max": _maybe(_number)},
    "battery": {"present": lambda v: type(v) is bool, "percent": _maybe(_number),
                "power_plugged": _maybe(lambda v: type(v) is bool)},
    "disk_usage": {"total": _count, "free": _count},
}  # fmt: skip


def well_formed(name: str, value: Any) -> bool:
    """Whether `value` has the shape psutil reading `name` gives (SHAPES)."""
    shape = SHAPES.get(name)
    if shape is None:
        return False
    if callable(shape):
        return shape(value)
    if not isinstance(value, dict) or not set(value) <= set(shape):
        return False
    required = ("present",) if name == "battery" else tuple(shape)  # a battery may say only that
    return all(key in value for key in required) and all(shape[k](v) for k, v in value.items())


READERS = {
    "virtual_memory": _virtual_memory,
    "swap_memory": _swap_memory,
    "cpu_count": _cpu_count,
    "cpu_freq": _cpu_freq,
    "battery": _battery,
    "disk_usage": _disk_usage,
}


def read(name: str, arg: str | None = None) -> Answer:
    """One psutil reading; a failure becomes (None, reason), never an exception."""
    try:
        value = READERS[name](arg)
    except ImportError as exc:
        return None, f"psutil is not installed ({exc})"
    except (OSError, NotImplementedError, RuntimeError, AttributeError) as exc:
        return None, f"psutil {name} failed: {exc}"
    if value is None:
        return None, f"psutil reports no {name.replace('_', ' ')} here"
    return value, None
