"""The shipped file sums (advisor.catalog.tensors.file_sums): equal to a fresh computation for
every file of the catalog, and ignored once the layout code they came from changes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from advisor.catalog import load_catalog
from advisor.catalog.tensors import file_sums, flops, layout
from scripts.catalog.file_sums import fresh_text

ROOT = Path(__file__).resolve().parents[2]
HINT = "advisor/catalog/tensors/ or models.yaml changed: run python -m scripts.catalog.file_sums"


def test_the_shipped_table_is_what_the_build_computes_now() -> None:
    assert file_sums.TABLE.read_text(encoding="utf-8") == fresh_text(ROOT / "models.yaml"), HINT


def test_every_catalog_file_reads_back_as_computed() -> None:
    for model in load_catalog().models:
        arch = model.architecture
        key = layout.arch_key(arch)
        for quant in model.quants:
            name = quant.type.upper()
            assert file_sums.shipped_bytes(key, name) == layout.computed_quant_bytes(arch, name)
            assert file_sums.shipped_mix(key, name) == flops.computed_flop_mix(arch, name)


@pytest.fixture
def table_at(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Point the module at a table file of the test's own, read afresh."""

    def use(text: str) -> None:
        path = tmp_path / "file_sums.json"
        path.write_text(text, encoding="utf-8")
        monkeypatch.setattr(file_sums, "TABLE", path)
        file_sums._table.cache_clear()

    yield use
    file_sums._table.cache_clear()


def _one_model():
    model = next(m for m in load_catalog().models if m.quant("Q4_K_M"))
    return model.architecture, layout.arch_key(model.architecture)


def test_a_table_of_other_code_answers_nothing(table_at) -> None:
    arch, key = _one_model()
    real = file_sums.TABLE.read_text(encoding="utf-8")
    table_at(real.replace(file_sums.code_stamp(), "0" * 64))
    assert file_sums.shipped_bytes(key, "Q4_K_M") is None
    assert file_sums.shipped_mix(key, "Q4_K_M") is None
    table_at(real)
    assert file_sums.shipped_bytes(key, "Q4_K_M") == layout.computed_quant_bytes(arch, "Q4_K_M")


@pytest.mark.parametrize("text", ["", "{not json", "[1, 2]", '{"format": 1}'])
def test_a_missing_or_damaged_table_answers_nothing(table_at, text: str) -> None:
    _, key = _one_model()
    table_at(text)
    assert file_sums.shipped_bytes(key, "Q4_K_M") is None


def test_a_damaged_entry_answers_nothing(table_at) -> None:
    _, key = _one_model()
    name = repr(key)
    entry = [1, [["x", 2]], [], 0, 0, 0, 0, [["Q4_K", "half"]]]
    document = {"format": file_sums.FORMAT, "code": file_sums.code_stamp(),
                "sums": {name: {"Q4_K_M": entry, "Q8_0": [1, 2]}}}  # fmt: skip
    table_at(json.dumps(document))
    assert file_sums.shipped_bytes(key, "Q4_K_M") is None
    assert file_sums.shipped_mix(key, "Q4_K_M") is None
    assert file_sums.shipped_bytes(key, "Q8_0") is None
