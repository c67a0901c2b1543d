"""`--model PATH.gguf`: a GGUF file is a model, read from its header; weights are its tensors.

The files are header-exact sparse GGUFs of models the catalog lacks (tests/catalog/
real_shapes.py): DeepSeek-V2-Lite (MLA, MoE with shared experts and a leading dense block)
at BF16, and Llama 2 13B (no GQA, untied output) at Q8_0, whole and split.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from catalog_testkit import write_gguf
from real_shapes import deepseek_v2_lite, llama2_13b, tensor_bytes

from advisor.catalog.add import entry_from_gguf
from advisor.catalog.gguf.file import read_model_file
from advisor.catalog.tensors.layout import tensor_layout
from advisor.cli import main
from advisor.errors import ExitCode
from advisor.units import MIB

PROFILE = "h100-server"
CONTEXT = 4096
# llama.cpp's KV allocation at 4096 cells, f16: llama_kv_cache "K (f16): ... V (f16): ..."
# MLA keeps one latent row (kv_lora_rank 512 + rope 64) per layer and no V: 27 x 576 x 2 B;
# Llama 2 13B keeps K and V of 40 heads x 128 in 40 layers: 40 x 5120 x 2 x 2 B.
SHAPES = {
    "deepseek-v2-lite-bf16": (deepseek_v2_lite, "deepseek2", 27 * 576 * 2 * CONTEXT),
    "llama-2-13b-q8_0": (llama2_13b, "llama", 40 * 5120 * 2 * 2 * CONTEXT),
}


def _write(folder: Path, shape: str, split: int = 0) -> tuple[list[Path], int]:
    make, arch, _ = SHAPES[shape]
    meta, tensors = make()
    folder.mkdir(parents=True, exist_ok=True)
    paths = write_gguf(folder / f"{shape}.gguf", arch, meta, tensors, split_max_tensors=split)
    return paths, tensor_bytes(tensors)


def _estimate(capsys: pytest.CaptureFixture[str], model: str, *extra: str) -> tuple[int, dict, str]:
    code = main(["estimate", "--model", model, "--context", str(CONTEXT), "--profile", PROFILE,
                 "--json", *extra])  # fmt: skip
    out, err = capsys.readouterr()
    return code, json.loads(out) if code == 0 else {}, err


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_a_files_weights_are_its_tensor_bytes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], shape: str
) -> None:
    (path,), weights = _write(tmp_path, shape)
    code, doc, err = _estimate(capsys, str(path))
    assert code == 0, err
    assert doc["memory"]["weights_bytes"] == weights
    assert doc["memory"]["kv_cache_bytes"] == SHAPES[shape][2]
    assert f"read the header of {path.name}" in err
    assert "unknown quality" in err  # what the header lacks is said, not guessed


def test_a_split_model_counts_every_part(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    paths, weights = _write(tmp_path, "llama-2-13b-q8_0", split=150)
    assert len(paths) == 3
    code, doc, err = _estimate(capsys, str(paths[1]))  # any part names the model
    assert code == 0, err
    assert doc["memory"]["weights_bytes"] == weights
    assert "(3 parts)" in err


def test_catalog_add_gives_an_exact_deepseek_v2_lite(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], advisor_home: Path
) -> None:
    """It was 31,854 MiB for a file of 29,964 MiB: key_length (576, the latent row) was taken
    for the head width, and V3's router bias was assumed."""
    (path,), weights = _write(tmp_path, "deepseek-v2-lite-bf16")
    arch = entry_from_gguf(read_model_file(path)).model.architecture
    layout = tensor_layout(arch, "BF16")  # the recipe alone, not the file's bytes
    meta, tensors = deepseek_v2_lite()
    assert {t.name: t.nbytes for t in layout.tensors} == {
        name: tensor_bytes([(name, shape, qtype)]) for name, shape, qtype in tensors
    }
    assert main(["catalog", "add", str(path), "--id", "dsv2-lite"]) == 0
    capsys.readouterr()
    code, doc, err = _estimate(capsys, "dsv2-lite", "--quant", "BF16")
    assert code == 0, err
    assert doc["memory"]["weights_bytes"] == weights == round(29964.482421875 * MIB)


def test_quant_must_match_the_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (path,), _ = _write(tmp_path, "llama-2-13b-q8_0")
    code, _, err = _estimate(capsys, str(path), "--quant", "Q4_K_M")
    assert code == ExitCode.USAGE
    assert "is Q8_0" in err


def test_a_catalog_model_still_needs_a_quant(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _estimate(capsys, "qwen3-8b")
    assert code == ExitCode.USAGE
    assert "--quant is needed" in err and "Q4_K_M" in err


def _corrupt(tmp_path: Path) -> Path:
    (path,), _ = _write(tmp_path, "llama-2-13b-q8_0")
    with path.open("r+b") as handle:  # the tensor count claims more than the file holds
        handle.seek(8)
        handle.write((2**40).to_bytes(8, "little"))
    return path


def _not_gguf(tmp_path: Path) -> Path:
    path = tmp_path / "notes.gguf"
    path.write_text("these are my notes, not a model\n" * 10, encoding="utf-8")
    return path


def _truncated_split(tmp_path: Path) -> Path:
    paths, _ = _write(tmp_path, "llama-2-13b-q8_0", split=150)
    os.remove(paths[2])
    return paths[0]


@pytest.mark.parametrize(
    ("make", "code", "says"),
    [
        (_corrupt, ExitCode.BAD_INPUT, "llama-2-13b-q8_0.gguf"),
        (_not_gguf, ExitCode.BAD_INPUT, "notes.gguf"),
        (_truncated_split, ExitCode.BAD_INPUT, "00003-of-00003.gguf not found"),
        (lambda tmp: tmp / "absent.gguf", ExitCode.NOT_FOUND, "no such file"),
    ],
)
def test_bad_files(tmp_path: Path, capsys: pytest.CaptureFixture[str], make, code, says) -> None:
    path = make(tmp_path)
    got, _, err = _estimate(capsys, str(path))
    assert got == code, err
    assert says in err
    assert "Traceback" not in err
