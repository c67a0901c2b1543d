"""`advisor scan` on fake cache layouts: HF hub, Ollama, LM Studio, llama.cpp, plain folders."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from catalog_testkit import hf_cache, model_gguf, tiny_llama_gguf

from advisor.catalog import load_catalog
from advisor.catalog.scan import locations as scan_locations
from advisor.catalog.scan.installed import find_installed, scan, scan_models
from advisor.catalog.scan.locations import Location, default_locations
from advisor.cli import main


def _ollama(root: Path) -> Path:
    digest = "a" * 64
    tiny_llama_gguf(root / "blobs" / f"sha256-{digest}", file_type=15)  # Q4_K_M
    manifests = root / "manifests" / "registry.ollama.ai" / "library" / "tiny"

    def manifest(tag: str, layers: list[dict]) -> None:
        path = manifests / tag
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps({"schemaVersion": 2, "layers": layers}))

    model_layer = {"mediaType": "application/vnd.ollama.image.model", "digest": f"sha256:{digest}"}
    manifest("1b", [model_layer, {"mediaType": "application/vnd.ollama.image.template"}])
    manifest("latest", [model_layer])  # a second tag on the same blob
    manifest("gone", [{**model_layer, "digest": "sha256:" + "b" * 64}])
    manifest("evil", [{**model_layer, "digest": "sha256:../../../etc/passwd"}])
    manifest("notes", [{"mediaType": "application/vnd.ollama.image.license"}])
    (manifests / "junk").write_text("{not json")
    return root


def test_hugging_face_cache(tmp_path: Path, catalog_file: Path) -> None:
    catalog = load_catalog(catalog_file, overlay=False)
    result = scan([hf_cache(tmp_path / "hub")], catalog, include_defaults=False)
    (model,) = result.installed  # two revisions of one blob count once
    assert (model.model_id, model.quant, model.matched_by) == ("tiny-llama", "Q8_0", "file name")
    assert model.repo == "example/Tiny-Llama-GGUF"
    assert model.path.name == "tiny-llama-Q4_K_M.gguf"  # the link, with the real file name
    assert model.where == "huggingface"
    assert model.in_catalog and model.complete
    broken = [s for s in result.skipped if s.path.name == "tiny-llama-Q8_0.gguf"]
    assert broken and "broken link" in broken[0].reason


def test_ollama_store(tmp_path: Path, catalog_file: Path) -> None:
    catalog = load_catalog(catalog_file, overlay=False)
    result = scan([_ollama(tmp_path / "ollama")], catalog, include_defaults=False)
    (model,) = result.installed
    assert model.where == "ollama" and model.ollama_tags == ("tiny:1b", "tiny:latest")
    assert (model.model_id, model.quant, model.matched_by) == ("tiny-llama", "Q4_K_M", "ollama tag")
    assert model.path.name == "sha256-" + "a" * 64
    reasons = {s.path.name: s.reason for s in result.skipped}
    assert "is missing" in reasons["gone"]
    assert "malformed digest" in reasons["evil"]
    assert "no model layer" in reasons["notes"]
    assert "unreadable Ollama manifest" in reasons["junk"]


def test_lm_studio_and_metadata_identification(
    tmp_path: Path, catalog_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "home"
    tiny_llama_gguf(
        home / ".lmstudio" / "models" / "someone" / "Tiny-GGUF" / "tiny-renamed-Q8_0.gguf"
    )
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setattr(scan_locations, "OLLAMA_SYSTEM_DIR", tmp_path / "no-system-ollama")
    for var in (
        "HF_HUB_CACHE",
        "HUGGINGFACE_HUB_CACHE",
        "HF_HOME",
        "XDG_CACHE_HOME",
        "OLLAMA_MODELS",
        "LLAMA_CACHE",
    ):
        monkeypatch.delenv(var, raising=False)
    catalog = load_catalog(catalog_file, overlay=False)
    (model,) = scan_models(catalog=catalog)
    assert model.where == "lmstudio" and model.repo == "someone/Tiny-GGUF"
    assert (model.model_id, model.matched_by) == ("tiny-llama", "metadata")


def test_folders_with_shards_strangers_and_broken_files(tmp_path: Path, catalog_file: Path) -> None:
    folder = tmp_path / "models"
    parts = model_gguf(
        folder / "coder.gguf",
        arch="qwen3moe",
        name="Coder MoE 30B A3B",
        n_layers=48,
        hidden=2048,
        file_type=15,
        split_max_tensors=20,
    )
    model_gguf(
        folder / "sub" / "mystery-7b-Q5_K_M.gguf",
        arch="mistral3",
        name="Mystery 7B",
        n_layers=30,
        file_type=None,
    )
    model_gguf(folder / "mmproj-tiny-f16.gguf", arch="clip")
    (folder / "broken.gguf").write_bytes(b"GGUF\x03\x00\x00\x00" + b"\xff" * 20)
    (folder / "empty.gguf").touch()
    (folder / ".hidden").mkdir()
    tiny_llama_gguf(folder / ".hidden" / "ignored.gguf")
    orphan = model_gguf(folder / "orphans" / "x.gguf", split_max_tensors=2)
    orphan[0].unlink()
    if hasattr(os, "mkfifo"):
        os.mkfifo(folder / "pipe.gguf")  # must be skipped, not opened (it would block)

    catalog = load_catalog(catalog_file, overlay=False)
    result = scan([folder, tmp_path / "absent"], catalog, include_defaults=False)
    by_id = {m.model_id: m for m in result.installed}
    coder = by_id["coder-moe"]
    assert coder.matched_by == "metadata" and coder.quant == "Q4_K_M" and coder.in_catalog
    assert [p.name for p in coder.shards] == [p.name for p in parts] and len(parts) == 3
    assert coder.size_bytes == sum(p.stat().st_size for p in parts) and coder.complete
    stranger = by_id[None]
    assert stranger.quant == "Q5_K_M"  # from the file name: the header names no file type
    assert (stranger.summary.architecture, stranger.summary.n_layers) == ("mistral3", 30)
    assert stranger.summary.label == "Mystery 7B"
    assert len(result.installed) == 2
    reasons = {s.path.name: s.reason for s in result.skipped}
    assert "vision projector" in reasons["mmproj-tiny-f16.gguf"]
    assert "truncated" in reasons["broken.gguf"] or "claims" in reasons["broken.gguf"]
    assert "empty" in reasons["empty.gguf"]
    assert "first part of this split model is missing" in reasons[orphan[1].name]
    assert reasons["absent"] == "no such folder"
    if hasattr(os, "mkfifo"):
        assert reasons["pipe.gguf"] == "not a file"


def test_incomplete_split_models_are_listed_but_not_loadable(
    tmp_path: Path, catalog_file: Path
) -> None:
    parts = model_gguf(
        tmp_path / "m" / "coder.gguf",
        arch="qwen3moe",
        name="Coder MoE 30B A3B",
        n_layers=48,
        hidden=2048,
        file_type=15,
        split_max_tensors=20,
    )
    parts[-1].unlink()
    catalog = load_catalog(catalog_file, overlay=False)
    installed = scan_models([tmp_path / "m"], catalog)
    (model,) = installed
    assert not model.complete and len(model.shards) == 2
    assert find_installed(catalog, "coder-moe", "Q4_K_M", installed=installed) is None


def test_find_installed(tmp_path: Path, catalog_file: Path) -> None:
    catalog = load_catalog(catalog_file, overlay=False)
    installed = scan_models([hf_cache(tmp_path / "hub")], catalog)
    found = find_installed(catalog, "tiny-llama", "q8_0", installed=installed)
    assert found is not None and found.name == "tiny-llama-Q4_K_M.gguf"
    assert find_installed(catalog, "tiny-llama", "Q4_K_M", installed=installed) is None
    assert find_installed(catalog, "coder-moe", "Q4_K_M", installed=installed) is None


def test_quant_not_listed_in_the_catalog(tmp_path: Path, catalog_file: Path) -> None:
    tiny_llama_gguf(
        tmp_path / "d" / "tiny-llama-Q6_K.gguf", file_type=18
    )  # Q6_K: not in the catalog
    (model,) = scan_models([tmp_path / "d"], load_catalog(catalog_file, overlay=False))
    assert model.model_id == "tiny-llama" and model.quant == "Q6_K" and not model.in_catalog


def test_ambiguous_metadata_stays_unidentified(tmp_path: Path, catalog_file: Path) -> None:
    text = catalog_file.read_text().replace("  - id: coder-moe", _twin() + "  - id: coder-moe")
    catalog_file.write_text(text)
    tiny_llama_gguf(tmp_path / "d" / "some-file.gguf", name="Tiny")
    (model,) = scan_models([tmp_path / "d"], load_catalog(catalog_file, overlay=False))
    assert model.model_id is None


def _twin() -> str:
    """A second catalog model with tiny-llama's shape and a close name."""
    return """\
  - id: tiny-llamb
    name: Tiny Llamb
    hf_repo: example/Tiny-Llamb
    family: Tiny
    source: [cards]
    release_date: "2024-06"
    license: MIT
    tasks: [chat]
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
      max_context: 2048
    quality: null
    quants: []
"""


def test_default_locations_follow_the_tools_variables(tmp_path: Path) -> None:
    home = tmp_path / "home"
    env = {
        "HF_HOME": str(tmp_path / "hf"),
        "OLLAMA_MODELS": str(tmp_path / "ollama"),
        "LLAMA_CACHE": str(tmp_path / "llama"),
    }
    kinds = {loc.kind: [] for loc in default_locations(env, home)}
    for loc in default_locations(env, home):
        kinds[loc.kind].append(loc.path)
    assert kinds["huggingface"] == [tmp_path / "hf" / "hub"]
    assert kinds["ollama"][0] == tmp_path / "ollama"
    assert kinds["llama.cpp"] == [tmp_path / "llama"]
    assert home / ".lmstudio" / "models" in kinds["lmstudio"]
    plain = default_locations({}, home)
    assert Location(home / ".cache" / "huggingface" / "hub", "huggingface") in plain
    assert Location(home / ".ollama" / "models", "ollama") in plain
    hub = default_locations({"HF_HUB_CACHE": "/x/hub", "HF_HOME": "/y"}, home)
    assert hub[0].path == Path("/x/hub")


def test_scan_command_text_and_json(tmp_path: Path, catalog_file: Path, capsys) -> None:
    hub = hf_cache(tmp_path / "hub")
    stranger = tmp_path / "other"
    model_gguf(stranger / "mystery.gguf", arch="mistral3", name="Mystery 7B", n_layers=30)
    args = ["scan", str(hub), str(stranger), "--only", "--catalog", str(catalog_file)]
    assert main(args) == 0
    out, err = capsys.readouterr()
    assert "tiny-llama" in out and "Q8_0" in out and "tiny-llama-Q4_K_M.gguf" in out
    assert "not in the catalog:" in out and "Mystery 7B (mistral3, 30 layers)" in out
    assert "broken link" in err
    assert main([*args, "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert {m["model_id"] for m in document["installed"]} == {"tiny-llama", None}
    assert all(isinstance(m["path"], str) for m in document["installed"])
    assert document["searched"][0] == {"path": str(hub), "kind": "folder", "exists": True}


def test_scan_command_missing_folder_is_partial(tmp_path: Path, catalog_file: Path, capsys) -> None:
    code = main(["scan", str(tmp_path / "nothing"), "--only", "--catalog", str(catalog_file)])
    assert code == 8
    err = capsys.readouterr().err
    assert "no such folder" in err and "no GGUF models found" in err
