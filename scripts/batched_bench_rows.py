"""Gather the published llama-batched-bench sweeps of llama.cpp's `benches/` into one CSV.

    python -m scripts.batched_bench_rows LLAMA_CPP_DIR [--out benchmarks/data/batched_bench.csv]

LLAMA_CPP_DIR is the vendored llama.cpp of the llama-cpp-python sdist
(`pip download --no-deps --no-binary :all: llama-cpp-python==0.3.36`, then
`vendor/llama.cpp`). Each markdown file there is the author's own run (primary source): a
system section, then per model a `llama-batched-bench` table and a `llama-bench` table. One CSV
row per table line, with the file, the build and the model file's size and type from the
llama-bench table of the same section.
"""

from __future__ import annotations

import argparse
import csv
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "benchmarks" / "data" / "batched_bench.csv"

# benches/ file -> (device as the spec table names it, backend, what we know of the device).
FILES: dict[str, tuple[str, str, str]] = {
    "benches/dgx-spark/dgx-spark.md": (
        "DGX Spark (GB10)", "cuda", "nvidia-smi in the file: NVIDIA GB10"),
    "benches/nemotron/nemotron-dgx-spark.md": (
        "DGX Spark (GB10)", "cuda", "nvidia-smi in the file: NVIDIA GB10 (same host spark-17ed)"),
    "benches/mac-m2-ultra/mac-m2-ultra.md": (
        "Apple M2 Ultra (76-core GPU)", "metal",
        "uname in the file: T6020 (M2 Ultra); the GPU core count is not in the file: the "
        "author's M2 Ultra is the 76-core one in his llama-bench rows of discussion #4167"),
}  # fmt: skip

# "## ggml-org/<repo>" -> catalog id (the architecture the estimate uses).
REPOS: dict[str, str] = {
    "ggml-org/gpt-oss-20b-GGUF": "gpt-oss-20b",
    "ggml-org/gpt-oss-120b-GGUF": "gpt-oss-120b",
    "ggml-org/Qwen3-Coder-30B-A3B-Instruct-Q8_0-GGUF": "qwen3-coder-30b-a3b-instruct",
    "ggml-org/Qwen2.5-Coder-7B-Q8_0-GGUF": "qwen2.5-coder-7b-instruct",
    "ggml-org/gemma-3-4b-it-qat-GGUF": "gemma-3-4b-it",
    "ggml-org/GLM-4.7-Flash-GGUF": "glm-4.7-flash",
    "ggml-org/Nemotron-3-Super-120B-GGUF": "nemotron-3-super-120b-a12b",
    "ggml-org/Nemotron-3-Nano-4B-GGUF": "nemotron-3-nano-4b",
}
# llama-bench's model column's file type -> the llama.cpp ftype name.
FTYPES = {"MXFP4": "MXFP4", "Q8_0": "Q8_0", "Q4_0": "Q4_0", "Q4_K": "Q4_K_M"}

# mem_bandwidth_gbs / compute_tflops: empty where the spec table has the device (the published
# GPUs); filled for a CPU measured here (benchmarks/batched_vs_llama_batched_bench.py).
COLUMNS = ("source", "device", "backend", "model", "quant", "file_gib", "n_batch", "n_ubatch",
           "flash_attn", "pp", "tg", "b", "t_pp_s", "s_pp", "t_tg_s", "s_tg", "notes",
           "mem_bandwidth_gbs", "compute_tflops")  # fmt: skip

_SECTION = re.compile(r"^## (\S+)\s*$")
_MAIN = re.compile(r"n_batch = (\d+), n_ubatch = (\d+), flash_attn = (\d+)")
_ROW = re.compile(r"^\|\s*(\d+)\s*\|\s*(\d+)\s*\|\s*(\d+)\s*\|\s*\d+\s*\|\s*([\d.]+)\s*\|"
                  r"\s*([\d.]+)\s*\|\s*([\d.]+)\s*\|\s*([\d.]+)\s*\|")  # fmt: skip
_BENCH_MODEL = re.compile(r"^\|\s*\S+ [\w.]+ (\w+)(?: MoE)?\s*\|\s*([\d.]+) GiB")
_BUILD = re.compile(r"^build: (\S+ \(\d+\))")


def _commit(llama_dir: Path) -> str:
    try:
        out = subprocess.run(["git", "-C", str(llama_dir), "log", "-1", "--format=%h"],
                             capture_output=True, text=True, check=True)  # fmt: skip
    except (OSError, subprocess.CalledProcessError):
        return "commit unknown"
    return f"commit {out.stdout.strip()}"


def _sections(text: str):
    """(repo, lines) for each `## repo` section of a benches file."""
    repo, lines = None, []
    for line in text.splitlines():
        match = _SECTION.match(line)
        if match:
            if repo:
                yield repo, lines
            repo, lines = match.group(1), []
        elif repo:
            lines.append(line)
    if repo:
        yield repo, lines


def _section_rows(rel: str, repo: str, lines: list[str], where: str) -> list[dict]:
    device, backend, device_note = FILES[rel]
    model = REPOS[repo]
    settings = next(_MAIN.search(x) for x in lines if _MAIN.search(x))
    size = next(_BENCH_MODEL.match(x) for x in lines if _BENCH_MODEL.match(x))
    build = next((_BUILD.match(x).group(1) for x in lines if _BUILD.match(x)), "build unknown")
    quant = FTYPES[size.group(1)]
    rows = []
    for line in lines:
        match = _ROW.match(line)
        if not match:
            continue
        pp, tg, b, t_pp, s_pp, t_tg, s_tg = match.groups()
        rows.append({
            "source": f"llama.cpp {rel} ({where}; build {build})", "device": device,
            "backend": backend, "model": model, "quant": quant, "file_gib": size.group(2),
            "n_batch": settings.group(1), "n_ubatch": settings.group(2),
            "flash_attn": settings.group(3), "pp": pp, "tg": tg, "b": b, "t_pp_s": t_pp,
            "s_pp": s_pp, "t_tg_s": t_tg, "s_tg": s_tg,
            "notes": f"{repo}; {device_note}",
        })  # fmt: skip
    return rows


def gather(llama_dir: Path) -> list[dict]:
    where = f"vendored in llama-cpp-python 0.3.36 sdist, {_commit(llama_dir)}"
    rows: list[dict] = []
    for rel in FILES:
        text = (llama_dir / rel).read_text(encoding="utf-8")
        for repo, lines in _sections(text):
            rows += _section_rows(rel, repo, lines, where)
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("llama_dir", type=Path, help="the sdist's vendor/llama.cpp folder")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    rows = gather(args.llama_dir)
    with args.out.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS, restval="")
        writer.writeheader()
        writer.writerows(rows)
    print(f"{len(rows)} rows -> {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
