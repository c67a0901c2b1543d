"""Fixtures for the catalog tests: a small valid catalog and real tiny GGUF files."""

from __future__ import annotations

from pathlib import Path

import pytest
from catalog_testkit import CountingYaml, write_catalog

from advisor.bench.kernels.synthetic import TINY, write_synthetic_gguf


@pytest.fixture
def catalog_file(tmp_path: Path) -> Path:
    """A valid two-model catalog (tiny-llama, coder-moe) with a cloud section."""
    return write_catalog(tmp_path / "models.yaml")


@pytest.fixture
def overlay_file(advisor_home: Path) -> Path:
    """Where the user overlay lives for this test (not written yet)."""
    from advisor.catalog.overlay import overlay_path

    return overlay_path()


@pytest.fixture(scope="session")
def synthetic_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("synthetic")
    write_synthetic_gguf(folder / "advisor-synthetic-Q8_0.gguf", "Q8_0", TINY)
    return folder


@pytest.fixture
def synthetic_gguf(synthetic_dir: Path) -> Path:
    """A real, loadable tiny llama GGUF (advisor.bench.kernels.synthetic, TINY, Q8_0)."""
    return synthetic_dir / "advisor-synthetic-Q8_0.gguf"


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> CountingYaml:
    return CountingYaml(monkeypatch)
