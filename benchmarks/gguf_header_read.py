"""How fast advisor reads GGUF headers (catalog add, scan), next to gguf.GGUFReader.

    python benchmarks/gguf_header_read.py [--vocab 151936] [--files 20] [--runs 5]

Writes a header shaped like a real 8B model's (Qwen3-8B: 36 layers, a 151,936-token
vocabulary with as many merges, 399 tensor infos) in front of a sparse data region of the
real size, then times:

- read_header(tensors=False): what `advisor scan` reads per file;
- read_header(): what `advisor catalog add` reads;
- gguf.GGUFReader(path): the gguf package's reader, for comparison;
- scan of --files such models in one folder (fresh catalog identification included).

Medians over --runs; the 1-minute load average is printed (the machine is shared).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import gguf
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from advisor.catalog import load_catalog  # noqa: E402
from advisor.catalog.gguf.header import read_header  # noqa: E402
from advisor.catalog.scan.installed import scan_models  # noqa: E402

T = gguf.GGMLQuantizationType


def write_qwen3_8b_header(path: Path, n_vocab: int) -> Path:
    n_layers, n_embd, n_ff, n_kv = 36, 4096, 12288, 1024
    writer = gguf.GGUFWriter(path, "qwen3")
    writer.add_name("Qwen3 8B")
    writer.add_file_type(gguf.LlamaFileType.MOSTLY_Q4_K_M)
    writer.add_block_count(n_layers)
    writer.add_context_length(40960)
    writer.add_embedding_length(n_embd)
    writer.add_feed_forward_length(n_ff)
    writer.add_head_count(32)
    writer.add_head_count_kv(8)
    writer.add_key_length(128)
    writer.add_tokenizer_model("gpt2")
    writer.add_token_list([f"token{i}" for i in range(n_vocab)])
    writer.add_token_types([1] * n_vocab)
    writer.add_token_merges([f"tok{i} en{i}" for i in range(n_vocab)])
    shapes = [("token_embd.weight", (n_vocab, n_embd), T.Q4_K)]
    for i in range(n_layers):
        shapes += [
            (f"blk.{i}.attn_norm.weight", (n_embd,), T.F32),
            (f"blk.{i}.attn_q.weight", (n_embd, n_embd), T.Q4_K),
            (f"blk.{i}.attn_k.weight", (n_kv, n_embd), T.Q4_K),
            (f"blk.{i}.attn_v.weight", (n_kv, n_embd), T.Q6_K),
            (f"blk.{i}.attn_output.weight", (n_embd, n_embd), T.Q4_K),
            (f"blk.{i}.attn_q_norm.weight", (128,), T.F32),
            (f"blk.{i}.attn_k_norm.weight", (128,), T.F32),
            (f"blk.{i}.ffn_norm.weight", (n_embd,), T.F32),
            (f"blk.{i}.ffn_gate.weight", (n_ff, n_embd), T.Q4_K),
            (f"blk.{i}.ffn_up.weight", (n_ff, n_embd), T.Q4_K),
            (f"blk.{i}.ffn_down.weight", (n_embd, n_ff), T.Q6_K),
        ]
    shapes += [
        ("output_norm.weight", (n_embd,), T.F32),
        ("output.weight", (n_vocab, n_embd), T.Q6_K),
    ]
    total = 0
    for name, shape, qtype in shapes:
        block, size = gguf.GGML_QUANT_SIZES[qtype]
        nbytes = int(np.prod(shape)) // block * size
        writer.add_tensor_info(name, shape, np.dtype(np.float32), nbytes, raw_dtype=qtype)
        total += writer.ggml_pad(nbytes, writer.data_alignment)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_ti_data_to_file()
    writer.close()
    start = writer.ggml_pad(path.stat().st_size, writer.data_alignment)
    os.truncate(path, start + total)  # a sparse hole: the real file size, no disk used
    return path


def _median_ms(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vocab", type=int, default=151936)
    parser.add_argument("--files", type=int, default=20)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    catalog = load_catalog(overlay=False)
    with tempfile.TemporaryDirectory(prefix="gguf-header-bench-") as folder:
        path = write_qwen3_8b_header(Path(folder) / "Qwen3-8B-Q4_K_M.gguf", args.vocab)
        header_kb = read_header(path).data_offset_bytes / 1024
        print(
            f"file: {path.stat().st_size / 1e9:.2f} GB, header {header_kb:.0f} KB "
            f"({args.vocab} tokens and merges); load average {os.getloadavg()[0]:.2f}"
        )
        rows = [
            ("read_header(tensors=False)", lambda: read_header(path, tensors=False), args.runs),
            ("read_header()", lambda: read_header(path), args.runs),
            ("gguf.GGUFReader(path)", lambda: gguf.GGUFReader(path), 1),
        ]
        for label, fn, runs in rows:
            print(f"  {label:<28} {_median_ms(fn, runs):9.1f} ms  (median of {runs})")
        for i in range(1, args.files):
            os.link(path, Path(folder) / f"copy{i:02d}-Qwen3-8B-Q4_K_M.gguf")
        ms = _median_ms(lambda: scan_models([folder], catalog, include_defaults=False), args.runs)
        print(
            f"  scan of {args.files} such files         {ms:9.1f} ms  "
            f"({ms / args.files:.1f} ms a file)"
        )
    print(f"load average after: {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
