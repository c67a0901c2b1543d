"""The cloud paths of workloads priced once per catalog: the session whoever judges many machines
(or one report's searches, remedies and its wait for the copy test) keeps, so that each workload
is priced once (advisor.verdict.cloud.cloud_costs works the paths out).
"""

from __future__ import annotations

import functools

from advisor.catalog.model import Catalog
from advisor.verdict.cloud import CloudCosts, cloud_costs
from advisor.workload import Workload


class CloudPrices:
    """The cloud paths of workloads at one catalog's prices, each workload priced once: the
    session of whoever judges many machines with one catalog (an audit asks about the same
    workloads on thousands of machines; advisor.audit.evaluate keeps one per process)."""

    def __init__(self, catalog: Catalog, *, shared: bool = False) -> None:
        """`shared`: the costs are those of every shared session on an equal catalog (by its
        digest; a report's, which advisor.advice_ahead works out ahead), not this one's own."""
        self.catalog = catalog
        # By the workload's text: a Workload holds its justification (a dict), so it does not
        # hash; equal workloads have equal texts.
        self._costs: dict[str, CloudCosts] = _costs_on(catalog.digest) if shared else {}
        # (workload, costs) found by identity first: an audit's workers ask about the same few
        # frozen objects on every machine, whose texts cost ~10 us each to write again.
        self._asked: list[tuple[Workload, CloudCosts]] = []

    def costs(self, workload: Workload) -> CloudCosts:
        for asked, costs in self._asked:
            if asked is workload:
                return costs
        key = repr(workload)
        found = self._costs.get(key)
        if found is None:
            found = self._costs[key] = cloud_costs(workload, self.catalog)
        if len(self._asked) < 32:  # an audit has a handful of workloads
            self._asked.append((workload, found))
        return found


@functools.lru_cache(maxsize=4)
def _costs_on(digest: str) -> dict[str, CloudCosts]:
    """The cloud paths worked out on a catalog with this digest (its whole repr), by workload
    text, for the shared sessions (a first report works out its workloads' while it waits for
    the copy test, advisor.advice_ahead, and advise() reads them)."""
    del digest  # the key
    return {}
