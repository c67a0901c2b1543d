"""Hardware prices: a profile's list price informs the break-even; a price the user gives is
counted in the monthly cost."""

from __future__ import annotations

import pytest

from advisor.advise import AdviceOptions, advise
from advisor.config import Config, Prices
from advisor.probe import load_profile
from advisor.verdict.workload import load_workloads


@pytest.fixture(scope="module")
def studio():
    machine = load_profile("mac-studio-m3-ultra-512gb")
    assert machine.price_usd == 11699
    return machine


def test_a_profiles_price_is_for_the_break_even_only(studio, catalog, estimator) -> None:
    advice = advise(studio, catalog, load_workloads(["support-bot"]),
                    AdviceOptions(estimator=estimator))  # fmt: skip
    assert advice.hardware.basis == "profile" and not advice.hardware.hardware.counted
    verdict = advice.verdicts[0]
    assert verdict.costs.local_hardware is None
    assert verdict.costs.local == verdict.costs.local_electricity
    assert "11,699 USD machine" in verdict.break_even.text or "never pays back" in (
        verdict.break_even.text
    )


@pytest.mark.parametrize("where", ["flag", "config"])
def test_a_price_the_user_gives_is_counted(studio, catalog, estimator, where) -> None:
    if where == "flag":
        options = AdviceOptions(estimator=estimator, hardware_price_usd=3600, lifetime_months=24)
    else:
        prices = Prices(hardware_price_usd=3600, hardware_lifetime_months=24)
        options = AdviceOptions(estimator=estimator, config=Config(prices=prices))
    advice = advise(studio, catalog, load_workloads(["support-bot"]), options)
    assert advice.hardware.basis == where and advice.hardware.hardware.counted
    verdict = advice.verdicts[0]
    if verdict.local_cost is not None:
        assert verdict.costs.local_hardware == pytest.approx(150.0)
