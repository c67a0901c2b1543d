"""`advisor models|report --model FILE.gguf|hf:...`: the user's own models beside the catalog.

The file is a header-exact sparse Llama 2 13B Q8_0 (real_shapes.py); the Hub repository case
is in test_hub_models.py. A model read from a header has no quality index: it is judged as such
(ranked with its quality unknown, and judged by a report only against a floor the user gives).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from catalog_testkit import write_gguf
from gguf import GGMLQuantizationType as T
from real_shapes import llama2_13b, tensor_bytes

from advisor.catalog import load_catalog
from advisor.catalog.extra_models import with_extra_models
from advisor.cli import main
from advisor.errors import ExitCode, UsageError


@pytest.fixture(scope="module")
def llama_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("extra-models")
    files = {}
    for qtype in (T.Q8_0, T.F16):
        meta, tensors = llama2_13b(qtype)
        (files[qtype.name],) = write_gguf(folder / f"llama-2-13b.{qtype.name}.gguf", "llama",
                                          meta, tensors)  # fmt: skip
    return files


def judged(doc: dict, model_id: str) -> dict:
    """The user's model as `models --json` shows it: ranked, or left out with a reason."""
    ranked = [c for c in doc["candidates"] if c["model_id"] == model_id]
    left = [e for e in doc["excluded"] if e["model_id"] == model_id]
    assert bool(ranked) != bool(left) and len(left) <= 1, (ranked, left)
    return ranked[0] if ranked else left[0]


def test_a_file_is_ranked_beside_the_catalog(llama_files, capsys) -> None:
    mine = ["--model", str(llama_files["Q8_0"]), "--model", str(llama_files["F16"])]
    code = main(["models", "--profile", "h100-server", "--json", "--all-quants", *mine])
    out, err = capsys.readouterr()
    assert code == 0, err
    doc = json.loads(out)
    mine = judged(doc, "llama-2-13b")
    # no quality index: ranked with its quality unknown, never guessed
    assert mine["quality_index"] is None and mine["quality_unknown"] and mine["score"] is None
    assert "Llama 2 13B (Q8_0, F16) is ranked beside the catalog as llama-2-13b" in err


def test_two_quants_of_a_file_model_are_one_model_with_exact_weights(llama_files) -> None:
    from advisor.catalog.tensors.layout import quant_tensor_bytes

    catalog = with_extra_models(load_catalog(), [str(llama_files["Q8_0"]), str(llama_files["F16"])])
    (mine,) = [m for m in catalog.models if m.id == "llama-2-13b"]
    assert [q.type for q in mine.quants] == ["Q8_0", "F16"]
    for quant, qtype in (("Q8_0", T.Q8_0), ("F16", T.F16)):
        exact = tensor_bytes(llama2_13b(qtype)[1])
        assert quant_tensor_bytes(mine.architecture, quant).total_bytes == exact
    assert all(key in catalog.sources for key in (*mine.source, mine.quants[0].source))
    assert len(catalog.models) == len(load_catalog().models) + 1


def test_the_report_judges_the_users_model(llama_files, capsys) -> None:
    code = main(["report", "--profile", "h100-server", "--json",
                 "--model", str(llama_files["Q8_0"])])  # fmt: skip
    out, err = capsys.readouterr()
    assert code == 0, err
    assert json.loads(out)["schema_version"] and "ranked beside the catalog" in err


@pytest.mark.parametrize(
    ("spec", "code", "message"),
    [
        ("qwen3-8b", ExitCode.USAGE, "give a GGUF file or a Hugging Face repository"),
        ("missing.gguf", ExitCode.NOT_FOUND, "no such file"),
    ],
)
def test_bad_extra_models(spec: str, code: int, message: str, capsys) -> None:
    assert main(["models", "--profile", "h100-server", "--model", spec]) == code
    assert message in capsys.readouterr().err


def test_the_same_model_and_quant_twice_is_refused(llama_files) -> None:
    with pytest.raises(UsageError, match="given twice"):
        with_extra_models(load_catalog(), [str(llama_files["Q8_0"])] * 2)


def test_the_app_opens_with_the_users_model_in_its_catalog(
    llama_files, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`advisor --model FILE.gguf`: the file is read before the app opens (a bad one is a
    plain error), and the app gets the catalog with it."""
    import sys

    from advisor.tui import app as tui_app

    built = {}

    class Opened:
        return_code = 0

        def run(self) -> None:
            pass

    def make_app(**kwargs):
        built.update(kwargs)
        return Opened()

    monkeypatch.setattr(tui_app, "make_app", make_app)
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True)
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    assert main(["--profile", "h100-server", "--model", str(llama_files["Q8_0"])]) == 0
    assert built["catalog"].find("llama-2-13b") is not None
    assert main(["--model", "missing.gguf"]) == ExitCode.NOT_FOUND
