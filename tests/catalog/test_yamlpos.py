"""advisor.files.yamlpos: the line of a key path in a YAML file, and the path as people write it."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from advisor.files.yamlpos import compose, error_line, key_path, line_in, line_in_file, line_in_text

DOC = """\
# a comment
models:
  - id: tiny
    quants:
      - type: Q4_K_M
        size_bytes: 12
      - {type: Q8_0, size_bytes: 20}
  - id: big
cloud:
  electricity: []
"""


@pytest.mark.parametrize(
    ("loc", "text"),
    [
        (("models", 0, "quants", 1, "size_bytes"), "models[0].quants[1].size_bytes"),
        (("cloud",), "cloud"),
        ((), ""),
        ((3,), "[3]"),
    ],
)
def test_key_path(loc: tuple, text: str) -> None:
    assert key_path(loc) == text


@pytest.mark.parametrize(
    ("loc", "line"),
    [
        (("models",), 2),  # a mapping entry: its key's line
        (("models", 1), 8),  # a list item: the item's line
        (("models", 0, "quants", 0, "size_bytes"), 6),
        (("models", 0, "quants", 1, "size_bytes"), 7),  # flow style: same line as the item
        (("models", 0, "license"), 3),  # missing: the parent's line
        (("models", 5, "id"), 2),  # index past the end: the list's line
        (("cloud", "electricity"), 10),
        ((), 2),  # the document's first node
    ],
)
def test_line_in(loc: tuple, line: int) -> None:
    assert line_in(compose(DOC), loc) == line
    assert line_in_text(DOC, loc) == line


def test_nothing_to_point_at() -> None:
    assert line_in(compose(""), ("models",)) is None
    assert line_in_text("models: [unclosed", ("models",)) is None


def test_line_in_file(tmp_path: Path) -> None:
    path = tmp_path / "doc.yaml"
    path.write_text(DOC, encoding="utf-8")
    assert line_in_file(path, ("cloud", "electricity")) == 10
    assert line_in_file(tmp_path / "absent.yaml", ("cloud",)) is None
    path.write_bytes(b"\xff\xfe bad")
    assert line_in_file(path, ("cloud",)) is None


def test_error_line() -> None:
    with pytest.raises(yaml.YAMLError) as caught:
        compose("a: 1\nb: [2\nc: 3\n")
    assert error_line(caught.value) == 3  # where the parser stopped: `c: 3` cannot be an item
    assert error_line(yaml.YAMLError("no mark")) is None
