"""Edits to a YAML document's text that keep every byte around them: the user's comments,
blank lines, key order and quoting stay as they were (`advisor catalog add` writes the overlay
this way, never by dumping the whole document again).

Positions come from PyYAML's composed nodes (start and end marks). An entry is added after the
last line of its section, at the indentation of the entries already there; an entry that is
replaced is cut out line by line. A flow collection (`{...}`, `[...]`) that holds a comment
cannot be rewritten without losing it, so it is refused (EditRefused).
"""

from __future__ import annotations

from typing import Any

import yaml


class EditRefused(Exception):
    """The edit would lose text the user wrote; the message says where."""


def _compose(text: str) -> yaml.Node | None:
    return yaml.compose(text, Loader=yaml.SafeLoader)


def _dump(value: Any, indent: int) -> str:
    """`value` as block YAML, every line indented by `indent` spaces, no final newline."""
    text = yaml.safe_dump(value, sort_keys=False, allow_unicode=True, width=100)
    lines = text.rstrip("\n").split("\n")
    return "\n".join(" " * indent + line if line else line for line in lines)


def _item(mapping: yaml.MappingNode, key: str) -> tuple[yaml.Node, yaml.Node] | None:
    return next(((k, v) for k, v in mapping.value if getattr(k, "value", None) == key), None)


def _after(text: str, node: yaml.Node) -> int:
    """The end of the last line `node` writes on (after a comment on that line): where an
    entry that follows it goes."""
    while isinstance(node, yaml.CollectionNode) and not node.flow_style and node.value:
        last = node.value[-1]
        node = last[1] if isinstance(last, tuple) else last
    end = node.end_mark.index
    if end > 0 and text[end - 1] == "\n":  # a block scalar ends after its newline
        return end - 1
    newline = text.find("\n", end)
    return len(text) if newline < 0 else newline


def _line_start(text: str, index: int) -> int:
    return text.rfind("\n", 0, index) + 1


def _cut(text: str, start_node: yaml.Node, node: yaml.Node) -> tuple[int, int]:
    """The span of whole lines from `start_node`'s line to `node`'s last line, its newline
    included."""
    start = _line_start(text, start_node.start_mark.index)
    end = _after(text, node)
    return start, min(end + 1, len(text))


def _dash_column(text: str, item: yaml.Node) -> int:
    """The column of the `-` that opens a block sequence's item."""
    line = text[_line_start(text, item.start_mark.index) : item.start_mark.index]
    return line.rindex("-")


def _flat(text: str, node: yaml.Node, where: str) -> None:
    """Refuse to rewrite a flow collection that holds a comment."""
    if "#" in text[node.start_mark.index : node.end_mark.index]:
        raise EditRefused(
            f"{where} is written inline ({{...}} or [...]) with a comment in it; write it as a "
            "block (one entry a line) so advisor can add to it without losing the comment"
        )


def _append_to_section(text: str, section: str, key: Any, entry: Any, whole: Any) -> str:
    """`entry` (a mapping's value under `key`, or a sequence item when `key` is None) added to
    the top-level `section`; `whole` is the section's full new value, for a section written
    inline or empty."""
    root = _compose(text)
    new = {key: entry} if key is not None else [entry]
    if not isinstance(root, yaml.MappingNode):  # empty, or only comments
        return text + ("" if not text or text.endswith("\n") else "\n") + _dump({section: new}, 0)
    found = _item(root, section)
    if found is None:
        body = _dump({section: new}, 0)
        return text + ("" if text.endswith("\n") else "\n") + body + "\n"
    name, value = found
    if isinstance(value, yaml.CollectionNode) and not value.flow_style and value.value:
        if key is not None:
            column = value.value[0][0].start_mark.column
        else:
            column = _dash_column(text, value.value[0])
        at = _after(text, value)
        return text[:at] + "\n" + _dump(new, column) + text[at:]
    if isinstance(value, yaml.CollectionNode):  # inline: [...] or {...}
        _flat(text, value, section)
        start, end = value.start_mark.index, value.end_mark.index
        text = text[:start].rstrip(" ") + text[end:]
    at = _after(text, name)  # after `section:` (and a comment on its line)
    return text[:at] + "\n" + _dump(whole, 2) + text[at:]


def set_mapping_entry(text: str, section: str, key: str, entry: Any, whole: Any) -> str:
    """`key: entry` in the top-level mapping `section`, after its other entries; an entry
    with that key already there is cut out first."""
    root = _compose(text)
    found = _item(root, section) if isinstance(root, yaml.MappingNode) else None
    if found is not None and isinstance(found[1], yaml.MappingNode):
        old = _item(found[1], key)
        if old is not None:
            if found[1].flow_style:
                _flat(text, found[1], section)
            else:
                start, end = _cut(text, old[0], old[1])
                text = text[:start] + text[end:]
    return _append_to_section(text, section, key, entry, whole)


def append_sequence_item(text: str, section: str, item: Any, whole: Any) -> str:
    """`item` added at the end of the top-level sequence `section`."""
    return _append_to_section(text, section, None, item, whole)


def replace_in_item(
    text: str, section: str, index: int, field: str, drop: set[int], add: list[Any]
) -> str:
    """In the `index`th item of the top-level sequence `section`, the sequence `field`: the
    items at positions `drop` cut out and `add` appended after the rest."""
    root = _compose(text)
    assert isinstance(root, yaml.MappingNode)
    found = _item(root, section)
    assert found is not None and isinstance(found[1], yaml.SequenceNode)
    owner = found[1].value[index]
    if not isinstance(owner, yaml.MappingNode) or owner.flow_style:
        raise EditRefused(f"{section}[{index}] is written inline; write it as a block")
    entry = _item(owner, field)
    items = entry[1] if entry is not None else None
    if not isinstance(items, yaml.SequenceNode) or items.flow_style or not items.value:
        raise EditRefused(
            f"{section}[{index}].{field} is not a block list; write it one entry a line"
        )
    column = _dash_column(text, items.value[0])
    at = _after(text, items)
    text = text[:at] + "\n" + _dump(add, column) + text[at:]  # after every span cut below
    for position in sorted(drop, reverse=True):
        start, end = _cut(text, items.value[position], items.value[position])
        text = text[:start] + text[end:]
    return text
