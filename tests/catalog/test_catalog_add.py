"""`advisor catalog add FILE.gguf`: a GGUF generated here round-trips into the user overlay."""

from __future__ import annotations

import datetime
import json
import math
from pathlib import Path

import pytest
from catalog_testkit import arch_metadata, llama_tensors, write_gguf
from gguf import GGMLQuantizationType as T
from gguf import LlamaFileType

from advisor.bench.kernels.synthetic import TINY
from advisor.catalog import load_catalog
from advisor.catalog.add import entry_from_gguf
from advisor.catalog.gguf.file import read_model_file
from advisor.cli import main
from advisor.errors import ExitCode

_LITTLE = (2, 64, 128, 50, 32)  # layers, width, FFN, vocab, KV width


def _little(
    path: Path,
    name: str,
    file_type: LlamaFileType = LlamaFileType.MOSTLY_Q8_0,
    qtype: T = T.Q8_0,
    split: int = 0,
) -> list[Path]:
    """A two-layer llama header named `name`, optionally split every `split` tensors."""
    meta = arch_metadata(
        "llama",
        block_count=2,
        context_length=2048,
        embedding_length=64,
        feed_forward_length=128,
        attention__head_count=4,
        attention__head_count_kv=2,
    )
    meta |= {"general.name": name, "general.file_type": int(file_type)}
    meta |= {"tokenizer.ggml.model": "llama", "tokenizer.ggml.tokens": [f"t{i}" for i in range(50)]}
    tensors = llama_tensors(*_LITTLE, qtype)
    return write_gguf(path, "llama", meta, tensors, split_max_tensors=split)


def _add(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["catalog", "add", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_round_trip_through_the_overlay(
    catalog_file: Path, overlay_file: Path, synthetic_gguf: Path, capsys
) -> None:
    code, out, err = _add(
        capsys,
        str(synthetic_gguf),
        "--catalog",
        str(catalog_file),
        "--task",
        "chat",
        "--task",
        "coding",
        "--hf-repo",
        "me/synthetic",
    )
    assert code == ExitCode.OK, err
    assert out.startswith("added advisor-synthetic-llama: Q8_0, ")
    assert str(overlay_file) in out
    catalog = load_catalog(catalog_file)
    model = catalog.find("advisor-synthetic-llama")
    assert model is not None and catalog.find("me/synthetic") is model
    (quant,) = model.quants
    assert quant.type == "Q8_0" and quant.basis == "published"
    assert quant.size_bytes == synthetic_gguf.stat().st_size
    assert quant.file == synthetic_gguf.name
    assert round(model.architecture.total_params_b * 1e9) == TINY.n_params
    assert model.architecture.n_layers == TINY.n_layer
    assert model.tasks == ("chat", "coding")
    source = catalog.sources[quant.source]
    assert source.date == datetime.date.today().isoformat()
    assert synthetic_gguf.name in source.title
    assert model.unknown["release_date"] == "not in the GGUF metadata"
    # The shipped entries are still there, and the overlay validates on its own.
    assert [m.id for m in catalog.models][:2] == ["tiny-llama", "coder-moe"]
    assert main(["catalog", "validate", str(overlay_file), "--catalog", str(catalog_file)]) == 0


def test_adding_keeps_existing_entries_and_merges_quants(
    catalog_file: Path, overlay_file: Path, tmp_path: Path, capsys
) -> None:
    paths = {
        "Q8_0": _little(tmp_path / "little-Q8_0.gguf", "Little One")[0],
        "F16": _little(tmp_path / "little-F16.gguf", "Little One", LlamaFileType.MOSTLY_F16, T.F16)[
            0
        ],
    }
    for path in paths.values():
        assert _add(capsys, str(path), "--catalog", str(catalog_file))[0] == 0
    assert _add(capsys, str(paths["Q8_0"]), "--catalog", str(catalog_file), "--id", "other")[0] == 0
    catalog = load_catalog(catalog_file)
    little = catalog.find("little-one")
    assert [q.type for q in little.quants] == ["Q8_0", "F16"]
    assert [q.size_bytes for q in little.quants] == [
        paths["Q8_0"].stat().st_size,
        paths["F16"].stat().st_size,
    ]
    assert catalog.find("other") is not None
    assert overlay_file.with_name(overlay_file.name + ".bak").is_file()


def test_a_name_taken_by_the_shipped_catalog_gets_a_suffix(
    catalog_file: Path, tmp_path: Path, capsys
) -> None:
    (path,) = _little(tmp_path / "t.gguf", "Tiny Llama")
    code, out, err = _add(capsys, str(path), "--catalog", str(catalog_file))
    assert code == 0
    assert "already has 'tiny-llama'; added as 'tiny-llama-local' (--id picks another)" in err
    catalog = load_catalog(catalog_file)
    assert catalog.find("tiny-llama").name == "Tiny Llama"  # the curated entry is untouched
    assert catalog.find("tiny-llama-local").quants[0].type == "Q8_0"


def _overlay_state(overlay_file: Path) -> bytes | None:
    return overlay_file.read_bytes() if overlay_file.exists() else None


@pytest.mark.parametrize(
    ("damage", "expected"),
    [
        (lambda b: b[:100], "truncated"),
        (lambda b: b"GGML" + b[4:], "not a GGUF file"),
        (lambda b: b[:-1000], "ends past the end of the file"),
        (lambda b: b[:4] + (7).to_bytes(4, "little") + b[8:], "GGUF version 7 is not supported"),
    ],
)
def test_bad_files_leave_the_overlay_unchanged(
    catalog_file: Path,
    overlay_file: Path,
    synthetic_gguf: Path,
    tmp_path: Path,
    capsys,
    damage,
    expected: str,
) -> None:
    assert _add(capsys, str(synthetic_gguf), "--catalog", str(catalog_file))[0] == 0
    before = _overlay_state(overlay_file)
    bad = tmp_path / "bad.gguf"
    bad.write_bytes(damage(synthetic_gguf.read_bytes()))
    code, out, err = _add(capsys, str(bad), "--catalog", str(catalog_file))
    assert code == ExitCode.BAD_INPUT
    assert out == ""
    assert err.startswith(f"error: {bad}: ") and expected in err
    assert _overlay_state(overlay_file) == before


def test_missing_file_is_not_found(catalog_file: Path, tmp_path: Path, capsys) -> None:
    code, _, err = _add(capsys, str(tmp_path / "nope.gguf"), "--catalog", str(catalog_file))
    assert code == ExitCode.NOT_FOUND and "no such file" in err
    code, _, err = _add(capsys, str(tmp_path), "--catalog", str(catalog_file))
    assert code == ExitCode.BAD_INPUT and "not a regular file" in err


def test_a_broken_overlay_is_not_overwritten(
    catalog_file: Path, overlay_file: Path, synthetic_gguf: Path, capsys
) -> None:
    overlay_file.parent.mkdir(parents=True, exist_ok=True)
    overlay_file.write_text("models:\n  - id: [broken\n")
    before = overlay_file.read_bytes()
    code, _, err = _add(capsys, str(synthetic_gguf), "--catalog", str(catalog_file))
    assert code == ExitCode.BAD_INPUT
    assert f"error: {overlay_file}:" in err and "YAML syntax error" in err
    assert overlay_file.read_bytes() == before


def test_split_model_reads_every_part(catalog_file: Path, tmp_path: Path, capsys) -> None:
    parts = _little(tmp_path / "split.gguf", "Split Model", split=8)
    assert [p.name for p in parts] == [f"split-0000{i}-of-00003.gguf" for i in (1, 2, 3)]
    assert _add(capsys, str(parts[1]), "--catalog", str(catalog_file))[0] == 0
    model = load_catalog(catalog_file).find("split-model")
    (quant,) = model.quants
    assert quant.size_bytes == sum(p.stat().st_size for p in parts)
    assert quant.file == parts[0].name and "split in 3 files" in quant.note
    total = sum(math.prod(shape) for _, shape, _ in llama_tensors(*_LITTLE))
    assert round(model.architecture.total_params_b * 1e9) == total
    parts[2].unlink()
    code, _, err = _add(capsys, str(parts[0]), "--catalog", str(catalog_file))
    assert code == ExitCode.BAD_INPUT and "split-00003-of-00003.gguf not found" in err


def test_file_type_outside_the_catalog_needs_quant(tmp_path: Path) -> None:
    (path,) = _little(tmp_path / "odd.gguf", "Odd", file_type=LlamaFileType.MOSTLY_TQ1_0)
    model = read_model_file(path)
    with pytest.raises(Exception, match="file type TQ1_0, which is not a quant type"):
        entry_from_gguf(model)
    assert entry_from_gguf(model, quant="q4_0").model.quants[0].type == "Q4_0"


def test_json_output(catalog_file: Path, synthetic_gguf: Path, capsys) -> None:
    code, out, _ = _add(capsys, str(synthetic_gguf), "--catalog", str(catalog_file), "--json")
    assert code == 0
    document = json.loads(out)
    assert document["model"]["id"] == "advisor-synthetic-llama"
    assert document["model"]["origin"] == "user"
    assert document["model"]["quants"][0]["source"] in document["model"]["sources"]


def test_adding_keeps_the_users_comments_and_layout(
    catalog_file: Path, overlay_file: Path, tmp_path: Path, capsys
) -> None:
    """`advisor catalog add` dumped the whole overlay again: every comment the user wrote (and
    their key order and quoting) was lost. It now writes into the file's own text."""
    q8 = _little(tmp_path / "little-Q8_0.gguf", "Little One")[0]
    f16 = _little(tmp_path / "little-F16.gguf", "Little One", LlamaFileType.MOSTLY_F16, T.F16)[0]
    assert _add(capsys, str(q8), "--catalog", str(catalog_file))[0] == 0
    written = overlay_file.read_text(encoding="utf-8")
    mine = [
        "# my overlay: models I run at home",
        "  # the file on my NAS",
        "# end of my notes",
    ]
    text = mine[0] + "\n" + written.replace("\nmodels:", f"\n{mine[1]}\nmodels:", 1)
    text = text.replace("name: Little One", "name: 'Little One'  # as I call it", 1)
    overlay_file.write_text(text + mine[2] + "\n", encoding="utf-8")
    other = _little(tmp_path / "other-Q8_0.gguf", "Other One")[0]
    for path in (f16, other, q8):  # a new quant, a new model, a quant replaced
        code, _, err = _add(capsys, str(path), "--catalog", str(catalog_file))
        assert code == 0, err
        after = overlay_file.read_text(encoding="utf-8")
        for line in [*mine, "name: 'Little One'  # as I call it"]:
            assert line in after, (path.name, line)
        assert after.startswith(text[: text.index("sources:")])  # untouched up to the entries
    catalog = load_catalog(catalog_file)
    assert [q.type for q in catalog.find("little-one").quants] == ["F16", "Q8_0"]
    assert catalog.find("other-one") is not None
    assert main(["catalog", "validate", str(overlay_file), "--catalog", str(catalog_file)]) == 0


def test_an_inline_section_with_a_comment_is_refused_and_left_as_it_was(
    catalog_file: Path, overlay_file: Path, tmp_path: Path, capsys
) -> None:
    q8 = _little(tmp_path / "little-Q8_0.gguf", "Little One")[0]
    overlay_file.parent.mkdir(parents=True, exist_ok=True)
    text = "sources: {\n  # nothing yet\n}\nmodels: []\n"
    overlay_file.write_text(text, encoding="utf-8")
    code, _, err = _add(capsys, str(q8), "--catalog", str(catalog_file))
    assert code == ExitCode.BAD_INPUT, err
    assert "sources is written inline" in err and "write it as a block" in err
    assert overlay_file.read_text(encoding="utf-8") == text
