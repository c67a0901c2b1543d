"""How long `advisor estimate --model hf:ORG/REPO:QUANT` takes, cold and cached.

    python benchmarks/remote_estimate.py [--runs 5] [--vocab 151936]

Serves a Hub on 127.0.0.1 (tests/bench/hub_server.py) holding a header-exact sparse
Qwen3-8B Q4_K_M GGUF (benchmarks/gguf_header_read.py's: 151,936 tokens and as many merges,
a 5 MB header in front of a 5 GB hole) and a safetensors-only Qwen3-8B (config.json), then
times, through the installed huggingface_hub:

- resolving the model in-process (listing + header by range requests; `read_remote_model`),
  with an empty cache ("cold") and with the cache the first run left ("cached");
- the whole command in a fresh interpreter (`python -m advisor estimate ... --json`), cold and
  cached: what a user waits for, Python start-up and catalog load included.

Medians over --runs; the requests and bytes the Hub served, and the 1-minute load average
(the machine is shared), are printed. A loopback Hub has no network latency: on
huggingface.co each request adds a round trip (and a CDN redirect for the header).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]

import huggingface_hub  # noqa: E402
import huggingface_hub.constants as constants  # noqa: E402
from gguf_header_read import write_qwen3_8b_header  # noqa: E402

from advisor.catalog.hub.remote_model import read_remote_model  # noqa: E402
from tests.bench.hub_server import Hub, serve  # noqa: E402

GGUF_REPO = "Qwen/Qwen3-8B-GGUF"
CONFIG_REPO = "Qwen/Qwen3-8B"
CONFIG = {
    "model_type": "qwen3", "hidden_size": 4096, "intermediate_size": 12288,
    "num_hidden_layers": 36, "num_attention_heads": 32, "num_key_value_heads": 8,
    "head_dim": 128, "vocab_size": 151936, "max_position_embeddings": 40960,
    "tie_word_embeddings": False,
}  # fmt: skip


def _median_ms(times: list[float]) -> float:
    return statistics.median(times) * 1000


def _in_process(model: str, runs: int, home: Path) -> tuple[float, float]:
    cold, cached = [], []
    for i in range(runs):
        os.environ["ADVISOR_HOME"] = str(home / f"in-process-{i}")
        t0 = time.perf_counter()
        read_remote_model(model)
        cold.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        read_remote_model(model)
        cached.append(time.perf_counter() - t0)
    return _median_ms(cold), _median_ms(cached)


def _command(model: str, runs: int, home: Path, url: str) -> tuple[float, float]:
    cold, cached = [], []
    for i in range(runs):
        env = {**os.environ, "ADVISOR_HOME": str(home / f"command-{i}"), "HF_ENDPOINT": url,
               "HF_HUB_OFFLINE": "0", "PYTHONPATH": str(ROOT)}  # fmt: skip
        env.pop("HF_TOKEN", None)
        argv = [sys.executable, "-m", "advisor", "estimate", "--model", model, "--context",
                "8192", "--profile", "rtx-4090-desktop", "--json"]  # fmt: skip
        for times in (cold, cached):
            t0 = time.perf_counter()
            done = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
            times.append(time.perf_counter() - t0)
            if done.returncode != 0:
                raise SystemExit(f"{' '.join(argv)} failed: {done.stderr}")
            json.loads(done.stdout)
    return _median_ms(cold), _median_ms(cached)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--vocab", type=int, default=151936)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="remote-estimate-") as folder:
        home = Path(folder)
        gguf = write_qwen3_8b_header(home / "Qwen3-8B-Q4_K_M.gguf", args.vocab)
        files = {f"{GGUF_REPO}/Qwen3-8B-Q4_K_M.gguf": gguf,
                 f"{CONFIG_REPO}/config.json": json.dumps(CONFIG).encode()}  # fmt: skip
        with serve(Hub(files)) as hub:
            constants.ENDPOINT = hub.url
            constants.HF_HUB_OFFLINE = False
            print(f"huggingface_hub {huggingface_hub.__version__}; Hub on {hub.url}; GGUF "
                  f"{gguf.stat().st_size / 1e9:.2f} GB (sparse); load average "
                  f"{os.getloadavg()[0]:.2f}")  # fmt: skip
            for label, model in (("GGUF header", f"hf:{GGUF_REPO}:Q4_K_M"),
                                 ("config.json", f"hf:{CONFIG_REPO}:Q4_K_M")):  # fmt: skip
                hub.requests.clear()
                hub.bytes_sent = 0
                cold, cached = _in_process(model, args.runs, home)
                served = len(hub.requests) / args.runs, hub.bytes_sent / args.runs / 2**20
                print(f"{label} ({model}), median of {args.runs}:")
                print(f"  resolve in-process   cold {cold:8.1f} ms   cached {cached:8.1f} ms   "
                      f"({served[0]:.0f} requests, {served[1]:.1f} MiB per cold run)")  # fmt: skip
                cold, cached = _command(model, args.runs, home, hub.url)
                print(f"  whole command        cold {cold:8.1f} ms   cached {cached:8.1f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
