"""Issue 13 item 8: one index scale per comparison, and suggestions a user could act on.

Real catalog, real reference profiles: the office laptop (8 GB) fits only small models, far
below the coding-agent preset's 70% floor.
"""

from __future__ import annotations

import json

from advisor.cli import main


def _verdict(capsys, *args: str) -> dict:
    code = main(["report", "--profile", "office-laptop-8gb", "--workload", "coding-agent",
                 *args, "--json"])  # fmt: skip
    out, err = capsys.readouterr()
    assert code == 0, err
    (verdict,) = json.loads(out)["verdicts"]
    return verdict


def test_one_check_away_names_only_an_option_within_half_the_floor(capsys) -> None:
    """The verdict offered Gemma 3 270M (6% of the frontier) and then Qwen3.5 0.8B (0%) as
    "one check away" from a 70% floor: no change a user could make. A suggestion follows the
    rule the verdict's own option does (at least half the floor, 35%); here none does, and
    the verdict already says no local model comes close."""
    for extra in ((), ("--no-cloud",)):
        reasons = _verdict(capsys, *extra)["reasons"]
        assert not [r for r in reasons if r.startswith("one check away:")], reasons
        assert any(r.startswith("no local model comes close") for r in reasons)
