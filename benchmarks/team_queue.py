"""The team plans' queue model against the event-by-event simulation of the same server.

    python benchmarks/team_queue.py [--requests 40000] [--seed 7]

For each load of tests/team/test_queue.py (1 to 16 slots, light to 85% of capacity), prints
the queue model's time to first token (median, p95) and per-user decode (median, p5) beside
the simulation's, and the relative error. Time to first token is simulated with answers of
exponentially varying length (the model's assumption); decode with answers of the mean length
(what the model's decode figures describe).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from advisor.team.queue import Server, Traffic, peak_queue  # noqa: E402
from advisor.team.simulate import simulate  # noqa: E402
from tests.team.test_queue import LOADS  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=40_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    head = (
        f"{'load':24} {'slots':>5} {'cap%':>5} {'pre%':>5}  "
        f"{'TTFT p50 model/sim':>20} {'TTFT p95 model/sim':>22} "
        f"{'dec p50 model/sim':>20} {'dec p5 model/sim':>20}"
    )
    print(head)
    for name, (slots, pp, curve, rate, prompt, out) in LOADS.items():
        server, traffic = Server(slots, pp, curve), Traffic(rate, prompt, out)
        model = peak_queue(server, traffic)
        varied = simulate(server, traffic, requests=args.requests, seed=args.seed)
        fixed = simulate(
            server, traffic, requests=args.requests, seed=args.seed, fixed_outputs=True
        )
        print(
            f"{name:24} {slots:5d} {model.load:5.0%} {model.prefill_share:5.0%}  "
            f"{_pair(model.ttft_p50_s, varied.ttft_quantile(0.5)):>20} "
            f"{_pair(model.ttft_p95_s, varied.ttft_quantile(0.95)):>22} "
            f"{_pair(model.decode_p50_tokens_per_s, fixed.decode_quantile(0.5)):>20} "
            f"{_pair(model.decode_p5_tokens_per_s, fixed.decode_quantile(0.05)):>20}"
        )


def _pair(model: float, sim: float) -> str:
    return f"{model:.2f}/{sim:.2f} {100 * (model - sim) / sim:+.0f}%"


if __name__ == "__main__":
    main()
