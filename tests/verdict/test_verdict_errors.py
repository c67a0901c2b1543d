# ruff: noqa: E501 (a table of YAML snippets and the errors they give, one per line)
"""Every check of a workload file and of the config file, with the exact error it gives: kind,
message, line, key and hint. Recorded from the pydantic-dataclass workload before Workload
became a plain dataclass validated through advisor.files.strict; nothing a user reads changed."""

from __future__ import annotations

from pathlib import Path

import pytest

from advisor.config import load_config
from advisor.errors import AdvisorError
from advisor.workload import load_workload_file

GOOD = "title: Mine\ntask: coding\naccess: interactive\nrequests_per_day: 10\ninput_tokens_per_request: 2000\noutput_tokens_per_request: 500\ncontext_tokens: 8192\nmin_decode_tokens_per_s: 15\nmax_time_to_first_token_s: 4\nconcurrency: 1\nhours_per_day: 8\nquality_floor_pct: 60\n"

# (case, text replaced in GOOD, replacement, (error class, message, line, key, hint))
WORKLOAD_CASES = [
    (
        "task",
        "task: coding",
        "task: poetry",
        (
            "WorkloadError",
            "Input should be 'chat', 'coding', 'reasoning', 'vision' or 'tools'",
            2,
            "task",
            None,
        ),
    ),
    (
        "access",
        "access: interactive",
        "access: sometimes",
        ("WorkloadError", "Input should be 'interactive' or 'programmatic'", 3, "access", None),
    ),
    (
        "unknown",
        "concurrency: 1",
        "concurency: 1",
        (
            "WorkloadError",
            "is not a workload key (check the spelling; see docs/report.md)",
            10,
            "concurency",
            "and 1 more problem(s) in this file",
        ),
    ),
    (
        "hours",
        "hours_per_day: 8",
        "hours_per_day: 30",
        (
            "WorkloadError",
            "must be more than 0 and at most 24, got 30.0",
            11,
            "hours_per_day",
            None,
        ),
    ),
    (
        "context",
        "context_tokens: 8192",
        "context_tokens: 2048",
        (
            "WorkloadError",
            "context_tokens (2048) is smaller than one call's input plus output tokens (2500)",
            7,
            "context_tokens",
            None,
        ),
    ),
    (
        "rpd",
        "requests_per_day: 10",
        "requests_per_day: many",
        (
            "WorkloadError",
            "Input should be a valid number, unable to parse string as a number",
            4,
            "requests_per_day",
            None,
        ),
    ),
    (
        "rpd0",
        "requests_per_day: 10",
        "requests_per_day: 0",
        ("WorkloadError", "must be positive, got 0.0", 4, "requests_per_day", None),
    ),
    (
        "missing",
        "quality_floor_pct: 60\n",
        "",
        ("WorkloadError", "is required but missing", 1, "quality_floor_pct", None),
    ),
    (
        "routine",
        "quality_floor_pct: 60",
        "quality_floor_pct: 60\nroutine_share: 0.5",
        (
            "WorkloadError",
            "is set, so routine_quality_floor_pct is needed too",
            13,
            "routine_share",
            None,
        ),
    ),
    (
        "routine-floor",
        "quality_floor_pct: 60",
        "quality_floor_pct: 60\nroutine_share: 0.5\nroutine_quality_floor_pct: 70",
        (
            "WorkloadError",
            "must be positive and below quality_floor_pct (60.0), got 70.0",
            14,
            "routine_quality_floor_pct",
            None,
        ),
    ),
    (
        "just",
        "quality_floor_pct: 60",
        "quality_floor_pct: 60\njustification: {speed: fast}",
        ("WorkloadError", "is not a workload field to justify", 13, "justification.speed", None),
    ),
    (
        "cached",
        "quality_floor_pct: 60",
        "quality_floor_pct: 60\ncached_input_share: 1",
        (
            "WorkloadError",
            "must be a share from 0 up to (not including) 1, got 1.0",
            13,
            "cached_input_share",
            None,
        ),
    ),
    (
        "ttft",
        "max_time_to_first_token_s: 4",
        "max_time_to_first_token_s: 0",
        (
            "WorkloadError",
            "must be positive, or null for no limit",
            9,
            "max_time_to_first_token_s",
            None,
        ),
    ),
    (
        "decode",
        "min_decode_tokens_per_s: 15",
        "min_decode_tokens_per_s: -1",
        ("WorkloadError", "must be 0 or more", 8, "min_decode_tokens_per_s", None),
    ),
    (
        "int",
        "concurrency: 1",
        "concurrency: 1.5",
        (
            "WorkloadError",
            "Input should be a valid integer, got a number with a fractional part",
            10,
            "concurrency",
            None,
        ),
    ),
    (
        "two",
        "concurrency: 1",
        "concurency: 1\nhours: 3",
        (
            "WorkloadError",
            "is not a workload key (check the spelling; see docs/report.md)",
            10,
            "concurency",
            "and 2 more problem(s) in this file",
        ),
    ),
    (
        "days",
        "quality_floor_pct: 60",
        "quality_floor_pct: 60\ndays_per_week: 8",
        ("WorkloadError", "must be more than 0 and at most 7, got 8.0", 13, "days_per_week", None),
    ),
    (
        "users",
        "quality_floor_pct: 60",
        "quality_floor_pct: 60\nusers: 0",
        ("WorkloadError", "must be positive, got 0", 13, "users", None),
    ),
    (
        "nonstr",
        "quality_floor_pct: 60",
        "quality_floor_pct: 60\n1: x",
        ("WorkloadError", "unexpected keys: keywords must be strings", None, None, None),
    ),
    (
        "justnotmap",
        "quality_floor_pct: 60",
        "quality_floor_pct: 60\njustification: [1]",
        ("WorkloadError", "Input should be a valid dictionary", 13, "justification", None),
    ),
]

# (case, the config file's only line, (error class, message, line, key, hint))
CONFIG_CASES = [
    ("region", "region: 3", ("ConfigError", "Input should be a valid string", 2, "region", None)),
    (
        "unknown",
        "regoin: us",
        (
            "ConfigError",
            "is not a config key (check the spelling; see docs/report.md)",
            2,
            "regoin",
            None,
        ),
    ),
    (
        "prices-unknown",
        "prices: {electricity: 3}",
        (
            "ConfigError",
            "is not a config key (check the spelling; see docs/report.md)",
            2,
            "prices.electricity",
            None,
        ),
    ),
    (
        "neg",
        "prices: {electricity_usd_per_kwh: -1}",
        ("ConfigError", "must be 0 or more, got -1", 2, "prices.electricity_usd_per_kwh", None),
    ),
    (
        "life",
        "prices: {hardware_lifetime_months: 0}",
        ("ConfigError", "must be more than 0, got 0", 2, "prices.hardware_lifetime_months", None),
    ),
    (
        "seats",
        "seats: [{plan: x, count: 0}]",
        ("ConfigError", "must be 1 or more, got 0", 2, "seats[0].count", None),
    ),
    (
        "seats-missing",
        "seats: [{plan: x}]",
        ("ConfigError", "is required but missing", 2, "seats[0].count", None),
    ),
    (
        "fmt",
        "defaults: {format: html}",
        ("ConfigError", "Input should be 'text' or 'markdown'", 2, "defaults.format", None),
    ),
    (
        "wl",
        "defaults: {workloads: chat}",
        ("ConfigError", "Input should be a valid tuple", 2, "defaults.workloads", None),
    ),
    ("path", "path: x", ("ConfigError", "is set by advisor, not by the file", None, "path", None)),
    (
        "top",
        "defaults: {top_candidates: many}",
        (
            "ConfigError",
            "Input should be a valid integer, unable to parse string as an integer",
            2,
            "defaults.top_candidates",
            None,
        ),
    ),
]


def _seen(exc: AdvisorError) -> tuple:
    return (type(exc).__name__, exc.detail, exc.line, exc.key, exc.hint)


@pytest.mark.parametrize(
    ("case", "old", "new", "expected"), WORKLOAD_CASES, ids=[c[0] for c in WORKLOAD_CASES]
)
def test_each_workload_check(
    tmp_path: Path, case: str, old: str, new: str, expected: tuple
) -> None:
    assert old in GOOD
    path = tmp_path / "mine.yaml"
    path.write_text(GOOD.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(AdvisorError) as caught:
        load_workload_file(path)
    assert _seen(caught.value) == expected
    assert caught.value.path == path


@pytest.mark.parametrize(
    ("case", "line", "expected"), CONFIG_CASES, ids=[c[0] for c in CONFIG_CASES]
)
def test_each_config_check(tmp_path: Path, case: str, line: str, expected: tuple) -> None:
    path = tmp_path / "config.yaml"
    path.write_text(f"# c\n{line}\n", encoding="utf-8")
    for _ in range(2):  # a bad file is never cached: the second read reports it again
        with pytest.raises(AdvisorError) as caught:
            load_config(path)
        assert _seen(caught.value) == expected
