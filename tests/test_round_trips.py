"""Every file advisor writes passes advisor's own validation: the catalog overlay `catalog add`
writes, the profile `probe --json` writes, the report `report --json -o` writes."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from advisor.bench.kernels.synthetic import write_synthetic_gguf
from advisor.cli import main
from advisor.errors import ExitCode

sys.path.insert(0, str(Path(__file__).parent / "probe"))
from probe_fakes import RTX_4090, linux, nvidia_gpu, with_nvidia  # noqa: E402


@pytest.fixture(scope="module")
def tiny_q8(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A GGUF whose header names no repository (general.source.* and friends absent)."""
    return write_synthetic_gguf(tmp_path_factory.mktemp("gguf") / "tiny-Q8_0.gguf", "Q8_0")


@pytest.mark.parametrize("repo", [[], ["--hf-repo", "someone/tiny-model"]])
def test_an_added_model_passes_catalog_validate(tiny_q8: Path, repo, advisor_home, capsys) -> None:
    assert main(["catalog", "add", str(tiny_q8), *repo]) == ExitCode.OK
    overlay = advisor_home / "data" / "catalog-overlay.yaml"
    capsys.readouterr()
    assert main(["catalog", "validate", str(overlay)]) == ExitCode.OK, capsys.readouterr().err
    assert capsys.readouterr().out.startswith(f"ok: {overlay} (overlay): 1 models")


def test_an_added_model_without_repository_says_its_repo_is_a_placeholder(
    tiny_q8: Path, advisor_home, capsys
) -> None:
    from advisor.catalog import load_catalog

    assert main(["catalog", "add", str(tiny_q8)]) == ExitCode.OK
    model = load_catalog().find("advisor-synthetic-llama")
    assert model.hf_repo == "local/advisor-synthetic-llama"
    assert "placeholder" in model.notes and "hf_repo" not in model.unknown


def test_what_validate_would_reject_is_never_written(
    tiny_q8: Path, advisor_home, capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The overlay is checked as `catalog validate` checks it before it is replaced."""
    from advisor.catalog import add

    original = add.entry_from_gguf

    def contradicting(*args, **kwargs):
        import dataclasses

        entry = original(*args, **kwargs)
        unknown = {**entry.model.unknown, "name": "says the name is unknown, yet it has one"}
        return dataclasses.replace(entry, model=dataclasses.replace(entry.model, unknown=unknown))

    monkeypatch.setattr(add, "entry_from_gguf", contradicting)
    assert main(["catalog", "add", str(tiny_q8)]) == ExitCode.BAD_INPUT
    assert "says name is unknown, but name has a value" in capsys.readouterr().err
    assert not (advisor_home / "data" / "catalog-overlay.yaml").exists()


def _absurd_nvml_dump(tmp_path: Path) -> Path:
    gpu = nvidia_gpu(**RTX_4090)
    gpu["nvmlDeviceGetMemoryInfo"] = {"total": 2**64 - 1, "free": 0, "used": 0}
    gpu["nvmlDeviceGetEnforcedPowerLimit"] = 0
    gpu["nvmlDeviceGetMemoryBusWidth"] = 0
    path = tmp_path / "dump.json"
    path.write_text(json.dumps(with_nvidia(linux(), [gpu])), encoding="utf-8")
    return path


def test_a_report_advisor_wrote_is_audited_not_skipped(tmp_path: Path, capsys) -> None:
    """probe --json (NVML gave absurd figures) -> --profile -> report --json -o -> audit."""
    assert main(["probe", "--replay", str(_absurd_nvml_dump(tmp_path)), "--json"]) == 0
    profile = tmp_path / "me.json"
    profile.write_text(capsys.readouterr().out, encoding="utf-8")
    report = tmp_path / "reports" / "me.json"
    report.parent.mkdir()
    args = ["report", "--json", "--profile", str(profile), "--workload", "chat-assistant"]
    assert main([*args, "-o", str(report)]) == ExitCode.OK
    capsys.readouterr()
    assert main(["audit", str(report.parent), "--format", "json", "--no-upgrades"]) == ExitCode.OK
    audit = json.loads(capsys.readouterr().out)
    assert not audit.get("skipped")
    assert len(audit["machines"]) == 1
