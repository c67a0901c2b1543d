"""The compiled catalog's seal: the shipped catalog loads without pydantic while the schema that
validated it at build time is unchanged; any other compiled file is validated in full."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from catalog_testkit import CATALOG_YAML, CountingYaml

from advisor.catalog import compiled, load_catalog, trusted
from advisor.catalog.loader import read_bytes, validate_document
from advisor.catalog.model import Catalog
from advisor.catalog.problems import CatalogProblems
from scripts.catalog.build import write_compiled
from tests.sealed_kit import typed

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "models.yaml"
HINT = "the schema or models.yaml changed: run python -m scripts.catalog.build --compile"


def test_the_shipped_compiled_form_is_sealed_for_this_schema() -> None:
    found = compiled.lookup_sealed(SHIPPED, SHIPPED.read_bytes())
    assert found is not None and found[1], HINT


def test_the_trusted_build_is_what_validation_gives() -> None:
    content = SHIPPED.read_bytes()
    data = compiled.lookup(SHIPPED, content)
    built = trusted.build(Catalog, data)
    assert typed(built) == typed(validate_document(SHIPPED, content, data, Catalog))


def test_the_shipped_catalog_loads_without_pydantic(tmp_path: Path) -> None:
    code = (
        "import sys\nfrom advisor.catalog import load_catalog\n"
        f"load_catalog({str(SHIPPED)!r}, overlay=False)\n"
        "print([m for m in ('pydantic', 'yaml') if m in sys.modules])\n"
    )
    env = {**os.environ, "ADVISOR_HOME": str(tmp_path), "HOME": str(tmp_path)}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                          check=True, timeout=600)  # fmt: skip
    assert done.stdout.strip() == "[]"


def test_a_sealed_compiled_file_skips_validation(
    catalog_file: Path, validations: list[type], parses: CountingYaml
) -> None:
    write_compiled(catalog_file)  # parses and validates, then seals
    validations.clear()
    parses.calls = 0
    catalog = load_catalog(catalog_file, overlay=False)
    assert validations == [] and parses.calls == 0
    content = read_bytes(catalog_file)
    expected = validate_document(
        catalog_file, content, compiled.lookup(catalog_file, content), Catalog
    )
    assert typed(catalog) == typed(expected)


def test_a_tampered_document_under_a_seal_is_validated(
    catalog_file: Path, validations: list[type]
) -> None:
    """Edited in place, seal kept: validated, found wanting, and the YAML answers instead."""
    write_compiled(catalog_file)
    target = compiled.compiled_path(catalog_file)
    target.write_text(target.read_text().replace('"n_layers":22', '"n_layers":0'))
    assert compiled.lookup_sealed(catalog_file, catalog_file.read_bytes()) is not None
    assert load_catalog(catalog_file, overlay=False).models[0].architecture.n_layers == 22
    assert Catalog in validations


def test_an_old_seal_is_not_trusted(catalog_file: Path, validations: list[type]) -> None:
    """A compiled file sealed by another version of the schema is validated in full."""
    write_compiled(catalog_file)
    validations.clear()
    target = compiled.compiled_path(catalog_file)
    entry = json.loads(target.read_text())
    entry["validated_by"] = "0" * 64
    target.write_text(json.dumps(entry))
    assert compiled.lookup_sealed(catalog_file, catalog_file.read_bytes()) == (entry["data"], False)
    load_catalog(catalog_file, overlay=False)
    assert validations == [Catalog]


def test_an_invalid_catalog_is_compiled_unsealed_and_rejected_clearly(
    catalog_file: Path, validations: list[type]
) -> None:
    catalog_file.write_text(CATALOG_YAML.replace("n_layers: 22", "n_layers: 0"))
    write_compiled(catalog_file)
    assert compiled.lookup_sealed(catalog_file, catalog_file.read_bytes())[1] is False  # type: ignore[index]
    with pytest.raises(CatalogProblems) as caught:
        load_catalog(catalog_file, overlay=False)
    assert "n_layers" in str(caught.value) and caught.value.line is not None


def test_what_it_cannot_convert_is_untrusted() -> None:
    with pytest.raises(trusted.Untrusted):
        trusted.build(Catalog, {"schema_version": True})
    with pytest.raises(trusted.Untrusted):
        trusted.build(Catalog, ["not", "a", "mapping"])
