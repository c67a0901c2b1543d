"""`advisor models` on a profile: the text table at 80 columns and the JSON document."""

from __future__ import annotations

import json

import pytest

from advisor.cli import main


def test_text_table_fits_80_columns(capsys):
    assert main(["models", "--profile", "rtx-4090-desktop", "--limit", "5"]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert all(len(line) <= 80 for line in lines)
    assert lines[1].split()[:3] == ["#", "model", "quant"]
    assert sum(1 for line in lines if line[:3].strip().isdigit()) == 5
    assert "left out (" in out


def test_json_lists_candidates_and_exclusions(capsys):
    code = main(["models", "--profile", "rtx-4090-desktop", "--task", "coding",
                 "--min-tps", "30", "--context", "32768", "--json"])  # fmt: skip
    assert code == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["task"] == "coding" and doc["context_tokens"] == 32768
    assert doc["candidates"] and all(c["decode_tokens_per_s"] >= 30 for c in doc["candidates"])
    assert {e["kind"] for e in doc["excluded"]} >= {"does-not-fit", "too-slow"}


def test_bad_context_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as stop:
        main(["models", "--profile", "rtx-4090-desktop", "--context", "0"])
    assert stop.value.code == 2
    assert "argument --context: expected a whole number from 1" in capsys.readouterr().err


def test_chat_ranks_the_models_fast_enough_for_chat_first(capsys) -> None:
    """Issue 13 item 2: on a CPU-only machine `advisor models` ranked Qwen3.6 27B at about
    1 token/s fourth for chat. Ranked as a verdict picks (speed before quality for
    interactive use), every model that reaches the chat preset's 10 tokens/s comes first."""
    import json

    from advisor.cli import main

    assert main(["models", "--profile", "office-laptop-16gb", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["interactive_decode_tokens_per_s"] == 10
    speeds = [c["decode_tokens_per_s"] for c in doc["candidates"]]
    fast = [s >= 10 for s in speeds]
    assert any(fast) and fast == sorted(fast, reverse=True)  # all fast ones, then the rest
    slow = [s for s in speeds if s < 10]
    assert slow == sorted(slow, reverse=True)  # the slower ones, closest to 10 first
    assert all(c["decode_tokens_per_s"] >= 10 for c in doc["candidates"][:4])
