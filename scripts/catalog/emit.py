"""YAML text for the catalog: block style for structure, one flow-style line per quant."""

from __future__ import annotations

from typing import Any

import yaml


class _Dumper(yaml.SafeDumper):
    """Indents list items under their key, the way the hand-written catalog does."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


def _flow_leaves(node: Any) -> Any:
    """Mark mappings and lists of scalars to be written on one line."""
    if isinstance(node, dict):
        out = {k: _flow_leaves(v) for k, v in node.items()}
        return _Flow(out) if all(_scalar(v) for v in node.values()) else out
    if isinstance(node, list):
        out = [_flow_leaves(v) for v in node]
        return _FlowList(out) if all(_scalar(v) for v in node) else out
    return node


def _scalar(value: Any) -> bool:
    return not isinstance(value, (dict, list))


class _Flow(dict):
    pass


class _FlowList(list):
    pass


def _represent_flow(dumper: yaml.SafeDumper, data: dict) -> yaml.Node:
    return dumper.represent_mapping("tag:yaml.org,2002:map", data, flow_style=True)


def _represent_flow_list(dumper: yaml.SafeDumper, data: list) -> yaml.Node:
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=True)


_Dumper.add_representer(_Flow, _represent_flow)
_Dumper.add_representer(_FlowList, _represent_flow_list)


def dump(catalog: dict[str, Any]) -> str:
    """The catalog as YAML text; the same input always gives the same text."""
    marked = _flow_leaves(catalog)
    marked["sources"] = {k: dict(v) for k, v in marked["sources"].items()}  # block: readable
    return yaml.dump(
        marked,
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        width=100,
        default_flow_style=False,
    )
