"""Whether a file fits a machine without usable GPUs, decided from the file's totals
(advisor.estimate.fit_sums.cpu_only_fits), against the planner's own evaluation of -ngl 0: the same
bytes, to the byte, for every file of the shipped catalog."""

from __future__ import annotations

import pytest
from estimate_machines import cpu_machine, gpu_machine

from advisor.catalog import load_catalog
from advisor.estimate.assemble import _memo, fits
from advisor.estimate.budget import device_budgets
from advisor.estimate.fit import Planner, choices
from advisor.estimate.fit_sums import cpu_only_fits
from advisor.estimate.settings import RunSettings

CATALOG = load_catalog()
FILES = [(m, q.type) for m in CATALOG.models for q in m.quants]


def _planner_need(model, quant: str, settings: RunSettings, tokens: int) -> int:
    """The bytes the planner says -ngl 0 needs in RAM, overhead included."""
    budgets = device_budgets(cpu_machine(64))
    planner = Planner(model.architecture, quant, settings, budgets, backend="cpu",
                      mode="dedicated")  # fmt: skip
    ((device, need),) = planner.option(tokens, 0).totals
    assert device == "cpu"
    return need


@pytest.mark.parametrize("tokens", [1, 8192, 49152, 131_072])
def test_every_catalog_file_needs_the_planners_bytes(tokens: int) -> None:
    settings = RunSettings("f16", True)
    assert len(FILES) > 1000
    for model, quant in FILES:
        need = _planner_need(model, quant, settings, tokens)
        arch = model.architecture
        assert cpu_only_fits(arch, quant, settings, need, tokens) is True, (model.id, quant)
        assert cpu_only_fits(arch, quant, settings, need - 1, tokens) is False, (model.id, quant)
        assert cpu_only_fits(arch, quant, settings, None, tokens) is False


@pytest.mark.parametrize(("kv_type", "flash_attn"), [("q8_0", True), ("f16", False)])
def test_other_cache_settings_need_the_planners_bytes(kv_type: str, flash_attn: bool) -> None:
    settings = RunSettings(kv_type, flash_attn)
    for model, quant in FILES[::7]:  # every architecture family, a share of the files
        for tokens in (4096, 65536):
            need = _planner_need(model, quant, settings, tokens)
            arch = model.architecture
            assert cpu_only_fits(arch, quant, settings, need, tokens), (model.id, quant)
            assert not cpu_only_fits(arch, quant, settings, need - 1, tokens), (model.id, quant)


@pytest.mark.parametrize("ram_gb", [8, 24, 64])
def test_fits_on_a_machine_without_gpus_is_the_planners_answer(ram_gb: int) -> None:
    machine = cpu_machine(ram_gb)
    assert _memo(machine).cpu_only("dedicated") == device_budgets(machine).cpu.available_bytes
    settings = RunSettings("f16", True)
    budgets = device_budgets(machine)
    answers = set()
    for model, quant in FILES[::3]:
        for tokens in (8192, 65536):
            planner = Planner(model.architecture, quant, settings, budgets, backend="cpu",
                              mode="dedicated")  # fmt: skip
            expected = choices(planner, tokens, None)[0].fits
            got = fits(machine, model, quant, context_tokens=tokens, kv_type="f16",
                       mode="dedicated")  # fmt: skip
            assert got is expected, (model.id, quant, tokens)
            answers.add(got)
    assert answers == {True, False}  # both answers were checked


def test_a_machine_with_usable_gpus_is_left_to_the_planner() -> None:
    assert _memo(gpu_machine(24)).cpu_only("dedicated") is False
