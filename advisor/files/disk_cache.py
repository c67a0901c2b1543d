"""The on-disk caches, with one rule for all of them: an entry answers only under its whole key.

Every entry is one pickle file: a header (the key, the SHA-256 of the value's bytes), then the
value. A key always holds FORMAT, advisor's version, the cache's kind, the stamp of the source
code the value depends on (source_stamp: the path, size and modification time of each source
file) and what else the value depends on (the input files' path, size, mtime and SHA-256; the
machine; the catalog). The header is read first: a stale entry's value is never unpickled, and
neither is one whose bytes changed since they were written (a damaged disk block, a partial
copy). A missing, stale, corrupt or unreadable entry is a miss; a cache that cannot be written
is skipped. A cache is only ever a shortcut.

Two shapes of entry:
- `cached(kind, files, build, code=..., params=...)`: one value, built from input files (the
  validated catalog, workloads, config file, hardware profiles, spec table: parsed by PyYAML
  and validated by pydantic once, then unpickled without importing either) or from `params`
  alone (the remedies). Only results that built cleanly are stored; errors come from building.
- `DictStore(kind, sources, params, keep=...)`: many values that runs add to (estimates, audit
  verdicts), merged with what other runs wrote meanwhile; the oldest files of a kind are pruned.

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
from collections.abc import Callable, Hashable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from stat import S_ISREG
from typing import Any, TypeVar

from advisor import __version__
from advisor.errors import WriteError
from advisor.paths import atomic_write_bytes, user_cache_dir

T = TypeVar("T")

FORMAT = 3  # 3: every cache (the dict stores too) writes a header (key, SHA-256), then the value
PACKAGE = Path(__file__).resolve().parent.parent  # the advisor package
# A report's answers kept (advice, remedies): machines, configs or catalogs a user switches between
KEEP_ANSWERS = 16

# What unpickling a damaged or outdated entry can raise (a class renamed or moved, truncated
# or foreign bytes, a length field gone wild): every one of them means a miss.
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


def source_stamp(names: Iterable[str]) -> str:
    """The code a cached value depends on, as every cache keys it: advisor's version and the
    path, size and modification time of every file under each of `names` (folders or files,
    relative to the advisor package; one that does not exist is named as missing)."""
    return _stamp(names, _source_lines)


def _stamp(names: Iterable[str], lines: Callable[[str], tuple[bytes, ...]]) -> str:
    digest = hashlib.sha256(f"advisor {__version__}".encode())
    for name in names:
        for line in lines(name):
            digest.update(line)
    return digest.hexdigest()


def _source_lines(name: str) -> tuple[bytes, ...]:
    """What source_stamp hashes for one of its names, in order."""
    root = PACKAGE / name
    if not root.exists():
        return (f"no source for {name}".encode(),)
    if not root.is_dir():
        return _file_line(Path(name).parts, str(root))
    found = sorted(_files_under(str(root), Path(name).parts))
    return tuple(line for parts, path in found for line in _file_line(parts, path))


def _files_under(folder: str, parts: tuple[str, ...]) -> Iterator[tuple[tuple[str, ...], str]]:
    """(path parts relative to the package, path) of every file under `folder`, as
    `Path.rglob("*")` walks it (symlinked folders not entered), without pathlib's cost: the
    remedies' sources stamp in 0.9 ms CPU against 4.2 ms (same digest; shared 2-core machine,
    2026-12-07), and a warm report stamps them and the estimator's."""
    with os.scandir(folder) as entries:
        for entry in entries:
            if entry.name == "__pycache__":
                continue
            if entry.is_dir(follow_symlinks=False):
                yield from _files_under(entry.path, (*parts, entry.name))
            else:
                yield (*parts, entry.name), entry.path


def _file_line(parts: tuple[str, ...], path: str) -> tuple[bytes, ...]:
    try:
        stat = os.stat(path)
    except OSError:  # a dangling link, or gone meanwhile: not a file, as Path.is_file says
        return ()
    if S_ISREG(stat.st_mode):
        return (f"{'/'.join(parts)}:{stat.st_size}:{stat.st_mtime_ns}".encode(),)
    return ()


@functools.cache
def code_stamp(names: tuple[str, ...]) -> str:
    """source_stamp(names), worked out once in a process (as code_digest is): the code the
    process runs does not change under it. A first report works out its caches' stamps while
    it waits for the copy test (advisor.advice_ahead). Each name's files are listed and
    stat'ed once a process too: the advice and remedy caches' stamps share all but one of
    their 20-odd names (~0.7 ms CPU of a first report, 2026-12-07)."""
    return _stamp(names, _kept_source_lines)


@functools.cache
def _kept_source_lines(name: str) -> tuple[bytes, ...]:
    return _source_lines(name)


@functools.cache
def code_digest(modules: tuple[str, ...]) -> str:
    """source_stamp of the source files of `modules` (advisor.x.y names). An installation
    without sources: advisor's version in the stamp still changes whenever the code does."""
    return source_stamp("/".join(name.split(".")[1:]) + ".py" for name in modules)


def cached(
    kind: str,
    files: Sequence[Path],
    build: Callable[[], T],
    *,
    code: Sequence[str],
    params: Hashable = (),
    keep: int | None = None,
) -> T:
    """`build()`'s result for these files, from the cache while nothing it depends on changed.

    `code` names the advisor modules whose source decides the result; `params` is anything
    else the result depends on (plain values). `build` parses and validates; its errors pass
    through, and a failed build stores nothing. Results are never None. `keep`: once a new
    entry is stored, only the newest `keep` entries of the kind stay (each set of params has
    its own entry, and one whose inputs changed is never read again).
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
    if unchanged and _store(entry, key, value) and keep is not None:  # files unchanged meanwhile
        _prune(entry.parent, f"{kind}-*.pickle", keep)
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
    from advisor.files.regular import MAX_DOCUMENT_BYTES, open_regular, read_capped

    for path in files:
        with open_regular(path) as handle:  # a FIFO or /dev/zero: OSError, build() says so
            stat = os.fstat(handle.fileno())
            digest = hashlib.sha256(read_capped(handle, MAX_DOCUMENT_BYTES)).hexdigest()
        states.append((str(path.resolve()), stat.st_size, stat.st_mtime_ns, digest))
    return tuple(states)


class DictStore:
    """One file of many cached values of a kind, under one key (the code's stamp and params)."""

    def __init__(self, kind: str, sources: Iterable[str], params: Hashable, *, keep: int,
                 folder: Path | None = None) -> None:  # fmt: skip
        """`sources`: the package paths (folders or files) whose code the values depend on
        (stamped once a process, code_stamp); `params`: everything else they depend on;
        `keep`: how many files of the kind stay."""
        self.key = (FORMAT, __version__, kind, code_stamp(tuple(sources)), params)
        name = hashlib.sha256(repr(self.key).encode("utf-8")).hexdigest()[:32]
        self.path = (folder or user_cache_dir() / kind) / f"{name}.pickle"
        self.keep = keep

    def read(self) -> dict:
        """The values stored under this key; empty when missing, unreadable or stale."""
        found = _load(self.path, self.key)
        return found if isinstance(found, dict) else {}

    def write(self, data: dict) -> bool:
        """Add `data` to what the file holds (what other runs added meanwhile stays), write it
        atomically and prune the kind's oldest files; False (and nothing written) when the
        folder is read-only or full."""
        from advisor.files.locks import file_lock

        try:
            with file_lock(self.path):
                if not _store(self.path, self.key, {**self.read(), **data}):
                    return False
        except WriteError:
            return False
        _prune(self.path.parent, "*.pickle", self.keep)
        return True


@contextmanager
def no_cycle_collection() -> Iterator[None]:
    """For code that builds many objects and no reference cycles (unpickling an entry, parsing
    reports): the collector's passes meanwhile are wasted work. Measured on the 2-core machine
    (2026-12-07, CPU time, fresh processes): the catalog's entry unpickles in 16.8 ms median
    with the collector off, 17.8 ms with gc.freeze() instead, 17.9-19.2 ms with it on; the
    audit parses 600 reports in 469 ms off, 507 ms on.

    What the block built and kept (the values, the estimator's memos) goes to the oldest
    generation when the collector comes back on (gc.freeze then gc.unfreeze: a list splice,
    no pass over them), as two young passes would have moved it there after walking it all.
    The first young pass after a first report walked ~140,000 objects the call had made for
    ~54 ms CPU (2026-12-07, shared 2-core machine); promoted, a full collection still finds any
    garbage cycle among them (advise makes none: tests/verdict/test_verdict_shipped.py)."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.freeze()
            gc.unfreeze()
            gc.enable()


def _load(entry: Path, key: tuple) -> Any | None:
    """The value stored under exactly `key`, else None."""
    try:
        with no_cycle_collection():
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


def _store(entry: Path, key: tuple, value: Any) -> bool:
    try:
        body = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    except (pickle.PicklingError, TypeError, AttributeError):
        return False  # a value pickle cannot hold: the next run builds it again
    header = pickle.dumps((key, hashlib.sha256(body).hexdigest()), protocol=pickle.HIGHEST_PROTOCOL)
    try:
        # No fsync: a header whose SHA-256 the value does not match (a crash mid-write) is a miss
        atomic_write_bytes(entry, header + body, private=True, durable=False)
    except WriteError:
        return False  # a read-only or full cache dir must not break the run; it just stays slower
    return True


def _prune(folder: Path, pattern: str, keep: int) -> None:
    """Remove all but the newest `keep` files of `folder` that match `pattern`; one that
    cannot go (on Windows, a file another run has open) stays until a later run prunes it."""
    for old in sorted(folder.glob(pattern), key=_mtime)[:-keep]:
        try:
            old.unlink(missing_ok=True)
        except OSError:
            continue


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except FileNotFoundError:  # another process pruned it meanwhile
        return 0.0
