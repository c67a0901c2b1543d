"""Where advisor finds its shipped data and keeps the user's state."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from advisor.errors import WriteError

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable
    from typing import BinaryIO

APP_NAME = "advisor"
_PACKAGE_DIR = Path(__file__).resolve().parent
_REPO_ROOT = _PACKAGE_DIR.parent


def _shipped(name: str) -> Path:
    """A data file shipped in the wheel (`advisor/_data`), else the repository root."""
    packaged = _PACKAGE_DIR / "_data" / name
    return packaged if packaged.exists() else _REPO_ROOT / name


def catalog_path() -> Path:
    return _shipped("models.yaml")


def profiles_dir() -> Path:
    return _shipped("profiles")


def workloads_dir() -> Path:
    return profiles_dir() / "workloads"


def workloads_compiled_path() -> Path:
    """The presets' compiled, sealed form (scripts/compile_workloads.py writes it)."""
    return _shipped("workloads.compiled.json")


def _user_dir(kind: str) -> Path:
    """The platform user dir of `kind` ('data', 'config' or 'cache'); ADVISOR_HOME overrides all."""
    home = os.environ.get("ADVISOR_HOME")
    if home:
        return Path(home) / kind
    import platformdirs

    getter = {
        "data": platformdirs.user_data_dir,
        "config": platformdirs.user_config_dir,
        "cache": platformdirs.user_cache_dir,
    }[kind]
    return Path(getter(APP_NAME, appauthor=False))


def user_data_dir() -> Path:
    return _user_dir("data")


def user_config_dir() -> Path:
    return _user_dir("config")


def user_cache_dir() -> Path:
    return _user_dir("cache")


def atomic_write_text(
    path: str | Path, text: str, encoding: str = "utf-8", *, durable: bool = True
) -> Path:
    """Write `text` to `path` through a temporary file and a rename, so readers never see half."""
    return atomic_write_bytes(path, text.encode(encoding), durable=durable)


def atomic_write_pieces(
    path: str | Path, pieces: Iterable[str], encoding: str = "utf-8", *, durable: bool = True
) -> Path:
    """atomic_write_text of `"".join(pieces)`, each piece written as it comes: a thread writes
    one while the caller makes the next (the disk's copy runs without the interpreter lock).
    An audit's 67 MB JSON took 0.1-0.25 s to write after its 0.3 s of rendering, with the
    other core idle. A piece that cannot be made (the iterator raises) or written leaves the
    old file as it was, as atomic_write_bytes does."""
    return _atomic_write(path, lambda handle: _write_pieces(handle, pieces, encoding),
                         private=False, durable=durable)  # fmt: skip


def _write_pieces(handle: BinaryIO, pieces: Iterable[str], encoding: str) -> None:
    import queue
    import threading

    todo: queue.SimpleQueue[bytes | None] = queue.SimpleQueue()
    failed: list[BaseException] = []

    def drain() -> None:
        while (data := todo.get()) is not None:
            if not failed:
                try:
                    handle.write(data)
                except BaseException as exc:  # raised below, in the caller's thread
                    failed.append(exc)

    writer = threading.Thread(target=drain, name="advisor-write", daemon=True)
    writer.start()
    try:
        for piece in pieces:
            if failed:
                break
            todo.put(piece.encode(encoding))
    finally:
        todo.put(None)
        writer.join()
    if failed:
        raise failed[0]


def atomic_write_bytes(
    path: str | Path, data: bytes, *, private: bool = False, durable: bool = True
) -> Path:
    """Write `data` to `path` through a temporary file and a rename.

    Like an ordinary write, but never half-done: a new file gets the umask's mode (0644 under
    the usual 022), an existing one keeps its mode, and a symlink keeps pointing where it did
    (the file it points to is replaced). The temporary file carries this process's id, so one
    left behind by a killed run is removed by the next write beside it. `private`: 0600
    whatever was there (pickled caches: loading one runs code, so nobody else may write it).
    `durable`: the bytes reach the disk (fsync) before the rename. False for caches, whose
    readers check what they read and rebuild what a crash left short: an fsync costs 5-100 ms
    of a first run's wall time on a busy disk (6 of them in a first `advisor --json`).
    """
    return _atomic_write(path, lambda handle: handle.write(data), private=private,
                         durable=durable)  # fmt: skip


def _atomic_write(path: str | Path, write: Callable[[BinaryIO], object], *, private: bool,
                  durable: bool) -> Path:  # fmt: skip
    """atomic_write_bytes, with `write` filling the temporary file."""
    target = Path(path)
    if target.is_symlink():
        target = Path(os.path.realpath(target))
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        _remove_orphans(target)
        tmp = _temporary(target)
        try:
            # 0o666 narrowed by the umask, as for any new file
            flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
            fd = os.open(tmp, flags, 0o600 if private else 0o666)
            existing = None if private else _existing_mode(target)
            if existing is not None:
                os.chmod(tmp, existing)
            with os.fdopen(fd, "wb") as handle:
                write(handle)
                handle.flush()
                if durable:
                    os.fsync(handle.fileno())
            os.replace(tmp, target)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise WriteError(
            f"could not write {target}: {exc.strerror or exc}",
            hint="check the folder exists and is writable; the old file, if any, is unchanged",
        ) from exc
    return target


def _temporary(target: Path) -> Path:
    # os.urandom is what secrets.token_hex reads; importing secrets (base64, hmac, random) cost
    # a first `advisor --json` ~3 ms CPU in each of its two processes (2026-12-07)
    return target.with_name(f".{target.name}.{os.getpid()}.{os.urandom(4).hex()}.tmp")


def _existing_mode(target: Path) -> int | None:
    """The permission bits of the file being replaced, if there is one."""
    import stat

    try:
        return stat.S_IMODE(target.stat().st_mode)
    except OSError:
        return None


def _remove_orphans(target: Path) -> None:
    """Temporary files of `target` whose writer is gone (killed mid-write): the names
    `.{name}.*.tmp` beside it (as a glob of that pattern finds them, in the platform's case, without
    importing glob and compiling a pattern for each file written)."""
    head, tail = os.path.normcase(f".{target.name}."), os.path.normcase(".tmp")
    try:
        with os.scandir(target.parent) as entries:
            names = [e.name for e in entries if _orphan_name(os.path.normcase(e.name), head, tail)]
    except PermissionError:  # a folder we may write but not list: as a glob, nothing found
        return
    for name in names:
        pid = name[len(target.name) + 2 :].split(".", 1)[0]
        if pid.isdigit() and not _alive(int(pid)):
            (target.parent / name).unlink(missing_ok=True)


def _orphan_name(name: str, head: str, tail: str) -> bool:
    return len(name) >= len(head) + len(tail) and name.startswith(head) and name.endswith(tail)


def _alive(pid: int) -> bool:
    if pid == os.getpid() or os.name == "nt":  # Windows' os.kill(pid, 0) would end it
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True  # someone else's process, or a platform that cannot tell: leave it
    return True
