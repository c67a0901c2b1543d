"""The user's config file: prices (electricity, hardware, seats for audits) and defaults.

It lives at user_config_dir()/config.yaml; command-line flags override it. A broken file is a
ConfigError naming the file, the line and the key. Amounts are in USD.

The classes are plain frozen dataclasses; pydantic validates a file against them (through
advisor.files.strict) only when there is one, so a run without a config file pays nothing for it,
and a file read before comes from the user cache (advisor.files.disk_cache) until it changes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Literal

from advisor.errors import ConfigError
from advisor.files.strict import FORBID, between
from advisor.paths import user_config_dir

CONFIG_NAME = "config.yaml"
DEFAULT_LIFETIME_MONTHS = 36
# The modules whose code turns a config file into a Config (see advisor.files.disk_cache).
CODE = (
    "advisor.files.strict",
    "advisor.files.yamlpos",
    "advisor.files.docload",
    "advisor.files.yamldoc",
    "advisor.config",
)


# The same ranges as the flags that override these (advisor.commands.report, audit).
KwhPrice = Annotated[float | None, between(0, 100)]
HardwarePrice = Annotated[float | None, between(0, 1e9)]
Months = Annotated[float, between(0, 1200, above=True)]
SeatCount = Annotated[int, between(1, 10_000_000)]


@dataclass(frozen=True)
class Prices:
    __pydantic_config__ = FORBID

    electricity_usd_per_kwh: KwhPrice = None  # overrides the region's catalog default
    hardware_price_usd: HardwarePrice = None  # this machine's price: amortised over its lifetime
    hardware_lifetime_months: Months = DEFAULT_LIFETIME_MONTHS
    # Assumed limits for plans that publish none, as --plan-limit takes them: "PLAN=N/UNIT"
    # (advisor.catalog.plan_limits); a flag for the same plan overrides the file's.
    plan_limits: tuple[str, ...] = ()


@dataclass(frozen=True)
class Seats:
    """What a team pays today: `count` seats of a catalog subscription plan (for audits)."""

    __pydantic_config__ = FORBID

    plan: str  # a catalog subscription id
    count: SeatCount


@dataclass(frozen=True)
class Defaults:
    __pydantic_config__ = FORBID

    workloads: tuple[str, ...] = ()  # names or files; empty means every preset
    profile: str | None = None
    format: Literal["text", "markdown"] = "text"
    top_candidates: Annotated[int, between(1, 1000)] = 5


@dataclass(frozen=True)
class Config:
    __pydantic_config__ = FORBID

    region: str | None = None  # electricity price region, e.g. "us", "eu", "de"
    prices: Prices = field(default_factory=Prices)
    seats: tuple[Seats, ...] = ()
    defaults: Defaults = field(default_factory=Defaults)
    path: str | None = None  # the file it came from; None when no file exists


def default_config_path() -> Path:
    return user_config_dir() / CONFIG_NAME


def load_config(path: str | Path | None = None) -> Config:
    """The config at `path`, or the user's config file; defaults when that file doesn't exist."""
    explicit = path is not None
    file = Path(path) if explicit else default_config_path()
    if not explicit and not file.exists():
        return Config()
    from advisor.files.disk_cache import cached

    # The Config records the path as given, so that is part of the key too.
    return cached("config", [file], lambda: _read(file), code=CODE, params=str(file))


def _read(file: Path) -> Config:
    from pydantic import ValidationError

    from advisor.files.strict import validate
    from advisor.files.yamldoc import read_mapping, validation_error

    data = read_mapping(file, ConfigError, what="config")
    if "path" in data:
        raise ConfigError("is set by advisor, not by the file", path=file, key="path")
    try:
        config = validate(Config, {**data, "path": str(file)})
    except ValidationError as exc:
        raise validation_error(ConfigError, file, exc, what="config") from exc
    from advisor.catalog.plan_limits import parse_plan_limit
    from advisor.errors import UsageError
    from advisor.files.yamlpos import line_in_file

    for i, text in enumerate(config.prices.plan_limits):
        key = f"prices.plan_limits[{i}]"
        try:
            parse_plan_limit(text, key)
        except UsageError as exc:
            line = line_in_file(file, ("prices", "plan_limits", i))
            message = exc.message.removeprefix(f"{key} ")
            raise ConfigError(message, path=file, key=key, line=line) from exc
    return config


def plan_limits(config: Config) -> list:
    """The config's assumed plan limits (advisor.catalog.plan_limits.PlanLimit), each saying
    it came from this file's prices.plan_limits."""
    from advisor.catalog.plan_limits import parse_plan_limit

    where = f"prices.plan_limits in {config.path}"
    return [parse_plan_limit(text, where) for text in config.prices.plan_limits]


EXAMPLE = """\
# advisor config: prices and defaults. Flags on the command line override these.
# Amounts are in USD.
region: us                    # electricity price region from the catalog (cloud.electricity)
prices:
  electricity_usd_per_kwh: 0.18   # overrides the region's price
  hardware_price_usd: 2500        # this machine's price, to see whether buying it pays back
  hardware_lifetime_months: 36
  plan_limits: [google-ai-pro=50/5h]  # your assumption for a plan that publishes no limit
seats:                        # what the team pays today, for `advisor audit`
  - {plan: chatgpt-plus, count: 10}
defaults:
  workloads: [chat-assistant, coding-agent]
  format: markdown
  top_candidates: 5
"""
