"""--download: what needs no Hub (test_bench_download_hub.py runs the real huggingface_hub)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from advisor.bench.model_file.download import download_quant, shard_files
from advisor.bench.run.native import INSTALL_HINT
from advisor.catalog.model import Architecture, Model, Quant
from advisor.errors import MissingDependencyError, NotFoundError

QWEN_REPO = "bartowski/Qwen_Qwen3-8B-GGUF"
QWEN_FILE = "Qwen_Qwen3-8B-Q4_K_M.gguf"
GPT_OSS_REPO = "unsloth/gpt-oss-120b-GGUF"
GPT_OSS_FILE = "gpt-oss-120b-mxfp4-00001-of-00003.gguf"


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


def test_a_quant_without_a_file_cannot_be_downloaded() -> None:
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
    """What advisor.catalog.hub.client and advisor.bench.model_file.download call, in the installed
    version (.ci/hub-oldest runs this under the oldest allowed too)."""
    pytest.importorskip("huggingface_hub")
    from advisor.catalog.hub.client import import_hub

    hub = import_hub()
    assert callable(hub.hf_hub_download)
    for name in ("model_info", "list_models"):
        assert callable(getattr(hub.HfApi, name))
    assert Path(hub.constants.HF_HUB_CACHE).name == "hub"
    assert isinstance(hub.constants.ENDPOINT, str) and isinstance(
        hub.constants.HF_HUB_OFFLINE, bool
    )
    utils = hub.utils  # 0.24 keeps the errors there only
    for name in ("get_session", "build_hf_headers", "hf_raise_for_status", "tqdm"):
        assert callable(getattr(utils, name))
    for name in (
        "GatedRepoError",
        "RepositoryNotFoundError",
        "EntryNotFoundError",
        "LocalEntryNotFoundError",
        "OfflineModeIsEnabled",
        "HfHubHTTPError",
    ):
        assert isinstance(getattr(utils, name), type)
    assert issubclass(utils.GatedRepoError, utils.RepositoryNotFoundError)
