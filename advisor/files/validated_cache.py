"""Validated results kept between runs: the objects parsing and validating a set of files gave.

The catalog, workloads, the config file and hardware profiles are parsed (PyYAML) and
validated (pydantic) once; the resulting frozen dataclasses are pickled into the user cache
dir, and the next run unpickles them without importing either library. An entry answers only
when its whole key matches: advisor's version, the stamp of the source code that parses and
validates (advisor.files.cache_files.source_stamp: the rule every cache keys its code by, so a
changed schema never reads an old result), what the caller passes in `params`,
and each input file's resolved path, size, mtime and SHA-256. A missing, stale, corrupt or
unreadable entry is a miss: the files are parsed for real and the entry is written again,
atomically. Only results that validated cleanly are stored; errors always come from parsing.

Pickle runs code named in the file it loads, so entries are read only from the user's own
cache dir, which only the user and their programs can write (the same trust as their config
file), and the repository never ships one.
"""

from __future__ import annotations

import functools
import gc
import hashlib
import io
import os
import pickle
from collections.abc import Callable, Hashable, Sequence
from pathlib import Path
from typing import Any, TypeVar

from advisor import __version__
from advisor.errors import WriteError
from advisor.paths import atomic_write_bytes, user_cache_dir

T = TypeVar("T")

FORMAT = 2  # 2: a header (key, SHA-256 of the value's bytes), then the value

# What unpickling a damaged or outdated entry can raise (a class renamed or moved, truncated
# or foreign bytes, a length field gone wild): every one of them means "parse the files again".
_UNREADABLE = (
    OSError,
    EOFError,
    pickle.UnpicklingError,
    AttributeError,
    ImportError,
    IndexError,
    KeyError,
    TypeError,
    ValueError,
    OverflowError,
    MemoryError,
)


def cached(
    kind: str,
    files: Sequence[Path],
    build: Callable[[], T],
    *,
    code: Sequence[str],
    params: Hashable = (),
) -> T:
    """`build()`'s result for these files, from the cache while nothing it depends on changed.

    `code` names the advisor modules whose source decides the result (their digest is part of
    the key); `params` is anything else the result depends on (plain values). `build` parses
    and validates; its errors pass through, and a failed build stores nothing. Results are
    never None.
    """
    entry = entry_path(kind, files, params)
    try:
        key = _key(kind, files, code, params)
    except OSError:
        return build()  # an input we cannot read: build() says what is wrong with it
    found = _load(entry, key)
    if found is not None:
        return found
    value = build()
    try:
        unchanged = _key(kind, files, code, params) == key
    except OSError:
        unchanged = False
    if unchanged:  # the files did not change while build() read them
        _store(entry, key, value)
    return value


def entry_path(kind: str, files: Sequence[Path], params: Hashable = ()) -> Path:
    """The cache file for this kind, set of input paths and params (one entry each)."""
    identity = repr((kind, [str(p.resolve()) for p in files], params))
    digest = hashlib.sha256(identity.encode("utf-8")).hexdigest()[:20]
    return user_cache_dir() / "validated" / f"{kind}-{digest}.pickle"


def _key(kind: str, files: Sequence[Path], code: Sequence[str], params: Hashable) -> tuple:
    return (FORMAT, __version__, kind, code_digest(tuple(code)), params, _states(files))


def _states(files: Sequence[Path]) -> tuple:
    states = []
    from advisor.files.regular import MAX_DOCUMENT_BYTES, open_regular

    for path in files:
        with open_regular(path) as handle:  # a FIFO or /dev/zero: OSError, build() says so
            stat = os.fstat(handle.fileno())
            digest = hashlib.sha256(handle.read(MAX_DOCUMENT_BYTES + 1)).hexdigest()
        states.append((str(path.resolve()), stat.st_size, stat.st_mtime_ns, digest))
    return tuple(states)


@functools.cache
def code_digest(modules: tuple[str, ...]) -> str:
    """The stamp of the source files of `modules` (advisor.x.y names), by the rule every cache
    keys its code by (advisor.files.cache_files.source_stamp). An installation without
    sources: advisor's version in the stamp still changes whenever the code does."""
    from advisor.files.cache_files import source_stamp

    return source_stamp("/".join(name.split(".")[1:]) + ".py" for name in modules)


def _load(entry: Path, key: tuple) -> Any | None:
    """The value stored under exactly `key`, else None.

    The header is read first: a stale entry's value is never unpickled, and neither is one
    whose bytes changed since they were written (a damaged disk block, a partial copy).
    """
    collecting = gc.isenabled()
    # Unpickling builds many objects and no cycles: collections meanwhile are wasted work
    # (~20% of the load).
    gc.disable()
    try:
        stream = io.BytesIO(entry.read_bytes())
        header = pickle.load(stream)
        if not isinstance(header, tuple) or len(header) != 2 or header[0] != key:
            return None
        body = stream.read()
        if hashlib.sha256(body).hexdigest() != header[1]:
            return None
        return pickle.loads(body)
    except _UNREADABLE:
        return None
    finally:
        if collecting:
            gc.enable()


def _store(entry: Path, key: tuple, value: Any) -> None:
    try:
        body = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    except (pickle.PicklingError, TypeError, AttributeError):
        return  # a value pickle cannot hold: the next run parses again
    header = pickle.dumps((key, hashlib.sha256(body).hexdigest()), protocol=pickle.HIGHEST_PROTOCOL)
    try:
        atomic_write_bytes(entry, header + body, private=True)
    except WriteError:
        return  # a read-only or full cache dir must not break the run; it just stays slower
