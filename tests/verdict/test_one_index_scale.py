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


def test_coding_scores_name_the_coding_index_in_every_line(capsys) -> None:
    """The coding-agent verdict labelled coding scores (the local option's and the cloud's)
    "Artificial Analysis Intelligence Index v4.1": each names the coding index it is on."""
    verdict = _verdict(capsys)
    lines = [r for r in verdict["reasons"] if "coding index" in r]
    lines += [b for b in verdict.get("cloud_basis", ()) if "coding index" in b]
    assert lines
    for line in lines:
        assert (
            "(Artificial Analysis Coding Index (published beside Intelligence Index v4.1)" in line
        )
        assert "(Artificial Analysis Intelligence Index v4.1" not in line
    main(["report", "--profile", "office-laptop-8gb", "--workload", "coding-agent"])
    text = " ".join(capsys.readouterr().out.split())  # the text report wraps at 80 columns
    assert "scores 81.6 on the coding index (Artificial Analysis Coding Index" in text
    assert "Intelligence Index v4.1, snapshot" not in text
