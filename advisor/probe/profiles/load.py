"""Hardware profiles: load a YAML or JSON machine description, by name or path, with errors
that name the file, the line and the key.

A profile read before comes from the user cache (advisor.files.disk_cache) while neither it nor
the spec table changed, so loading it imports neither PyYAML nor pydantic.
"""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import TYPE_CHECKING, Any

from advisor.errors import NotFoundError, ProfileError
from advisor.paths import profiles_dir as shipped_profiles_dir
from advisor.probe.machine import Machine
from advisor.probe.specs.table import TABLE_PATH

if TYPE_CHECKING:
    from advisor.probe.profiles.schema import ProfileEntry

SUFFIXES = (".yaml", ".yml", ".json")
# The modules whose code turns a profile file (and the spec table) into a Machine.
CODE = (
    "advisor.probe.machine",
    "advisor.probe.profiles.schema",
    "advisor.probe.profiles.build",
    "advisor.probe.specs.table",
    "advisor.probe.gpu.unified",
    "advisor.probe.unknowns",
    "advisor.probe.profiles.serialize",
    "advisor.probe.profiles.load",
    "advisor.files.docload",
    "advisor.frozen",
)


def _directory(profiles_dir: str | Path | None) -> Path:
    return Path(profiles_dir) if profiles_dir is not None else shipped_profiles_dir()


def list_profiles(profiles_dir: str | Path | None = None) -> list[str]:
    """Names (file stems) of the profiles in `profiles_dir` (default: the shipped ones)."""
    directory = _directory(profiles_dir)
    if not directory.is_dir():
        return []
    return sorted(p.stem for p in directory.iterdir() if p.suffix in SUFFIXES and p.is_file())


def find_profile(name_or_path: str | Path, profiles_dir: str | Path | None = None) -> Path:
    """The file a `--profile` argument means: an existing path, else a name in profiles_dir."""
    candidate = Path(name_or_path).expanduser()
    if candidate.is_file() or (candidate.exists() and not candidate.is_dir()):
        return candidate  # a FIFO or a device too: its reader says it is not a file
    directory = _directory(profiles_dir)
    for suffix in ("", *SUFFIXES):
        path = directory / f"{name_or_path}{suffix}"
        if path.is_file() and path.suffix in SUFFIXES:
            return path
    names = list_profiles(directory)
    close = difflib.get_close_matches(str(name_or_path), names, n=3, cutoff=0.5)
    hint = f"did you mean {', '.join(close)}?" if close else f"known profiles: {', '.join(names)}"
    raise NotFoundError(
        f"no profile named {str(name_or_path)!r} (looked for a file, then in {directory})",
        hint=hint + "; `advisor probe --json > my.json` writes one for this machine",
    )


def _compose(text: str, path: Path):
    """The YAML node tree (line numbers live on the nodes); JSON parses as YAML too."""
    import yaml

    try:
        return yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc)
        raise ProfileError(f"not valid YAML/JSON: {problem}", path=path, line=line) from exc


def _lines(node, prefix: tuple = ()) -> dict[tuple, int]:
    """Map each key path (('gpus', 0, 'vram_gb')) to the line it starts on."""
    import yaml

    found: dict[tuple, int] = {prefix: node.start_mark.line + 1}
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            here = (*prefix, key_node.value)
            found.update(_lines(value_node, here))
            found[here] = key_node.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            found.update(_lines(item, (*prefix, i)))
    return found


def _parse(path: Path) -> tuple[Any, dict[tuple, int]]:
    """The profile's data (read through advisor.files.docload's limits) and each key path's line."""
    from advisor.files.docload import DocumentError, SyntaxProblem, is_json, parse, read_text
    from advisor.files.yamlpos import key_path

    text = read_text(path, lambda message: ProfileError(message, path=path), what="profile")
    syntax = "JSON" if is_json(path) else "YAML"
    try:
        data = parse(text, as_json=is_json(path))
    except SyntaxProblem as exc:
        raise ProfileError(f"not valid {syntax}: {exc.problem}", path=path, line=exc.line) from None
    except DocumentError as exc:
        key = key_path(exc.loc) or None
        raise ProfileError(exc.message, path=path, line=exc.line, key=key) from None
    if data is None:
        raise ProfileError(
            "the profile is empty", path=path, hint="a profile needs at least `name:`"
        )
    node = _compose(text, path)  # safe now: no aliases, bounded depth
    return data, _lines(node) if node is not None else {}


def _unknown_key_hint(loc: tuple) -> str | None:
    from advisor.probe.profiles.schema import ALL_KEYS

    section = "gpus" if "gpus" in loc else ("cpu" if "cpu" in loc else "")
    close = difflib.get_close_matches(str(loc[-1]), ALL_KEYS[section], n=1, cutoff=0.6)
    if close:
        return f"did you mean {close[0]!r}?"
    return f"allowed keys here: {', '.join(ALL_KEYS[section])}"


def entry_from_data(data: Any, path: Path, lines: dict[tuple, int]) -> ProfileEntry:
    from pydantic import ValidationError

    from advisor.probe.profiles.schema import ProfileEntry
    from advisor.probe.profiles.serialize import validation_message

    if not isinstance(data, dict):
        raise ProfileError(
            "a profile must be a mapping (name: ..., ram_gb: ..., gpus: [...])", path=path, line=1
        )
    try:
        return ProfileEntry.model_validate(data)
    except ValidationError as exc:
        key, message, loc = validation_message(exc)
        line = None
        for cut in range(len(loc), -1, -1):
            line = lines.get(loc[:cut])
            if line is not None:
                break
        kind = exc.errors()[0]["type"]
        hint = _unknown_key_hint(loc) if kind == "extra_forbidden" else None
        if kind == "extra_forbidden":
            message = "unknown key"
        raise ProfileError(message, path=path, line=line, key=key, hint=hint) from exc


def load_profile(name_or_path: str | Path, profiles_dir: str | Path | None = None) -> Machine:
    """The Machine a profile describes; figures it leaves out come from the spec table by name,
    else stay None with a reason. Raises NotFoundError or ProfileError (file, line, key)."""
    from advisor.files.disk_cache import cached

    path = find_profile(name_or_path, profiles_dir)
    label = path.stem if path.parent == _directory(profiles_dir) else str(path)
    origin = f"profile:{label}"
    # Figures the profile leaves out come from the spec table: it is an input too.
    return cached(
        "profile", [path, TABLE_PATH], lambda: _read(path, origin), code=CODE, params=origin
    )


def _read(path: Path, origin: str) -> Machine:
    from advisor.probe.profiles.build import entry_to_machine

    data, lines = _parse(path)
    entry = entry_from_data(data, path, lines)
    return entry_to_machine(entry, origin=origin, lookup=True)
