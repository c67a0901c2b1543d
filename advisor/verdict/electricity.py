"""The price of a kWh: a flag, the config file, or the region's default from the catalog."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from advisor.catalog.model import Catalog
from advisor.errors import UsageError
from advisor.files.strict import bounded, checked_after

DEFAULT_REGION = "us"
RateBasis = Literal["flag", "config", "region"]


def _in_range(rate: ElectricityRate) -> ElectricityRate:
    """Checked when a report is read back; electricity past 100 USD/kWh is a typo or an attack."""
    bounded(rate.usd_per_kwh, "usd_per_kwh", 0, 100)
    return rate


@dataclass(frozen=True)
class ElectricityRate:
    __pydantic_config__ = {"extra": "forbid"}  # read back from a report: no other keys

    __get_pydantic_core_schema__ = checked_after(_in_range)

    usd_per_kwh: float
    basis: RateBasis
    region: str | None
    source: str  # words: where the figure came from
    date: str | None


def resolve_rate(
    catalog: Catalog,
    *,
    flag_usd_per_kwh: float | None = None,
    config_usd_per_kwh: float | None = None,
    region: str | None = None,
    config_path: str | None = None,
) -> ElectricityRate:
    """The flag wins, then the config file, then the region's price in the catalog."""
    if flag_usd_per_kwh is not None:
        return ElectricityRate(flag_usd_per_kwh, "flag", region, "--electricity-price", None)
    if config_usd_per_kwh is not None:
        where = f"config file {config_path}" if config_path else "config file"
        return ElectricityRate(config_usd_per_kwh, "config", region, where, None)
    return region_rate(catalog, region or DEFAULT_REGION)


def region_rate(catalog: Catalog, region: str) -> ElectricityRate:
    prices = {p.region.lower(): p for p in catalog.cloud.electricity}
    price = prices.get(region.lower())
    if price is None:
        known = ", ".join(sorted(prices)) or "none in this catalog"
        raise UsageError(
            f"no electricity price for region {region!r}",
            hint=f"regions in the catalog: {known}; or pass --electricity-price USD_PER_KWH",
        )
    title = catalog.sources[price.source].title if price.source in catalog.sources else price.source
    return ElectricityRate(
        usd_per_kwh=price.usd_per_kwh,
        basis="region",
        region=price.region,
        source=f"catalog default for {price.region}: {title}",
        date=price.date,
    )
