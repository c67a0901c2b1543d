"""A few hundred of benchmarks/fuzz_inputs.py's cases, seeded: mutated GGUF headers, reports,
profiles, workloads, probe dumps and command-line values through the real `advisor` entry
points give no traceback, no hang and no silent accept (issue 17, "Done when").

The cap per case is generous so that only a real hang (an endless loop) trips it, whatever the
machine's load; the full run with its figures is `python benchmarks/fuzz_inputs.py`.
"""

from __future__ import annotations

from benchmarks.fuzz_inputs import BAD, report, run_fuzz

CASES = 240


def test_seeded_fuzz_finds_nothing() -> None:
    tally = run_fuzz(CASES, seed=17, cap_s=120, subprocess_every=120)
    assert sum(tally.cases.values()) == CASES
    assert set(tally.cases) == {"gguf", "report", "profile", "workload", "replay", "arguments"}
    refused = sum(n for (_, status), n in tally.outcomes.items() if status.startswith("refused"))
    assert refused > CASES // 3  # the cases really are hostile
    assert {status: tally.count(status) for status in BAD} == dict.fromkeys(BAD, 0), report(
        tally, 0
    )
