"""The notes an audit prints under its tables: the user's own quality floor and scores, a
workload defined in several ways across the reports, and machine ids shared by reports of
different names."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from advisor.audit.evaluate import Request
    from advisor.audit.fleet import Replaced
    from advisor.catalog.model import Catalog


def id_notes(replaced: list[Replaced]) -> tuple[str, ...]:
    """Warn when reports of one machine id come from differently named files: the same id on
    two hosts means the ids do not tell those machines apart."""
    from pathlib import PurePath

    def stem(origin: str) -> str:
        return PurePath(origin.split(":")[0] if origin.startswith("<stdin>") else origin).stem

    clashes = [r for r in replaced if stem(r.origin) != stem(r.newer)]
    if not clashes:
        return ()
    return (
        f"{len(clashes)} report(s) share a machine id with a report of another name and were "
        "left out as older reports of the same machine; if those are different machines with "
        "the same hardware, their ids do not tell them apart (see the replaced list)",
    )


def judging_notes(catalog: Catalog, min_quality: tuple[float, str] | None) -> tuple[str, ...]:
    """The user's quality floor and own scores (--min-quality, --quality), said once."""
    notes = []
    if min_quality is not None:
        pct, given_by = min_quality
        notes.append(
            f"every workload is judged against your quality floor of {pct:g}% of the "
            f"frontier ({given_by}) in place of its own; a model with no published score "
            "is judged against it"
        )
    notes += [
        f"{m.name} is judged with your assumption ({m.quality.assumed_by}), not a published "
        f"score, on {m.quality.scale or m.quality.index_name}"
        for m in catalog.models
        if m.quality is not None and m.quality.assumed_by
    ]
    return tuple(notes)


def workload_notes(requests: Iterable[Request]) -> tuple[str, ...]:
    """Say when reports judged a workload name on different definitions (older presets, a
    user's own file): its row then mixes them."""
    keys: dict[str, set[bytes]] = {}
    for request in requests:
        for w, k in zip(request.workloads, request.workload_keys, strict=True):
            keys.setdefault(w.name, set()).add(k)
    return tuple(
        f"the reports define the {name} workload in {len(found)} different ways (older presets "
        f"or a user's own file); --workload {name} judges every machine on today's preset"
        for name, found in sorted(keys.items())
        if len(found) > 1
    )
