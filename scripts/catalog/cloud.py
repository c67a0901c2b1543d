"""The `cloud:` section: subscription plans, per-token API models and electricity prices."""

from __future__ import annotations

import re
from typing import Any

from .quality import AA_DATE, AA_INDEX_NAME, AA_INDEX_VERSION, AA_SOURCE, QualityTable
from .sources import REFRESH

EUR_TO_USD = 1.0927  # ECB reference rate, mean of H1 2025 (source key ecb-eurusd-2025h1)
LITELLM = "PyPI litellm==1.110.2"
LITELLM_KEY = "litellm-1.110.2"
_VENDORS = {"gemini": "google", "vertex_ai": "google"}  # litellm provider -> seller


def _date(text: str, undated: str | None = None) -> str:
    """The latest YYYY-MM(-DD) in a free-text date column; `undated` where there is none."""
    found = re.findall(r"\d{4}-\d{2}(?:-\d{2})?", text)
    if not found and undated is None:
        raise ValueError(f"no date in {text!r}")
    return max(found) if found else undated


def _float(text: str) -> float | None:
    return float(text) if text.strip() else None


def _sub_row(rows: list[dict[str, str]], vendor: str, plan: str) -> dict[str, str]:
    for row in rows:
        if row["vendor"] == vendor and row["plan"] == plan:
            return row
    raise KeyError(f"subscriptions.csv has no {vendor} {plan!r} row")


def subscriptions(
    rows: list[dict[str, str]], picks: list[dict[str, Any]]
) -> tuple[list[dict[str, Any]], dict[str, tuple[str, str | None, str]]]:
    """The subscription entries and one source per CSV row they were read from."""
    out, sources = [], {}
    for pick in picks:
        row = _sub_row(rows, pick["vendor"], pick["plan"])
        key = f"plans-{pick['id']}"
        date = _date(row["source_date"] + " " + row["status_as_of"], REFRESH)
        read = " (page undated; read in the 2026-12-06 data refresh)" if date == REFRESH else ""
        sources[key] = (f"{row['source']} ({row['source_type']}){read}", None, date)
        entry: dict[str, Any] = {
            "id": pick["id"],
            "vendor": row["vendor"],
            "product": row["product"],
            "plan": row["plan"],
            "price_usd_per_month": float(row["price_usd_per_month_monthly_billing"]),
            "tasks": pick["tasks"],
            "limits": row["included_usage_or_limits"] or "no usage figure published",
            "limits_published": pick["limits_published"],
            "counts": pick["counts"],
            "requests_per_day": pick["requests_per_day"],
            "limits_basis": pick["limits_basis"],
            "source": key,
            "date": date,
        }
        if pick.get("limit_assumed"):
            entry["limit_assumed"] = True
        if pick.get("api_vendor"):
            entry["api_vendor"] = pick["api_vendor"]
        if by_task := pick.get("requests_per_day_by_task"):
            entry["requests_per_day_by_task"] = by_task
        if row["min_seats"]:
            entry["min_seats"] = int(row["min_seats"])
        if pick.get("api_access"):
            entry["api_access"] = True
        if (annual := _float(row["price_usd_per_month_annual_billing"])) is not None:
            entry["annual_price_usd_per_month"] = annual
        if (credit := _float(row["included_api_or_usage_credit_usd_per_month"])) is not None:
            entry["included_usage_usd_per_month"] = credit
        if row["notes"]:
            entry["note"] = row["notes"]
        out.append(entry)
    return out, sources


def _api_row(rows: list[dict[str, str]], model_id: str, prefix: str = LITELLM) -> dict[str, str]:
    for row in rows:
        if row["model_id"] == model_id and row["source"].startswith(prefix):
            return row
    raise KeyError(f"api_prices.csv has no row {model_id!r} whose source starts {prefix!r}")


def _price_source(
    pick: dict[str, Any], row: dict[str, str], sources: dict[str, tuple[str, str | None, str]]
) -> str:
    """The source key of the row's price: litellm's wheel, or (for the rows that settle a
    conflict from a vendor page or a source citing one) a key of its own."""
    spec = pick.get("price_row")
    if spec is None:
        return LITELLM_KEY
    key = spec["key"]
    kind = row["notes"].split(";")[0].strip()
    sources[key] = (f"{row['source']} ({kind})", None, _date(row["source_date"]))
    return key


def api_models(
    rows: list[dict[str, str]],
    picks: list[dict[str, Any]],
    quality: QualityTable,
    catalog_aa: dict[str, str | None],
) -> tuple[list[dict[str, Any]], dict[str, tuple[str, str | None, str]]]:
    """API entries, and the sources of the rows not read from litellm. Hosted open models
    take their catalog model's AA row. A pick's `price_row: {source: PREFIX, key: KEY}`
    reads the row whose source starts PREFIX instead of litellm's."""
    out: list[dict[str, Any]] = []
    sources: dict[str, tuple[str, str | None, str]] = {}
    for pick in picks:
        spec = pick.get("price_row")
        row = _api_row(rows, pick.get("row_id", pick["id"]), spec["source"] if spec else LITELLM)
        entry: dict[str, Any] = {
            "id": pick["id"],
            "vendor": _VENDORS.get(row["vendor_or_host"], row["vendor_or_host"]),
            "name": pick.get("name", row["display_name"]),
            "input_usd_per_mtok": float(row["input_usd_per_mtok"]),
            "output_usd_per_mtok": float(row["output_usd_per_mtok"]),
            "source": _price_source(pick, row, sources),
            "date": _date(row["source_date"]),
        }
        if (cached := _float(row["cached_input_usd_per_mtok"])) is not None:
            entry["cached_input_usd_per_mtok"] = cached
        if row["max_input_tokens"]:
            entry["context_tokens"] = int(row["max_input_tokens"])
        hosted = pick.get("catalog_model")
        aa = pick["aa"] if "aa" in pick else catalog_aa.get(hosted)
        if aa:
            q = quality.quality(aa)
            entry["intelligence_index"] = q["intelligence_index"]
            if "coding_index" in q:
                entry["coding_index"] = q["coding_index"]
            entry["quality_source"] = AA_SOURCE
            entry["quality_date"] = AA_DATE
            entry["quality_index_name"] = AA_INDEX_NAME
            entry["quality_index_version"] = AA_INDEX_VERSION
            entry["aa_name"] = q["aa_name"]
            if q.get("estimated"):
                entry["quality_estimated"] = True
        if hosted or pick.get("open_weights"):
            entry["open_weights"] = True
        if hosted:
            entry["catalog_model"] = hosted
        if pick.get("frontier"):
            entry["frontier"] = True
        if row["deprecation_date"]:
            entry["deprecation_date"] = row["deprecation_date"]
        notes = [pick["note"]] if pick.get("note") else []
        if row["long_ctx_threshold_tokens"]:
            notes.append(
                f"above {int(row['long_ctx_threshold_tokens']):,} input tokens:"
                f" {row['input_above_threshold_usd_per_mtok']} in /"
                f" {row['output_above_threshold_usd_per_mtok']} out per Mtok"
            )
        if notes:
            entry["note"] = "; ".join(notes)
        out.append(entry)
    return out, sources


def electricity(rows: list[dict[str, str]], picks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Prices per region in USD/kWh; EUR figures converted at the H1 2025 ECB mean."""
    prices = [r for r in rows if r["record_type"] == "electricity_price"]
    out = []
    for pick in picks:
        row = next(
            r
            for r in prices
            if r["region"] == pick["csv_region"]
            and r["source"].startswith(pick.get("csv_source_prefix", ""))
            and r["device"].startswith(pick.get("csv_record", ""))
        )
        value = float(row["spec_value"])
        if row["spec_unit"] == "EUR/kWh":
            entry = {
                "region": pick["region"],
                "usd_per_kwh": round(value * EUR_TO_USD, 4),
                "source": "eurostat-2025h1",
                "date": "2025-06",
                "note": f"EUR {value}/kWh ({row['device']}, H1 2025) x {EUR_TO_USD} USD/EUR",
                "exchange_rate_source": "ecb-eurusd-2025h1",
            }
        else:
            entry = {
                "region": pick["region"],
                "usd_per_kwh": value,
                "source": "electricchoice-2026-04",
                "date": "2026-04",
                "note": f"{row['device']}, {row['region']}",
            }
        out.append(entry)
    return out
