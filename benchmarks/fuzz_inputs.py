"""Fuzz advisor's readers through its real entry points, and count what goes wrong.

    python benchmarks/fuzz_inputs.py [--cases 10000] [--seed 0] [--cap 10] [--subprocess-every 500]

Mutated GGUF headers (`catalog add`, then `estimate` on what was added), reports (`audit`),
hardware profiles (`probe --profile`, some `models`), workloads (`report --workload`), probe
dumps (`probe --replay`) and command-line values go through `advisor.cli.main(argv)` in this
process, one case at a time with a time cap (SIGALRM) to catch hangs; every
--subprocess-every-th case also runs as `python -m advisor` in a child process. The closing line
counts:

- tracebacks: an exception out of main(), a "Traceback" on stderr, exit code 1 (a bug), or a
  child killed by a signal;
- hangs: a case still running after --cap seconds;
- silent accepts: a case invalid by construction (see benchmarks/fuzz_cases.py) that exits 0;
- invalid JSON: `--json` output that strict JSON parsing refuses (NaN, Infinity).

Figures depend on the seed only; times on the machine (the 1-minute load average is printed).
tests/test_fuzz_inputs.py runs a few hundred of the same cases.
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import io
import json
import os
import random
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "probe"))  # recorded probe answers (probe_fakes)

from benchmarks import fuzz_cases  # noqa: E402
from benchmarks.fuzz_cases import Case  # noqa: E402

BAD = ("traceback", "hang", "silent-accept", "invalid-json")
MEMORY_LIMIT_BYTES = 6 * 1024**3  # a bomb that gets through fails here, not the machine
# The share of cases of each kind (GGUF headers are the cheapest and the most varied).
MIX = {"gguf": 0.3, "report": 0.16, "profile": 0.16, "workload": 0.14, "replay": 0.16,
       "arguments": 0.08}  # fmt: skip


class Hang(BaseException):
    """Raised by the alarm in a case that outlives its cap (BaseException: no `except
    Exception` in advisor can swallow it)."""


@dataclass
class Tally:
    cases: collections.Counter = field(default_factory=collections.Counter)
    outcomes: collections.Counter = field(default_factory=collections.Counter)
    failures: dict[tuple[str, str, str], list[str]] = field(default_factory=dict)

    def add(self, case: Case, status: str, detail: str) -> None:
        self.cases[case.kind] += 1
        self.outcomes[(case.kind, status)] += 1
        if status in BAD:
            signature = (case.kind, status, detail.strip().splitlines()[-1][:160] if detail else "")
            self.failures.setdefault(signature, []).append(case.mutation)

    def count(self, status: str) -> int:
        return sum(n for (_, s), n in self.outcomes.items() if s == status)


def _on_alarm(signum, frame):  # noqa: ARG001
    raise Hang


def call(argv: list[str], cap_s: float) -> tuple[int | None, str, str, str | None]:
    """(exit code, stdout, stderr, problem) of main(argv); problem is 'hang' or a traceback."""
    from advisor.cli import main

    out, err = io.StringIO(), io.StringIO()
    previous = signal.signal(signal.SIGALRM, _on_alarm)
    signal.setitimer(signal.ITIMER_REAL, cap_s)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code: int | None = main(argv)
    except Hang:
        return None, out.getvalue(), err.getvalue(), "hang"
    except SystemExit as stop:
        code = stop.code if isinstance(stop.code, int) else (0 if stop.code is None else 2)
    except BaseException:  # noqa: BLE001 - the point is to catch whatever escapes
        return None, out.getvalue(), err.getvalue(), traceback.format_exc()
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    return code, out.getvalue(), err.getvalue(), None


def classify(case: Case, argv: list[str], code, out: str, err: str, problem) -> tuple[str, str]:
    if problem == "hang":
        return "hang", f"over the cap: {' '.join(argv)[:120]}"
    if problem is not None:
        return "traceback", problem
    if "Traceback (most recent call last)" in err or code == 1:
        return "traceback", err or f"exit 1: {' '.join(argv)[:120]}"
    if code == 0 and "--json" in argv and out.strip():
        try:
            json.loads(out, parse_constant=_refuse_constant)
        except ValueError as exc:
            return "invalid-json", f"{exc}"
    if code == 0 and case.invalid:
        return "silent-accept", f"exit 0 on {case.kind} {case.mutation}"
    return ("accepted" if code == 0 else f"refused-{code}"), ""


def _refuse_constant(name: str):
    raise ValueError(f"{name} in the JSON output")


def run_case(case: Case, workdir: Path, cap_s: float, *, child: bool = False) -> tuple[str, str]:
    for name, content in case.files.items():
        (workdir / name).write_bytes(content)
    argv = [str(workdir / a) if a in case.files else a for a in case.argv]
    try:
        if child:
            return _run_child(case, argv, cap_s)
        status, detail = classify(case, argv, *call(argv, cap_s))
        if status == "accepted":
            for then in case.then:  # what was accepted must not break a later command
                follow = Case(case.kind, case.mutation + " (then)", then, False)
                status, detail = classify(follow, then, *call(then, cap_s))
                if status in BAD:
                    break
        return status, detail
    finally:
        for name in case.files:
            with contextlib.suppress(OSError):
                (workdir / name).unlink()
        _forget_overlay()


def _run_child(case: Case, argv: list[str], cap_s: float) -> tuple[str, str]:
    try:
        done = subprocess.run([sys.executable, "-m", "advisor", *argv], capture_output=True,
                              text=True, timeout=cap_s * 3 + 20, env=os.environ.copy())  # fmt: skip
    except subprocess.TimeoutExpired:
        return "hang", f"child over the cap: {' '.join(argv)[:120]}"
    if done.returncode < 0:
        return "traceback", f"killed by signal {-done.returncode}"
    return classify(case, argv, done.returncode, done.stdout, done.stderr, None)


def _forget_overlay() -> None:
    from advisor.catalog.overlay import overlay_path

    for path in (overlay_path(), overlay_path().with_name(overlay_path().name + ".bak")):
        with contextlib.suppress(OSError):
            path.unlink()


def report_seeds(workdir: Path) -> list[tuple[str, object]]:
    """Reports advisor writes for three reference machines (the audit reads these)."""
    seeds = []
    for profile in ("rtx-4090-desktop", "macbook-air-m2-16gb", "dual-rtx-3090"):
        path = workdir / f"seed-{profile}.json"
        code, _, err, problem = call(
            ["--profile", profile, "report", "--json", "-o", str(path)], 300
        )
        if code != 0:
            raise SystemExit(f"cannot write a seed report for {profile}: {problem or err}")
        seeds.append((profile, json.loads(path.read_text())))
    return seeds


def replay_seeds() -> list[tuple[str, object]]:
    """Probe dumps: the recorded container fixture and recorded-style machines (probe_fakes)."""
    import probe_fakes as fakes

    fixture = ROOT / "tests" / "probe" / "fixtures" / "doctor-linux-container-cpu.json"
    return [
        ("fixture", json.loads(fixture.read_text())),
        ("linux", fakes.linux()),
        ("nvidia", fakes.with_nvidia(fakes.linux(), [fakes.nvidia_gpu(**fakes.RTX_4090),
                                                     fakes.nvidia_gpu(**fakes.H100_PCIE)])),
        ("mac", fakes.mac(chip="Apple M3 Max", ram_gb=64, gpu_cores=40, p_cores=12, e_cores=4)),
        ("pi5", fakes.linux(cpuinfo=fakes.PI5_CPUINFO, machine="aarch64", cores=4, threads=4)),
    ]  # fmt: skip


def cases(total: int, seed: int, workdir: Path) -> Iterator[Case]:
    """`total` cases, the kinds interleaved by MIX, all decided by `seed`."""
    rng = random.Random(seed)
    counts = {kind: int(total * share) for kind, share in MIX.items()}
    counts["gguf"] += total - sum(counts.values())
    streams = {
        "gguf": fuzz_cases.gguf_cases(rng, counts["gguf"], workdir),
        "report": fuzz_cases.report_cases(rng, counts["report"], report_seeds(workdir)),
        "profile": fuzz_cases.profile_cases(rng, counts["profile"]),
        "workload": fuzz_cases.workload_cases(rng, counts["workload"]),
        "replay": fuzz_cases.replay_cases(rng, counts["replay"], replay_seeds()),
        "arguments": fuzz_cases.argument_cases(rng, counts["arguments"]),
    }
    left = dict(counts)
    while any(left.values()):
        kind = rng.choices(list(left), weights=list(left.values()))[0]
        left[kind] -= 1
        yield next(streams[kind])


def run_fuzz(total: int, seed: int, cap_s: float, subprocess_every: int = 0,
             progress: bool = False) -> Tally:  # fmt: skip
    """Run `total` cases in a fresh ADVISOR_HOME; the tally of outcomes."""
    tally = Tally()
    with tempfile.TemporaryDirectory(prefix="advisor-fuzz-") as folder:
        workdir = Path(folder) / "work"
        workdir.mkdir()
        home = Path(folder) / "home"
        previous = os.environ.get("ADVISOR_HOME")
        os.environ["ADVISOR_HOME"] = str(home)
        try:
            for index, case in enumerate(cases(total, seed, workdir), start=1):
                child = bool(subprocess_every) and index % subprocess_every == 0
                tally.add(case, *run_case(case, workdir, cap_s, child=child))
                if index % 500 == 0:
                    shutil.rmtree(home / "cache", ignore_errors=True)  # keep the cache small
                    if progress:
                        print(f"  {index} cases ...", file=sys.stderr, flush=True)
        finally:
            if previous is None:
                os.environ.pop("ADVISOR_HOME", None)
            else:
                os.environ["ADVISOR_HOME"] = previous
    return tally


def report(tally: Tally, seconds: float) -> str:
    statuses = sorted({s for _, s in tally.outcomes})
    lines = [f"{'kind':<10} {'cases':>6} " + " ".join(f"{s:>14}" for s in statuses)]
    for kind in sorted(tally.cases):
        counts = " ".join(f"{tally.outcomes[(kind, s)]:>14}" for s in statuses)
        lines.append(f"{kind:<10} {tally.cases[kind]:>6} {counts}")
    for (kind, status, signature), mutations in sorted(tally.failures.items()):
        shown = ", ".join(sorted(set(mutations))[:4])
        lines.append(f"  {status} x{len(mutations)} in {kind}: {signature} [{shown}]")
    total = sum(tally.cases.values())
    lines.append(
        f"closing count over {total} cases in {seconds:.0f} s: tracebacks "
        f"{tally.count('traceback')}, hangs {tally.count('hang')}, silent accepts "
        f"{tally.count('silent-accept')}, invalid JSON {tally.count('invalid-json')}"
    )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--cap", type=float, default=10.0, help="seconds per case before a hang")
    parser.add_argument("--subprocess-every", type=int, default=500)
    args = parser.parse_args()
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT_BYTES, MEMORY_LIMIT_BYTES))
    print(f"load average (1 min): {os.getloadavg()[0]:.1f}; seed {args.seed}", flush=True)
    start = time.perf_counter()
    tally = run_fuzz(args.cases, args.seed, args.cap, args.subprocess_every, progress=True)
    print(report(tally, time.perf_counter() - start))
    return 1 if any(tally.count(s) for s in BAD) else 0


if __name__ == "__main__":
    raise SystemExit(main())
