"""advisor.files.disk_cache: results come back only while every part of the key matches; a
stale, corrupt or foreign entry is never unpickled as a result; workloads, profiles, the config file
and the spec table go through it and are read again as soon as their files change."""

from __future__ import annotations

import gc
import hashlib
import io
import os
import pickle
import shutil
from pathlib import Path

import pytest

from advisor.config import load_config
from advisor.errors import ConfigError, WorkloadError
from advisor.files import disk_cache
from advisor.paths import profiles_dir, workloads_dir
from advisor.probe import load_profile
from advisor.workload import load_workloads

CODE = ("advisor.files.disk_cache",)


class Counter:
    """A build function that counts its calls and returns a fresh value each time."""

    def __init__(self, value: object = "built") -> None:
        self.calls = 0
        self.value = value

    def __call__(self) -> object:
        self.calls += 1
        return (self.value, self.calls)


class Exploding:
    """Unpickling this runs code: a stale entry holding one must never be unpickled."""

    def __reduce__(self):
        return (_explode, ())


def _explode() -> None:
    raise AssertionError("a stale entry's value was unpickled")


@pytest.fixture
def inputs(tmp_path: Path) -> list[Path]:
    first, second = tmp_path / "a.yaml", tmp_path / "b.yaml"
    first.write_text("a: 1\n")
    second.write_text("b: 2\n")
    return [first, second]


def test_a_hit_returns_what_was_stored_without_building(inputs: list[Path]) -> None:
    build = Counter()
    first = disk_cache.cached("t", inputs, build, code=CODE)
    second = disk_cache.cached("t", inputs, build, code=CODE)
    assert first == second == ("built", 1) and build.calls == 1


@pytest.mark.parametrize("change", ["content", "mtime", "params", "code", "version", "files"])
def test_any_change_in_the_key_rebuilds(
    inputs: list[Path], change: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    build = Counter()
    disk_cache.cached("t", inputs, build, code=CODE)
    params: object = ()
    code = CODE
    files = inputs
    if change == "content":  # same size, same mtime: only the SHA-256 differs
        stat = inputs[0].stat()
        inputs[0].write_text("a: 2\n")
        os.utime(inputs[0], ns=(stat.st_atime_ns, stat.st_mtime_ns))
    elif change == "mtime":
        stat = inputs[1].stat()
        os.utime(inputs[1], ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    elif change == "params":
        params = "other"
    elif change == "code":
        code = ("advisor.files.strict",)
    elif change == "version":
        monkeypatch.setattr(disk_cache, "__version__", "999")
    else:
        files = inputs[:1]
    assert disk_cache.cached("t", files, build, code=code, params=params)[1] == 2


def test_a_stale_entry_is_never_unpickled(inputs: list[Path]) -> None:
    disk_cache.cached("t", inputs, Exploding, code=CODE)
    inputs[0].write_text("a: changed\n")
    assert disk_cache.cached("t", inputs, Counter(), code=CODE) == ("built", 1)


@pytest.mark.parametrize(
    "garbage",
    [b"", b"\x80", b"not a pickle at all", pickle.dumps("a key of another shape"), b"\x80\x05K"],
)
def test_a_corrupt_entry_is_a_miss_and_is_rewritten(inputs: list[Path], garbage: bytes) -> None:
    build = Counter()
    disk_cache.cached("t", inputs, build, code=CODE)
    entry = disk_cache.entry_path("t", inputs)
    entry.write_bytes(garbage)
    assert disk_cache.cached("t", inputs, build, code=CODE) == ("built", 2)
    assert disk_cache.cached("t", inputs, build, code=CODE) == ("built", 2)


def test_a_truncated_entry_is_a_miss(inputs: list[Path]) -> None:
    build = Counter("x" * 10_000)
    disk_cache.cached("t", inputs, build, code=CODE)
    entry = disk_cache.entry_path("t", inputs)
    entry.write_bytes(entry.read_bytes()[:-100])
    assert disk_cache.cached("t", inputs, build, code=CODE)[1] == 2


def test_a_value_of_a_class_that_is_gone_is_a_miss(inputs: list[Path]) -> None:
    entry = disk_cache.entry_path("t", inputs)
    key = disk_cache._key("t", inputs, CODE, ())
    entry.parent.mkdir(parents=True, exist_ok=True)
    body = pickle.dumps(Counter()).replace(b"Counter", b"Vanishd")  # a class renamed since
    entry.write_bytes(pickle.dumps((key, hashlib.sha256(body).hexdigest())) + body)
    assert disk_cache.cached("t", inputs, Counter(), code=CODE) == ("built", 1)


def test_a_value_whose_bytes_changed_is_never_unpickled(inputs: list[Path]) -> None:
    """A flipped byte can still unpickle into a plausible but wrong value: the digest stops it."""
    build = Counter(12345)
    disk_cache.cached("t", inputs, build, code=CODE)
    entry = disk_cache.entry_path("t", inputs)
    stream = io.BytesIO(entry.read_bytes())
    pickle.load(stream)  # the header
    header, body = stream.getvalue()[: stream.tell()], stream.read()
    assert pickle.loads(body) == (12345, 1)
    edited = body.replace((12345).to_bytes(2, "little"), (54321).to_bytes(2, "little"))
    assert pickle.loads(edited) == (54321, 1)  # still a valid pickle, of the wrong value
    entry.write_bytes(header + edited)
    assert disk_cache.cached("t", inputs, build, code=CODE) == (12345, 2)


def test_files_that_change_while_being_read_are_not_stored(inputs: list[Path]) -> None:
    def build() -> str:
        inputs[0].write_text("a: edited meanwhile\n")
        return "from the old content"

    disk_cache.cached("t", inputs, build, code=CODE)
    assert not disk_cache.entry_path("t", inputs).exists()


def test_a_failed_build_stores_nothing(inputs: list[Path]) -> None:
    def build() -> str:
        raise ValueError("invalid")

    with pytest.raises(ValueError):
        disk_cache.cached("t", inputs, build, code=CODE)
    assert not disk_cache.entry_path("t", inputs).exists()


def test_a_missing_input_lets_the_build_say_so(tmp_path: Path) -> None:
    def build() -> str:
        raise FileNotFoundError("the build reports the missing file")

    with pytest.raises(FileNotFoundError, match="build reports"):
        disk_cache.cached("t", [tmp_path / "gone.yaml"], build, code=CODE)


def test_an_unwritable_cache_dir_only_costs_time(inputs: list[Path], advisor_home: Path) -> None:
    (advisor_home / "cache").write_text("a file where the cache dir should be")
    build = Counter()
    disk_cache.cached("t", inputs, build, code=CODE)
    assert disk_cache.cached("t", inputs, build, code=CODE) == ("built", 2)


def test_entries_are_private_to_the_user(inputs: list[Path]) -> None:
    disk_cache.cached("t", inputs, Counter(), code=CODE)
    mode = disk_cache.entry_path("t", inputs).stat().st_mode
    assert mode & 0o077 == 0  # pickles run code when loaded: nobody else may write or read them


# --- the inputs that use it ----------------------------------------------------------------


def test_workloads_come_back_equal_and_follow_their_files(advisor_home: Path) -> None:
    fresh = load_workloads()
    assert load_workloads() == fresh
    folder = advisor_home / "config" / "workloads"
    folder.mkdir(parents=True)
    text = (workloads_dir() / "support-bot.yaml").read_text()
    (folder / "night-jobs.yaml").write_text(text)
    assert [w.name for w in load_workloads()][-1] == "night-jobs"
    (folder / "night-jobs.yaml").write_text(text.replace("hours_per_day: 12", "hours_per_day: 30"))
    with pytest.raises(WorkloadError, match="at most 24") as caught:
        load_workloads()
    assert caught.value.line is not None


def test_a_workload_named_twice_is_refused_even_from_the_cache() -> None:
    load_workloads(["support-bot"])
    with pytest.raises(WorkloadError, match="more than once"):
        load_workloads(["support-bot", "support-bot"])


def test_the_config_follows_its_file_and_the_path_given(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "config.yaml"
    path.write_text("region: de\n")
    assert load_config(path).region == "de"
    assert load_config(path).path == str(path)
    path.write_text("region: [de]\n")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert (caught.value.key, caught.value.line) == ("region", 1)
    monkeypatch.chdir(tmp_path)
    path.write_text("region: us\n")
    assert load_config("config.yaml").path == "config.yaml"
    assert load_config(path).path == str(path)


def test_profiles_come_back_equal_and_follow_their_file(tmp_path: Path) -> None:
    shipped = load_profile("rtx-4090-desktop")
    assert load_profile("rtx-4090-desktop") == shipped
    copy = tmp_path / "mine.yaml"
    shutil.copy(profiles_dir() / "rtx-4090-desktop.yaml", copy)
    assert load_profile(copy).origin == f"profile:{copy}"
    copy.write_text(copy.read_text().replace("ram_gb: 64", "ram_gb: 128"))
    assert load_profile(copy).memory.ram_total_bytes == 128 * 2**30


def test_profiles_follow_the_spec_table(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A figure the profile leaves out comes from the spec table: a new table, a new figure."""
    from advisor.probe.profiles import load as profiles
    from advisor.probe.specs import table as specs

    profile = tmp_path / "bare.yaml"
    profile.write_text("name: Bare\ngpus: [{name: NVIDIA GeForce RTX 4090}]\n")
    before = load_profile(profile).gpus[0].memory_bandwidth_gbs
    table = tmp_path / "hardware_specs.csv"
    row = "RTX 4090,GeForce RTX 4090,nvidia,discrete,false,false,,,24,GDDR6X,384,1010.0,"
    rows = specs.TABLE_PATH.read_text()
    assert rows.count(row) == 1
    table.write_text(rows.replace(row, row.replace("1010.0", "1011.0")))
    monkeypatch.setattr(profiles, "TABLE_PATH", table)
    monkeypatch.setattr(specs, "TABLE_PATH", table)
    specs._table_and_index.cache_clear()
    try:
        after = load_profile(profile).gpus[0].memory_bandwidth_gbs
    finally:
        specs._table_and_index.cache_clear()
    assert (before, after) == (1010.0, 1011.0)


def test_every_cache_keys_its_code_by_one_rule(tmp_path: Path, monkeypatch) -> None:
    """Version, path, size and mtime of the sources: validated results (code_digest), the
    estimate cache and the audit's outcomes all key their code with source_stamp."""
    from advisor.files import disk_cache

    package = tmp_path / "advisor"
    (package / "estimate").mkdir(parents=True)
    source = package / "estimate" / "speed.py"
    source.write_text("A = 1\n")
    monkeypatch.setattr(disk_cache, "PACKAGE", package)
    before = disk_cache.source_stamp(["estimate"])
    assert disk_cache.code_digest.__wrapped__(("advisor.estimate.speed",)) == (
        disk_cache.source_stamp(["estimate/speed.py"])
    )
    stat = source.stat()
    os.utime(source, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))  # same bytes, touched
    assert disk_cache.source_stamp(["estimate"]) != before
    monkeypatch.setattr(disk_cache, "__version__", "999.0")
    assert disk_cache.source_stamp(["estimate"]) != before
    missing = disk_cache.source_stamp(["gone.py"])
    assert missing != disk_cache.source_stamp(["other.py"])  # a missing file is named


def test_a_dict_store_merges_what_runs_add_and_prunes_the_oldest_files() -> None:
    store = disk_cache.DictStore("t", ["units.py"], ("machine", 1), keep=2)
    assert store.read() == {}
    assert store.write({"a": 1})
    assert disk_cache.DictStore("t", ["units.py"], ("machine", 1), keep=2).write({"b": 2})
    assert store.read() == {"a": 1, "b": 2}  # another run's addition stays
    others = [disk_cache.DictStore("t", ["units.py"], ("machine", n), keep=2) for n in (2, 3)]
    for other in others:
        os.utime(store.path, ns=(0, 0))  # the oldest file
        assert other.write({"c": 3})
    assert not store.path.exists() and all(o.path.exists() for o in others)


def test_a_dict_store_answers_only_under_its_whole_key() -> None:
    """The estimate and audit caches read a file only when its header holds their key: a file
    at their path from other code (a plain pickled dict, as they wrote before) is a miss."""
    store = disk_cache.DictStore("t", ["units.py"], "params", keep=4)
    store.path.parent.mkdir(parents=True)
    store.path.write_bytes(pickle.dumps({"stale": "value"}))
    assert store.read() == {}
    header = pickle.dumps((("another", "key"), hashlib.sha256(b"").hexdigest()))
    store.path.write_bytes(header + pickle.dumps({"stale": "value"}))
    assert store.read() == {}
    assert store.write({"fresh": 1}) and store.read() == {"fresh": 1}


def test_a_dict_store_that_cannot_be_written_says_so(advisor_home: Path) -> None:
    (advisor_home / "cache").write_text("a file where the cache dir should be")
    store = disk_cache.DictStore("t", ["units.py"], "params", keep=4)
    assert store.write({"a": 1}) is False
    assert store.read() == {}


def test_the_collector_is_back_on_after_an_entry_is_read(inputs: list[Path]) -> None:
    disk_cache.cached("t", inputs, Counter(), code=CODE)
    assert disk_cache.cached("t", inputs, Counter(), code=CODE) == ("built", 1)
    assert gc.isenabled()


def test_keep_prunes_a_kinds_oldest_entries_once_a_new_one_is_stored(advisor_home: Path) -> None:
    """Each set of params has its own entry (the advice cache: one per machine, catalog,
    workloads and prices); with `keep` only the newest stay, and other kinds are untouched."""
    disk_cache.cached("other", [], Counter(), code=CODE, params="x")
    for n in range(5):
        disk_cache.cached("t", [], Counter(n), code=CODE, params=n, keep=3)
        os.utime(disk_cache.entry_path("t", [], n), (1_000_000 + n, 1_000_000 + n))
    folder = advisor_home / "cache" / "validated"
    assert len(list(folder.glob("t-*.pickle"))) == 3
    assert not disk_cache.entry_path("t", [], 0).exists()
    assert disk_cache.entry_path("t", [], 4).exists()
    assert disk_cache.entry_path("other", [], "x").exists()
    build = Counter("again")
    assert disk_cache.cached("t", [], build, code=CODE, params=4, keep=3) == (4, 1)
    assert build.calls == 0


def test_what_a_block_without_the_collector_kept_is_promoted_not_walked() -> None:
    """The objects built with the collector off and still alive after it go to the oldest
    generation (the first young pass after a first report walked ~140,000 of them, ~54 ms)."""
    gc.collect()
    with disk_cache.no_cycle_collection():
        kept = [[i] for i in range(20_000)]
    assert gc.isenabled()
    assert gc.get_count()[0] < 100  # nothing waits for a young pass
    young = {id(o) for o in gc.get_objects(generation=0)}
    assert not any(id(o) in young for o in kept)
    oldest = {id(o) for o in gc.get_objects(generation=2)}
    assert all(id(o) in oldest for o in kept[::1000])


def test_a_garbage_cycle_made_without_the_collector_is_still_collected() -> None:
    """Promoted, not frozen: a full collection still frees a cycle the block left."""
    import weakref

    class Node:
        pass

    with disk_cache.no_cycle_collection():
        node = Node()
        node.self = node  # type: ignore[attr-defined]
        alive = weakref.ref(node)
        del node
    assert alive() is not None
    gc.collect()
    assert alive() is None


def test_cache_entries_skip_the_fsync_other_writes_keep(
    inputs: list[Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A cache entry is checked when read (a truncated one is a miss, above), so it is written
    without an fsync (5-100 ms each on a busy disk); a file people keep is still synced."""
    from advisor.paths import atomic_write_text
    from advisor.probe.bandwidth.copy_test import BandwidthMeasurement, store_bandwidth

    synced: list[int] = []
    monkeypatch.setattr(os, "fsync", synced.append)
    disk_cache.cached("t", inputs, Counter(), code=CODE)
    store_bandwidth("m-test", BandwidthMeasurement(30.0, 2, 8, 5, 0.1, "2026-12-07T00:00:00+00:00"))
    assert synced == [] and disk_cache.entry_path("t", inputs).exists()
    atomic_write_text(tmp_path / "report.json", "{}")
    assert len(synced) == 1


def _stamp_by_pathlib(package: Path, names: list[str]) -> str:
    """source_stamp as it was written first, with pathlib: the reference the faster walk keeps."""
    from advisor import __version__

    digest = hashlib.sha256(f"advisor {__version__}".encode())
    for name in names:
        root = package / name
        if not root.exists():
            digest.update(f"no source for {name}".encode())
        for path in sorted(root.rglob("*") if root.is_dir() else [root]):
            if path.is_file() and "__pycache__" not in path.parts:
                stat = path.stat()
                digest.update(
                    f"{path.relative_to(package)}:{stat.st_size}:{stat.st_mtime_ns}".encode()
                )
    return digest.hexdigest()


def test_the_source_stamp_walks_folders_as_pathlib_does(tmp_path: Path, monkeypatch) -> None:
    from advisor.estimate.cache import SOURCES
    from advisor.files import disk_cache
    from advisor.remedies import SOURCES as REMEDY_SOURCES

    names = [*SOURCES, *REMEDY_SOURCES]
    assert disk_cache.source_stamp(names) == _stamp_by_pathlib(disk_cache.PACKAGE, names)

    package = tmp_path / "advisor"
    for rel in ("a/b.py", "a-c.py", "a/__pycache__/b.pyc", "a/d/e.json", "a/.hidden", "z.py"):
        (package / rel).parent.mkdir(parents=True, exist_ok=True)
        (package / rel).write_text(rel)
    (package / "a" / "to_d").symlink_to(package / "a" / "d")  # a linked folder: not entered
    (package / "a" / "to_z.py").symlink_to(package / "z.py")  # a linked file: stamped
    (package / "a" / "dangling.py").symlink_to(package / "gone.py")
    monkeypatch.setattr(disk_cache, "PACKAGE", package)
    for names in (["a"], ["a", "a-c.py"], ["z.py", "missing", "a/d"], ["."]):
        assert disk_cache.source_stamp(names) == _stamp_by_pathlib(package, names), names


def test_an_old_entry_that_cannot_be_removed_leaves_the_run_alone(
    advisor_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pruning is housekeeping: an old entry that cannot go (on Windows, a file another advisor
    run has open; anywhere, a folder by an entry's name) stays, and the run goes on with its
    answer stored, as a cache that cannot be written is skipped."""
    for n in range(2):
        disk_cache.cached("t", [], Counter(n), code=CODE, params=n, keep=2)
        os.utime(disk_cache.entry_path("t", [], n), (1_000_000 + n, 1_000_000 + n))
    stuck = disk_cache.entry_path("t", [], 0)
    real = Path.unlink

    def unlink(path: Path, missing_ok: bool = False) -> None:
        if path == stuck:
            raise PermissionError(13, "The process cannot access the file", str(path))
        real(path, missing_ok=missing_ok)

    monkeypatch.setattr(Path, "unlink", unlink)
    assert disk_cache.cached("t", [], Counter(2), code=CODE, params=2, keep=1) == (2, 1)
    assert disk_cache.entry_path("t", [], 2).exists() and stuck.exists()
    assert not disk_cache.entry_path("t", [], 1).exists()  # the others are pruned as before
    # the estimate cache's files (DictStore) are pruned the same way
    first = disk_cache.DictStore("d", ["units.py"], ("machine", 1), keep=1)
    assert first.write({"a": 1})
    os.utime(first.path, (1_000_000, 1_000_000))
    stuck = first.path
    second = disk_cache.DictStore("d", ["units.py"], ("machine", 2), keep=1)
    assert second.write({"b": 2}) and second.read() == {"b": 2} and first.path.exists()
