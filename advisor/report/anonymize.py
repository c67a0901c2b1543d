"""--anonymize: strip hostname, user names, serials, UUIDs, home paths and folder names from a
report.

The machine keeps a stable id, so an audit can still tell machines apart, identical laptops
included, and see the same machine twice. That id is keyed with a random salt kept in the user
data dir: one installation gives one machine one id run after run, but whoever holds the report
cannot recompute it from the hardware it shows and a guessed hostname. Every file path in the
report (workload files, the config file, the measured model files) is cut to its
base name, and the user and host names are taken out of file and model names too
(`alice-finetune-Q8_0.gguf` -> `<user>-finetune-Q8_0.gguf`).
"""

from __future__ import annotations

import getpass
import os
import re
import socket
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Any

from advisor.probe.machine import Machine

_MIN_NAME = 3  # shorter user or host names would match inside ordinary words
SALT_FILE = "anonymize-salt"
_SALT = re.compile(r"[0-9a-f]{64}")
_NOT_PATHS = ("preset", "user")  # a workload's origin when it is not a file

Secrets = list[tuple[re.Pattern[str], str]]


def anonymized(doc: dict[str, Any], machine: Machine) -> dict[str, Any]:
    from advisor.advise import machine_id

    doc = dict(doc)
    salted = machine_id(machine, salt=salt())
    files = _file_names(doc, machine)
    plain_id, doc["machine_id"] = doc["machine_id"], salted
    doc["machine"] = _machine(doc["machine"], salted)
    doc["measurements"] = [_measurement(m, salted) for m in doc["measurements"]]
    pairs: Secrets = [(re.compile(re.escape(plain_id)), salted), *files, *_secrets(machine)]
    return _scrub(doc, pairs)


def _machine(data: dict[str, Any], machine_id: str) -> dict[str, Any]:
    data = dict(data)
    if data.get("hostname") or data.get("origin") == "probe":
        data["name"] = f"machine {machine_id}"
    data["hostname"] = None
    data["host_id"] = None
    data["gpus"] = [{**gpu, "uuid": None, "serial": None} for gpu in data.get("gpus", [])]
    return data


def _measurement(data: dict[str, Any], machine_id: str) -> dict[str, Any]:
    data = dict(data)
    data["machine_fingerprint"] = machine_id
    return data


def _file_names(doc: dict[str, Any], machine: Machine) -> Secrets:
    """(pattern, replacement) pairs turning every file path the report holds into its base
    name, and every file or model name holding the user's or host's name into one without."""
    paths = [w.get("origin") for w in doc["inputs"]["workloads"]]
    paths = [p for p in paths if p not in _NOT_PATHS]
    paths.append(doc.get("config_file"))
    models = [m.get("model", {}) for m in doc["measurements"]]
    paths += [m.get("path") for m in models]
    names = [m.get("name") for m in models]
    loose = _names_in_files(machine)
    pairs: dict[str, str] = {}
    for path in {p for p in paths if isinstance(p, str) and p}:
        base = _base(path)
        pairs[path] = _sub(loose, base)
        pairs.setdefault(base, pairs[path])
    for name in {n for n in names if isinstance(n, str) and n}:
        pairs.setdefault(name, _sub(loose, name))
    changed = sorted((k for k, v in pairs.items() if k != v), key=len, reverse=True)
    return [(re.compile(re.escape(k)), pairs[k].replace("\\", "\\\\")) for k in changed]


def _base(path: str) -> str:
    pure = PureWindowsPath(path) if "\\" in path else PurePosixPath(path)
    return pure.name or path


def _names_in_files(machine: Machine) -> Secrets:
    """User and host names as parts of a file or model name: between any two characters that
    are not letters or digits (`alice-finetune`, `Alice_notes`), in any case."""
    pairs = []
    for name, replacement in _names(machine):
        pattern = rf"(?<![A-Za-z0-9]){re.escape(name)}(?![A-Za-z0-9])"
        pairs.append((re.compile(pattern, re.IGNORECASE), replacement))
    return pairs


def _names(machine: Machine) -> list[tuple[str, str]]:
    user = _user()
    names = {user, machine.hostname, socket.gethostname()}
    return [
        (name, "<user>" if name == user else "<host>")
        for name in sorted(n for n in names if n and len(n) >= _MIN_NAME)
    ]


def _secrets(machine: Machine) -> Secrets:
    """(pattern, replacement) pairs: the home folder first, then user and host names."""
    home = os.path.expanduser("~")
    pairs: Secrets = []
    if home and home not in ("/", "~"):
        pairs.append((re.compile(re.escape(home)), "~"))
    for name, replacement in _names(machine):
        pairs.append((re.compile(rf"(?<![\w.-]){re.escape(name)}(?![\w-])"), replacement))
    for value in (machine.host_id, *(v for g in machine.gpus for v in (g.uuid, g.serial))):
        if value:
            pairs.append((re.compile(re.escape(value)), "<redacted>"))
    return pairs


def _sub(pairs: Secrets, text: str) -> str:
    for pattern, replacement in pairs:
        text = pattern.sub(replacement, text)
    return text


def _user() -> str | None:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry, as in some containers
        return None


def _scrub(data: Any, secrets: Secrets) -> Any:
    if isinstance(data, str):
        return _sub(secrets, data)
    if isinstance(data, dict):
        return {key: _scrub(value, secrets) for key, value in data.items()}
    if isinstance(data, list):
        return [_scrub(value, secrets) for value in data]
    return data


def salt() -> str:
    """This installation's secret for anonymized machine ids: 32 random bytes in hex, made on
    first use and kept (mode 0600) in the user data dir. Where it cannot be kept, a new one
    for this run, with a warning: the report is still anonymous, its id just won't repeat."""
    from advisor.paths import user_data_dir

    path = user_data_dir() / SALT_FILE
    try:
        kept = _read_salt(path)
        return kept if kept is not None else _new_salt(path)
    except OSError as exc:
        import secrets

        from advisor.console import warning

        warning(
            f"could not keep the anonymization salt in {path} ({exc.strerror or exc}): this "
            "report's machine id will not match the next report's"
        )
        return secrets.token_hex(32)


def _read_salt(path: Path) -> str | None:
    try:
        text = path.read_text(encoding="ascii", errors="replace").strip()
    except FileNotFoundError:
        return None
    return text if _SALT.fullmatch(text) else None  # damaged: a new one replaces it


def _new_salt(path: Path) -> str:
    """Create the salt file whole; when two runs race, the first one's salt is kept."""
    import secrets
    import tempfile

    value = secrets.token_hex(32)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{SALT_FILE}.", dir=path.parent)  # mode 0600
    try:
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(value + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        if path.exists():
            os.replace(tmp, path)  # a damaged salt: replaced
            return value
        try:
            os.link(tmp, path)  # fails if another run made it meanwhile
        except FileExistsError:
            return _read_salt(path) or value
        except OSError:  # a file system without hard links
            os.replace(tmp, path)
        return value
    finally:
        Path(tmp).unlink(missing_ok=True)
