"""A report's inputs section parsed once for every report that holds the same bytes.

Reports of one fleet mostly carry the same workloads and prices: the inputs section is about
12 KB of a report's 18 KB head (the part an audit reads), the same bytes in thousands of files.
`split_parse` parses the head with that section cut out and put back from the reader's memo.
It answers only when the result is certain to equal parsing the head whole; anything else
(another layout, a damaged section or head) returns None, and the whole head is parsed as
before, so every message stays the one the whole parse gives.

Why the cut is exact: in the layout advisor writes (indent 2), `\\n  "inputs": ` can only be an
object key (JSON strings hold no raw newline), and the value runs to the `,` before
`\\n  "measurements": `. When that span parses alone as one JSON value (as the one item of a
list, so at the nesting depth it has in the head: the parser's depth limit), and the head with
the span replaced by a placeholder parses too with the placeholder as the top-level "inputs",
the head parses whole to the same document with the span's value there: replacing one complete
value by another changes nothing else. The placeholder is a string no report can guess (a new
random one per process), checked not to occur in the head.
"""

from __future__ import annotations

import secrets
from typing import Any

from pydantic_core import from_json

from advisor.audit.keys import digest

_KEY = b'\n  "inputs": '
_NEXT = b'\n  "measurements": '
_TOKEN = "\\u0000" + secrets.token_hex(16)  # escaped in JSON; parsed, it starts with NUL
_PLACEHOLDER = f'"{_TOKEN}"'.encode()
_PARSED_PLACEHOLDER = "\x00" + _TOKEN.removeprefix("\\u0000")
# A reader keeps up to this many bytes of distinct sections (a fleet of all-different inputs
# is parsed whole, report by report, once the memo is full).
MEMO_BYTES = 64 << 20


class Shared:
    """What one reader keeps from report to report: the configurations it has seen, one
    Workload object per distinct workload (shared, they pickle once), each distinct inputs
    section's bytes with its parsed value and digest, and the envelopes found valid."""

    def __init__(self) -> None:
        self.seen: set[bytes] = set()
        self.workloads: dict[bytes, Any] = {}
        self.sections: dict[bytes, tuple[Any, bytes]] = {}
        self.section_bytes = 0
        self.envelopes: set[tuple] = set()
        # The last section met and what it parsed to: most reports of a run carry the one
        # before them, and comparing 14 KB costs a fraction of hashing them for the memo.
        self.last: tuple[bytes, tuple[Any, bytes]] | None = None


def split_parse(head: bytes, shared: Shared) -> tuple[dict[str, Any], bytes] | None:
    """The head parsed, with its inputs section from the memo, and the section's digest; None
    unless that is certain to be what parsing `head` whole gives."""
    start = head.find(_KEY)
    if start < 0:
        return None
    start += len(_KEY)
    end = head.find(_NEXT, start)
    if end < 0:
        return None
    span = head[start:end].rstrip()
    if not span.endswith(b","):
        return None
    span = span[:-1]
    last = shared.last
    if last is not None and span == last[0]:
        known = last[1]
    else:
        known = shared.sections.get(span)
        if known is None:
            known = _parse_section(span, shared)
            if known is None:
                return None
        shared.last = (span, known)
    if _PLACEHOLDER in head:
        return None
    try:
        doc = from_json(head[:start] + _PLACEHOLDER + head[start + len(span) :],
                        allow_inf_nan=False)  # fmt: skip
    except ValueError:
        return None
    if not isinstance(doc, dict) or doc.get("inputs") != _PARSED_PLACEHOLDER:
        return None
    doc["inputs"] = known[0]
    return doc, known[1]


def _parse_section(span: bytes, shared: Shared) -> tuple[Any, bytes] | None:
    # Parsed as the one item of a list: at the depth it has in the head (a top-level key's
    # value), so the parser's nesting limit refuses it exactly where the whole parse does.
    try:
        items = from_json(b"[" + span + b"]", allow_inf_nan=False)
    except ValueError:
        return None
    if len(items) != 1:  # `1, 2`: not one value
        return None
    value = items[0]
    known = (value, digest(value))
    if shared.section_bytes + len(span) <= MEMO_BYTES:
        shared.sections[span] = known
        shared.section_bytes += len(span)
    return known
