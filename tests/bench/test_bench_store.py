"""The SQLite store: keys, history, migrations, concurrent writers, nothing half-written."""

from __future__ import annotations

import multiprocessing
import sqlite3
from pathlib import Path

import pytest

from advisor.bench.store.codec import measurement_from_dict, measurement_to_dict
from advisor.bench.store.db import SCHEMA_VERSION, BenchStore, default_store_path, settings_key
from advisor.errors import InputError, WriteError
from tests.bench.helpers import measurement, settings


def test_the_default_store_lives_in_the_user_data_dir(advisor_home: Path) -> None:
    assert default_store_path() == advisor_home / "data" / "bench.sqlite"
    with BenchStore() as store:
        store.add(measurement())
    assert default_store_path().is_file()


def test_a_measurement_round_trips_whole(tmp_path: Path) -> None:
    original = measurement(estimated_decode=18.0, model_id="qwen3-8b", quant="Q4_K_M")
    with BenchStore(tmp_path / "s.sqlite") as store:
        run_id = store.add(original)
        (stored,) = store.history()
    assert stored.id == run_id
    assert stored.measurement == original
    assert measurement_from_dict(measurement_to_dict(original)) == original


def test_json_has_the_derived_figures() -> None:
    data = measurement_to_dict(measurement(decode=20.0))
    assert data["decode"]["mean_tokens_per_s"] == pytest.approx(20.0)
    assert data["decode"]["runs"] == 3
    assert data["decode"]["stdev_tokens_per_s"] == pytest.approx(0.4)
    assert data["model"]["identity"] == f"1001:{'a' * 64}"


def test_runs_are_keyed_by_machine_file_and_settings(tmp_path: Path) -> None:
    with BenchStore(tmp_path / "s.sqlite") as store:
        store.add(measurement(fingerprint="m-1", file="a"))
        store.add(measurement(fingerprint="m-1", file="a", n_threads=4))
        store.add(measurement(fingerprint="m-1", file="b"))
        store.add(measurement(fingerprint="m-2", file="a"))
        a = measurement(file="a").model.identity
        assert len(store.runs_for("m-1", a)) == 2
        assert len(store.runs_for("m-1", a, settings_key(settings(n_threads=4)))) == 1
        assert len(store.runs_for("m-2", a)) == 1
        assert len(store.history("m-1")) == 3
        assert len(store.history()) == 4


def test_settings_key_changes_with_any_setting() -> None:
    base = settings_key(settings())
    assert settings_key(settings()) == base
    for change in ({"n_gpu_layers": 99}, {"kv_type": "q8_0"}, {"llama_cpp_version": "0.3.37"}):
        assert settings_key(settings(**change)) != base


def test_history_is_newest_first_and_limited(tmp_path: Path) -> None:
    with BenchStore(tmp_path / "s.sqlite") as store:
        for day in ("03", "01", "02"):
            store.add(measurement(started_at=f"2026-11-{day}T10:00:00+00:00"))
        dates = [r.measurement.started_at[:10] for r in store.history()]
        assert dates == ["2026-11-03", "2026-11-02", "2026-11-01"]
        assert len(store.history(limit=2)) == 2


def test_calibration_runs_are_only_standard_ones(tmp_path: Path) -> None:
    with BenchStore(tmp_path / "s.sqlite") as store:
        store.add(measurement())
        store.add(measurement(n_prompt=32, n_gen=8))
        assert len(store.calibration_runs("m-aaaa")) == 1


def test_a_failed_insert_leaves_nothing(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite"
    with BenchStore(path) as store:
        store.add(measurement())
    raw = sqlite3.connect(path)
    raw.execute(
        "CREATE TRIGGER full BEFORE INSERT ON runs BEGIN SELECT RAISE(ABORT, 'disk full'); END"
    )
    raw.commit()
    raw.close()
    with BenchStore(path) as store:
        with pytest.raises(WriteError, match="disk full") as info:
            store.add(measurement(file="b"))
        assert "unchanged" in (info.value.hint or "")
        assert len(store.history()) == 1


def test_an_empty_file_is_migrated_to_the_current_schema(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite"
    path.touch()
    with BenchStore(path) as store:
        store.add(measurement())
    version = sqlite3.connect(path).execute("PRAGMA user_version").fetchone()[0]
    assert version == SCHEMA_VERSION


def test_a_store_from_a_newer_advisor_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite"
    raw = sqlite3.connect(path)
    raw.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    raw.close()
    with pytest.raises(InputError, match="schema version"):
        BenchStore(path)


def test_a_corrupt_store_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite"
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(InputError, match="unreadable") as info:
        BenchStore(path)
    assert str(path) in info.value.message
    assert path.read_bytes().startswith(b"this is not")  # left as it was


def test_an_unwritable_folder_is_a_write_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(WriteError, match="cannot open the bench store"):
        BenchStore(blocker / "sub" / "s.sqlite")


def _writer(path: str, worker: int, count: int) -> None:
    with BenchStore(path) as store:
        for i in range(count):
            store.add(measurement(file=f"w{worker}-{i}", fingerprint=f"m-{worker}"))


def test_concurrent_writer_processes_lose_nothing(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite"
    workers, count = 4, 15
    context = multiprocessing.get_context("spawn")
    procs = [context.Process(target=_writer, args=(str(path), w, count)) for w in range(workers)]
    for proc in procs:
        proc.start()
    for proc in procs:
        proc.join(timeout=600)  # a hang guard, not a speed limit
    assert [proc.exitcode for proc in procs] == [0] * workers
    with BenchStore(path) as store:
        runs = store.history()
        assert len(runs) == workers * count
        assert len({r.id for r in runs}) == workers * count
        for w in range(workers):
            assert len(store.history(f"m-{w}")) == count
    assert sqlite3.connect(path).execute("PRAGMA integrity_check").fetchone()[0] == "ok"
