"""The bench store: every measurement, in SQLite at user_data_dir()/bench.sqlite.

Each run is keyed by the machine fingerprint, the model file identity (size + header hash)
and a hash of the settings. Several `advisor bench` processes may write at once: the
database runs in WAL mode, each write is one IMMEDIATE transaction, and a writer waits up to
`busy_timeout_s` for another to finish. A run is stored whole or not at all.

The schema version lives in SQLite's user_version; `_MIGRATIONS[i]` takes a store from
version i to i + 1, inside the same transaction that bumps the version.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from advisor.bench.batched import BatchedMeasurement, batched_from_dict, batched_to_dict
from advisor.bench.measurement import BenchSettings, Measurement
from advisor.bench.store.codec import measurement_from_dict, measurement_to_dict
from advisor.errors import InputError, WriteError
from advisor.paths import user_data_dir

STORE_NAME = "bench.sqlite"

_V1 = """
CREATE TABLE runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    machine_fingerprint TEXT NOT NULL,
    file_identity TEXT NOT NULL,
    settings_key TEXT NOT NULL,
    started_at TEXT NOT NULL,
    model_path TEXT NOT NULL,
    model_id TEXT,
    quant TEXT,
    backend TEXT NOT NULL,
    placement TEXT NOT NULL,
    standard INTEGER NOT NULL,
    interrupted INTEGER NOT NULL,
    prefill_tokens_per_s REAL,
    decode_tokens_per_s REAL,
    measurement TEXT NOT NULL
);
CREATE INDEX runs_by_key ON runs (machine_fingerprint, file_identity, settings_key);
CREATE INDEX runs_by_machine ON runs (machine_fingerprint, backend, placement);
"""
# v2: `advisor bench --parallel` runs, one row per run (its B values inside `measurement`).
_V2 = """
CREATE TABLE batched_runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    machine_fingerprint TEXT NOT NULL,
    file_identity TEXT NOT NULL,
    settings_key TEXT NOT NULL,
    started_at TEXT NOT NULL,
    model_path TEXT NOT NULL,
    model_id TEXT,
    quant TEXT,
    backend TEXT NOT NULL,
    placement TEXT NOT NULL,
    interrupted INTEGER NOT NULL,
    sequences TEXT NOT NULL,
    measurement TEXT NOT NULL
);
CREATE INDEX batched_by_machine ON batched_runs (machine_fingerprint, backend, placement);
"""
_MIGRATIONS: tuple[str, ...] = (_V1, _V2)
SCHEMA_VERSION = len(_MIGRATIONS)


def default_store_path() -> Path:
    return user_data_dir() / STORE_NAME


def settings_key(settings: BenchSettings) -> str:
    """A short hash of every setting: runs compare only when this matches."""
    text = json.dumps(dataclasses.asdict(settings), sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class StoredRun:
    id: int
    measurement: Measurement


@dataclass(frozen=True)
class StoredBatchedRun:
    id: int
    measurement: BatchedMeasurement


# SQLite's words for a store it could read but not write: a read-only file or folder, a full
# disk. Anything else it refuses (not a database, malformed) is a broken file.
_CANNOT_WRITE = ("readonly", "read-only", "unable to open", "disk i/o", "disk is full")


def _cannot_write(exc: sqlite3.DatabaseError) -> bool:
    text = str(exc).lower()
    return isinstance(exc, sqlite3.OperationalError) and any(w in text for w in _CANNOT_WRITE)


class BenchStore:
    """A connection to the store; use as a context manager or call close()."""

    def __init__(self, path: str | Path | None = None, busy_timeout_s: float = 30.0) -> None:
        self.path = Path(path) if path is not None else default_store_path()
        self._timeout = busy_timeout_s
        self._conn = self._open()

    def _open(self) -> sqlite3.Connection:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self.path, timeout=self._timeout, isolation_level=None)
        except (OSError, sqlite3.Error) as exc:
            raise WriteError(
                f"cannot open the bench store {self.path}: {exc}",
                hint="check the folder is writable (ADVISOR_HOME moves it)",
            ) from exc
        try:
            conn.execute(f"PRAGMA busy_timeout = {int(self._timeout * 1000)}")
            conn.execute("PRAGMA journal_mode = WAL")
            self._migrate(conn)
        except sqlite3.DatabaseError as exc:
            conn.close()
            raise self._broken(exc) from exc
        return conn

    def _broken(self, exc: sqlite3.DatabaseError) -> InputError | WriteError:
        if _cannot_write(exc):
            return WriteError(
                f"cannot write the bench store {self.path}: {exc}",
                hint="its folder is read-only or full; the results are printed above. Free "
                "some space, or set ADVISOR_HOME to a writable folder",
            )
        return InputError(
            f"the bench store is unreadable ({exc})",
            path=self.path,
            hint="move the file aside; advisor bench starts a new store",
        )

    def _migrate(self, conn: sqlite3.Connection) -> None:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise InputError(
                f"the bench store has schema version {version}; this advisor knows "
                f"up to {SCHEMA_VERSION}",
                path=self.path,
                hint="upgrade advisor, or point ADVISOR_HOME elsewhere",
            )
        if version == SCHEMA_VERSION:
            return
        with _transaction(conn):
            # Another process may have migrated while we waited for the lock.
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            for script in _MIGRATIONS[version:]:
                for statement in filter(str.strip, script.split(";")):
                    conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    # --- writing --------------------------------------------------------------------------
    def add(self, measurement: Measurement) -> int:
        """Store one measurement in one transaction; returns its id."""
        m = measurement
        row = (
            m.machine_fingerprint,
            m.model.identity,
            settings_key(m.settings),
            m.started_at,
            m.model.path,
            m.model.model_id,
            m.model.quant,
            m.settings.backend,
            m.placement,
            int(m.settings.is_standard),
            int(m.interrupted),
            m.prefill.mean_tokens_per_s if m.prefill else None,
            m.decode.mean_tokens_per_s if m.decode else None,
            json.dumps(measurement_to_dict(m), sort_keys=True),
        )
        try:
            with _transaction(self._conn):
                cursor = self._conn.execute(
                    "INSERT INTO runs (machine_fingerprint, file_identity, settings_key, "
                    "started_at, model_path, model_id, quant, backend, placement, standard, "
                    "interrupted, prefill_tokens_per_s, decode_tokens_per_s, measurement) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    row,
                )
        except sqlite3.Error as exc:
            raise WriteError(
                f"could not save the measurement to {self.path}: {exc}",
                hint="the store is unchanged; the results are printed above",
            ) from exc
        return int(cursor.lastrowid)

    def add_batched(self, measurement: BatchedMeasurement) -> int:
        """Store one --parallel run (every B that finished) in one transaction; its id."""
        m = measurement
        row = (
            m.machine_fingerprint, m.model.identity, settings_key(m.settings), m.started_at,
            m.model.path, m.model.model_id, m.model.quant, m.settings.backend, m.placement,
            int(m.interrupted), ",".join(str(p.sequences) for p in m.points),
            json.dumps(batched_to_dict(m), sort_keys=True),
        )  # fmt: skip
        try:
            with _transaction(self._conn):
                cursor = self._conn.execute(
                    "INSERT INTO batched_runs (machine_fingerprint, file_identity, settings_key, "
                    "started_at, model_path, model_id, quant, backend, placement, interrupted, "
                    "sequences, measurement) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    row,
                )
        except sqlite3.Error as exc:
            raise WriteError(
                f"could not save the measurement to {self.path}: {exc}",
                hint="the store is unchanged; the results are printed above",
            ) from exc
        return int(cursor.lastrowid)

    def batched_history(self, machine_fingerprint: str | None = None) -> list[StoredBatchedRun]:
        """Stored --parallel runs, oldest first; only this machine's when a fingerprint is
        given."""
        sql, args = "SELECT id, measurement FROM batched_runs", []
        if machine_fingerprint is not None:
            sql += " WHERE machine_fingerprint = ?"
            args.append(machine_fingerprint)
        try:
            rows = self._conn.execute(sql + " ORDER BY id", args).fetchall()
        except sqlite3.DatabaseError as exc:
            raise self._broken(exc) from exc
        return [StoredBatchedRun(int(i), batched_from_dict(json.loads(t))) for i, t in rows]

    # --- reading --------------------------------------------------------------------------
    def history(
        self, machine_fingerprint: str | None = None, limit: int | None = None
    ) -> list[StoredRun]:
        """Stored runs, newest first; only this machine's when a fingerprint is given."""
        sql, args = "SELECT id, measurement FROM runs", []
        if machine_fingerprint is not None:
            sql += " WHERE machine_fingerprint = ?"
            args.append(machine_fingerprint)
        sql += " ORDER BY started_at DESC, id DESC"
        if limit is not None:
            sql += " LIMIT ?"
            args.append(limit)
        return self._read(sql, args)

    def runs_for(
        self, machine_fingerprint: str, file_identity: str, key: str | None = None
    ) -> list[StoredRun]:
        """Runs of one file on one machine, optionally with exactly these settings."""
        sql = "SELECT id, measurement FROM runs WHERE machine_fingerprint = ? AND file_identity = ?"
        args = [machine_fingerprint, file_identity]
        if key is not None:
            sql += " AND settings_key = ?"
            args.append(key)
        return self._read(sql + " ORDER BY id", args)

    def calibration_runs(self, machine_fingerprint: str) -> list[StoredRun]:
        """This machine's complete pp512/tg128 runs: what calibration may learn from."""
        sql = (
            "SELECT id, measurement FROM runs WHERE machine_fingerprint = ? "
            "AND standard = 1 ORDER BY id"
        )
        return self._read(sql, [machine_fingerprint])

    def _read(self, sql: str, args: list[object]) -> list[StoredRun]:
        try:
            rows = self._conn.execute(sql, args).fetchall()
        except sqlite3.DatabaseError as exc:
            raise self._broken(exc) from exc
        return [StoredRun(int(i), measurement_from_dict(json.loads(text))) for i, text in rows]

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> BenchStore:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


@contextmanager
def _transaction(conn: sqlite3.Connection) -> Iterator[None]:
    """BEGIN IMMEDIATE takes the write lock up front, so two writers queue instead of failing."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
