"""`advisor catalog list | show | validate`: output on stdout, problems on stderr, exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from catalog_testkit import CATALOG_YAML, NEW_MODEL, hf_cache

from advisor.catalog.fields import TASKS
from advisor.catalog.scan import locations as scan_locations
from advisor.cli import main
from advisor.commands import catalog as catalog_command
from advisor.errors import ExitCode


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_task_choices_match_the_schema() -> None:
    assert catalog_command.TASKS == TASKS


def test_list(catalog_file: Path, capsys) -> None:
    code, out, err = _run(capsys, "catalog", "list", "--catalog", str(catalog_file))
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert lines[0].split() == ["ID", "PARAMS", "CONTEXT", "TASKS", "AA", "QUANTS"]
    assert lines[1].split() == ["tiny-llama", "1.1B", "2K", "chat", "-", "Q4_K_M", "Q8_0"]
    assert lines[2].split()[:7] == [
        "coder-moe",
        "30.5B",
        "(3.3B",
        "active)",
        "256K",
        "coding,chat",
        "30.1",
    ]


def test_list_by_task_and_as_json(catalog_file: Path, overlay_file: Path, capsys) -> None:
    overlay_file.parent.mkdir(parents=True, exist_ok=True)
    overlay_file.write_text(NEW_MODEL)
    code, out, _ = _run(
        capsys, "catalog", "list", "--task", "coding", "--catalog", str(catalog_file)
    )
    assert code == 0 and [line.split()[0] for line in out.splitlines()[1:]] == ["coder-moe"]
    code, out, _ = _run(capsys, "catalog", "list", "--json", "--catalog", str(catalog_file))
    document = json.loads(out)
    assert [(m["id"], m["origin"]) for m in document["models"]] == [
        ("tiny-llama", "shipped"),
        ("coder-moe", "shipped"),
        ("my-model", "user"),
    ]
    assert document["models"][0]["sources"]["cards"]["date"] == "2025-01-02"
    code, out, _ = _run(capsys, "catalog", "list", "--catalog", str(catalog_file))
    assert "my-model *" in out and f"* from your overlay {overlay_file}" in out
    code, out, _ = _run(capsys, "catalog", "list", "--no-overlay", "--catalog", str(catalog_file))
    assert "my-model" not in out


def test_show_by_id_or_repo(catalog_file: Path, capsys) -> None:
    code, out, _ = _run(
        capsys, "catalog", "show", "EXAMPLE/Tiny-Llama", "--catalog", str(catalog_file)
    )
    assert code == 0
    assert out.startswith("Tiny Llama  (tiny-llama)\n")
    assert "22 layers, hidden 2048, 32 heads (4 KV), head dim 64" in out
    assert "Q8_0    1.17 GB  published  tiny-llama-Q8_0.gguf    example/Tiny-Llama-GGUF" in out
    assert "  cards: Model cards (2025-01-02) https://example.org/cards" in out
    assert "  quality: not on the leaderboard" in out
    code, out, _ = _run(
        capsys, "catalog", "show", "coder-moe", "--json", "--catalog", str(catalog_file)
    )
    document = json.loads(out)
    assert document["architecture"]["moe"]["n_experts"] == 128
    assert set(document["sources"]) == {"cards", "sizes"}


def test_show_unknown_id_suggests(catalog_file: Path, capsys) -> None:
    code, out, err = _run(capsys, "catalog", "show", "tiny-lama", "--catalog", str(catalog_file))
    assert code == ExitCode.NOT_FOUND and out == ""
    assert err == "error: no model 'tiny-lama' in the catalog\nhint: did you mean tiny-llama?\n"
    code, _, err = _run(capsys, "catalog", "show", "zzz", "--catalog", str(catalog_file))
    assert "`advisor catalog list` shows every id" in err


def test_validate_the_catalog_and_the_overlay(
    catalog_file: Path, overlay_file: Path, capsys
) -> None:
    code, out, err = _run(capsys, "catalog", "validate", "--catalog", str(catalog_file))
    assert code == 0 and err == ""
    assert out == (
        f"ok: {catalog_file} (catalog): 2 models, 3 quants, 3 sources, "
        "1 subscriptions, 1 api models\n"
    )
    overlay_file.parent.mkdir(parents=True, exist_ok=True)
    overlay_file.write_text(NEW_MODEL.replace("license: MIT", "license: null"))
    code, out, err = _run(capsys, "catalog", "validate", "--catalog", str(catalog_file))
    assert code == ExitCode.BAD_INPUT
    assert out.splitlines()[1] == f"invalid: {overlay_file} (overlay): 1 problem"
    assert err == (
        f"error: {overlay_file}:10: models[0].license: is null without a reason: "
        "add `unknown: {license: <why>}`\n"
    )


def test_validate_strict_checks(tmp_path: Path, capsys) -> None:
    path = tmp_path / "models.yaml"
    text = (
        CATALOG_YAML.replace("    license: MIT\n", "    license: MIT\n    license: BSD\n", 1)
        .replace(
            "unknown: {release_date: not announced}",
            "unknown: {release_date: not announced, hidden_size: typo}",
        )
        .replace("  prices: {", "  unused: {title: Nobody, date: '2025-01'}\n  prices: {")
    )
    path.write_text(text)
    code, out, err = _run(capsys, "catalog", "validate", str(path))
    assert code == ExitCode.BAD_INPUT
    errors = [line for line in err.splitlines() if line.startswith("error:")]
    assert len(errors) == 2
    assert "models[0].license: key given twice (first on line 15)" in errors[0]
    assert errors[0].startswith(f"error: {path}:16: ")
    assert "models[1].unknown.hidden_size: names no field of this entry" in errors[1]
    assert f"warning: {path}:6: sources.unused: no entry cites this source" in err


def test_validate_lists_every_schema_problem(tmp_path: Path, capsys) -> None:
    path = tmp_path / "models.yaml"
    path.write_text(
        CATALOG_YAML.replace("size_bytes: 1169807680", "size_bytes: 0").replace(
            "max_context: 2048", "max_context: lots"
        )
    )
    code, out, err = _run(capsys, "catalog", "validate", str(path), "--json")
    assert code == ExitCode.BAD_INPUT and err == ""
    document = json.loads(out)
    assert document["ok"] is False
    assert [e["key"] for e in document["files"][0]["errors"]] == [
        "models[0].architecture.max_context",
        "models[0].quants[1].size_bytes",
    ]
    assert all(isinstance(e["line"], int) for e in document["files"][0]["errors"])


def test_validate_missing_file(tmp_path: Path, capsys) -> None:
    code, _, err = _run(capsys, "catalog", "validate", str(tmp_path / "none.yaml"))
    assert code == ExitCode.NOT_FOUND and "does not exist" in err


def test_catalog_needs_an_action(capsys) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["catalog"])
    assert caught.value.code == ExitCode.USAGE


@pytest.fixture
def only_this_hub(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The known model folders point into tmp_path; the hub cache there holds tiny-llama."""
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setattr(scan_locations, "OLLAMA_SYSTEM_DIR", tmp_path / "no-system-ollama")
    for var in ("HUGGINGFACE_HUB_CACHE", "HF_HOME", "XDG_CACHE_HOME", "OLLAMA_MODELS"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("HF_HUB_CACHE", str(hf_cache(tmp_path / "hub")))
    monkeypatch.setenv("LLAMA_CACHE", str(tmp_path / "llama.cpp"))
    return tmp_path / "hub"


def test_list_and_show_installed(catalog_file: Path, only_this_hub: Path, capsys) -> None:
    code, out, _ = _run(capsys, "catalog", "list", "--installed", "--catalog", str(catalog_file))
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split()[-1] == "INSTALLED"
    assert [line.split() for line in lines[1:]] == [
        ["tiny-llama", "1.1B", "2K", "chat", "-", "Q8_0"]
    ]
    code, out, _ = _run(
        capsys,
        "catalog",
        "show",
        "tiny-llama",
        "--installed",
        "--json",
        "--catalog",
        str(catalog_file),
    )
    (found,) = json.loads(out)["installed"]
    assert found["quant"] == "Q8_0" and found["path"].endswith("tiny-llama-Q4_K_M.gguf")
    code, out, _ = _run(
        capsys, "catalog", "show", "coder-moe", "--installed", "--catalog", str(catalog_file)
    )
    assert out.endswith("installed:\n  none found by advisor scan\n")
