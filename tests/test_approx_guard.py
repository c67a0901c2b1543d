"""The suite's pytest.approx refuses a tolerance that would accept any tiny value (conftest)."""

from __future__ import annotations

import pytest

_APPROX = pytest.approx.__wrapped__  # type: ignore[attr-defined]  # pytest's own


def test_the_default_absolute_tolerance_swallows_a_seconds_per_flop_coefficient() -> None:
    # Why the guard exists: 1 / 29.71 TFLOP/s compared at approx's defaults accepts 15x it.
    fifteen_times = 5e-13
    assert fifteen_times == _APPROX(1 / 29.71e12)


def test_a_tiny_expected_value_without_abs_is_refused() -> None:
    with pytest.raises(AssertionError, match="without abs="):
        pytest.approx(1 / 29.71e12)
    with pytest.raises(AssertionError, match="without abs="):
        pytest.approx(1.6e-7, rel=1e-9)


def test_a_tiny_value_with_its_tolerance_compares_for_real() -> None:
    fifteen_times, exact = 5e-13, 1 / 29.71e12
    assert fifteen_times != pytest.approx(1 / 29.71e12, rel=1e-6, abs=0)
    assert exact == pytest.approx(1.0 / 29.71e12, rel=1e-6, abs=0)


def test_ordinary_values_and_zero_keep_approx_as_it_is() -> None:
    three_tenths, next_to_zero = 0.1 + 0.2, 1e-13
    assert three_tenths == pytest.approx(0.3)
    assert next_to_zero == pytest.approx(0.0)
    assert [three_tenths] == pytest.approx([0.3])
