"""Hardware prices: a profile's list price is shown, never counted (the machine is owned); a
price the user gives says it is bought, and is counted in the monthly cost and the break-even."""

from __future__ import annotations

import pytest

from advisor.advise import AdviceOptions, advise
from advisor.config import Config, Prices
from advisor.probe import load_profile
from advisor.workload import load_workloads


@pytest.fixture(scope="module")
def studio():
    machine = load_profile("mac-studio-m3-ultra-512gb")
    assert machine.price_usd == 11699
    return machine


def test_a_profiles_list_price_is_never_counted(studio, catalog) -> None:
    """Issue 13 item 6: the list price was shown as 'pays back in 1,129 months' beside a local
    verdict, though nobody said the machine was bought."""
    advice = advise(studio, catalog, load_workloads(["support-bot"]),
                    AdviceOptions())  # fmt: skip
    assert advice.hardware.basis == "profile" and not advice.hardware.bought
    assert advice.hardware.hardware.price_usd is None
    assert advice.hardware.list_price_usd == 11699
    verdict = advice.verdicts[0]
    assert verdict.kind == "local"
    assert verdict.costs.local_hardware is None
    assert verdict.costs.local == verdict.costs.local_electricity
    assert verdict.break_even.payback_months is None
    assert "11,699" not in verdict.break_even.text and "pays back in" not in (
        verdict.break_even.text
    )


def test_a_hardware_price_never_changes_the_model(studio, catalog) -> None:
    """Issue 13 item 6: --hardware-price moved the Mac Studio's quality gap from 47% to 54%."""
    workloads = load_workloads()
    owned = advise(studio, catalog, workloads, AdviceOptions())
    bought = advise(studio, catalog, workloads,
                    AdviceOptions(hardware_price_usd=11699))  # fmt: skip
    for a, b in zip(owned.verdicts, bought.verdicts, strict=True):
        pick = (a.option.candidate.model_id, a.option.candidate.quant)
        assert pick == (b.option.candidate.model_id, b.option.candidate.quant), a.workload.name
        assert a.quality_gap == b.quality_gap


@pytest.mark.parametrize("where", ["flag", "config"])
def test_a_price_the_user_gives_is_counted(studio, catalog, where) -> None:
    if where == "flag":
        options = AdviceOptions(hardware_price_usd=3600, lifetime_months=24)
    else:
        prices = Prices(hardware_price_usd=3600, hardware_lifetime_months=24)
        options = AdviceOptions(config=Config(prices=prices))
    advice = advise(studio, catalog, load_workloads(["support-bot"]), options)
    assert advice.hardware.basis == where and advice.hardware.hardware.counted
    verdict = advice.verdicts[0]
    if verdict.local_cost is not None:
        assert verdict.costs.local_hardware == pytest.approx(150.0)
