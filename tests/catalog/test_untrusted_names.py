"""A GGUF's general.name is untrusted: its control characters (ESC, OSC 52, BEL, C1) never
reach the terminal through `catalog add`, `catalog show`, `catalog list` or `models`."""

from __future__ import annotations

import re
from pathlib import Path

from catalog_testkit import arch_metadata, llama_tensors, write_gguf
from gguf import GGMLQuantizationType as T
from gguf import LlamaFileType

from advisor.cli import main

NAME = "Evil\x1b]0;pwned\x07 \x1b]52;c;aGk=\x07Model\x9b2J [/]"
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _gguf(path: Path) -> Path:
    meta = arch_metadata(
        "llama", block_count=2, context_length=2048, embedding_length=64,
        feed_forward_length=128, attention__head_count=4, attention__head_count_kv=2,
    )  # fmt: skip
    meta |= {"general.name": NAME, "general.file_type": int(LlamaFileType.MOSTLY_Q8_0)}
    meta |= {"tokenizer.ggml.model": "llama", "tokenizer.ggml.tokens": [f"t{i}" for i in range(50)]}
    return write_gguf(path, "llama", meta, llama_tensors(2, 64, 128, 50, 32, T.Q8_0))[0]


def _run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    assert not CONTROL.search(out.replace("\n", "")), out
    assert not CONTROL.search(err.replace("\n", "")), err
    return code, out, err


def test_a_hostile_model_name_is_printed_without_its_controls(
    catalog_file: Path, tmp_path: Path, capsys
) -> None:
    path = _gguf(tmp_path / "evil\x1b]0;t\x07-Q8_0.gguf")
    code, out, err = _run(capsys, "catalog", "add", str(path), "--catalog", str(catalog_file))
    assert code == 0, err
    model_id = out.split()[1].rstrip(":")
    code, out, _ = _run(capsys, "catalog", "show", model_id, "--catalog", str(catalog_file))
    assert code == 0 and "Evil]0;pwned ]52;c;aGk=Model2J [/]" in out
    code, out, _ = _run(capsys, "catalog", "list", "--catalog", str(catalog_file))
    assert code == 0 and model_id in out
    code, out, _ = _run(
        capsys, "models", "--catalog", str(catalog_file), "--profile", "rtx-4090-desktop",
        "--limit", "50",
    )  # fmt: skip
    assert code == 0 and "Evil]0;pwned" in out
