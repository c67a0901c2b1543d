"""The config file: defaults when absent, values when present, file:line:key when broken."""

from __future__ import annotations

from pathlib import Path

import pytest

from advisor.config import EXAMPLE, Config, default_config_path, load_config
from advisor.errors import ConfigError


def test_no_file_means_defaults() -> None:
    config = load_config()
    assert config == Config()
    assert config.path is None
    assert config.prices.hardware_lifetime_months == 36


def test_the_documented_example_loads(advisor_home: Path) -> None:
    path = default_config_path()
    path.parent.mkdir(parents=True)
    path.write_text(EXAMPLE, encoding="utf-8")
    config = load_config()
    assert config.path == str(path)
    assert config.region == "us"
    assert config.prices.electricity_usd_per_kwh == 0.18
    assert config.prices.hardware_price_usd == 2500
    assert config.seats[0].plan == "chatgpt-plus" and config.seats[0].count == 10
    assert config.defaults.workloads == ("chat-assistant", "coding-agent")
    assert config.defaults.format == "markdown"


def test_an_explicit_missing_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such config file"):
        load_config(tmp_path / "nope.yaml")


@pytest.mark.parametrize(
    ("change", "line", "key", "words"),
    [
        (("count: 10", "count: 0"), 10, "seats[0].count", "must be 1 or more"),
        (("count: 10", "count: " + "9" * 30), 10, "seats[0].count", "must be at most"),
        (("0.18", "1.0e+300"), 5, "prices.electricity_usd_per_kwh", "must be at most 100"),
        (("0.18", ".nan"), 5, "prices.electricity_usd_per_kwh", "not a finite number"),
        (("2500", "1.0e+300"), 6, "prices.hardware_price_usd", "must be at most"),
        (("months: 36", "months: 0"), 7, "prices.hardware_lifetime_months", "more than 0"),
        (("top_candidates: 5", "top_candidates: -3"), 14, "defaults.top_candidates", "1 or more"),
        (("hardware_lifetime_months: 36", "lifetime: 36"), 7, "prices.lifetime", "not a config"),
        (("format: markdown", "format: html"), 13, "defaults.format", "'text' or 'markdown'"),
        (("pro=50/5h", "pro=50/hour"), 8, "prices.plan_limits[0]", "unknown unit 'hour'"),
        (("pro=50/5h", "pro=0/day"), 8, "prices.plan_limits[0]", "the count must be above 0"),
        (("pro=50/5h]", "pro]"), 8, "prices.plan_limits[0]", "expected PLAN=N/UNIT"),
        (("0.18", "-1"), 5, "prices.electricity_usd_per_kwh", "0 or more"),
        (("region: us", "region: [us"), None, None, "not valid YAML"),
    ],
)
def test_broken_config_names_file_line_and_key(tmp_path, change, line, key, words) -> None:
    path = tmp_path / "config.yaml"
    path.write_text(EXAMPLE.replace(*change), encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    err = caught.value
    assert err.path == path and words in err.detail
    if key is not None:
        assert err.key == key and err.line == line
