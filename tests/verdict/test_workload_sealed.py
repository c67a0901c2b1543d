"""The workload presets' sealed compiled form: shipped presets load without PyYAML or pydantic
while the schema that validated them at build time is unchanged and their bytes are the ones
compiled; any other file, an edited preset or a tampered or outdated compiled file is read and
validated in full."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import advisor.workload as workload_mod
from advisor.paths import workloads_compiled_path, workloads_dir
from advisor.workload import Workload, load_workload_file, load_workloads
from scripts.compile_workloads import compiled_text
from tests.sealed_kit import typed

HINT = "a preset or the Workload schema changed: run python -m scripts.compile_workloads"


@pytest.fixture
def presets(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the shipped presets, compiled and sealed beside them, in use as the presets."""
    folder = tmp_path / "workloads"
    shutil.copytree(workloads_dir(), folder)
    target = tmp_path / "workloads.compiled.json"
    target.write_text(compiled_text(folder), encoding="utf-8")
    monkeypatch.setattr(workload_mod, "workloads_dir", lambda: folder)
    monkeypatch.setattr(workload_mod, "workloads_compiled_path", lambda: target)
    return folder


def test_the_shipped_compiled_form_is_current_and_sealed() -> None:
    assert workloads_compiled_path().read_text(encoding="utf-8") == compiled_text(
        workloads_dir()
    ), HINT
    assert set(workload_mod.sealed_presets()) == {p.name for p in workloads_dir().iterdir()}


def test_shipped_presets_build_as_validation_does(validations: list[type]) -> None:
    built = load_workloads()
    by_path = load_workloads([str(p) for p in sorted(workloads_dir().iterdir())])
    assert validations == []
    files = sorted(workloads_dir().iterdir())
    assert typed(built) == typed(tuple(load_workload_file(p, origin="preset") for p in files))
    assert typed(by_path) == typed(tuple(load_workload_file(p) for p in files))
    assert validations == [Workload] * 2 * len(files)


def test_the_shipped_presets_load_without_pydantic_or_yaml(tmp_path: Path) -> None:
    code = (
        "import sys\nfrom advisor.workload import load_workloads\nload_workloads()\n"
        "print([m for m in ('pydantic', 'yaml') if m in sys.modules])\n"
    )
    env = {**os.environ, "ADVISOR_HOME": str(tmp_path), "HOME": str(tmp_path)}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                          check=True, timeout=600)  # fmt: skip
    assert done.stdout.strip() == "[]"


def test_a_tampered_document_under_the_seal_is_validated(
    presets: Path, validations: list[type]
) -> None:
    """The compiled data edited, seal kept: not trusted; the YAML answers, validated."""
    target = workload_mod.workloads_compiled_path()
    entry = json.loads(target.read_text(encoding="utf-8"))
    entry["presets"]["chat-assistant.yaml"]["data"]["concurrency"] = 0  # invalid, not checked
    target.write_text(json.dumps(entry), encoding="utf-8")
    assert workload_mod.sealed_presets() == {}
    (chat,) = load_workloads(["chat-assistant"])
    assert chat.concurrency == 1 and validations == [Workload]


def test_an_edited_preset_is_validated(presets: Path, validations: list[type]) -> None:
    """Its bytes are not the compiled ones: read and validated, and an error names the file."""
    path = presets / "chat-assistant.yaml"
    path.write_text(path.read_text().replace("concurrency: 1", "concurrency: 3"))
    chat, coding = load_workloads(["chat-assistant", "coding-agent"])
    assert chat.concurrency == 3 and validations == [Workload]
    path.write_text(path.read_text().replace("concurrency: 3", "concurrency: 0"))
    with pytest.raises(workload_mod.WorkloadError, match="concurrency"):
        load_workloads(["chat-assistant"])


def test_an_old_seal_is_not_trusted(presets: Path, validations: list[type]) -> None:
    target = workload_mod.workloads_compiled_path()
    entry = json.loads(target.read_text(encoding="utf-8"))
    entry["validated_by"] = "0" * 64
    target.write_text(json.dumps(entry), encoding="utf-8")
    assert len(load_workloads()) == len(list(presets.iterdir()))
    assert validations == [Workload] * len(list(presets.iterdir()))


def test_a_user_file_is_always_validated(tmp_path: Path, validations: list[type]) -> None:
    """A copy of a preset outside the presets' folder is the user's file: validated."""
    mine = tmp_path / "chat-assistant.yaml"
    shutil.copy(workloads_dir() / "chat-assistant.yaml", mine)
    (loaded,) = load_workloads([str(mine)])
    assert loaded.origin == str(mine) and validations == [Workload]


def test_an_invalid_preset_is_never_sealed(presets: Path) -> None:
    path = presets / "chat-assistant.yaml"
    path.write_text(path.read_text().replace("concurrency: 1", "concurrency: -1"))
    with pytest.raises(workload_mod.WorkloadError, match="concurrency"):
        compiled_text(presets)
