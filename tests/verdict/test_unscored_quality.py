"""Issue 13 item 8b: models with no published score, judged only against a floor the user gives.

Mistral 7B v0.3, Qwen2.5, Gemma 2 and any GGUF file added with --model have no Artificial
Analysis score. A report judges one only where the user says how: `--min-quality 0` (or a
workload file's `min_quality_pct: 0`: any quality will do) or `--quality MODEL=SCORE` (their own
estimate on the index). Otherwise it fails the quality check, and a cloud verdict names the
flags. The GGUF here is a real tiny llama file (advisor.bench.kernels.synthetic), 0.4 MB, which the
Raspberry Pi 5 runs far faster than any catalog model that reaches the chat floor.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from advisor.bench.kernels.synthetic import write_synthetic_gguf
from advisor.cli import main
from advisor.errors import ExitCode
from advisor.workload import load_workload_file, load_workloads, with_user_floor

TINY_ID = "advisor-synthetic-llama"  # the id the file's header gives the model
PRESET = "chat-assistant"


@pytest.fixture(scope="module")
def tiny_gguf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_synthetic_gguf(tmp_path_factory.mktemp("unscored") / "tiny.Q8_0.gguf", "Q8_0")


@pytest.fixture(scope="module")
def quick_chat(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The chat preset with a 1 s first-token limit (Nielsen's limit for the flow of thought).

    With the preset's 3 s, Gemma 3 270M, the smallest catalog model, answers on the Pi since
    issue 15's prefill physics (its head, 168M of its 268M weights, runs once per prompt
    batch): these tests need every catalog model to miss a requirement the tiny file meets.
    """
    preset = Path("profiles/workloads/chat-assistant.yaml").read_text(encoding="utf-8")
    path = tmp_path_factory.mktemp("workload") / "quick-chat.yaml"
    limit = "max_time_to_first_token_s: 3\n"
    assert limit in preset
    path.write_text(preset.replace(limit, "max_time_to_first_token_s: 1\n"), encoding="utf-8")
    return path


@pytest.fixture
def tiny_file(tiny_gguf: Path, quick_chat: Path) -> tuple[Path, Path]:
    return tiny_gguf, quick_chat


def _report(capsys, tiny_file: tuple[Path, Path], *extra: str, fmt: str = "--json",
            workload: str = ""):  # fmt: skip
    gguf, quick = tiny_file
    args = ["report", "--profile", "raspberry-pi-5-8gb", "--workload", workload or str(quick),
            "--model", str(gguf), *extra]  # fmt: skip
    code = main([*args, fmt] if fmt == "--json" else [*args, "--format", fmt])
    out, err = capsys.readouterr()
    assert code == 0, err
    return json.loads(out) if fmt == "--json" else out


def test_a_gguf_model_without_a_score_is_not_chosen_without_the_users_floor(
    capsys, tiny_file
) -> None:
    doc = _report(capsys, tiny_file)
    (verdict,) = doc["verdicts"]
    assert verdict["verdict"] == "cloud"
    assert (verdict["local_option"] or {}).get("model_id") != TINY_ID
    named = [r for r in verdict["reasons"] if r.startswith("quality unknown:")]
    assert named == [
        f"quality unknown: {TINY_ID} Q8_0 passes every other check here, but has no published "
        "score; give --min-quality 0 (any quality will do) or --quality "
        f"{TINY_ID}=SCORE (your estimate on the index) to judge it"
    ]


def test_the_users_floor_of_zero_lets_the_gguf_model_run_the_workload(capsys, tiny_file) -> None:
    doc = _report(capsys, tiny_file, "--min-quality", "0")
    (verdict,) = doc["verdicts"]
    assert verdict["verdict"] == "local"
    option = verdict["local_option"]
    assert option["model_id"] == TINY_ID and option["quality_index"] is None
    (quality,) = [c for c in option["checks"] if c["name"] == "quality"]
    assert quality["passed"] and quality["actual"] is None and quality["required"] == 0
    assert quality["text"].startswith("quality unknown: no published score")
    assert quality["text"].endswith("your floor of 0% (--min-quality 0) accepts any quality")
    (workload,) = doc["inputs"]["workloads"]
    assert workload["quality_floor_pct"] == 0 and workload["min_quality_pct"] == 0
    assert workload["min_quality_from"] == "--min-quality 0"
    assert workload["routine_share"] == 0  # every call may run on what passes the whole floor
    text = " ".join(_report(capsys, tiny_file, "--min-quality", "0", fmt="text").split())
    assert "your floor of 0% (--min-quality 0) accepts any quality" in text
    markdown = _report(capsys, tiny_file, "--min-quality", "0", fmt="markdown")
    assert "quality floor 0% of the frontier (yours: --min-quality 0)" in markdown


def test_the_users_score_judges_the_gguf_model_and_is_printed_as_theirs(capsys, tiny_file) -> None:
    doc = _report(capsys, tiny_file, "--quality", f"{TINY_ID}=40", workload=PRESET)
    (verdict,) = doc["verdicts"]
    option = verdict["local_option"]
    assert verdict["verdict"] == "local" and option["model_id"] == TINY_ID
    (quality,) = [c for c in option["checks"] if c["name"] == "quality"]
    assert quality["passed"] and quality["actual"] == pytest.approx(40 * 0.997 / 57.6 * 100, 0.01)
    assert f"your assumption (--quality {TINY_ID}=40), not a published score" in quality["text"]
    assert "floor 30% (the chat-assistant preset's)" in quality["text"]
    for fmt in ("text", "markdown"):
        out = " ".join(
            _report(
                capsys, tiny_file, "--quality", f"{TINY_ID}=40", fmt=fmt, workload=PRESET
            ).split()
        )
        assert f"your assumption (--quality {TINY_ID}=40)" in out, fmt


def test_a_users_floor_above_zero_still_cannot_judge_a_model_without_a_score(tiny_file) -> None:
    from advisor.verdict.options import unscored_check

    (chat,) = load_workloads(["chat-assistant"])
    for workload in (chat, with_user_floor(chat, 10, "--min-quality 10")):
        check = unscored_check(workload)
        assert not check.passed and check.actual is None
        assert "quality unknown: no published score" in check.text
        assert "give --min-quality 0 (any quality will do) or --quality MODEL=SCORE" in check.text
    assert unscored_check(with_user_floor(chat, 0, "--min-quality 0")).passed
    # the preset's floor of 0 would not do: it must be the user's
    assert not unscored_check(chat.__class__(**{**chat.__dict__, "quality_floor_pct": 0})).passed


def test_a_workload_file_states_the_users_floor(tmp_path: Path) -> None:
    preset = Path("profiles/workloads/chat-assistant.yaml").read_text(encoding="utf-8")
    path = tmp_path / "mine.yaml"
    path.write_text(preset + "min_quality_pct: 0\n", encoding="utf-8")
    mine = load_workload_file(path)
    assert mine.quality_floor_pct == 0 and mine.users_floor
    assert mine.floor_owner == "yours: min_quality_pct in mine.yaml"
    assert mine.routine_share == 0 and mine.routine_quality_floor_pct is None


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--quality", "mistral-7b-instruct-v0.3"], "expected --quality MODEL=SCORE"),
        (["--quality", "mistral-7b-instruct-v0.3=0"], "the score must be above 0"),
        (["--quality", "mistral-7b-instruct-v0.3=120"], "the score must be above 0"),
        (["--quality", "no-such-model=20"], "no model 'no-such-model' in the catalog"),
        (["--quality", "qwen3.8-27b=20"], "has a published score"),
        (
            [
                "--quality",
                "mistral-7b-instruct-v0.3=20",
                "--quality",
                "mistral-7b-instruct-v0.3=30",
            ],
            "is given twice",
        ),
    ],
)
def test_bad_quality_values_are_usage_errors_naming_the_flag(capsys, args, words) -> None:
    code = main(["report", "--profile", "rtx-3060-desktop", "--workload", "chat-assistant", *args])
    assert code == ExitCode.USAGE
    err = capsys.readouterr().err
    assert words in err
    # The form it quotes agrees with the range it checks: 0 itself is refused.
    assert "from 0 to 100" not in err


@pytest.mark.parametrize("value", ["-1", "101", "nan", "any"])
def test_a_bad_min_quality_is_a_usage_error_naming_the_flag(capsys, value: str) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["report", "--profile", "rtx-3060-desktop", "--min-quality", value])
    assert stopped.value.code == ExitCode.USAGE
    assert "argument --min-quality" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("line", "words"),
    [("min_quality_pct: -5", "from 0 (any quality will do) to 100"),
     ("min_quality_pct: 150", "from 0 (any quality will do) to 100"),
     ("min_quality_from: me", "min_quality_from is set by advisor")],
)  # fmt: skip
def test_a_bad_min_quality_in_a_workload_file_names_the_file_and_key(
    tmp_path: Path, capsys, line: str, words: str
) -> None:
    preset = Path("profiles/workloads/chat-assistant.yaml").read_text(encoding="utf-8")
    path = tmp_path / "mine.yaml"
    path.write_text(preset + line + "\n", encoding="utf-8")
    code = main(["report", "--profile", "rtx-3060-desktop", "--workload", str(path)])
    assert code == ExitCode.BAD_INPUT
    err = capsys.readouterr().err
    assert str(path) in err and line.split(":")[0] in err and words in err


def test_confidence_says_whose_the_quality_figure_is(capsys, tiny_file) -> None:
    """The user's score is 'given' (theirs), a model with none 'assumed'; never 'published'."""
    for flags, status in (
        (["--quality", f"{TINY_ID}=40"], "given"),
        (["--min-quality", "0"], "assumed"),
    ):
        (verdict,) = _report(capsys, tiny_file, *flags)["verdicts"]
        inputs = {i["input"]: i for i in verdict["confidence"]["inputs"]}
        assert inputs["quality index"]["status"] == status, flags
        assert "quality index" in verdict["confidence"]["estimated"] or status == "given"
