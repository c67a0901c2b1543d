"""Issue 13 item 3 (verdict8b): where no model reaches the floor, the report's remedy names the
best model and its score against the floor, as the audit's "Workloads no upgrade makes local"
table does: one function (advisor.verdict.reach.out_of_reach) says it for both."""

from __future__ import annotations

import json
from pathlib import Path

from advisor.catalog import load_catalog
from advisor.cli import main
from advisor.verdict.cloud import cloud_costs
from advisor.verdict.reach import best_on_task, out_of_reach
from advisor.workload import load_workload_file


def test_the_remedy_names_the_best_model_and_its_score_against_the_floor(
    tmp_path: Path, capsys
) -> None:
    preset = Path("profiles/workloads/coding-agent.yaml").read_text(encoding="utf-8")
    path = tmp_path / "strict-coding.yaml"
    path.write_text(preset.replace("quality_floor_pct: 70", "quality_floor_pct: 95"), "utf-8")
    assert main(["report", "--profile", "rtx-4090-desktop", "--workload", str(path),
                 "--json"]) == 0  # fmt: skip
    (verdict,) = json.loads(capsys.readouterr().out)["verdicts"]
    remedy = verdict["remedy"]
    assert verdict["verdict"] == "cloud" and remedy["kind"] == "none"
    workload = load_workload_file(path)
    catalog = load_catalog()
    frontier = cloud_costs(workload, catalog).frontier_index
    said = out_of_reach(workload, best_on_task(catalog, workload, frontier))
    assert said is not None and said.startswith(
        "no catalog model reaches the coding quality floor of 95% of the frontier on the "
        "coding index (the best, "
    )
    assert remedy["text"] == (
        f"what would make local work: no hardware would: {said}; only a lower floor "
        "(--min-quality PCT, or min_quality_pct in your workload file)"
    )


def test_a_floor_of_zero_is_not_offered_as_lower(tmp_path: Path, capsys) -> None:
    """The Pi 5 with a workload that takes any quality: no hardware change makes it local (the
    first token stays too late), and the remedy no longer offers "a lower quality floor" below
    the user's 0; with the preset's floor it still does. The first-token limit is 1 s (Nielsen's
    limit for the flow of thought): since issue 15's prefill physics Gemma 3 270M answers the
    preset's 3 s on the Pi (its head, 168M of 268M weights, runs once per prompt batch)."""
    preset = Path("profiles/workloads/chat-assistant.yaml").read_text(encoding="utf-8")
    path = tmp_path / "any-quality-chat.yaml"
    limit = "max_time_to_first_token_s: 3\n"
    assert limit in preset
    quick = preset.replace(limit, "max_time_to_first_token_s: 1\n")
    path.write_text(quick + "min_quality_pct: 0\n", encoding="utf-8")
    texts = []
    for workload in (str(path), "chat-assistant"):
        assert main(["report", "--profile", "raspberry-pi-5-8gb", "--workload", workload,
                     "--json"]) == 0  # fmt: skip
        (verdict,) = json.loads(capsys.readouterr().out)["verdicts"]
        assert verdict["verdict"] == "cloud" and verdict["remedy"]["kind"] == "none"
        texts.append(verdict["remedy"]["text"])
    mine, preset_text = texts
    # The Pi's LPDDR4X is soldered on: no change goes in, and the remedy says why.
    assert mine.startswith(
        "what would make local work: this machine takes no change this advisor knows of (its "
        "RAM is soldered: the Broadcom BCM2712 takes LPDDR4X-4267 on the board"
    )
    assert "lower quality floor" not in mine and mine.endswith("; another machine")
    assert preset_text.endswith("; another machine, or a lower quality floor")
