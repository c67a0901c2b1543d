"""Shared fixtures for the bench tests: real tiny GGUF files, written once per session."""

from __future__ import annotations

from pathlib import Path

import pytest

from advisor.bench.kernels.synthetic import SYNTHETIC_QUANTS, TINY, write_synthetic_gguf


@pytest.fixture(scope="session")
def tiny_gguf_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("tiny-gguf")
    for quant in SYNTHETIC_QUANTS:
        write_synthetic_gguf(folder / f"tiny-{quant}.gguf", quant, TINY)
    return folder


@pytest.fixture(params=SYNTHETIC_QUANTS)
def tiny_gguf(request: pytest.FixtureRequest, tiny_gguf_dir: Path) -> Path:
    """The tiny synthetic model in each quant the generator writes."""
    return tiny_gguf_dir / f"tiny-{request.param}.gguf"


@pytest.fixture
def tiny_f16(tiny_gguf_dir: Path) -> Path:
    return tiny_gguf_dir / "tiny-F16.gguf"


@pytest.fixture(scope="session")
def extra_buffers_ok() -> bool:
    """Whether llama.cpp's repacking kernels run here (a child process tries once)."""
    pytest.importorskip("llama_cpp")
    from advisor.bench.run.canary import _try_in_child

    return _try_in_child()


@pytest.fixture
def seeded_canary(advisor_home: Path, extra_buffers_ok: bool) -> bool:
    """Put the session's canary answer in this test's cache, so runs don't spawn it again."""
    import json

    import llama_cpp

    from advisor.bench.run.canary import _CACHE_NAME, _cache_key

    cache = advisor_home / "cache"
    cache.mkdir(parents=True, exist_ok=True)
    key = _cache_key(llama_cpp.__version__)
    (cache / _CACHE_NAME).write_text(json.dumps({key: extra_buffers_ok}), encoding="utf-8")
    return extra_buffers_ok
