"""--download: the catalog's GGUF through huggingface_hub, with recorded Hub answers."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from advisor.bench.download import download_quant, shard_files
from advisor.bench.native import INSTALL_HINT
from advisor.catalog.model import Architecture, Model, Quant
from advisor.errors import BenchError, MissingDependencyError, NotFoundError, WriteError
from tests.bench.fake_hub import (
    RECORDED,
    EntryNotFoundError,
    FakeHub,
    GatedRepoError,
    LocalEntryNotFoundError,
)

QWEN_REPO = "bartowski/Qwen_Qwen3-8B-GGUF"
QWEN_FILE = "Qwen_Qwen3-8B-Q4_K_M.gguf"
GPT_OSS_REPO = "unsloth/gpt-oss-120b-GGUF"
GPT_OSS_FILE = "gpt-oss-120b-mxfp4-00001-of-00003.gguf"
PLENTY = 10**13


def _model(repo: str | None, file: str | None, quant: str = "Q4_K_M") -> tuple[Model, Quant]:
    arch = Architecture(
        source=("s",),
        arch="qwen3",
        total_params_b=8.2,
        active_params_b=8.2,
        n_layers=36,
        hidden_size=4096,
        n_heads=32,
        n_kv_heads=8,
        head_dim=128,
        vocab_size=151936,
        max_context=40960,
    )
    q = Quant(type=quant, size_bytes=5_027_783_488, basis="published", source="s", file=file)
    model = Model(
        id="qwen3-8b",
        name="Qwen3 8B",
        hf_repo="Qwen/Qwen3-8B",
        family="qwen3",
        source=("s",),
        release_date="2025-04",
        license="apache-2.0",
        tasks=("chat",),
        architecture=arch,
        quality=None,
        quants=(q,),
        gguf_repo=repo,
    )
    return model, q


@pytest.fixture
def hub(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> FakeHub:
    fake = FakeHub(tmp_path / "hub")
    monkeypatch.setitem(sys.modules, "huggingface_hub", fake)
    return fake


def test_downloads_into_the_hub_cache(hub: FakeHub) -> None:
    path = download_quant(*_model(QWEN_REPO, QWEN_FILE), free_bytes=lambda _: PLENTY)
    commit = RECORDED[f"{QWEN_REPO}/{QWEN_FILE}"]["headers"]["x-repo-commit"]
    assert path == Path(hub.constants.HF_HUB_CACHE) / (
        f"models--bartowski--Qwen_Qwen3-8B-GGUF/snapshots/{commit}/{QWEN_FILE}"
    )
    assert path.read_bytes() == b"GGUF"
    assert hub.downloads == [(QWEN_REPO, QWEN_FILE)]


def test_a_split_model_comes_down_whole(hub: FakeHub) -> None:
    path = download_quant(*_model(GPT_OSS_REPO, GPT_OSS_FILE, "MXFP4"), free_bytes=lambda _: PLENTY)
    assert path.name == GPT_OSS_FILE
    assert [name for _, name in hub.downloads] == [
        f"gpt-oss-120b-mxfp4-0000{i}-of-00003.gguf" for i in (1, 2, 3)
    ]


def test_not_enough_disk_downloads_nothing(hub: FakeHub) -> None:
    with pytest.raises(WriteError, match=r"needs 63\.4 GB but only 20\.0 GB is free") as info:
        download_quant(
            *_model(GPT_OSS_REPO, GPT_OSS_FILE, "MXFP4"), free_bytes=lambda _: 20 * 10**9
        )
    assert "HF_HUB_CACHE" in (info.value.hint or "")
    assert hub.downloads == []
    assert len(hub.heads) == 3  # sizes of all three parts were asked for first


def test_a_file_the_repo_lacks_is_not_found(hub: FakeHub) -> None:
    with pytest.raises(NotFoundError, match="no file bartowski/Qwen_Qwen3-8B-GGUF/missing.gguf"):
        download_quant(*_model(QWEN_REPO, "missing.gguf"), free_bytes=lambda _: PLENTY)


def test_an_unknown_repo_is_not_found(hub: FakeHub) -> None:
    with pytest.raises(NotFoundError, match="no repository nobody/nothing"):
        download_quant(*_model("nobody/nothing", QWEN_FILE), free_bytes=lambda _: PLENTY)


@pytest.mark.parametrize(
    ("error", "kind", "message"),
    [
        (GatedRepoError("403 gated"), BenchError, "gated"),
        (LocalEntryNotFoundError("offline"), BenchError, "cannot reach Hugging Face"),
        (EntryNotFoundError("404"), NotFoundError, "no file"),
        (PermissionError(13, "Permission denied"), WriteError, "could not save"),
    ],
)
def test_hub_failures_become_our_errors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, error: Exception, kind: type, message: str
) -> None:
    monkeypatch.setitem(sys.modules, "huggingface_hub", FakeHub(tmp_path, fail=error))
    with pytest.raises(kind, match=message):
        download_quant(*_model(QWEN_REPO, QWEN_FILE), free_bytes=lambda _: PLENTY)


def test_a_quant_without_a_file_cannot_be_downloaded(hub: FakeHub) -> None:
    with pytest.raises(NotFoundError, match="names no GGUF file") as info:
        download_quant(*_model(None, None))
    assert "advisor bench FILE.gguf" in (info.value.hint or "")


def test_without_huggingface_hub_the_hint_says_how_to_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "huggingface_hub", None)
    with pytest.raises(MissingDependencyError, match="huggingface_hub") as info:
        download_quant(*_model(QWEN_REPO, QWEN_FILE))
    assert info.value.hint == INSTALL_HINT


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("a.gguf", ["a.gguf"]),
        ("dir/m-00002-of-00002.gguf", ["dir/m-00001-of-00002.gguf", "dir/m-00002-of-00002.gguf"]),
    ],
)
def test_shard_files(name: str, expected: list[str]) -> None:
    assert shard_files(name) == expected


def test_the_real_huggingface_hub_has_what_we_call() -> None:
    hub = pytest.importorskip("huggingface_hub")
    for name in ("hf_hub_download", "get_hf_file_metadata", "hf_hub_url"):
        assert callable(getattr(hub, name))
    assert Path(hub.constants.HF_HUB_CACHE).name == "hub"
    errors = hub.errors
    for name in (
        "GatedRepoError",
        "RepositoryNotFoundError",
        "EntryNotFoundError",
        "LocalEntryNotFoundError",
        "OfflineModeIsEnabled",
        "HfHubHTTPError",
    ):
        assert isinstance(getattr(errors, name), type)
    assert issubclass(errors.GatedRepoError, errors.RepositoryNotFoundError)
    url = hub.hf_hub_url(QWEN_REPO, QWEN_FILE)
    assert url == f"https://huggingface.co/{QWEN_REPO}/resolve/main/{QWEN_FILE}"
