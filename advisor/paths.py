"""Where advisor finds its shipped data and keeps the user's state."""

from __future__ import annotations

import os
from pathlib import Path

from advisor.errors import WriteError

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


def atomic_write_text(path: str | Path, text: str, encoding: str = "utf-8") -> Path:
    """Write `text` to `path` through a temporary file and a rename, so readers never see half."""
    return atomic_write_bytes(path, text.encode(encoding))


def atomic_write_bytes(path: str | Path, data: bytes) -> Path:
    target = Path(path)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        import tempfile  # with random and shutil: milliseconds a run that writes nothing skips

        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise WriteError(
            f"could not write {target}: {exc.strerror or exc}",
            hint="check the folder exists and is writable; the old file, if any, is unchanged",
        ) from exc
    return target
