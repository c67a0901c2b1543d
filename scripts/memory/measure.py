"""Measure what llama.cpp allocates for a model: load a sparse GGUF on the CPU and read its log.

Each measurement runs in a child process (a llama.cpp abort must not take the caller down):
the child writes the sparse file, loads it through llama-cpp-python's C API with mmap and
verbose logging, creates a context with the given settings (which reserves the compute graph)
and prints the buffer sizes llama.cpp logged. Nothing is evaluated, so the hole never gets read.

    python scripts/memory/measure.py --model-id llama-3-8b-instruct --quant Q4_K_M --ctx 8192
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

from advisor.estimate.kv_types import KV_CACHE_TYPES

HERE = Path(__file__).resolve().parent
_BUFFER = re.compile(
    r"^(?P<func>\w+): +(?P<dev>[\w_]+) +(?P<kind>model|KV|RS|output|compute) buffer size = "
    r"+(?P<mib>[\d.]+) MiB"
)


@dataclass(frozen=True)
class Setting:
    ctx: int
    kv_type: str = "f16"
    flash_attn: bool = True
    n_batch: int = 2048
    n_ubatch: int = 512


@dataclass(frozen=True)
class Measured:
    """MiB per buffer kind, summed over devices (CPU only here)."""

    model_mib: float
    kv_mib: float  # attention KV cache(s)
    rs_mib: float  # recurrent state (hybrid models)
    output_mib: float
    compute_mib: float
    lines: tuple[str, ...]


def parse_log(text: str) -> Measured:
    sums = {"model": 0.0, "KV": 0.0, "RS": 0.0, "output": 0.0, "compute": 0.0}
    lines = []
    for line in text.splitlines():
        match = _BUFFER.match(line.strip())
        if match:
            sums[match["kind"]] += float(match["mib"])
            lines.append(line.strip())
    return Measured(sums["model"], sums["KV"], sums["RS"], sums["output"], sums["compute"],
                    tuple(lines))  # fmt: skip


def _child(gguf_path: str, setting: Setting) -> None:
    """Runs in the child: load, create the context, let llama.cpp log to stderr."""
    import llama_cpp

    llama_cpp.llama_backend_init()
    mparams = llama_cpp.llama_model_default_params()
    mparams.n_gpu_layers = 0
    mparams.use_extra_bufts = False  # no AMX/repack copies: they are CPU-specific duplicates
    model = llama_cpp.llama_model_load_from_file(gguf_path.encode(), mparams)
    if not model:
        raise SystemExit("llama.cpp could not load the model")
    cparams = llama_cpp.llama_context_default_params()
    cparams.n_ctx = setting.ctx
    cparams.n_batch = setting.n_batch
    cparams.n_ubatch = setting.n_ubatch
    cparams.n_seq_max = 1
    cparams.swa_full = False  # llama-server's default (common_params.swa_full)
    cparams.type_k = cparams.type_v = KV_CACHE_TYPES[setting.kv_type].ggml_id
    cparams.flash_attn_type = (
        llama_cpp.LLAMA_FLASH_ATTN_TYPE_ENABLED
        if setting.flash_attn
        else llama_cpp.LLAMA_FLASH_ATTN_TYPE_DISABLED
    )
    ctx = llama_cpp.llama_init_from_model(model, cparams)
    if not ctx:
        raise SystemExit("llama.cpp could not create the context")
    llama_cpp.llama_free(ctx)
    llama_cpp.llama_model_free(model)


def measure(arch_json: dict, quant: str, setting: Setting, timeout_s: int = 300) -> Measured:
    """Write the sparse GGUF and measure it in a child process."""
    with tempfile.TemporaryDirectory(prefix="advisor-sparse-") as tmp:
        path = Path(tmp) / "model.gguf"
        spec = Path(tmp) / "arch.json"
        spec.write_text(json.dumps(arch_json))
        cmd = [sys.executable, str(HERE / "measure.py"), "--child", str(spec), quant, str(path),
               json.dumps(asdict(setting))]  # fmt: skip
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout_s)
        if done.returncode != 0:
            tail = "\n".join(done.stderr.splitlines()[-15:])
            raise RuntimeError(f"llama.cpp failed for {arch_json['arch']} {quant}:\n{tail}")
        return parse_log(done.stderr)


def _main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        from sparse_gguf import write_sparse_gguf

        from advisor.catalog.model import Architecture
        from advisor.files.strict import validate

        spec, quant, path, setting = sys.argv[2:6]
        write_sparse_gguf(validate(Architecture, json.loads(Path(spec).read_text())), quant, path)
        _child(path, Setting(**json.loads(setting)))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--arch-json", type=Path, required=True, help="Architecture as JSON")
    parser.add_argument("--quant", default="Q4_K_M")
    parser.add_argument("--ctx", type=int, default=4096)
    parser.add_argument("--kv-type", default="f16", choices=sorted(KV_CACHE_TYPES))
    parser.add_argument("--no-flash-attn", action="store_true")
    args = parser.parse_args()
    setting = Setting(args.ctx, args.kv_type, not args.no_flash_attn)
    result = measure(json.loads(args.arch_json.read_text()), args.quant, setting)
    print(json.dumps(asdict(result), indent=2))


if __name__ == "__main__":
    _main()
