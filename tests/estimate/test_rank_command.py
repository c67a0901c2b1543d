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
    for known in (True, False):  # scored first in each class, then quality unknown
        slow = [c["decode_tokens_per_s"] for c in doc["candidates"]
                if c["decode_tokens_per_s"] < 10 and c["quality_unknown"] != known]  # fmt: skip
        assert slow == sorted(slow, reverse=True)  # the slower ones, closest to 10 first
    assert all(c["decode_tokens_per_s"] >= 10 for c in doc["candidates"][:4])


def test_models_ranks_an_unscored_catalog_model_as_quality_unknown(capsys) -> None:
    """Issue 13 item 8b: `advisor models` left Mistral 7B v0.3, Qwen2.5 and Gemma 2 out as
    "no quality index". They are ranked, shown as quality unknown (no number), with where scores
    come from and what lets a report judge them."""
    import json

    from advisor.cli import main

    assert main(["models", "--profile", "rtx-4090-desktop", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    by_id = {c["model_id"]: c for c in doc["candidates"]}
    for model_id in ("mistral-7b-instruct-v0.3", "qwen2.5-7b-instruct", "gemma-2-9b-it"):
        row = by_id[model_id]
        assert row["quality_unknown"] and row["quality"] is None and row["score"] is None
        assert row["quality_index"] is None
    assert not [e for e in doc["excluded"] if "quality" in e["reason"]]
    assert main(["models", "--profile", "rtx-4090-desktop"]) == 0
    text = capsys.readouterr().out
    row = next(line for line in text.splitlines() if "Mistral 7B Instruct v0.3" in line)
    assert " unknown " in row
    assert "quality 'unknown': the index has no score" in text and "--min-quality 0" in text


def test_models_takes_the_users_score_for_an_unscored_model(capsys) -> None:
    import json

    from advisor.cli import main

    args = ["models", "--profile", "rtx-4090-desktop", "--json"]
    assert main([*args, "--quality", "mistral-7b-instruct-v0.3=20"]) == 0
    doc = json.loads(capsys.readouterr().out)
    (row,) = [c for c in doc["candidates"] if c["model_id"] == "mistral-7b-instruct-v0.3"]
    assert row["quality_index"] == 20 and not row["quality_unknown"]
    assert row["quality_source"].startswith(
        "your assumption (--quality mistral-7b-instruct-v0.3=20), not a published score, on the "
        "Artificial Analysis Intelligence Index v4.1"
    )


def test_models_json_says_how_each_quality_figure_was_reached(capsys) -> None:
    """`quality_note` in `advisor models --json` was null for every file (it was only set for
    a cross-index fallback that no longer exists). It says, in the report's words, how the
    quality figure was reached, or why it is unknown."""
    import json

    from advisor.cli import main

    assert main(["report", "--profile", "h100-server", "--workload", "chat-assistant",
                 "--json"]) == 0  # fmt: skip
    option = json.loads(capsys.readouterr().out)["verdicts"][0]["local_option"]
    assert main(["models", "--profile", "h100-server", "--all-quants", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)["candidates"]
    same = [r for r in rows if (r["model_id"], r["quant"]) == (option["model_id"], option["quant"])]
    assert same and same[0]["quality_note"] == option["quality_note"]
    for row in rows:
        note = row["quality_note"]
        if row["quality_unknown"]:
            assert note.startswith("quality unknown: the index has no score"), row["model_id"]
        else:
            assert note.startswith(f"intelligence index {row['quality_index']:g} × "), note
            assert note.endswith(f"({row['quality_source']})"), note
    assert {r["quality_unknown"] for r in rows} == {True, False}
