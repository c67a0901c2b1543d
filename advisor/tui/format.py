"""How the app writes numbers, sizes and unknowns: one place so every panel agrees."""

from __future__ import annotations

from rich.text import Text

from advisor.console import printable
from advisor.units import GIB

UNKNOWN = "unknown"


def gib(num_bytes: int | None, digits: int = 1) -> str:
    """Bytes as GiB, the unit llama.cpp and the GPU drivers print."""
    if num_bytes is None:
        return UNKNOWN
    return f"{num_bytes / GIB:.{digits}f} GiB"


def rate(tokens_per_s: float | None) -> str:
    """A tokens/s figure with as many digits as it deserves."""
    if tokens_per_s is None:
        return UNKNOWN
    if tokens_per_s >= 10_000:
        return f"{tokens_per_s / 1000:.1f}k"
    if tokens_per_s >= 100:
        return f"{tokens_per_s:,.0f}"
    if tokens_per_s >= 10:
        return f"{tokens_per_s:.0f}"
    return f"{tokens_per_s:.1f}"


def rate_range(low: float, high: float) -> str:
    """A range, thousands as 'k' so that it fits a table cell."""
    return f"{_compact(low)}–{_compact(high)}"


def _compact(tokens_per_s: float) -> str:
    return f"{tokens_per_s / 1000:.1f}k" if tokens_per_s >= 1000 else rate(tokens_per_s)


def tokens(count: int | None) -> str:
    """A token count the way context sizes are spoken of: 8k, 128k, 1M."""
    if count is None:
        return UNKNOWN
    if count >= 1024 * 1024 and count % (1024 * 1024) == 0:
        return f"{count // (1024 * 1024)}M"
    if count >= 1000:
        return f"{count / 1024:.0f}k" if count % 1024 == 0 else f"{count / 1000:.0f}k"
    return str(count)


def gbs(value: float | None) -> str:
    if value is None:
        return UNKNOWN
    return f"{value:,.0f} GB/s" if value >= 10 else f"{value:.1f} GB/s"


def usd(amount: float | None) -> str:
    if amount is None:
        return UNKNOWN
    if amount >= 1000:
        return f"${amount:,.0f}"
    return f"${amount:,.2f}"


def plain(text: str, style: str = "") -> Text:
    """Text from a file, a report or a person, for a widget: never read as markup (a `[/]` in a
    name would raise, a `[link=...]` would make a hyperlink), without control characters."""
    return Text(printable(str(text)), style=style)


def unknown_because(reason: str | None) -> str:
    """'unknown' plus the reason, so a blank is never mistaken for zero."""
    return f"{UNKNOWN} ({reason})" if reason else UNKNOWN
