"""Whether any catalog model reaches a workload's quality floor on any hardware: what the
report's remedy and the audit's "Workloads no upgrade makes local" say when none does."""

from __future__ import annotations

from typing import TYPE_CHECKING

from advisor.workload import Workload

if TYPE_CHECKING:
    from advisor.catalog.model import Catalog


def out_of_reach(workload: Workload, best: tuple[str, float] | None) -> str | None:
    """Why no hardware makes the workload local, when its floor is out of every model's reach
    (`best`: best_on_task's answer), naming the best model and its score against the floor;
    None when some model reaches it. The report's remedy and the audit's "Workloads no upgrade
    makes local" both say it this way."""
    floor = workload.quality_floor_pct
    index = workload.quality_index.replace("_", " ")
    if best is None:
        return f"no catalog model has a score on the {index} to compare with the frontier"
    name, pct = best
    if pct >= floor:
        return None
    return (
        f"no catalog model reaches the {workload.task} quality floor of {floor:g}% of the "
        f"frontier on the {index} (the best, {name}, reaches {pct:.0f}% before any quant loss)"
    )


def best_on_task(
    catalog: Catalog, workload: Workload, frontier_index: float | None
) -> tuple[str, float] | None:
    """(model name, % of the frontier) of the catalog's best-scored model on the workload's
    task, before any quant loss; None without a frontier (the quality check then fails
    everywhere) or without a scored model."""
    from advisor.estimate.rank import quality_for

    if not frontier_index:
        return None
    best: tuple[str, float] | None = None
    for model in catalog.models:
        quality = quality_for(model, workload.task)
        if quality is not None and (best is None or quality[0] / frontier_index * 100 > best[1]):
            best = (model.name, quality[0] / frontier_index * 100)
    return best
