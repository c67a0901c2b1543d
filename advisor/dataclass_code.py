"""The compiled code of the methods `dataclasses` writes, kept beside advisor's bytecode.

Each `@dataclass` writes the text of its `__init__`, `__repr__`, `__eq__`, `__hash__` and (when
frozen) `__setattr__`/`__delattr__` and hands it to `exec`, which compiles it: on Python 3.11
that was 772 compilations for the 130 classes of a first `advisor --json` (67 ms of its ~0.45 s,
2026-12-07, docs/startup.md), and they are the same texts on every run. So `install()` gives the
`dataclasses` module its own `exec` (a module global, which Python finds before the builtin):
the same call, except that a text's code object comes from a file written the first time it was
compiled, as Python keeps a module's bytecode in `__pycache__` rather than compiling its source
on every import. What runs is what `exec(text)` would have compiled (`compile(text, "<string>",
"exec")` with dataclasses' own compiler flags, none), so the classes, their methods, equality,
hashing, repr, frozenness and pickling are the ones Python makes; only the compiling is skipped.

The file sits in the folder of advisor's own `.pyc` files (`__pycache__`, or under
`sys.pycache_prefix`), named for the interpreter (`cache_tag`) and optimisation level, and opens
with the interpreter's bytecode magic number: another Python, or another build of it, has its
own file or ignores this one, as it would ignore a `.pyc`. A fresh user folder leaves it alone
(`ADVISOR_HOME` holds the user's data, not code). It holds, per module that made classes, a map
of each text to its code object in `marshal`'s format (the format of `.pyc` files) behind the
map's CRC-32, and a run decodes only the maps of the modules it imports. A file that is cut
short, changed on disk, foreign or unreadable, or a map whose checksum or contents do not hold,
is not used: those texts are compiled as before. The file is written again (atomically, at
exit) only when a text was compiled, only where Python would write bytecode
(`sys.dont_write_bytecode`: PYTHONDONTWRITEBYTECODE, -B), and only by the process that read it
(not a forked child); a folder that cannot be written leaves the compiling in place. Like a
`.pyc`, it is trusted as much as the package folder it sits in: whoever can write there can
change advisor's code.

Only an `exec` given a text, a globals dict and a locals mapping (how dataclasses calls it) is
looked up; any other call is the builtin's. Where dataclasses compiles under a `__future__`
flag (not on Python 3.10-3.13), `install()` leaves it alone.
"""

from __future__ import annotations
import __future__

import builtins
import contextlib
import marshal
import os
import stat
import sys
from collections.abc import Mapping
from types import CodeType
from typing import Any

_FORMAT = b"advisor-dataclass-code 1\n"  # this file's own layout, after the magic number
_MAX_BYTES = 8 << 20  # a larger file keeps only the modules the run that writes it used
_MAX_READ = 8 * _MAX_BYTES  # a larger one is not this cache's (nor is one not a regular file)
# Read only, never waiting (a FIFO put where the file goes), binary
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
_FUTURE_FLAGS = 0
for _name in __future__.all_feature_names:
    _FUTURE_FLAGS |= getattr(__future__, _name).compiler_flag


class CodeCache:
    """Texts to their compiled code, read from `path` on first use and written back at exit.

    The file holds one map per module (the module a class is made in: `exec`'s globals), so a
    run decodes the code of the modules it imports and no other, however many classes other
    commands (the app, the audit) add. `path` None: nothing is read or written."""

    def __init__(self, path: str | None, magic: bytes, *, write: bool) -> None:
        self.path = path
        self.magic = magic
        self.write = write and path is not None
        self.stored: dict[str, bytes] | None = None  # module -> its map, marshalled, as read
        self.groups: dict[str, dict[str, CodeType]] = {}  # module -> text -> code, in use
        self.used: dict[str, set[str]] = {}  # module -> the texts this process asked for
        self.changed: set[str] = set()  # modules with a text compiled here
        self.compiled = 0  # texts compiled here (not found in the file)
        self.pid = os.getpid()

    def code(self, text: str, module: str = "") -> CodeType:
        """The code object `exec(text)` would compile, from the file where it holds it."""
        group = self.groups.get(module)
        if group is None:
            # The module's set of texts before its map, each kept if there already: classes
            # made in two threads (a thread may stop between any two steps here) find both
            self.used.setdefault(module, set())
            group = self.groups.setdefault(module, self._group(module))
        self.used[module].add(text)
        code = group.get(text)
        if code is None:
            code = group[text] = compile(text, "<string>", "exec", dont_inherit=True)
            self.changed.add(module)
            self.compiled += 1
        return code

    def _group(self, module: str) -> dict[str, CodeType]:
        """The file's map for `module`; empty where it has none, or one cut short or corrupt."""
        if self.stored is None:
            self.stored = self._read()
        data = self.stored.get(module)
        if data is None or len(data) < 4:
            return {}
        import zlib

        body = memoryview(data)[4:]
        if zlib.crc32(body) != int.from_bytes(data[:4], "little"):
            return {}
        try:
            group = marshal.loads(body)
        except Exception:  # whatever marshal makes of bytes that are not its format
            return {}
        if type(group) is not dict or not all(
            type(text) is str and type(code) is CodeType and code.co_filename == "<string>"
            for text, code in group.items()
        ):
            return {}
        return group

    def _read(self) -> dict[str, bytes]:
        """The file's maps by module (still marshalled), or none where the file is missing,
        another interpreter's, not this format, not a regular file or far too large."""
        if self.path is None:
            return {}
        try:
            fd = os.open(self.path, _OPEN_FLAGS)
        except OSError:
            return {}
        try:
            found = os.fstat(fd)
            if not stat.S_ISREG(found.st_mode) or found.st_size > _MAX_READ:
                return {}  # a FIFO or a device would block or never end; too large: foreign
            with os.fdopen(fd, "rb", closefd=False) as file:
                blob = file.read()
        except OSError:
            return {}
        finally:
            os.close(fd)
        head = self.magic + _FORMAT
        if not blob.startswith(head):
            return {}
        try:
            stored = marshal.loads(memoryview(blob)[len(head) :])
        except Exception:
            return {}
        if type(stored) is not dict or not all(
            type(module) is str and type(data) is bytes for module, data in stored.items()
        ):
            return {}
        return stored

    def save(self) -> None:
        """Write the file again if this process compiled a text it did not hold (at exit)."""
        if not self.write or not self.changed or os.getpid() != self.pid or self.path is None:
            return
        import zlib

        entries = dict(self.stored or {})
        for module in list(self.changed):  # (a thread may make a class meanwhile)
            group = self.groups[module]
            if len(group) > 2 * len(self.used[module]) + 16:  # mostly texts of older code
                group = {text: group[text] for text in list(self.used[module]) if text in group}
            data = marshal.dumps(group)
            entries[module] = zlib.crc32(data).to_bytes(4, "little") + data
        if sum(map(len, entries.values())) > _MAX_BYTES:
            entries = {module: entries[module] for module in self.groups if module in entries}
        blob = self.magic + _FORMAT + marshal.dumps(entries)
        temporary = f"{self.path}.{os.getpid()}.tmp"
        try:
            os.makedirs(os.path.dirname(self.path), exist_ok=True)
            with open(temporary, "wb") as file:
                file.write(blob)
            os.replace(temporary, self.path)
        except OSError:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
        else:
            self.stored = entries
            self.changed = set()


_cache: CodeCache | None = None


def _exec(source: Any, globals: Any = None, locals: Any = None, /, **kwargs: Any) -> None:
    """`exec` as dataclasses calls it, with a text's code object from the cache."""
    if (
        _cache is not None
        and not kwargs
        and type(source) is str
        and type(globals) is dict
        and isinstance(locals, Mapping)
    ):
        module = globals.get("__name__")
        builtins.exec(_cache.code(source, module if type(module) is str else ""), globals, locals)
        return
    if globals is None:  # the builtin reads the caller's namespaces; this frame is not it
        caller = sys._getframe(1)
        globals = caller.f_globals
        if locals is None:
            locals = caller.f_locals
    builtins.exec(source, globals, locals, **kwargs)


def cache_path() -> str | None:
    """This interpreter's file, beside this module's bytecode; None where Python keeps none."""
    tag = sys.implementation.cache_tag
    cached = globals().get("__cached__")
    if tag is None or not cached:
        return None
    level = sys.flags.optimize
    suffix = f".opt-{level}" if level else ""
    return os.path.join(os.path.dirname(cached), f"dataclass-code.{tag}{suffix}.bin")


def install() -> CodeCache | None:
    """Give `dataclasses` the caching `exec` (once per process); the cache, or None where
    dataclasses compiles under a `__future__` flag (the texts' code would then differ)."""
    global _cache
    import dataclasses

    if getattr(dataclasses, "exec", None) is _exec:
        return _cache
    if dataclasses.fields.__code__.co_flags & _FUTURE_FLAGS:  # the module's own flags
        return None
    from importlib.util import MAGIC_NUMBER

    _cache = CodeCache(cache_path(), MAGIC_NUMBER, write=not sys.dont_write_bytecode)
    import atexit

    atexit.register(_cache.save)
    dataclasses.exec = _exec  # type: ignore[attr-defined]
    return _cache
