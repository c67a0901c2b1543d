"""What the cloud side of a verdict rests on, in words every front end prints the same way:
the quality index (name, version, snapshot, source) and the subscription limit it assumed."""

from __future__ import annotations

from advisor.catalog.model import index_label
from advisor.verdict.cloud import ApiCost, CloudCosts


def quality_line(api: ApiCost | None, index: str, role: str) -> str | None:
    """`index` of `api` with the scale and snapshot it was read from."""
    if api is None or api.quality_index is None:
        return None
    parts = [index_label(api.quality_scale, index) or "index version unknown"]
    if api.quality_date:
        parts.append(f"snapshot {api.quality_date}")
    if api.quality_source:
        parts.append(f"source {api.quality_source}")
    words = index.replace("_", " ")
    score = f"{api.quality_index:g} on the {words}"
    return f"quality: {role} {api.name} scores {score} ({', '.join(parts)})"


def subscription_line(cloud: CloudCosts) -> str | None:
    sub = cloud.subscription
    if sub is None:
        return None
    published = "; ".join(sub.limits_published) or "no limit published"
    kind = "assumed limit" if sub.limit_assumed else "limit"
    return (
        f"subscription {kind}: {sub.product} {sub.plan}: {sub.limit_used}. Published:"
        f" {published} (source {sub.source}, {sub.price_date})"
    )


def cloud_basis(cloud: CloudCosts, index: str) -> tuple[str, ...]:
    """The lines, frontier first; none for a path that is absent."""
    lines = (
        quality_line(cloud.frontier, index, "the frontier,"),
        quality_line(cloud.cheapest_api, index, "the cheapest API meeting the floor,"),
        subscription_line(cloud),
    )
    return tuple(line for line in lines if line)
