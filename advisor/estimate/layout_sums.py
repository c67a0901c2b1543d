"""Prefix sums over a model's blocks, so a device's share of a layer range costs O(1).

Placement search and the longest-context search evaluate many layer splits and contexts for
every model of the catalog; summing weights and cache per block each time would be too slow.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import accumulate

from advisor.catalog.tensors.layout import QuantBytes
from advisor.estimate.kv import BlockCache, swa_cells
from advisor.frozen import cached_hash

# BlockSums' cache part: cumulative full-attention and sliding-window bytes per cell, fixed
# state, and the window.
CacheSums = tuple[tuple[float, ...], tuple[float, ...], tuple[float, ...], "int | None"]


def _cum(values) -> tuple[float, ...]:
    return (0, *accumulate(values))


@cached_hash
@dataclass(frozen=True)
class BlockSums:
    """A layout's per-block sums, cumulative: weights, routed experts, cache bytes per cell,
    recurrent state."""

    n_blocks: int
    weights: tuple[float, ...]  # cumulative weight bytes per block (experts included)
    experts: tuple[float, ...]  # cumulative routed-expert bytes
    full_cell: tuple[float, ...]  # cumulative cache bytes per cell of full-attention blocks
    swa_cell: tuple[float, ...]  # cumulative cache bytes per cell of sliding-window blocks
    state: tuple[float, ...]  # cumulative fixed recurrent state
    window: int | None  # the sliding window, when some block has one
    largest_block: float  # the heaviest block's weights (op_offload staging)
    largest_expert: float

    @classmethod
    def of(cls, qb: QuantBytes, blocks: tuple[BlockCache, ...],
           cache: CacheSums | None = None) -> BlockSums:  # fmt: skip
        """The sums of a file of `qb`'s bytes and these blocks; `cache`: cache_sums(blocks),
        where the caller keeps it for the architecture's other files."""
        full_cell, swa_cell, state, window = cache or cache_sums(blocks)
        return cls(
            n_blocks=len(blocks),
            weights=_cum(qb.layer_bytes),
            experts=_cum(qb.layer_expert_bytes),
            full_cell=full_cell,
            swa_cell=swa_cell,
            state=state,
            window=window,
            largest_block=max(qb.layer_bytes, default=0),
            largest_expert=max(qb.layer_expert_bytes, default=0),
        )

    def weights_in(self, lo: int, hi: int) -> float:
        return self.weights[hi] - self.weights[lo]

    def experts_in(self, lo: int, hi: int) -> float:
        return self.experts[hi] - self.experts[lo]

    def cache_in(self, lo: int, hi: int, n_cells: int, n_ubatch: int) -> float:
        full = (self.full_cell[hi] - self.full_cell[lo]) * n_cells
        swa = 0.0
        if self.window is not None:
            swa = (self.swa_cell[hi] - self.swa_cell[lo]) * swa_cells(self.window, n_cells,
                                                                        n_ubatch)  # fmt: skip
        return full + swa + self.state[hi] - self.state[lo]

    def swa_cells(self, n_cells: int, n_ubatch: int) -> int | None:
        return None if self.window is None else swa_cells(self.window, n_cells, n_ubatch)


def cache_sums(blocks: tuple[BlockCache, ...]) -> CacheSums:
    """(full_cell, swa_cell, state, window) of BlockSums: the blocks' part, the same for every
    file of an architecture (its quants differ in weights only)."""
    window = next((b.window for b in blocks if b.window is not None), None)
    return (_cum(b.bytes_per_cell if b.window is None else 0.0 for b in blocks),
            _cum(b.bytes_per_cell if b.window is not None else 0.0 for b in blocks),
            _cum(b.state_bytes for b in blocks), window)  # fmt: skip
