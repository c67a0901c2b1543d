"""Fixtures for the TUI tests: a reference profile, the shipped catalog and presets, no live probe.

Everything the app would find out by itself (machine, catalog, config, scan) is handed to
make_app, so runs are deterministic: no probe, no user files, no clock in what is shown.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Callable

import pytest

from advisor.catalog import load_catalog
from advisor.catalog.model import Catalog
from advisor.config import Config
from advisor.probe import load_profile
from advisor.probe.machine import Machine
from advisor.tui.app import AdvisorApp, make_app
from advisor.workload import Workload, load_workloads

REFERENCE_PROFILE = "rtx-4090-desktop"  # the machine of DESIGN.md's profile example
# A fixed slice of the shipped catalog: small and large, dense and MoE, hybrid, vision and
# coding models, one too big for the machine. Ranking 16 models keeps each app test quick,
# and models added to models.yaml later do not move the snapshots.
MODELS = (
    "llama-3.1-8b-instruct", "llama-3.3-70b-instruct", "mistral-small-3.2-24b-instruct-2506",
    "qwen3-8b", "qwen3-30b-a3b", "qwen3-coder-30b-a3b-instruct", "qwen3.6-27b",
    "qwen3.6-35b-a3b", "gemma-3-12b-it", "gemma-4-31b-it", "gpt-oss-20b", "gpt-oss-120b",
    "deepseek-r1", "phi-4", "glm-4.5-air", "granite-4.0-h-small",
)  # fmt: skip
LOAD_TIMEOUT_S = 600  # a guard against a hang, not a speed limit: a busy machine is slow


@pytest.fixture(scope="session")
def reference_machine() -> Machine:
    return load_profile(REFERENCE_PROFILE)


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    shipped = load_catalog(overlay=False)
    models = tuple(shipped.find(model_id) for model_id in MODELS)
    assert None not in models, "a model of the TUI tests' slice left models.yaml"
    return dataclasses.replace(shipped, models=models)


@pytest.fixture(scope="session")
def presets() -> tuple[Workload, ...]:
    return load_workloads()


@pytest.fixture
def build(reference_machine, catalog, presets, tmp_path) -> Callable[..., AdvisorApp]:
    """make_app on the reference machine with every input given; keywords override."""

    def make(**overrides) -> AdvisorApp:
        options = dict(
            machine=reference_machine,
            catalog=catalog,
            workloads=presets,
            config=Config(),
            installed=(),
            export_dir=tmp_path,
        )
        return make_app(**{**options, **overrides})

    return make


async def _settle(app: AdvisorApp, pilot) -> None:
    await asyncio.wait_for(app.loaded.wait(), LOAD_TIMEOUT_S)
    await app.workers.wait_for_complete()
    await pilot.pause()


@pytest.fixture
def settle() -> Callable:
    """`await settle(app, pilot)`: every first-load stage has landed and the screen is drawn."""
    return _settle
