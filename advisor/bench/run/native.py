"""The one gateway to llama-cpp-python: import with an install hint, and llama.cpp's log captured.

llama.cpp writes a lot to stderr, through its log callback and, here and there, with a raw
fprintf. Unless asked to be verbose we keep all of it out of the terminal, but remember it:
when a load fails, the last lines say why.
"""

from __future__ import annotations

import collections
import os
import re
import sys
import tempfile
from types import ModuleType
from typing import IO

from advisor.errors import (
    BENCH_EXTRA_HINT,
    AdvisorError,
    BenchError,
    GGUFError,
    MissingDependencyError,
)
from advisor.errors import OutOfMemoryError as AdvisorOOM

# advisor is on no package index: the extra is installed from a checkout of the repository,
# as the README's quick start does.
INSTALL_HINT = BENCH_EXTRA_HINT
_KEEP_LINES = 400

# llama.cpp's words for a file it cannot read, and for memory it could not get.
_GGUF_TROUBLE = re.compile(
    r"gguf_init_from_file|invalid magic|failed to read|not within the file bounds|"
    r"unknown model architecture|unsupported model|wrong number of tensors|"
    r"tensor .* has invalid|error loading model|corrupted|key not found|failed to open",
    re.IGNORECASE,
)
_OOM_TROUBLE = re.compile(
    r"out of memory|failed to allocate|unable to allocate|cudaMalloc failed|"
    r"not enough memory|ErrorOutOfDeviceMemory|insufficient memory|std::bad_alloc",
    re.IGNORECASE,
)


def import_llama_cpp() -> ModuleType:
    """llama_cpp, or a MissingDependencyError that says how to install it."""
    try:
        import llama_cpp
    except ImportError as exc:
        raise MissingDependencyError(
            "llama-cpp-python is not installed; the throughput test needs it",
            hint=INSTALL_HINT,
        ) from exc
    return llama_cpp


def llama_cpp_version(llama_cpp: ModuleType) -> str:
    return str(getattr(llama_cpp, "__version__", "unknown"))


def backend_name(llama_cpp: ModuleType) -> str:
    """The GPU backend this llama-cpp-python build offloads to, or "cpu"."""
    if not llama_cpp.llama_supports_gpu_offload():
        return "cpu"
    info = llama_cpp.llama_print_system_info().decode("utf-8", "replace").upper()
    for marker, name in (
        ("CUDA", "cuda"),
        ("HIP", "rocm"),
        ("ROCM", "rocm"),
        ("METAL", "metal"),
        ("VULKAN", "vulkan"),
        ("SYCL", "sycl"),
    ):
        if marker in info:
            return name
    return "gpu"


class LlamaLog:
    """Captures llama.cpp's output while a run is under way; echoes it to `echo` if given.

    Used as a context manager around every native call. Inside it, llama.cpp's log callback
    and, unless echoing, the process's stderr file descriptor both land here.
    """

    def __init__(self, llama_cpp: ModuleType, echo: IO[str] | None = None) -> None:
        self._llama_cpp = llama_cpp
        self._echo = echo
        self._lines: collections.deque[str] = collections.deque(maxlen=_KEEP_LINES)
        self._callback = llama_cpp.llama_log_callback(self._on_log)  # kept alive on self
        self._raw: IO[bytes] | None = None
        self._saved_fd: int | None = None

    def _on_log(self, level: int, text: bytes, user_data: object) -> None:
        line = text.decode("utf-8", "replace")
        self._lines.append(line)
        if self._echo is not None:
            self._echo.write(line)
            self._echo.flush()

    def __enter__(self) -> LlamaLog:
        self._llama_cpp.llama_log_set(self._callback, None)
        if self._echo is None:
            self._redirect_stderr()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._restore_stderr()
        self._restore_callback()

    def _redirect_stderr(self) -> None:
        """Point fd 2 at a temporary file: catches ggml's raw fprintf(stderr, ...)."""
        try:
            sys.stderr.flush()
            self._raw = tempfile.TemporaryFile()  # noqa: SIM115 - closed in _restore_stderr
            self._saved_fd = os.dup(2)
            os.dup2(self._raw.fileno(), 2)
        except OSError:
            self._restore_stderr()  # no redirection is better than a broken terminal

    def _restore_stderr(self) -> None:
        if self._saved_fd is not None:
            os.dup2(self._saved_fd, 2)
            os.close(self._saved_fd)
            self._saved_fd = None
        if self._raw is not None:
            self._raw.seek(0)
            raw = self._raw.read().decode("utf-8", "replace")
            self._raw.close()
            self._raw = None
            self._lines.extend(line + "\n" for line in raw.splitlines())

    def _restore_callback(self) -> None:
        # Hand logging back to llama-cpp-python's own callback (it honours Llama(verbose=)).
        logger = sys.modules.get("llama_cpp._logger")
        default = getattr(logger, "llama_log_callback", None)
        if default is not None:
            self._llama_cpp.llama_log_set(default, None)

    def text(self) -> str:
        return "".join(self._lines)

    def reason(self, limit: int = 3) -> str | None:
        """The last few error-looking lines: what a failure message should quote."""
        lines = [ln.strip() for ln in self.text().splitlines() if ln.strip()]
        wanted = [ln for ln in lines if _GGUF_TROUBLE.search(ln) or _OOM_TROUBLE.search(ln)]
        chosen = wanted[-limit:] or lines[-limit:]
        return "; ".join(chosen) if chosen else None


def load_failure(path: str, log: LlamaLog) -> AdvisorError:
    """The error for a model llama.cpp would not load: a bad file, too little memory, or else."""
    text = log.text()
    reason = log.reason()
    detail = f" ({reason})" if reason else ""
    if _OOM_TROUBLE.search(text):
        return AdvisorOOM(
            f"{path}: not enough memory to load the model{detail}",
            hint="offload fewer layers with --gpu-layers, or close other programs",
        )
    if _GGUF_TROUBLE.search(text):
        return GGUFError(
            f"llama.cpp cannot read this GGUF{detail}",
            path=path,
            hint="the file may be truncated or corrupt: download it again "
            "(or update llama-cpp-python if the architecture is new)",
        )
    return BenchError(f"{path}: llama.cpp failed to load the model{detail}", hint=_VERBOSE_HINT)


def context_failure(path: str, log: LlamaLog) -> AdvisorError:
    """The error for a context llama.cpp would not create (KV cache or compute buffers)."""
    reason = log.reason()
    detail = f" ({reason})" if reason else ""
    if _OOM_TROUBLE.search(log.text()) or not reason:
        return AdvisorOOM(
            f"{path}: not enough memory for the KV cache and compute buffers{detail}",
            hint="offload fewer layers with --gpu-layers, or close other programs",
        )
    return BenchError(f"{path}: llama.cpp could not create a context{detail}", hint=_VERBOSE_HINT)


def decode_failure(path: str, code: int, log: LlamaLog) -> AdvisorError:
    """The error for llama_decode returning `code` (1: no KV slot, <0: a backend failure)."""
    reason = log.reason()
    detail = f" ({reason})" if reason else ""
    if _OOM_TROUBLE.search(log.text()):
        return AdvisorOOM(f"{path}: ran out of memory while computing{detail}")
    return BenchError(
        f"{path}: llama.cpp failed to evaluate the model (llama_decode returned {code}){detail}",
        hint=_VERBOSE_HINT,
    )


_VERBOSE_HINT = "run again with --verbose to see llama.cpp's log"
