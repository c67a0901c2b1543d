"""AdviceOptions: the prices and choices a front end hands advise(), judge() and the remedy
search. Its own module, below advisor.advise and advisor.remedies, so that neither imports the
other for it (advise() passes remedies its judge; remedies reads these options).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from advisor.bench.measurement import Measurement
    from advisor.config import Config

# Where the hardware price of a verdict comes from: bought at a price the user gave (flag or
# config) or owned (a profile's list price, or none). advisor.advise and the report's models
# (advisor.report.read_models) both name it.
HardwareBasis = Literal["flag", "config", "profile", "none"]


@dataclass(frozen=True)
class AdviceOptions:
    """Prices and choices; None means: take it from the config, then from the defaults."""

    electricity_usd_per_kwh: float | None = None
    region: str | None = None
    hardware_price_usd: float | None = None
    lifetime_months: float | None = None
    top_candidates: int | None = None
    # Measurements to use instead of the bench store's (an audit re-evaluating a report).
    measurements: tuple[Measurement, ...] | None = None
    config: Config | None = None  # None: no config file (defaults only)
    # Keep estimates on disk between runs (user cache dir); an audit of many machines in one
    # process gains nothing from it.
    cache: bool = True
    # The cloud is ruled out for every workload (--no-cloud): as if each said `cloud: forbidden`
    no_cloud: bool = False
    # Look for the cheapest hardware change that would make local work on cloud and not-viable
    # verdicts (advisor.remedies); judge() never does: an audit has its own ladder.
    remedies: bool = True
