"""The catalog's per-file sums, computed at build time and shipped: no machine changes them.

For every architecture of the shipped catalog and every quant it lists, the tensor byte sums
(advisor.catalog.tensors.layout.quant_tensor_bytes: whole file, per block, experts, input and
output layers) and the FLOP shares by ggml type (advisor.catalog.tensors.flops.flop_mix).
Typing a file's tensors as llama-quantize does costs ~0.3 ms a file, ~0.3 s over the ~1,300
files of the catalog, and a first report needs most of them; reading this table costs a few
milliseconds (benchmarks/startup.py --stages).

The table (file_sums.json beside this module) records a stamp of the code that computes it:
the SHA-256 of every source file of advisor/catalog/tensors/. It answers only while that code
is unchanged; after an edit, every file is computed again as before until the build writes a
fresh table (`python -m scripts.catalog.build --compile`), and tests/catalog/test_file_sums.py
fails meanwhile. Entries are keyed by the architecture's layout key (layout.arch_key), so an
overlay model alike in every field the layout reads shares its catalog twin's entry.
"""

from __future__ import annotations

import functools
import hashlib
import json
from pathlib import Path
from typing import Any

from advisor.catalog.tensors.quant_bytes import QuantBytes

FORMAT = 1
TABLE = Path(__file__).with_name("file_sums.json")
CODE = Path(__file__).parent  # the code a table entry depends on: every module of this folder

# One entry: [total, layer runs, expert runs, input, output, output loaded, parameters, mix],
# where a run list holds [bytes, count] pairs (a model's blocks are mostly alike) and the mix
# [ggml type, FLOP share] pairs.
Entry = list[Any]


@functools.cache
def code_stamp() -> str:
    """SHA-256 of the names and bytes of every source file of advisor/catalog/tensors/."""
    digest = hashlib.sha256()
    for path in sorted(CODE.glob("*.py")):
        source = path.read_bytes()
        digest.update(f"{path.name}:{len(source)}:".encode())
        digest.update(source)
    return digest.hexdigest()


def read_table() -> None:
    """Read the table now (it is kept for the process): a first report does this while it
    waits for the copy test's child (advisor.advice_ahead)."""
    _table()


@functools.cache
def _table() -> dict[str, dict[str, Entry]]:
    try:
        document = json.loads(TABLE.read_bytes())
        current = document.get("format") == FORMAT and document.get("code") == code_stamp()
    except (OSError, ValueError, AttributeError):  # absent, unreadable, corrupt or not a table
        return {}
    sums = document.get("sums") if current else None
    return sums if isinstance(sums, dict) else {}


@functools.lru_cache(maxsize=4096)
def _name(arch_key: tuple) -> str:
    return repr(arch_key)


def _entry(arch_key: tuple, quant: str) -> Entry | None:
    found = _table().get(_name(arch_key))
    entry = found.get(quant) if isinstance(found, dict) else None
    return entry if isinstance(entry, list) and len(entry) == 8 else None


def shipped_bytes(arch_key: tuple, quant: str) -> QuantBytes | None:
    """The shipped QuantBytes of the layout key `arch_key` at `quant` (upper case), or None."""
    entry = _entry(arch_key, quant)
    if entry is None:
        return None
    try:
        total, layers, experts, input_bytes, output_bytes, loaded, n_params, _ = entry
        return QuantBytes(int(total), _runs(layers), _runs(experts), int(input_bytes),
                          int(output_bytes), int(loaded), int(n_params))  # fmt: skip
    except (TypeError, ValueError):
        return None


def shipped_mix(arch_key: tuple, quant: str) -> tuple[tuple[str, float], ...] | None:
    """The shipped FLOP mix of the layout key `arch_key` at `quant` (upper case), or None."""
    entry = _entry(arch_key, quant)
    if entry is None:
        return None
    try:
        return tuple((str(name), float(share)) for name, share in entry[7])
    except (TypeError, ValueError):
        return None


def _runs(runs: Any) -> tuple[int, ...]:
    out: list[int] = []
    for value, count in runs:
        out += [int(value)] * int(count)
    return tuple(out)


def _encode(values: tuple[int, ...]) -> list[list[int]]:
    runs: list[list[int]] = []
    for value in values:
        if runs and runs[-1][0] == value:
            runs[-1][1] += 1
        else:
            runs.append([value, 1])
    return runs


def entry_of(qb: QuantBytes, mix: tuple[tuple[str, float], ...]) -> Entry:
    """The table's entry for a file of these sums and this mix."""
    return [qb.total_bytes, _encode(qb.layer_bytes), _encode(qb.layer_expert_bytes),
            qb.input_bytes, qb.output_bytes, qb.output_loaded_bytes, qb.n_params,
            [list(pair) for pair in mix]]  # fmt: skip


def table_text(sums: dict[str, dict[str, Entry]]) -> str:
    """The table file for `sums` ({layout key's repr: {quant: entry}}), stamped with the code
    as it is now: one architecture a line, sorted, so a rebuild diffs by architecture."""
    lines = [f"{json.dumps(name)}:{json.dumps(sums[name], separators=(',', ':'), sort_keys=True)}"
             for name in sorted(sums)]  # fmt: skip
    head = f'{{"format":{FORMAT},"code":"{code_stamp()}","sums":{{\n'
    return head + ",\n".join(lines) + "\n}}\n"
