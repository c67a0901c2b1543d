"""Whether llama.cpp's repacked-weight kernels (AMX, CPU_REPACK) run safely on this machine.

Some virtual machines report AMX in cpuid and let the kernel grant it, yet fault on the first
tile instruction: llama.cpp then dies with SIGSEGV on any Q4_0 or Q8_0 model, taking the
Python process along. A crash cannot be caught in-process, so we try once in a child process
on a tiny synthetic model, remember the answer per llama-cpp-python version and CPU, and turn
the extra buffer types off where they crash (llama-bench's `--repack 0`).

Run as `python -m advisor.bench.run.canary DIR`: exits 0 when the kernels ran.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import tempfile
from pathlib import Path

from advisor.paths import atomic_write_text, user_cache_dir

_CACHE_NAME = "extra-buffers.json"
_TIMEOUT_S = 120


def extra_buffers_safe(llama_cpp_version: str) -> bool:
    """True when repacking kernels ran in a child process here; remembered per version and CPU."""
    key = _cache_key(llama_cpp_version)
    cache = _read_cache()
    if key in cache:
        return bool(cache[key])
    safe = _try_in_child()
    _remember(key, safe)
    return safe


def _remember(key: str, safe: bool) -> None:
    """Add the answer to the cache (other versions' answers stay); a cache that cannot be
    written is a warning: the child is asked again next time."""
    from advisor.console import warning
    from advisor.errors import WriteError
    from advisor.files.locks import file_lock

    path = user_cache_dir() / _CACHE_NAME
    try:
        with file_lock(path):
            cache = _read_cache()
            cache[key] = safe
            atomic_write_text(path, json.dumps(cache, indent=1, sort_keys=True))
    except WriteError as exc:
        warning(f"{exc.message}; the kernel check will run again next time")


def _cache_key(llama_cpp_version: str) -> str:
    flags = _cpu_flags()
    return f"{llama_cpp_version}:{hashlib.sha256(flags.encode()).hexdigest()[:16]}"


def _cpu_flags() -> str:
    """The CPU's feature flags (Linux), which decide the kernels llama.cpp picks."""
    try:
        text = Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace")
    except OSError:
        import platform

        return platform.processor() or platform.machine()
    flags = next((ln for ln in text.splitlines() if ln.startswith(("flags", "Features"))), "")
    return flags


def _read_cache() -> dict[str, bool]:
    try:
        data = json.loads((user_cache_dir() / _CACHE_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {str(k): bool(v) for k, v in data.items()} if isinstance(data, dict) else {}


def _try_in_child() -> bool:
    with tempfile.TemporaryDirectory(prefix="advisor-canary-") as folder:
        try:
            done = subprocess.run(
                [sys.executable, "-m", "advisor.bench.run.canary", folder],
                capture_output=True,
                timeout=_TIMEOUT_S,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired):
            return False
    return done.returncode == 0


def _run_canary(folder: Path) -> int:
    """Load tiny Q8_0 and Q4_0 models with repacking on and evaluate a few tokens."""
    import llama_cpp

    from advisor.bench.kernels.synthetic import TINY, write_synthetic_gguf

    silent = llama_cpp.llama_log_callback(lambda level, text, data: None)
    llama_cpp.llama_log_set(silent, None)
    llama_cpp.llama_backend_init()
    for quant in ("Q8_0", "Q4_0"):
        path = write_synthetic_gguf(folder / f"canary-{quant}.gguf", quant, TINY)
        params = llama_cpp.llama_model_default_params()
        params.use_extra_bufts = True
        params.n_gpu_layers = 0  # the kernels in question are the CPU's
        model = llama_cpp.llama_model_load_from_file(str(path).encode(), params)
        if not model:
            return 2
        cparams = llama_cpp.llama_context_default_params()
        cparams.n_ctx = cparams.n_batch = cparams.n_ubatch = 64
        ctx = llama_cpp.llama_init_from_model(model, cparams)
        if not ctx:
            return 3
        tokens = (llama_cpp.llama_token * 16)(1, *range(10, 25))
        status = llama_cpp.llama_decode(ctx, llama_cpp.llama_batch_get_one(tokens, 16))
        llama_cpp.llama_free(ctx)
        llama_cpp.llama_model_free(model)
        if status != 0:
            return 4
    return 0


if __name__ == "__main__":
    raise SystemExit(_run_canary(Path(sys.argv[1])))
