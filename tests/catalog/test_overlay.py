"""The user overlay: adds and replaces models by id; a broken one is reported and skipped."""

from __future__ import annotations

from pathlib import Path

import pytest
from catalog_testkit import NEW_MODEL

from advisor.catalog import load_catalog

REPLACEMENT = """\
models:
  - id: tiny-llama
    name: Tiny Llama (my build)
    hf_repo: example/Tiny-Llama
    family: Tiny
    source: [cards]
    release_date: "2024-05"
    license: MIT
    tasks: [chat, coding]
    architecture:
      source: [cards]
      arch: llama
      total_params_b: 1.1
      active_params_b: 1.1
      n_layers: 22
      hidden_size: 2048
      n_heads: 32
      n_kv_heads: 4
      head_dim: 64
      vocab_size: 32000
      max_context: 4096
    quality: null
    quants:
      - {type: Q6_K, size_bytes: 903450000, basis: published, source: sizes}
"""


def test_overlay_adds_models_and_sources(catalog_file: Path, overlay_file: Path) -> None:
    overlay_file.parent.mkdir(parents=True, exist_ok=True)
    overlay_file.write_text(NEW_MODEL)
    catalog = load_catalog(catalog_file)
    assert [m.id for m in catalog.models] == ["tiny-llama", "coder-moe", "my-model"]
    assert catalog.sources["mine"].title == "My own notes"
    assert "cards" in catalog.sources


def test_overlay_replaces_by_id_in_place(catalog_file: Path, overlay_file: Path) -> None:
    overlay_file.parent.mkdir(parents=True, exist_ok=True)
    overlay_file.write_text(REPLACEMENT)  # cites the shipped sources `cards` and `sizes`
    catalog = load_catalog(catalog_file)
    assert [m.id for m in catalog.models] == ["tiny-llama", "coder-moe"]
    tiny = catalog.find("tiny-llama")
    assert tiny.name == "Tiny Llama (my build)"
    assert [q.type for q in tiny.quants] == ["Q6_K"]


def test_overlay_can_be_left_out_or_given(catalog_file: Path, tmp_path: Path) -> None:
    other = tmp_path / "elsewhere.yaml"
    other.write_text(NEW_MODEL)
    assert len(load_catalog(catalog_file, overlay=other).models) == 3
    assert len(load_catalog(catalog_file, overlay=False).models) == 2


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            NEW_MODEL.replace("n_layers: 12", "n_layers: lots"),
            ":17: models[0].architecture.n_layers",
        ),
        (
            NEW_MODEL.replace("source: [mine]\n    release", "source: [yours]\n    release"),
            ":8: models[0].source[0]: unknown source 'yours'",
        ),
        (NEW_MODEL.replace("  mine: {", "  cards: {"), ":2: sources.cards: redefines a source"),
        ("models: [\n", ":2: YAML syntax error"),
        ("just text\n", "expected a mapping of sources and models"),
    ],
)
def test_broken_overlay_warns_and_never_hides_the_catalog(
    catalog_file: Path,
    overlay_file: Path,
    capsys: pytest.CaptureFixture[str],
    text: str,
    expected: str,
) -> None:
    overlay_file.parent.mkdir(parents=True, exist_ok=True)
    overlay_file.write_text(text)
    catalog = load_catalog(catalog_file)
    assert [m.id for m in catalog.models] == ["tiny-llama", "coder-moe"]
    err = capsys.readouterr().err.splitlines()
    assert any(line.startswith(f"warning: {overlay_file}") and expected in line for line in err), (
        err
    )
    assert err[-1].startswith(f"warning: the user catalog overlay {overlay_file} was skipped")


def test_warnings_can_go_elsewhere(catalog_file: Path, overlay_file: Path) -> None:
    overlay_file.parent.mkdir(parents=True, exist_ok=True)
    overlay_file.write_text("models: 3\n")
    seen: list[str] = []
    load_catalog(catalog_file, warn=seen.append)
    assert "models: expected a list, got 3" in seen[0]
    assert "was skipped" in seen[-1]


def test_empty_overlay_is_fine(catalog_file: Path, overlay_file: Path, capsys) -> None:
    overlay_file.parent.mkdir(parents=True, exist_ok=True)
    overlay_file.write_text("# nothing yet\n")
    assert len(load_catalog(catalog_file).models) == 2
    assert capsys.readouterr().err == ""


def test_unreadable_overlay_is_skipped(catalog_file: Path, overlay_file: Path, capsys) -> None:
    overlay_file.mkdir(parents=True)  # a folder where the file should be
    assert len(load_catalog(catalog_file).models) == 2
    err = capsys.readouterr().err
    assert f"warning: {overlay_file}: cannot read the file" in err
    assert "was skipped" in err
