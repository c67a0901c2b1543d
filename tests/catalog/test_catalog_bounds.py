"""Every number in the catalog has a range: values that used to pass `catalog validate` and then
crash (or hang) a later command stop at the file, with its line and key (issue 17, Medium 13)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from catalog_testkit import CATALOG_YAML, write_catalog

from advisor.cli import main
from advisor.errors import ExitCode

# (what to replace in CATALOG_YAML, its replacement, the key the error must name)
CASES = [
    ("hidden_size: 2048\n", "hidden_size: 0\n", "models[0].architecture.hidden_size"),
    ("n_heads: 32\n", "n_heads: 0\n", "models[0].architecture.n_heads"),
    ("hidden_size: 2048\n", "hidden_size: -4096\n", "models[0].architecture.hidden_size"),
    ("n_layers: 22\n", "n_layers: 1000000000\n", "models[0].architecture.n_layers"),
    ("n_kv_heads: 4\n", "n_kv_heads: 64\n", "models[0].architecture"),
    ("total_params_b: 1.1\n", "total_params_b: .nan\n", "models[0].architecture.total_params_b"),
    ("active_params_b: 1.1\n", "active_params_b: .inf\n", "models[0].architecture.active_params_b"),
    ("intelligence_index: 30.1", "intelligence_index: -50.0", "quality.intelligence_index"),
    ("intelligence_index: 30.1", "intelligence_index: 1.0e+9", "quality.intelligence_index"),
    ("coding_index: 25", "coding_index: .nan", "models[1].quality.coding_index"),
    ("price_usd_per_month: 20", "price_usd_per_month: -20", "cloud.subscriptions[0]"),
    ("requests_per_day: 150", "requests_per_day: -1", "cloud.subscriptions[0]"),
    ("input_usd_per_mtok: 0.1", "input_usd_per_mtok: -0.1", "cloud.api_models[0]"),
    ("output_usd_per_mtok: 0.4", "output_usd_per_mtok: .inf", "cloud.api_models[0]"),
    ("size_bytes: 668788096", "size_bytes: 9" + "0" * 30, "models[0].quants[0].size_bytes"),
    ("max_context: 2048\n", "max_context: 0\n", "models[0].architecture.max_context"),
    ("{n_experts: 128, n_experts_used: 8}", "{n_experts: 0, n_experts_used: 0}", "moe.n_experts"),
]


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize(("old", "new", "key"), CASES, ids=[c[1].strip()[:40] for c in CASES])
def test_validate_refuses_numbers_out_of_range(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], old: str, new: str, key: str
) -> None:
    assert old in CATALOG_YAML
    path = write_catalog(tmp_path / "models.yaml", CATALOG_YAML.replace(old, new, 1))
    code, _, err = _run(capsys, "catalog", "validate", str(path))
    assert code == ExitCode.BAD_INPUT, err
    assert key in err and str(path) in err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("old", "new", "key"), CASES[:4], ids=["hidden-0", "heads-0", "neg", "1e9"]
)
def test_later_commands_refuse_the_catalog_instead_of_crashing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], old: str, new: str, key: str
) -> None:
    path = write_catalog(tmp_path / "models.yaml", CATALOG_YAML.replace(old, new, 1))
    for argv in (
        ["models", "--profile", "rtx-4090-desktop", "--catalog", str(path), "--json"],
        ["estimate", "--model", "tiny-llama", "--quant", "Q8_0", "--context", "2048",
         "--profile", "rtx-4090-desktop", "--catalog", str(path), "--json"],
    ):  # fmt: skip
        code, out, err = _run(capsys, *argv)
        assert code == ExitCode.BAD_INPUT, err
        assert key in err and out == ""


def test_the_shipped_catalog_is_inside_every_range(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(capsys, "catalog", "validate", "--json")
    assert code == ExitCode.OK, err
    assert json.loads(out)["files"][0]["errors"] == []
