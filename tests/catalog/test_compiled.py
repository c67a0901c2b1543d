"""The compiled catalog: shipped in sync with models.yaml, used only for the exact bytes it was
compiled from, ignored when stale or corrupt."""

from __future__ import annotations

import datetime
import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from catalog_testkit import CATALOG_YAML, CountingYaml

from advisor.catalog import compiled, load_catalog
from advisor.catalog.loader import load_catalog_file
from advisor.catalog.problems import CatalogProblems
from scripts.catalog.build import write_compiled

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "models.yaml"


@pytest.fixture
def compiled_catalog(catalog_file: Path) -> Path:
    write_compiled(catalog_file)
    return catalog_file


def test_the_shipped_compiled_form_is_in_sync_with_models_yaml() -> None:
    content = SHIPPED.read_bytes()
    entry = json.loads(compiled.compiled_path(SHIPPED).read_bytes())
    hint = "models.yaml changed: run python -m scripts.catalog.build --compile"
    assert entry["yaml_sha256"] == hashlib.sha256(content).hexdigest(), hint
    assert entry["data"] == yaml.load(content.decode(), Loader=yaml.CSafeLoader), hint


def test_the_shipped_catalog_loads_without_parsing_yaml(parses: CountingYaml) -> None:
    catalog = load_catalog(SHIPPED, overlay=False)
    assert parses.calls == 0
    assert catalog == load_catalog_file(SHIPPED, use_cache=False)
    assert parses.calls == 1


def test_used_when_it_matches_the_yaml(compiled_catalog: Path, parses: CountingYaml) -> None:
    catalog = load_catalog(compiled_catalog, overlay=False)
    assert parses.calls == 0
    assert [m.id for m in catalog.models] == ["tiny-llama", "coder-moe"]


def test_an_edited_yaml_is_parsed_for_real(compiled_catalog: Path, parses: CountingYaml) -> None:
    compiled_catalog.write_text(CATALOG_YAML.replace("name: Tiny Llama", "name: Tiny Lamma"))
    assert load_catalog(compiled_catalog, overlay=False).models[0].name == "Tiny Lamma"
    assert parses.calls == 1


def test_an_edited_yaml_reports_its_own_errors(compiled_catalog: Path) -> None:
    compiled_catalog.write_text(CATALOG_YAML.replace("n_layers: 22", "n_layers: many"))
    with pytest.raises(CatalogProblems) as caught:
        load_catalog(compiled_catalog, overlay=False)
    assert "n_layers" in str(caught.value) and caught.value.line is not None


@pytest.mark.parametrize(
    "garbage",
    [b"", b"{not json", b"[]", b'{"format": 1, "data": {}}', b"\xff\xfe\x00",
     b'{"format": 99, "yaml_sha256": "x", "data": {}}'],
)  # fmt: skip
def test_a_corrupt_compiled_file_is_ignored(
    compiled_catalog: Path, parses: CountingYaml, garbage: bytes
) -> None:
    compiled.compiled_path(compiled_catalog).write_bytes(garbage)
    assert [m.id for m in load_catalog(compiled_catalog, overlay=False).models][0] == "tiny-llama"
    assert parses.calls == 1


def test_a_matching_but_invalid_compiled_form_falls_back_to_the_yaml(
    compiled_catalog: Path, parses: CountingYaml
) -> None:
    """A hand-edited compiled file with the right hash: the YAML, not the JSON, is the truth."""
    target = compiled.compiled_path(compiled_catalog)
    entry = json.loads(target.read_bytes())
    entry["data"]["models"][0]["architecture"]["n_layers"] = "many"
    target.write_text(json.dumps(entry))
    assert load_catalog(compiled_catalog, overlay=False).models[0].architecture.n_layers == 22
    assert parses.calls == 1


def test_compiling_refuses_what_json_cannot_hold(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="JSON"):
        compiled.compiled_text(b"", {"released": datetime.date(2025, 1, 1)})
    with pytest.raises(ValueError, match="JSON"):
        compiled.compiled_text(b"", {1: "an integer key"})


def test_build_compile_writes_the_compiled_form(tmp_path: Path, catalog_file: Path) -> None:
    copy = tmp_path / "copy" / "models.yaml"
    copy.parent.mkdir()
    shutil.copy(catalog_file, copy)
    command = [sys.executable, "-m", "scripts.catalog.build", "--compile", "--out", str(copy)]
    subprocess.run(command, cwd=ROOT, check=True, capture_output=True)
    assert compiled.lookup(copy, copy.read_bytes()) == yaml.safe_load(copy.read_text())
