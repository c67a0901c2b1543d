"""load_catalog: validation, and errors that name file, line and key with what was expected."""

from __future__ import annotations

from pathlib import Path

import pytest
from catalog_testkit import CATALOG_YAML, write_catalog

from advisor.catalog import Catalog, CatalogProblems, load_catalog
from advisor.errors import CatalogError, ExitCode, NotFoundError


def _line_of(text: str, needle: str, occurrence: int = 1) -> int:
    """1-based line of the n-th line containing `needle`."""
    hits = [i + 1 for i, line in enumerate(text.splitlines()) if needle in line]
    return hits[occurrence - 1]


def _broken(tmp_path: Path, old: str, new: str) -> tuple[Path, str]:
    assert old in CATALOG_YAML
    text = CATALOG_YAML.replace(old, new, 1)
    return write_catalog(tmp_path / "models.yaml", text), text


def _problems(path: Path) -> list[str]:
    with pytest.raises(CatalogProblems) as caught:
        load_catalog(path, overlay=False)
    assert caught.value.exit_code == ExitCode.BAD_INPUT
    return [str(p) for p in caught.value.problems]


def test_valid_catalog_loads(catalog_file: Path) -> None:
    catalog = load_catalog(catalog_file, overlay=False)
    assert isinstance(catalog, Catalog)
    assert [m.id for m in catalog.models] == ["tiny-llama", "coder-moe"]
    assert catalog.find("EXAMPLE/tiny-llama").id == "tiny-llama"
    assert catalog.models[1].architecture.moe.n_experts == 128
    assert catalog.cloud.api_models[0].catalog_model == "coder-moe"


def test_default_path_is_the_shipped_catalog() -> None:
    catalog = load_catalog(overlay=False)
    assert catalog.models, "the shipped models.yaml lists models"


@pytest.mark.parametrize(
    ("old", "new", "needle", "expected"),
    [
        (
            "size_bytes: 1169807680",
            "size_bytes: -3",
            "size_bytes: -3",
            "models[0].quants[1].size_bytes: must be 1 or more, got -3",
        ),
        (
            "n_layers: 22",
            "n_layers: twenty",
            "n_layers: twenty",
            'models[0].architecture.n_layers: expected an integer, got "twenty"',
        ),
        (
            "hidden_size: 2048\n      n_heads: 32\n      n_kv_heads: 4\n      head_dim: 64",
            "hiden_size: 2048\n      n_heads: 32\n      n_kv_heads: 4\n      head_dim: 64",
            "hiden_size",
            "models[0].architecture.hiden_size: unknown key (did you mean 'hidden_size'?)",
        ),
        (
            "tasks: [chat]",
            "tasks: [chat, poetry]",
            "tasks: [chat, poetry]",
            "models[0].tasks[1]: expected one of 'chat', 'coding', 'reasoning', 'vision' or "
            "'tools', got \"poetry\"",
        ),
        (
            'release_date: "2024-05"',
            "release_date: 2024-05-01",
            "release_date: 2024-05-01",
            "models[0].release_date: expected a string, got an unquoted date; write it in quotes: "
            '"2024-05-01"',
        ),
        (
            "{type: Q8_0,",
            "{type: Q9_9,",
            "type: Q9_9",
            "models[0].quants[1].type: unknown quant type 'Q9_9'",
        ),
        (
            "      total_params_b: 1.1\n      active_params_b: 1.1",
            "      total_params_b: 1.1\n      active_params_b: 9.1",
            "    architecture:",
            "models[0].architecture: active_params_b is larger than total_params_b",
        ),
    ],
)
def test_schema_errors_name_line_key_and_expectation(
    tmp_path: Path, old: str, new: str, needle: str, expected: str
) -> None:
    path, text = _broken(tmp_path, old, new)
    (problem,) = [p for p in _problems(path) if expected in p]
    assert problem.startswith(f"{path}:{_line_of(text, needle)}: ")


def test_missing_key_points_at_its_entry(tmp_path: Path) -> None:
    path, text = _broken(tmp_path, "    family: Coder\n", "")
    (problem,) = _problems(path)
    assert (
        problem
        == f"{path}:{_line_of(text, '- id: coder-moe')}: models[1].family: required key is missing"
    )


@pytest.mark.parametrize(
    ("old", "new", "needle", "expected"),
    [
        (
            "source: [cards]\n    release_date: null",
            "source: [crads]\n    release_date: null",
            "source: [crads]",
            "models[1].source[0]: unknown source 'crads' (did you mean 'cards'?)",
        ),
        (
            "source: [cards]\n    release_date: null",
            "source: []\n    release_date: null",
            "source: []",
            "models[1].source: lacks a source",
        ),
        (
            "catalog_model: coder-moe",
            "catalog_model: coder-mo",
            "catalog_model: coder-mo",
            "cloud.api_models[0].catalog_model: no model has id 'coder-mo' "
            "(did you mean 'coder-moe'?)",
        ),
        (
            "  - id: coder-moe",
            "  - id: tiny-llama",
            "  - id: tiny-llama",
            "models[1].id: duplicate model id 'tiny-llama' (also models[0])",
        ),
    ],
)
def test_cross_reference_errors(
    tmp_path: Path, old: str, new: str, needle: str, expected: str
) -> None:
    path, text = _broken(tmp_path, old, new)
    (problem,) = [p for p in _problems(path) if expected in p]
    occurrence = 2 if needle == "  - id: tiny-llama" else 1
    assert problem.startswith(f"{path}:{_line_of(text, needle, occurrence)}: ")


def test_source_without_date_is_refused(tmp_path: Path) -> None:
    path, text = _broken(
        tmp_path,
        'sizes: {title: GGUF file listings, date: "2025-02"}',
        "sizes: {title: GGUF file listings}",
    )
    (problem,) = _problems(path)
    assert (
        problem
        == f"{path}:{_line_of(text, 'sizes: {title')}: sources.sizes.date: required key is missing"
    )


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    text = (
        CATALOG_YAML.replace("size_bytes: 1169807680", "size_bytes: -3")
        .replace("n_layers: 48", "n_layers: many")
        .replace("catalog_model: coder-moe", "catalog_model: nothing")
        .replace(
            "source: [cards]\n    release_date: null", "source: [nope]\n    release_date: null"
        )
    )
    path = write_catalog(tmp_path / "models.yaml", text)
    with pytest.raises(CatalogProblems) as caught:
        load_catalog(path, overlay=False)
    keys = [p.key for p in caught.value.problems]
    assert keys == [
        "models[0].quants[1].size_bytes",
        "models[1].source[0]",
        "models[1].architecture.n_layers",
        "cloud.api_models[0].catalog_model",
    ]  # in file order
    assert caught.value.message.startswith(f"{path}: 4 problems:\n")


def test_yaml_syntax_error_names_the_line(tmp_path: Path) -> None:
    text = CATALOG_YAML.replace("tasks: [chat]", "tasks: [chat")
    path = write_catalog(tmp_path / "models.yaml", text)
    (problem,) = _problems(path)
    assert problem.startswith(f"{path}:")
    assert "YAML syntax error" in problem
    line = int(problem.split(":")[1])
    assert _line_of(text, "tasks: [chat") <= line <= _line_of(text, "tasks: [chat") + 2


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "got an empty file"),
        (b"- just\n- a list\n", "expected a mapping of schema_version, catalog_version"),
        (b"\xff\xfe not utf-8", "not UTF-8 text"),
        (CATALOG_YAML.replace("schema_version: 1", "schema_version: 7").encode(), "schema 7"),
    ],
)
def test_unusable_documents(tmp_path: Path, content: bytes, expected: str) -> None:
    path = tmp_path / "models.yaml"
    path.write_bytes(content)
    (problem,) = _problems(path)
    assert expected in problem


def test_missing_catalog_file_is_not_found(tmp_path: Path) -> None:
    with pytest.raises(NotFoundError, match="does not exist"):
        load_catalog(tmp_path / "absent.yaml")


def test_catalog_error_is_an_input_error(catalog_file: Path) -> None:
    catalog_file.write_text(CATALOG_YAML.replace("n_layers: 22", "n_layers: x"))
    with pytest.raises(CatalogError) as caught:
        load_catalog(catalog_file)
    assert caught.value.line == _line_of(CATALOG_YAML, "n_layers: 22")
    assert caught.value.key == "models[0].architecture.n_layers"
