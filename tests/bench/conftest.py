"""Shared fixtures for the bench tests: real tiny GGUF files, written once per session."""

from __future__ import annotations

from pathlib import Path

import pytest

from advisor.bench.synthetic import SYNTHETIC_QUANTS, TINY, write_synthetic_gguf


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
