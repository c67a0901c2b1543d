"""Where a key sits in a YAML file: the line of a key path, and the path as people write it.

The catalog and the user's input files (workloads, the config file) point at the key at fault
with these. Composing a document for its line numbers costs as much as parsing it again, so
they are meant for the error path, once something is already wrong.

PyYAML is imported on first use: `key_path` (error messages) and a run that answers from the
user cache (advisor.files.disk_cache) need none of it.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import yaml

KeyPath = Sequence[str | int]  # mapping keys and list indexes, outermost first


def key_path(loc: KeyPath) -> str:
    """('models', 17, 'quants', 2, 'size_bytes') -> 'models[17].quants[2].size_bytes'."""
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


def yaml_loader() -> type:
    """libyaml's safe loader where PyYAML was built with it (10x faster), else the pure-Python
    one. Imports PyYAML."""
    import yaml

    return getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def compose(text: str) -> yaml.Node | None:
    """The node tree of a YAML document (None for an empty one); raises yaml.YAMLError."""
    import yaml

    return yaml.compose(text, Loader=yaml_loader())


def line_in(root: yaml.Node | None, loc: KeyPath) -> int | None:
    """The 1-based line of the value at `loc` in a composed document.

    A mapping entry answers with its key's line, a list item with the item's; a key that is
    not there resolves to its parent's line.
    """
    if root is None:
        return None
    node, line = root, root.start_mark.line + 1
    for part in loc:
        child = _child(node, part)
        if child is None:
            break
        node, line = child
    return line


def _child(node: yaml.Node, part: str | int) -> tuple[yaml.Node, int] | None:
    """(the node to descend into, the line to point at) for one step of a key path."""
    import yaml

    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if key.value == str(part):
                return value, key.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
        item = node.value[part]
        return item, item.start_mark.line + 1
    return None


def line_in_text(text: str, loc: KeyPath) -> int | None:
    """line_in for YAML text; None when the text does not parse."""
    import yaml

    try:
        return line_in(compose(text), loc)
    except yaml.YAMLError:
        return None


def line_in_file(path: Path, loc: KeyPath) -> int | None:
    """line_in for a YAML file; None when it cannot be read or does not parse."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    return line_in_text(text, loc)


def error_line(exc: yaml.YAMLError) -> int | None:
    """The 1-based line a YAML syntax error points at, if it points at one."""
    mark = getattr(exc, "problem_mark", None)
    return mark.line + 1 if mark is not None else None
