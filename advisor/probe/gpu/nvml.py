"""The one guarded gateway to NVML: lazy init, every call wrapped, every failure a reason.

Nothing else touches pynvml. A call answers (value, reason); value is plain data (str, int,
list, dict), never a ctypes struct, so it can be recorded by `advisor doctor` and replayed.
"""

from __future__ import annotations

from typing import Any

from advisor.probe.live.host import Answer, Host

# NVML return codes (nvml.h) and what they mean to a user.
_REASONS = {
    1: "NVML was not initialised",
    2: "NVML rejected the argument",
    3: "not supported on this GPU or driver",
    4: "permission denied by the NVIDIA driver (check access to /dev/nvidia*)",
    6: "not found",
    9: "the NVIDIA kernel driver is not loaded",
    12: "the NVML library (libnvidia-ml) was not found: no NVIDIA driver is installed",
    13: "not available in this NVIDIA driver version",
    15: "the GPU has fallen off the bus",
    17: "the operating system blocked the request",
    18: "NVIDIA driver and library versions differ (reboot after a driver update)",
}
NVML_CLOCK_MEM = 2
NOT_SUPPORTED = 3


def plain(value: Any) -> Any:
    """Turn a pynvml result (ctypes struct, bytes, tuple) into JSON-ready data."""
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    fields = getattr(value, "_fields_", None)
    if fields is not None:
        return {name: plain(getattr(value, name)) for name, *_ in fields}
    if hasattr(value, "__dict__"):
        return {k: plain(v) for k, v in vars(value).items() if not k.startswith("_")}
    return str(value)


class NvmlGateway:
    """Lazily initialised NVML. Methods never raise; they answer (value, reason)."""

    def __init__(self, host: Host) -> None:
        self._host = host
        self._module: Any = None
        self._failure: str | None = None
        self._started = False
        self._handles: dict[int, Answer] = {}

    @property
    def failure(self) -> str | None:
        """Why NVML as a whole is unusable (library absent, init failed), or None."""
        self._start()
        return self._failure

    def _start(self) -> None:
        if self._started:
            return
        self._started = True
        module, reason = self._host.nvml_module()
        if module is None:
            self._failure = reason
            return
        self._module = module
        _, reason = self._invoke("nvmlInit", None, ())
        if reason is not None:
            self._failure = f"NVML could not start: {reason}"

    def _describe(self, exc: BaseException) -> tuple[str, dict[str, Any]]:
        error_class = getattr(self._module, "NVMLError", None)
        if error_class is not None and isinstance(exc, error_class):
            code: Any = getattr(exc, "value", None)
            reason = _REASONS.get(code, f"NVML error {code}: {exc}")
            return reason, {"error": type(exc).__name__, "code": code}
        return f"{type(exc).__name__}: {exc}", {"error": type(exc).__name__, "message": str(exc)}

    def _invoke(self, fn: str, device: int | None, args: tuple) -> Answer:
        record: dict[str, Any] = {"call": fn}
        if device is not None:
            record["device"] = device
        if args:
            record["args"] = list(args)
        func = getattr(self._module, fn, None)
        if func is None:
            answer: Answer = (None, f"{fn} is not in this pynvml version")
            record.update(error="missing", reason=answer[1])
        else:
            handle: tuple[Any, ...] = ()
            if device is not None:
                handle_value, handle_reason = self._handle(device)
                if handle_value is None:
                    return None, handle_reason
                handle = (handle_value,)
            try:
                value = plain(func(*handle, *args))
                answer = (value, None)
                record["value"] = value
            except Exception as exc:  # noqa: BLE001 - never raise: any failure is a reason
                # NVMLError, and what pynvml's ctypes layer lets through: RuntimeError,
                # ctypes.ArgumentError, OSError, a struct it could not decode.
                reason, detail = self._describe(exc)
                answer = (None, reason)
                record.update(detail, reason=reason)
        self._host.record_nvml(record)
        return answer

    def _handle(self, device: int) -> Answer:
        if device not in self._handles:
            func = self._module.nvmlDeviceGetHandleByIndex
            try:
                handle = func(device)
                self._handles[device] = (handle, None)
                self._host.record_nvml({"call": "nvmlDeviceGetHandleByIndex", "args": [device]})
            except Exception as exc:  # noqa: BLE001 - never raise, as in _invoke
                reason, detail = self._describe(exc)
                self._handles[device] = (None, f"nvmlDeviceGetHandleByIndex: {reason}")
                self._host.record_nvml(
                    {
                        "call": "nvmlDeviceGetHandleByIndex",
                        "args": [device],
                        **detail,
                        "reason": reason,
                    }
                )
        return self._handles[device]

    def call(self, fn: str, *args: Any, device: int | None = None) -> Answer:
        """Call pynvml.`fn` (on GPU `device`'s handle when given); (None, reason) on failure."""
        self._start()
        if self._failure is not None:
            return None, self._failure
        value, reason = self._invoke(fn, device, args)
        return value, (f"{fn}: {reason}" if reason else None)

    def close(self) -> None:
        if self._module is not None and self._failure is None:
            self._invoke("nvmlShutdown", None, ())
