"""YAML and JSON a hostile or careless hand wrote: alias bombs, deep nesting, huge integers, NaN
and keys given twice are refused with an error naming the file, through the real commands, in
milliseconds (issue 17, Medium 15 and the duplicate keys of "Lower")."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from advisor.cli import main
from advisor.errors import ExitCode

# Nine levels of nine aliases: 9**9 (387 million) strings once expanded, from 1 KB of text.
BOMB = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 9)}]\n" for i in range(8)
)
DEEP = "[" * 100_000
HUGE_INT = "9" * 4301

PROFILE = "name: Test box\nram_gb: 32\n"
WORKLOAD = """\
title: Test
task: chat
access: interactive
requests_per_day: 40
input_tokens_per_request: 1000
output_tokens_per_request: 200
context_tokens: 8192
min_decode_tokens_per_s: 10
max_time_to_first_token_s: 3
concurrency: 1
hours_per_day: 8
quality_floor_pct: 40
"""


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _refused(code: int, err: str, path: Path, *words: str) -> None:
    assert code == ExitCode.BAD_INPUT, err
    assert f"error: {path}" in err and "Traceback" not in err
    for word in words:
        assert word in err


def test_an_alias_bomb_is_refused_by_catalog_validate(tmp_path, capsys) -> None:
    assert len(BOMB) < 1024
    path = tmp_path / "models.yaml"
    path.write_text(BOMB)
    code, _, err = _run(capsys, "catalog", "validate", str(path))
    _refused(code, err, path, "alias *a", ":2:")


@pytest.mark.parametrize(
    ("text", "words"),
    [
        (BOMB, ["alias *a"]),
        (DEEP, []),
        (f"name: x\nram_gb: {HUGE_INT}\n", ["4301 digits", "ram_gb"]),
        ("name: x\nram_gb: .nan\n", ["not a finite number", "ram_gb"]),
        ("name: x\nram_gb: 32\nram_gb: 64\n", ["given twice", "ram_gb", ":3"]),
    ],
    ids=["bomb", "deep", "huge-int", "nan", "duplicate"],
)
def test_profiles_refuse_hostile_yaml(tmp_path, capsys, text: str, words: list[str]) -> None:
    path = tmp_path / "box.yaml"
    path.write_text(text)
    code, _, err = _run(capsys, "probe", "--profile", str(path), "--json")
    _refused(code, err, path, *words)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ('{"name": "x", "ram_gb": 32, "ram_gb": 64}', ["given twice", "ram_gb"]),
        ('{"name": "x", "ram_gb": NaN}', ["NaN is not a finite number"]),
        ('{"name": "x", "ram_gb": 1e999}', ["not a finite number"]),
        ('{"name": "x", "ram_gb": ' + HUGE_INT + "}", ["4301 digits"]),
        (DEEP, ["nested more than"]),
    ],
    ids=["duplicate", "nan", "overflow", "huge-int", "deep"],
)
def test_json_profiles_refuse_the_same(tmp_path, capsys, text: str, words: list[str]) -> None:
    path = tmp_path / "box.json"
    path.write_text(text)
    code, _, err = _run(capsys, "probe", "--profile", str(path), "--json")
    _refused(code, err, path, *words)


@pytest.mark.parametrize("suffix", [".yaml", ".json"])
def test_workloads_refuse_keys_given_twice(tmp_path, capsys, suffix: str) -> None:
    path = tmp_path / f"mine{suffix}"
    if suffix == ".json":
        import yaml

        data = yaml.safe_load(WORKLOAD)
        text = json.dumps(data)[:-1] + ', "requests_per_day": 4000}'
    else:
        text = WORKLOAD + "requests_per_day: 4000\n"
    path.write_text(text)
    code, _, err = _run(capsys, "report", "--profile", "rtx-4090-desktop", "--workload", str(path))
    _refused(code, err, path, "requests_per_day", "given twice")


@pytest.mark.parametrize("text", [BOMB, DEEP, WORKLOAD.replace("40\n", HUGE_INT + "\n", 1)])
def test_workloads_refuse_bombs(tmp_path, capsys, text: str) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text(text)
    code, _, err = _run(capsys, "report", "--profile", "rtx-4090-desktop", "--workload", str(path))
    _refused(code, err, path)


def test_config_refuses_an_alias_bomb(tmp_path, capsys) -> None:
    path = tmp_path / "config.yaml"
    path.write_text(BOMB)
    code, _, err = _run(capsys, "report", "--profile", "rtx-4090-desktop", "--config", str(path))
    _refused(code, err, path, "alias")


@pytest.mark.parametrize("argv", [["models"], ["report"], ["catalog", "list"]])
def test_a_huge_integer_in_the_overlay_names_the_overlay(
    advisor_home: Path, capsys, argv: list[str]
) -> None:
    """A broken overlay is skipped with a warning naming its line (the shipped catalog works)."""
    from advisor.catalog.overlay import overlay_path

    path = overlay_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"sources: {{}}\nmodels: []\nschema_version: {HUGE_INT}\n")
    code, _, err = _run(capsys, "--profile", "rtx-4090-desktop", *argv)
    assert code == ExitCode.OK, err
    assert f"warning: {path}:3: schema_version: an integer of 4301 digits" in err


@pytest.mark.parametrize("text", [BOMB.replace("a: &a", "reads: &a", 1), DEEP, "{" * 50_000])
def test_replay_dumps_refuse_bombs(tmp_path, capsys, text: str) -> None:
    path = tmp_path / "dump.json"
    path.write_text(text)
    code, _, err = _run(capsys, "probe", "--replay", str(path), "--json")
    _refused(code, err, path)
