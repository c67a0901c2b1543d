"""The user's config file: prices (electricity, hardware, seats for audits) and defaults.

It lives at user_config_dir()/config.yaml; command-line flags override it. A broken file is a
ConfigError naming the file, the line and the key. Amounts are in USD.
"""

from __future__ import annotations

from dataclasses import field
from pathlib import Path
from typing import Literal

from pydantic import ConfigDict, ValidationError, model_validator
from pydantic.dataclasses import dataclass

from advisor.errors import ConfigError
from advisor.paths import user_config_dir
from advisor.verdict.yamldoc import KeyProblem, read_mapping, validation_error

_STRICT = ConfigDict(extra="forbid")
CONFIG_NAME = "config.yaml"
DEFAULT_LIFETIME_MONTHS = 36


@dataclass(frozen=True, config=_STRICT)
class Prices:
    electricity_usd_per_kwh: float | None = None  # overrides the region's catalog default
    hardware_price_usd: float | None = None  # this machine's price: amortised over its lifetime
    hardware_lifetime_months: float = DEFAULT_LIFETIME_MONTHS

    @model_validator(mode="after")
    def _positive(self) -> Prices:
        for key in ("electricity_usd_per_kwh", "hardware_price_usd"):
            value = getattr(self, key)
            if value is not None and value < 0:
                raise KeyProblem((key,), f"must be 0 or more, got {value}")
        if self.hardware_lifetime_months <= 0:
            raise KeyProblem(("hardware_lifetime_months",), "must be positive")
        return self


@dataclass(frozen=True, config=_STRICT)
class Seats:
    """What a team pays today: `count` seats of a catalog subscription plan (for audits)."""

    plan: str  # a catalog subscription id
    count: int


@dataclass(frozen=True, config=_STRICT)
class Defaults:
    workloads: tuple[str, ...] = ()  # names or files; empty means every preset
    profile: str | None = None
    format: Literal["text", "markdown"] = "text"
    top_candidates: int = 5


@dataclass(frozen=True, config=_STRICT)
class Config:
    region: str | None = None  # electricity price region, e.g. "us", "eu", "de"
    prices: Prices = field(default_factory=Prices)
    seats: tuple[Seats, ...] = ()
    defaults: Defaults = field(default_factory=Defaults)
    path: str | None = None  # the file it came from; None when no file exists

    @model_validator(mode="after")
    def _seats_positive(self) -> Config:
        for index, seat in enumerate(self.seats):
            if seat.count <= 0:
                raise KeyProblem(("seats", index, "count"), "must be positive")
        return self


def default_config_path() -> Path:
    return user_config_dir() / CONFIG_NAME


def load_config(path: str | Path | None = None) -> Config:
    """The config at `path`, or the user's config file; defaults when that file doesn't exist."""
    explicit = path is not None
    file = Path(path) if explicit else default_config_path()
    if not explicit and not file.exists():
        return Config()
    data = read_mapping(file, ConfigError, what="config")
    if "path" in data:
        raise ConfigError("is set by advisor, not by the file", path=file, key="path")
    try:
        return Config(**data, path=str(file))
    except ValidationError as exc:
        raise validation_error(ConfigError, file, exc, what="config") from exc
    except TypeError as exc:  # a key that is not a string, e.g. `1: x`
        raise ConfigError(f"unexpected keys: {exc}", path=file) from exc


EXAMPLE = """\
# advisor config: prices and defaults. Flags on the command line override these.
# Amounts are in USD.
region: us                    # electricity price region from the catalog (cloud.electricity)
prices:
  electricity_usd_per_kwh: 0.18   # overrides the region's price
  hardware_price_usd: 2500        # this machine's price, to see whether buying it pays back
  hardware_lifetime_months: 36
seats:                        # what the team pays today, for `advisor audit`
  - {plan: chatgpt-plus, count: 10}
defaults:
  workloads: [chat-assistant, coding-agent]
  format: markdown
  top_candidates: 5
"""
