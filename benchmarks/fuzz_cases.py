"""Mutated inputs for benchmarks/fuzz_inputs.py: GGUF headers, reports, profiles, workloads,
probe dumps and command lines, each with the advisor command that reads it.

A case is `invalid` when its mutation makes it wrong by construction (NaN, an alias, a value
out of every sane range, a header llama.cpp refuses, ...): advisor must not exit 0 on it. Other
mutations (random bytes, a value moved within its range) may be valid or not; for those only a
traceback or a hang counts.
"""

from __future__ import annotations

import copy
import json
import os
import random
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import gguf
import numpy as np
import yaml

ROOT = Path(__file__).resolve().parent.parent
T = gguf.GGMLQuantizationType


@dataclass
class Case:
    kind: str
    mutation: str
    argv: list[str]
    invalid: bool
    files: dict[str, bytes] = field(default_factory=dict)  # name in the work dir -> content
    then: list[list[str]] = field(default_factory=list)  # commands to run after a success


# -- hostile values -------------------------------------------------------------------------

HUGE_INT = "9" * 4301
ALIAS_BOMB = "x: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"x{i}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 9)}]\n" for i in range(8)
)


def _yaml_attacks(text: str, rng: random.Random) -> Iterator[tuple[str, str]]:
    """(name, text) of attacks any YAML document must refuse."""
    lines = text.splitlines()
    top = [i for i, line in enumerate(lines) if line and line[0].isalpha() and ":" in line]
    at = rng.choice(top) if top else None
    key = lines[at].split(":")[0] if at is not None else "name"
    yield "alias-bomb", text + "\n" + ALIAS_BOMB
    yield "deep-nesting", text + "\nextra: " + "[" * rng.choice([100, 5000, 100_000])
    yield "huge-int", text + f"\n{key}_extra: {HUGE_INT}\n"
    yield "duplicate-key", text + f"\n{key}: 1\n"
    yield "nan", text + f"\n{key}_nan: .nan\n"
    yield "anchor-alias", f"base: &b {{x: 1}}\n{text}\nother: *b\n"


# -- GGUF headers ---------------------------------------------------------------------------

GOOD_META: dict[str, Any] = {
    "general.name": "Fuzz Model",
    "general.file_type": 7,
    "llama.block_count": 2,
    "llama.context_length": 2048,
    "llama.embedding_length": 64,
    "llama.feed_forward_length": 128,
    "llama.attention.head_count": 4,
    "llama.attention.head_count_kv": 2,
    "llama.attention.layer_norm_rms_epsilon": 1e-5,
    "tokenizer.ggml.model": "llama",
    "tokenizer.ggml.tokens": [f"t{i}" for i in range(50)],
}


def _tensors(n_layers: int, width: int = 64, ff: int = 128, vocab: int = 50, kv: int = 32):
    out = [("token_embd.weight", (vocab, width), T.Q8_0)]
    for i in range(n_layers):
        out += [
            (f"blk.{i}.attn_norm.weight", (width,), T.F32),
            (f"blk.{i}.attn_q.weight", (width, width), T.Q8_0),
            (f"blk.{i}.attn_k.weight", (kv, width), T.Q8_0),
            (f"blk.{i}.attn_v.weight", (kv, width), T.Q8_0),
            (f"blk.{i}.attn_output.weight", (width, width), T.Q8_0),
            (f"blk.{i}.ffn_norm.weight", (width,), T.F32),
            (f"blk.{i}.ffn_gate.weight", (ff, width), T.Q8_0),
            (f"blk.{i}.ffn_up.weight", (ff, width), T.Q8_0),
            (f"blk.{i}.ffn_down.weight", (width, ff), T.Q8_0),
        ]
    return out + [
        ("output_norm.weight", (width,), T.F32),
        ("output.weight", (vocab, width), T.Q8_0),
    ]


def write_gguf(path: Path, meta: dict[str, Any], tensors: list) -> bytes:
    """A GGUF header with a sparse data region; returns the header bytes (data left a hole)."""
    writer = gguf.GGUFWriter(path, "llama")
    for key, value in meta.items():
        if isinstance(value, bool):
            writer.add_bool(key, value)
        elif isinstance(value, int):
            (writer.add_uint64 if value >= 2**32 else writer.add_uint32)(key, value)
        elif isinstance(value, float):
            writer.add_float32(key, value)
        elif isinstance(value, str):
            writer.add_string(key, value)
        else:
            writer.add_array(key, list(value))
    for name, shape, qtype in tensors:
        block, size = gguf.GGML_QUANT_SIZES[qtype]
        nbytes = int(np.prod(shape)) // block * size
        writer.add_tensor_info(name, shape, np.dtype(np.float32), nbytes, raw_dtype=qtype)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_ti_data_to_file()
    data = sum(
        writer.ggml_pad(ti.nbytes, writer.data_alignment) for ti in writer.tensors[0].values()
    )
    writer.close()
    header = path.read_bytes()
    os.truncate(path, writer.ggml_pad(len(header), writer.data_alignment) + data)
    return header


def _semantic_defects(rng: random.Random) -> list[tuple[str, dict[str, Any], int]]:
    """(name, metadata changes, layers of tensors) for headers llama.cpp refuses."""
    not_divisor = rng.choice([3, 5, 7])
    return [
        ("head-kv-mismatch", {"llama.attention.head_count_kv": not_divisor}, 2),
        ("kv-over-heads", {"llama.attention.head_count_kv": rng.choice([8, 64, 2**31])}, 2),
        ("heads-zero", {"llama.attention.head_count": 0}, 2),
        ("width-zero", {"llama.embedding_length": 0}, 2),
        ("blocks-short", {"llama.block_count": rng.choice([3, 5, 64, 511])}, 2),
        ("blocks-long", {"llama.block_count": 1}, 2),
        ("blocks-zero", {"llama.block_count": 0}, 2),
        ("blocks-huge", {"llama.block_count": rng.choice([10**6, 2**32 - 1, 2**40])}, 2),
        ("experts", {"llama.expert_count": 4, "llama.expert_used_count": rng.choice([5, 99])}, 2),
        ("experts-unused", {"llama.expert_count": 8, "llama.expert_used_count": 0}, 2),
        ("nan-epsilon", {"llama.attention.layer_norm_rms_epsilon": float("nan")}, 2),
        ("inf-rope", {"llama.rope.freq_base": float("inf")}, 2),
        ("per-layer-short", {"llama.attention.head_count": [4] * rng.choice([1, 3, 7])}, 2),
        ("no-tokenizer", {"tokenizer.ggml.model": None, "tokenizer.ggml.tokens": None}, 2),
        ("empty-vocab", {"tokenizer.ggml.tokens": None}, 2),
        ("context-zero", {"llama.context_length": 0}, 2),
    ]


def gguf_cases(rng: random.Random, count: int, workdir: Path) -> Iterator[Case]:
    seed_path = workdir / "seed-Q8_0.gguf"
    seed = write_gguf(seed_path, GOOD_META, _tensors(2))
    seed_file = seed_path.read_bytes()
    for index in range(count):
        name = f"fuzz{index}-Q8_0.gguf"
        pick = rng.random()
        if pick < 0.35:
            mutation, changes, layers = rng.choice(_semantic_defects(rng))
            meta = {k: v for k, v in {**GOOD_META, **changes}.items() if v is not None}
            path = workdir / name
            write_gguf(path, meta, _tensors(layers))
            content, invalid = path.read_bytes(), True
        elif pick < 0.45:
            mutation, content, invalid = "overlap", _overlap(seed_file, rng), True
        elif pick < 0.75:
            mutation, content, invalid = "field", _field_mutation(seed_file, len(seed), rng), False
        else:
            mutation, content, invalid = "bytes", _byte_mutation(seed_file, len(seed), rng), False
        argv = ["catalog", "add", name, "--id", f"fuzz-{index}", "--json"]
        then = [["estimate", "--model", f"fuzz-{index}", "--quant", "Q8_0", "--context", "512",
                 "--profile", "rtx-4090-desktop", "--json"]]  # fmt: skip
        yield Case("gguf", mutation, argv, invalid, {name: content}, then)


def _overlap(content: bytes, rng: random.Random) -> bytes:
    data = bytearray(content)
    name = f"blk.{rng.choice([0, 1])}.attn_q.weight".encode()
    at = data.index(name) + len(name)
    n_dims = int.from_bytes(data[at : at + 4], "little")
    offset_at = at + 4 + 8 * n_dims + 4
    data[offset_at : offset_at + 8] = rng.choice([0, 32]).to_bytes(8, "little")
    return bytes(data)


_EXTREMES = [0, 1, 2**31 - 1, 2**31, 2**32 - 1, 2**63 - 1, 2**63, 2**64 - 1, 4096, 65537]


def _field_mutation(content: bytes, header_len: int, rng: random.Random) -> bytes:
    data = bytearray(content)
    for _ in range(rng.randint(1, 3)):
        width = rng.choice([4, 8])
        at = rng.randrange(4, header_len - width)
        value = rng.choice(_EXTREMES) % (1 << (8 * width))
        data[at : at + width] = value.to_bytes(width, "little")
    return bytes(data)


def _byte_mutation(content: bytes, header_len: int, rng: random.Random) -> bytes:
    data = bytearray(content)
    how = rng.choice(["flip", "truncate", "insert", "delete"])
    at = rng.randrange(0, header_len)
    if how == "flip":
        for _ in range(rng.randint(1, 8)):
            data[rng.randrange(0, header_len)] ^= 1 << rng.randrange(8)
    elif how == "truncate":
        del data[at:]
    elif how == "insert":
        data[at:at] = rng.randbytes(rng.randint(1, 64))
    else:
        del data[at : at + rng.randint(1, 64)]
    return bytes(data)


# -- YAML and JSON documents ------------------------------------------------------------------


def _leaves(data: Any, path: tuple = ()) -> Iterator[tuple[tuple, Any]]:
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _leaves(value, (*path, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _leaves(value, (*path, index))
    else:
        yield path, data


def _set(data: Any, path: tuple, value: Any) -> Any:
    data = copy.deepcopy(data)
    node = data
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value
    return data


# Numbers no field of a profile, workload or config may hold, and values no number field takes.
OUT_OF_RANGE = [-1, -1e9, 1e300, 10**30, 2**70]
WRONG_TYPE = ["abc", [], {}, {"x": [1, 2]}]
IN_RANGE_MOVES: list[Callable[[float], Any]] = [
    lambda v: v * 2, lambda v: v / 2, lambda v: v + 1, lambda _: 0, lambda _: 1,
]  # fmt: skip


def _number_mutations(
    data: Any, rng: random.Random, skip: Callable[[tuple], bool]
) -> tuple[str, Any, bool]:
    """(mutation, data, invalid) for a change at one numeric leaf."""
    numbers = [(p, v) for p, v in _leaves(data) if type(v) in (int, float) and not skip(p)]
    if not numbers:
        return "none", data, False
    path, value = rng.choice(numbers)
    pick = rng.random()
    if pick < 0.4:
        return (
            f"out-of-range@{'.'.join(map(str, path))}",
            _set(data, path, rng.choice(OUT_OF_RANGE)),
            True,
        )
    if pick < 0.6:
        return (
            f"wrong-type@{'.'.join(map(str, path))}",
            _set(data, path, rng.choice(WRONG_TYPE)),
            True,
        )
    moved = rng.choice(IN_RANGE_MOVES)(value)
    return f"moved@{'.'.join(map(str, path))}", _set(data, path, moved), False


def _document_cases(
    kind: str,
    seeds: list[tuple[str, str]],
    rng: random.Random,
    count: int,
    argv_for: Callable[[str], list[str]],
    skip: Callable[[tuple], bool],
    suffix: str = ".yaml",
) -> Iterator[Case]:
    for index in range(count):
        seed_name, text = rng.choice(seeds)
        name = f"{kind}{index}{suffix}"
        if rng.random() < 0.3:
            mutation, mutated = rng.choice(list(_yaml_attacks(text, rng)))
            yield Case(kind, mutation, argv_for(name), True, {name: mutated.encode()})
            continue
        data = yaml.safe_load(text)
        mutation, data, invalid = _number_mutations(data, rng, skip)
        content = yaml.safe_dump(data, sort_keys=False)
        if rng.random() < 0.3:  # the same document as JSON
            name = f"{kind}{index}.json"
            content = json.dumps(data)
        yield Case(
            kind, f"{seed_name}:{mutation}", argv_for(name), invalid, {name: content.encode()}
        )


def profile_cases(rng: random.Random, count: int) -> Iterator[Case]:
    seeds = [(p.stem, p.read_text()) for p in sorted((ROOT / "profiles").glob("*.yaml"))]

    def argv(name: str) -> list[str]:
        if rng.random() < 0.05:
            return ["models", "--profile", name, "--limit", "3", "--json"]
        return ["probe", "--profile", name, "--json"]

    yield from _document_cases(
        "profile", seeds, rng, count, argv, lambda p: p[-1:] == ("schema_version",)
    )


def workload_cases(rng: random.Random, count: int) -> Iterator[Case]:
    folder = ROOT / "profiles" / "workloads"
    seeds = [(p.stem, p.read_text()) for p in sorted(folder.glob("*.yaml"))]

    def argv(name: str) -> list[str]:
        return ["report", "--profile", "rtx-4090-desktop", "--workload", name, "--json"]

    yield from _document_cases("workload", seeds, rng, count, argv, lambda p: False)


# -- reports and probe dumps (JSON) -----------------------------------------------------------

_NUMBER = re.compile(r'((?<!\\)":\s*)-?\d[\d.eE+-]*')  # a number right after a key


def _number_to(text: str, replacement: str) -> str:
    return _NUMBER.sub(lambda m: m.group(1) + replacement, text, count=1)


JSON_ATTACKS = [
    ("nan", lambda t: _number_to(t, "NaN"), True),
    ("infinity", lambda t: _number_to(t, "-Infinity"), True),
    ("overflow", lambda t: _number_to(t, "1e999"), True),
    ("huge-int", lambda t: _number_to(t, HUGE_INT), True),
    ("deep", lambda t: t[:-1] + ', "deep": ' + "[" * 100_000 + "]" * 100_000 + "}", True),
    ("duplicate", lambda t: t[:-1] + ", " + t[1 : t.index(":") + 1] + " null}", True),
    ("truncated", lambda t: t[: len(t) // 2], True),
]


def _json_cases(
    kind: str,
    seeds: list[tuple[str, Any]],
    rng: random.Random,
    count: int,
    argv_for: Callable[[str], list[str]],
    typed: Callable[[tuple], bool],
    duplicates: bool = True,
) -> Iterator[Case]:
    """A number replaced by a string, list or object is invalid by construction where
    `typed(path)`; a key given twice where `duplicates` (JSON itself allows them)."""
    for index in range(count):
        seed_name, data = rng.choice(seeds)
        name = f"{kind}{index}.json"
        text = json.dumps(data)
        if rng.random() < 0.2:
            mutation, attack, invalid = rng.choice(JSON_ATTACKS)
            attacked = attack(text)
            invalid = invalid and attacked != text and (duplicates or mutation != "duplicate")
            yield Case(kind, mutation, argv_for(name), invalid, {name: attacked.encode()})
            continue
        leaves = list(_leaves(data))
        path, value = rng.choice(leaves)
        replacement = rng.choice([
            None, True, "", "x" * 10_000, -1, 0, 2**70, 1e308, -1e308, [], {}, [[]],
            {"value": 2**64}, "[/]", "\x1b]52;c;aGk=\x07",
        ])  # fmt: skip
        wrong_type = isinstance(replacement, str | list | dict)
        invalid = typed(path) and type(value) in (int, float) and wrong_type
        mutated = _set(data, path, replacement) if path else replacement
        if rng.random() < 0.1 and path:  # drop the key or item instead
            mutated, invalid = _drop(data, path), False
        where = ".".join(map(str, path))[:80]
        content = json.dumps(mutated).encode()
        yield Case(kind, f"{seed_name}:{where}", argv_for(name), invalid, {name: content})


def _drop(data: Any, path: tuple) -> Any:
    data = copy.deepcopy(data)
    node = data
    for part in path[:-1]:
        node = node[part]
    del node[path[-1]]
    return data


def report_cases(rng: random.Random, count: int, seeds: list[tuple[str, Any]]) -> Iterator[Case]:
    def argv(name: str) -> list[str]:
        return ["audit", name, "--format", rng.choice(["json", "table", "csv"]), "--no-upgrades",
                "--jobs", "1", "--no-cache"]  # fmt: skip

    from advisor.report.read import READ  # the parts of a report an audit reads

    # Verdicts are recomputed, so the audit ignores them; a key given twice is plain JSON.
    typed = lambda path: bool(path) and path[0] in READ  # noqa: E731
    yield from _json_cases("report", seeds, rng, count, argv, typed, duplicates=False)


def replay_cases(rng: random.Random, count: int, seeds: list[tuple[str, Any]]) -> Iterator[Case]:
    def argv(name: str) -> list[str]:
        return ["probe", "--replay", name, "--json"]

    cases = _json_cases("replay", seeds, rng, count, argv, lambda path: False)
    for index, case in enumerate(cases):
        if index % 50 == 7:  # the GPU count that used to loop forever
            seed = copy.deepcopy(next(d for n, d in seeds if n == "nvidia"))
            for call in seed["reads"]["nvml"]["calls"]:
                if call["call"] == "nvmlDeviceGetCount":
                    call["value"] = rng.choice([2**70, 2**31, 10**6, -1])
            case.mutation, case.invalid = "gpu-count", False  # exit 0 with a note is right
            case.files = {next(iter(case.files)): json.dumps(seed).encode()}
        yield case


# -- command lines ----------------------------------------------------------------------------

ARGUMENTS = [
    (["--profile", "rtx-4090-desktop", "--json", "--ram"], ["1e308", "nan", "-1", "inf", "0"]),
    (["--profile", "rtx-4090-desktop", "--json", "--vram"], ["1e12", "nan", "-5"]),
    (["report", "--profile", "rtx-4090-desktop", "--electricity-price"], ["nan", "-1", "1e308"]),
    (["report", "--profile", "rtx-4090-desktop", "--hardware-price"], ["inf", "-5", "nan"]),
    (["report", "--profile", "rtx-4090-desktop", "--lifetime-months"], ["nan", "0", "-3", "1e9"]),
    (["report", "--profile", "rtx-4090-desktop", "--workload"], ["w" * 100_000, "a\0b"]),
    (["models", "--profile", "rtx-4090-desktop", "--min-tps"], ["nan", "-5", "inf"]),
    (["models", "--profile", "rtx-4090-desktop", "--limit"], ["-1", "0", HUGE_INT]),
    (["models", "--profile", "rtx-4090-desktop", "--context"], ["0", "-1", HUGE_INT, "1e9"]),
    (["models", "--profile", "rtx-4090-desktop", "--kv-type"], ["bogus", "q9_9", ""]),
    (["estimate", "--model", "qwen3-8b", "--quant", "Q4_K_M", "--context"], ["nan", "0", HUGE_INT]),
    (
        ["estimate", "--model", "qwen3-8b", "--quant", "Q4_K_M", "--context", "4096", "--parallel"],
        ["0", "257", "10" + "0" * 20, "nan", HUGE_INT],
    ),
    (["bench", "x.gguf", "--budget"], ["nan", "-1", "inf", "0"]),
    (["bench", "x.gguf", "--parallel"], ["0", "257", HUGE_INT, "1,1", "nan"]),
    (["bench", "x.gguf", "--threads"], ["100000", "0", "-1"]),
    (["audit", "reports", "--seats"], ["chatgpt-plus=" + HUGE_INT, "chatgpt-plus=0", "x=-1"]),
    (["audit", "reports", "--jobs"], ["0", "-1", HUGE_INT]),
    (["audit", "reports", "--server"], ["p" * 100_000, "a\0b"]),
    (["report", "--profile", "rtx-4090-desktop", "--seats"], ["x=" + HUGE_INT, "x=0", "x"]),
]


def argument_cases(rng: random.Random, count: int) -> Iterator[Case]:
    for _ in range(count):
        argv, values = rng.choice(ARGUMENTS)
        value = rng.choice(values)
        yield Case("arguments", f"{argv[-1]} {value[:20]}", [*argv, value], True)
