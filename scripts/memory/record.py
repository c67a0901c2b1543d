"""Record what llama.cpp allocates for a spread of real architectures, into a CSV.

For each architecture and setting (context, KV type, flash attention, ubatch) this writes a
sparse GGUF with the exact header, loads it on the CPU through llama-cpp-python and stores the
model, KV, recurrent-state, output and compute buffer sizes llama.cpp logged, with the exact
Architecture used (as JSON) so the estimate can be recomputed anywhere without the catalog.

    python scripts/memory/record.py [--out tests/estimate/data/llama_cpp_memory.csv]

Architectures come from tests/estimate/data/architectures.csv (a copy of the shared data).
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT / "tests" / "estimate"), str(Path(__file__).parent)]

from estimate_archs import arch  # noqa: E402
from measure import Setting, measure  # noqa: E402

BASE = (Setting(4096), Setting(32768), Setting(8192, flash_attn=False))
KV = (Setting(32768, kv_type="q8_0"), Setting(16384, kv_type="q4_0"))
UBATCH = (Setting(8192, n_ubatch=2048, n_batch=2048),)
# (catalog id, quant, settings): one of each architecture family llama.cpp handles apart.
GRID = [
    ("llama-3-8b-instruct", "Q4_K_M", BASE + KV + UBATCH + (Setting(8192), Setting(512))),
    ("llama-2-7b-chat", "Q4_0", BASE + (Setting(512),)),
    ("qwen2.5-7b-instruct", "Q4_K_M", BASE),
    ("mistral-small-3.2-24b-instruct-2506", "Q4_K_M", BASE),
    ("phi-4", "Q4_K_M", BASE),
    ("qwen3-30b-a3b", "Q4_K_M", BASE + KV + UBATCH),
    ("gemma-2-9b-it", "Q4_K_M", BASE),
    ("gemma-3-12b-it", "Q4_K_M", BASE + KV + UBATCH),
    ("gemma-3n-e2b-it", "Q4_K_M", BASE),
    ("gemma-4-31b-it", "Q4_K_M", BASE + KV),
    ("gemma-4-26b-a4b-it", "Q4_K_M", BASE),
    ("gpt-oss-20b", "MXFP4", BASE + KV + UBATCH),
    ("glm-4.7-flash", "Q4_K_M", BASE + KV),
    ("deepseek-v3", "Q4_K_M", BASE),
    ("qwen3.5-9b", "Q4_K_M", BASE + KV + UBATCH),
    ("qwen3.5-35b-a3b", "Q4_K_M", BASE),
    ("qwen3-next-80b-a3b-instruct", "Q4_K_M", BASE),
    ("nemotron-3-nano-30b-a3b", "Q4_K_M", BASE + KV),
    ("granite-4.0-h-tiny", "Q4_K_M", BASE),
    ("lfm2-1.2b", "Q4_K_M", BASE),
    ("llama-4-scout-17b-16e-instruct", "Q4_K_M", BASE),
]
FIELDS = [
    "model_id", "quant", "context", "kv_type", "flash_attn", "n_batch", "n_ubatch", "model_mib",
    "kv_mib", "rs_mib", "output_mib", "compute_mib", "llama_cpp_python", "arch_json",
]  # fmt: skip


def _row(model_id: str, quant: str, setting: Setting, version: str) -> dict:
    a = arch(model_id)
    spec = dataclasses.asdict(a)
    got = measure(spec, quant, setting)
    return {
        "model_id": model_id, "quant": quant, "context": setting.ctx,
        "kv_type": setting.kv_type, "flash_attn": int(setting.flash_attn),
        "n_batch": setting.n_batch, "n_ubatch": setting.n_ubatch, "model_mib": got.model_mib,
        "kv_mib": got.kv_mib, "rs_mib": got.rs_mib, "output_mib": got.output_mib,
        "compute_mib": got.compute_mib, "llama_cpp_python": version,
        "arch_json": json.dumps(spec, separators=(",", ":")),
    }  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--out", type=Path, default=ROOT / "tests" / "estimate" / "data" / "llama_cpp_memory.csv"
    )
    parser.add_argument("--only", help="record only this catalog id")  # fmt: skip
    args = parser.parse_args()
    import llama_cpp

    rows = []
    for model_id, quant, settings in GRID:
        if args.only and model_id != args.only:
            continue
        for setting in settings:
            start = time.monotonic()
            rows.append(_row(model_id, quant, setting, llama_cpp.__version__))
            print(f"{model_id} {quant} {setting} {time.monotonic() - start:.1f}s", flush=True)
    with open(args.out, "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=FIELDS)
        writer.writeheader()
        writer.writerows(rows)
    print(f"wrote {len(rows)} rows to {args.out}")


if __name__ == "__main__":
    main()
