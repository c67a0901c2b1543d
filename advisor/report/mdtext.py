"""Untrusted text (names from profiles, GGUF headers, workload files) made safe for markdown."""

from __future__ import annotations

import re

from advisor.console import printable

# Markdown renders inline HTML (<script>, <img onerror=...>) and turns [text](javascript:...)
# into a link: report text gets its brackets and HTML characters escaped, so it reads as text.
_MARKDOWN_ACTIVE = re.compile(r"([\\\[\]<>&])")
_ENTITIES = {"<": "&lt;", ">": "&gt;", "&": "&amp;"}


def md(text: str) -> str:
    """Untrusted text as markdown that shows it literally: no HTML, no link."""
    return _MARKDOWN_ACTIVE.sub(
        lambda m: _ENTITIES.get(m.group(1)) or "\\" + m.group(1), printable(text)
    )
