"""Workload presets and files: they load, their numbers are justified, bad files say where."""

from __future__ import annotations

from pathlib import Path

import pytest

from advisor.errors import NotFoundError, WorkloadError
from advisor.paths import workloads_dir
from advisor.workload import load_workload_file, load_workloads, workload_names

PRESETS = ("chat-assistant", "coding-agent", "document-batch", "rag-summarisation", "support-bot")
JUSTIFIED = (
    "requests_per_day",
    "input_tokens_per_request",
    "output_tokens_per_request",
    "quality_floor_pct",
)

GOOD = """\
title: Mine
task: coding
access: interactive
requests_per_day: 10
input_tokens_per_request: 2000
output_tokens_per_request: 500
context_tokens: 8192
min_decode_tokens_per_s: 15
max_time_to_first_token_s: 4
concurrency: 1
hours_per_day: 8
quality_floor_pct: 60
"""


def write(tmp_path: Path, text: str, name: str = "mine.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_presets_ship_and_load() -> None:
    loaded = {w.name: w for w in load_workloads()}
    assert set(PRESETS) <= set(loaded)
    assert all(w.origin == "preset" for w in loaded.values())
    assert loaded["coding-agent"].task == "coding"
    assert loaded["coding-agent"].quality_index == "coding_index"
    assert loaded["support-bot"].access == "programmatic"


@pytest.mark.parametrize("name", PRESETS)
def test_every_preset_justifies_its_main_numbers(name: str) -> None:
    workload = load_workload_file(workloads_dir() / f"{name}.yaml", origin="preset")
    missing = [key for key in JUSTIFIED if key not in workload.justification]
    assert missing == []
    assert all(len(text) > 20 for text in workload.justification.values())


def test_coding_agent_volume_is_agent_sized() -> None:
    agent = load_workloads(["coding-agent"])[0]
    # 60 prompts × 8 steps × 24,600 tokens: millions of tokens a day, mostly cached input.
    assert agent.calls_per_day == 480
    assert agent.tokens_per_day == pytest.approx(480 * 24_600)
    assert agent.new_input_tokens_per_call == pytest.approx(2_400)
    assert agent.context_tokens >= 65_536


def test_file_name_is_the_default_name(tmp_path: Path) -> None:
    workload = load_workload_file(write(tmp_path, GOOD))
    assert workload.name == "mine"
    assert workload.origin == str(tmp_path / "mine.yaml")
    assert workload.days_per_month == pytest.approx(365.25 / 12)


def test_user_workloads_join_and_override_presets(advisor_home: Path) -> None:
    folder = advisor_home / "config" / "workloads"
    folder.mkdir(parents=True)
    write(folder, GOOD, "chat-assistant.yaml")
    write(folder, GOOD, "night-jobs.yaml")
    names = workload_names()
    assert "night-jobs" in names and names.count("chat-assistant") == 1
    chat = load_workloads(["chat-assistant"])[0]
    assert chat.origin == "user" and chat.task == "coding"


def test_load_by_file_and_name(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD)
    both = load_workloads([str(path), "support-bot"])
    assert [w.name for w in both] == ["mine", "support-bot"]


def test_unknown_name_lists_the_known_ones() -> None:
    with pytest.raises(NotFoundError) as caught:
        load_workloads(["chat-asistant"])
    assert "chat-assistant" in caught.value.hint


def test_same_workload_twice_is_refused() -> None:
    with pytest.raises(WorkloadError, match="more than once"):
        load_workloads(["support-bot", "support-bot"])


@pytest.mark.parametrize(
    ("change", "line", "key", "words"),
    [
        (("task: coding", "task: poetry"), 2, "task", "Input should be"),
        (("concurrency: 1", "concurency: 1"), 10, "concurency", "not a workload key"),
        (("hours_per_day: 8", "hours_per_day: 30"), 11, "hours_per_day", "at most 24"),
        (("context_tokens: 8192", "context_tokens: 2048"), 7, "context_tokens", "smaller than"),
        (("requests_per_day: 10", "requests_per_day: many"), 4, "requests_per_day", "number"),
        (("quality_floor_pct: 60\n", ""), None, "quality_floor_pct", "required"),
        (
            ("quality_floor_pct: 60", "quality_floor_pct: 60\nroutine_share: 0.5"),
            13,
            "routine_share",
            "routine_quality_floor_pct is needed",
        ),
        (
            ("quality_floor_pct: 60", "quality_floor_pct: 60\njustification: {speed: fast}"),
            13,
            "justification.speed",
            "not a workload field",
        ),
    ],
)
def test_bad_files_name_file_line_and_key(tmp_path, change, line, key, words) -> None:
    path = write(tmp_path, GOOD.replace(*change))
    with pytest.raises(WorkloadError) as caught:
        load_workload_file(path)
    err = caught.value
    assert err.path == path
    assert err.key == key
    assert words in err.detail
    if line is not None:
        assert err.line == line


def test_broken_yaml_gives_the_line(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD.replace("concurrency: 1", "concurrency: [1"))
    with pytest.raises(WorkloadError, match="not valid YAML") as caught:
        load_workload_file(path)
    assert caught.value.line is not None and caught.value.line >= 10


@pytest.mark.parametrize("text", ["- a\n- b\n", "just words\n"])
def test_a_file_that_is_not_a_mapping(tmp_path: Path, text: str) -> None:
    with pytest.raises(WorkloadError, match="expected a mapping"):
        load_workload_file(write(tmp_path, text))


def test_origin_cannot_be_forged(tmp_path: Path) -> None:
    with pytest.raises(WorkloadError, match="set by advisor") as caught:
        load_workload_file(write(tmp_path, GOOD + "origin: preset\n"))
    assert caught.value.line == 13


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(WorkloadError, match="no such workload file"):
        load_workloads([str(tmp_path / "gone.yaml")])
