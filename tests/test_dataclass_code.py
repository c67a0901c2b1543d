"""The dataclasses' generated methods read back from advisor/dataclass_code.py's file are the
ones Python compiles: the same code, so the same classes; a file that is corrupt, cut short,
foreign or unwritable is not used and the texts are compiled as before."""

from __future__ import annotations

import builtins
import copy
import dataclasses
import importlib.util
import pickle
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import pytest

from advisor import dataclass_code
from advisor.dataclass_code import CodeCache

MAGIC = importlib.util.MAGIC_NUMBER
# exec(text) from a frame compiled without __future__ flags, as dataclasses' own frame is (this
# test module's `annotations` flag would change how `->_return_type` compiles).
_PLAIN = compile("def plain_exec(text, ns):\n    exec(text, {}, ns)\n", "<t>", "exec",
                 dont_inherit=True)  # fmt: skip
_namespace: dict[str, Any] = {}
builtins.exec(_PLAIN, _namespace)
plain_exec = _namespace["plain_exec"]


def _define() -> dict[str, type]:
    """Classes using each kind of generated method (the shapes advisor's classes take)."""

    @dataclasses.dataclass(frozen=True)
    class Point:
        x: int
        y: float = 0.5
        tags: tuple[str, ...] = ()

    @dataclasses.dataclass(frozen=True, slots=True)
    class Slotted:
        name: str
        sizes: list[int] = dataclasses.field(default_factory=list, compare=False)

    @dataclasses.dataclass(order=True)
    class Ordered:
        rank: int
        label: str = dataclasses.field(default="x", repr=False)
        limit: ClassVar[int] = 3

    @dataclasses.dataclass(kw_only=True, unsafe_hash=True)
    class KeywordOnly:
        a: int
        b: str = "b"
        scratch: dataclasses.InitVar[int] = 0

        def __post_init__(self, scratch: int) -> None:
            self.a += scratch

    return {cls.__name__: cls for cls in (Point, Slotted, Ordered, KeywordOnly)}


def _instances(classes: dict[str, type]) -> list[Any]:
    return [
        classes["Point"](1, 2.0, ("a",)),
        classes["Point"](1),
        classes["Slotted"]("s", [1, 2]),
        classes["Ordered"](2, "z"),
        classes["KeywordOnly"](a=1, b="c", scratch=4),
    ]


def _methods(cls: type) -> dict[str, Any]:
    return {
        name: value
        for name, value in vars(cls).items()
        if callable(value) and getattr(value, "__code__", None) is not None
        and value.__code__.co_filename == "<string>"
    }  # fmt: skip


@pytest.fixture
def builtin_exec(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """dataclasses with Python's own exec (the cache's global removed for the test)."""
    monkeypatch.delattr(dataclasses, "exec", raising=False)
    yield


def _with_cache(monkeypatch: pytest.MonkeyPatch, cache: CodeCache) -> None:
    monkeypatch.setattr(dataclass_code, "_cache", cache)
    monkeypatch.setattr(dataclasses, "exec", dataclass_code._exec, raising=False)


def _filled(path: Path) -> CodeCache:
    """A cache written by one process's worth of classes and read back by a new one."""
    first = CodeCache(str(path), MAGIC, write=True)
    with pytest.MonkeyPatch.context() as patch:
        _with_cache(patch, first)
        _define()
    assert first.compiled > 0
    first.save()
    assert path.is_file()
    return CodeCache(str(path), MAGIC, write=True)


def test_the_classes_read_back_are_the_ones_python_makes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.MonkeyPatch.context() as patch:
        patch.delattr(dataclasses, "exec", raising=False)
        plain = _define()
    cache = _filled(tmp_path / "code.bin")
    _with_cache(monkeypatch, cache)
    cached = _define()
    assert cache.compiled == 0 and len(cache.used[__name__]) >= 15  # all came from the file

    for name, cls in plain.items():
        ours, theirs = _methods(cached[name]), _methods(cls)
        assert ours.keys() == theirs.keys() and len(ours) >= 3
        for method, fn in theirs.items():
            assert ours[method].__code__ == fn.__code__
            assert ours[method].__code__.co_filename == fn.__code__.co_filename == "<string>"
            assert ours[method].__qualname__ == fn.__qualname__
            assert ours[method].__defaults__ == fn.__defaults__
            assert ours[method].__kwdefaults__ == fn.__kwdefaults__
            assert ours[method].__annotations__ == fn.__annotations__
        assert dataclasses.fields(cached[name]) and [
            (f.name, f.default, f.compare, f.repr) for f in dataclasses.fields(cached[name])
        ] == [(f.name, f.default, f.compare, f.repr) for f in dataclasses.fields(cls)]
        assert cached[name].__match_args__ == cls.__match_args__
        assert cached[name].__doc__ == cls.__doc__

    for ours, theirs in zip(_instances(cached), _instances(plain), strict=True):
        assert repr(ours) == repr(theirs)
        assert ours == copy.copy(ours) and ours != theirs  # different classes never compare equal
        assert dataclasses.astuple(ours) == dataclasses.astuple(theirs)
        if type(theirs).__hash__ is not None:
            assert hash(ours) == hash(theirs)
    point = _instances(cached)[0]
    with pytest.raises(dataclasses.FrozenInstanceError):
        point.x = 3
    assert cached["Ordered"](1) < cached["Ordered"](2)
    assert cached["KeywordOnly"](a=1, scratch=2).a == 3


def test_every_text_advisor_used_compiles_to_the_code_it_ran() -> None:
    """The texts of advisor's own classes (made through the cache when advisor was imported)
    give the same code from exec as the cache handed out."""
    import advisor.cli  # noqa: F401  (a report's first modules)
    import advisor.probe.machine  # noqa: F401

    cache = dataclass_code._cache
    assert cache is not None and dataclasses.exec is dataclass_code._exec  # type: ignore[attr-defined]
    assert sum(map(len, cache.used.values())) > 50
    for module, texts in cache.used.items():
        for text in texts:
            _same_as_exec(text, cache.groups[module][text])


def _same_as_exec(text: str, code: Any) -> None:
    ns: dict[str, Any] = {}
    plain_exec(text, ns)
    assert code.co_consts[0] == ns["__create_fn__"].__code__
    assert code == compile(text, "<string>", "exec", dont_inherit=True)


def _body_offset() -> int:
    return len(MAGIC) + len(dataclass_code._FORMAT)


@pytest.mark.parametrize(
    "spoil",
    [
        pytest.param(lambda b: b[:-100], id="cut short"),
        pytest.param(lambda b: b[:-50] + bytes([b[-50] ^ 0xFF]) + b[-49:], id="a byte changed"),
        pytest.param(lambda b: b"\x00\x00\r\n" + b[4:], id="another Python's magic number"),
        pytest.param(lambda b: b"", id="empty"),
        pytest.param(lambda b: b[: _body_offset()] + b"\xff" * 8, id="no body"),
    ],
)
def test_a_spoilt_file_is_not_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, spoil) -> None:
    path = tmp_path / "code.bin"
    filled = _filled(path)
    path.write_bytes(spoil(path.read_bytes()))
    with pytest.MonkeyPatch.context() as patch:
        patch.delattr(dataclasses, "exec", raising=False)
        plain = _define()
    _with_cache(monkeypatch, filled)
    cached = _define()
    assert filled.compiled == len(filled.used[__name__]) > 0  # none read: every text compiled
    for name, cls in plain.items():
        assert {m: f.__code__ for m, f in _methods(cached[name]).items()} == {
            m: f.__code__ for m, f in _methods(cls).items()
        }
    filled.save()  # and written afresh, whole
    again = CodeCache(str(path), MAGIC, write=True)
    assert again._group(__name__).keys() == filled.used[__name__]


def test_a_map_whose_checksum_holds_but_is_not_code_is_not_used(tmp_path: Path) -> None:
    import marshal
    import zlib

    for value in (
        {"def f(): pass": b"not code"},
        ["a list"],
        {"t": compile("x = 1", "x.py", "exec")},
    ):
        data = marshal.dumps(value)
        group = zlib.crc32(data).to_bytes(4, "little") + data
        body = marshal.dumps({"m": group})
        (tmp_path / "code.bin").write_bytes(MAGIC + dataclass_code._FORMAT + body)
        cache = CodeCache(str(tmp_path / "code.bin"), MAGIC, write=False)
        assert cache._read() == {"m": group} and cache._group("m") == {}
    for outer in (["a list"], {"m": "not bytes"}, {1: b"x"}):
        (tmp_path / "code.bin").write_bytes(MAGIC + dataclass_code._FORMAT + marshal.dumps(outer))
        assert CodeCache(str(tmp_path / "code.bin"), MAGIC, write=False)._read() == {}


def test_nothing_is_written_where_it_may_not_be(tmp_path: Path, monkeypatch) -> None:
    unwritten = CodeCache(str(tmp_path / "off.bin"), MAGIC, write=False)  # dont_write_bytecode
    _with_cache(monkeypatch, unwritten)
    _define()
    unwritten.save()
    assert unwritten.compiled > 0 and not (tmp_path / "off.bin").exists()

    blocked = tmp_path / "a file, not a folder"
    blocked.write_text("")
    cache = CodeCache(str(blocked / "__pycache__" / "code.bin"), MAGIC, write=True)
    _with_cache(monkeypatch, cache)
    _define()
    cache.save()  # no error: the run goes on, compiling
    assert cache.compiled > 0 and blocked.read_text() == ""
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a file, not a folder"]


def test_the_file_sits_beside_advisors_bytecode_named_for_this_python() -> None:
    path = dataclass_code.cache_path()
    assert path is not None
    assert Path(path).parent == Path(dataclass_code.__cached__).parent
    assert sys.implementation.cache_tag in Path(path).name


def test_other_exec_calls_are_the_builtins() -> None:
    ns: dict[str, Any] = {}
    dataclass_code._exec(compile("y = 2", "<x>", "exec"), ns, ns)  # a code object
    dataclass_code._exec("z = 3", ns)  # no locals
    assert ns["y"] == 2 and ns["z"] == 3
    here = 5
    box: dict[str, Any] = {}
    dataclass_code._exec("box['seen'] = here")  # the caller's namespaces, as exec's own
    assert box == {"seen": here}


def test_pickled_advisor_values_come_back_equal() -> None:
    from advisor.probe.profiles.load import load_profile

    machine = load_profile("rtx-4090-desktop")
    again = pickle.loads(pickle.dumps(machine))
    assert again == machine and hash(again) == hash(machine) and repr(again) == repr(machine)


def test_a_forked_child_does_not_write(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The early probe's child inherits the cache; only the process that read it writes."""
    cache = CodeCache(str(tmp_path / "code.bin"), MAGIC, write=True)
    _with_cache(monkeypatch, cache)
    _define()
    cache.pid += 1  # as seen from a child forked after the cache was made
    cache.save()
    assert cache.compiled > 0 and not (tmp_path / "code.bin").exists()


def test_a_modules_map_of_mostly_older_code_keeps_what_the_run_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "code.bin"
    old = CodeCache(str(path), MAGIC, write=True)
    for n in range(60):  # texts an older version of this module made
        old.code(f"def __create_fn__():\n def f{n}(self):\n  return {n}\n return f{n}", __name__)
    old.save()
    cache = CodeCache(str(path), MAGIC, write=True)
    _with_cache(monkeypatch, cache)
    _define()
    cache.save()
    kept = CodeCache(str(path), MAGIC, write=False)._group(__name__)
    assert kept.keys() == cache.used[__name__] and len(kept) < 60


def test_install_leaves_a_dataclasses_compiled_under_a_future_flag_alone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import __future__

    flagged = compile("def fields(x): pass", "<t>", "exec", __future__.annotations.compiler_flag,
                      dont_inherit=True)  # fmt: skip
    namespace: dict[str, Any] = {}
    builtins.exec(flagged, namespace)
    monkeypatch.delattr(dataclasses, "exec")
    monkeypatch.setattr(dataclasses, "fields", namespace["fields"])
    monkeypatch.setattr(dataclass_code, "_cache", None)
    assert dataclass_code.install() is None
    assert not hasattr(dataclasses, "exec")


def test_classes_made_in_two_threads_at_once_keep_both_texts(tmp_path: Path) -> None:
    """A thread can stop anywhere in code() while another makes a class of the same module
    (dataclasses.make_dataclass, or a class statement in a function, run in two threads):
    here the other thread's class is made while this one reads the module's map from the file.
    Before, this thread then replaced the map and the set of texts used the other had made
    (losing its code from the file), and a thread stopped between the two saw no set at all
    (KeyError from dataclasses)."""
    cache = CodeCache(str(tmp_path / "code.bin"), MAGIC, write=True)
    first, second = (f"def __create_fn__():\n def f(self):\n  return {n}\n return f"
                     for n in (1, 2))  # fmt: skip
    read = cache._group
    calls: list[str] = []

    def read_while_the_other_thread_runs(module: str) -> dict:
        calls.append(module)
        if len(calls) == 1:
            cache.code(second, "m")  # the other thread's class, made meanwhile
        return read(module)

    cache._group = read_while_the_other_thread_runs  # type: ignore[method-assign]
    cache.code(first, "m")
    assert cache.used["m"] == {first, second} and cache.groups["m"].keys() == {first, second}
    cache.save()
    kept = CodeCache(str(tmp_path / "code.bin"), MAGIC, write=False)._group("m")
    assert kept.keys() == {first, second}


def test_a_fifo_a_device_or_a_huge_file_in_its_place_is_not_read(tmp_path: Path) -> None:
    """Not a regular file, or one far larger than the cache writes: not used, and the run
    does not wait on it (a FIFO put where the file goes blocked every advisor run at import;
    a link to /dev/zero read until memory ran out). The thread only bounds the old wait."""
    import os
    import threading

    fifo = tmp_path / "fifo.bin"
    os.mkfifo(fifo)
    huge = tmp_path / "huge.bin"
    with huge.open("wb") as file:  # the right header, then a hole far past any real file
        file.write(MAGIC + dataclass_code._FORMAT)
        file.truncate(dataclass_code._MAX_READ + 1)
    device = tmp_path / "device.bin"
    device.symlink_to("/dev/zero")
    found: dict[str, dict] = {}

    def read_all() -> None:
        for path in (fifo, huge, device):
            found[path.name] = CodeCache(str(path), MAGIC, write=False)._read()

    reader = threading.Thread(target=read_all, daemon=True)
    reader.start()
    reader.join(timeout=120)
    assert not reader.is_alive(), "the read waited on a FIFO"
    assert found == {"fifo.bin": {}, "huge.bin": {}, "device.bin": {}}
