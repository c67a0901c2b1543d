"""The audit's JSON (and CSV) is written piece by piece (each configuration's outcomes once, each
untrusted string cleaned once): it must be, byte for byte, the whole document serialized and
cleaned at once, hostile text included (tests/audit/test_audit_untrusted_text.py)."""

from __future__ import annotations

import dataclasses
from pathlib import PurePath

import pytest
from audit_kit import whole_json
from pydantic_core import to_json
from test_audit_untrusted_text import ESCAPES

from advisor.audit.fleet import file_name, model_rows, workload_rows
from advisor.audit.render import json_doc
from advisor.audit.render.csv_rows import render_csv
from advisor.audit.render.json_doc import _string, render_json
from advisor.audit.render.markdown import machine_rows, render_markdown
from advisor.console import Printable, printable


def test_the_pieces_make_the_whole_document(fleet_audit) -> None:
    assert render_json(fleet_audit) == whole_json(fleet_audit)


@pytest.mark.parametrize("per_piece", [1, 2, 3, 256])
def test_the_document_in_pieces_of_any_size_is_the_whole(fleet_audit, monkeypatch,
                                                         per_piece) -> None:  # fmt: skip
    """`-o audit.json` writes json_pieces' pieces as they are made: each clean, together the
    whole document, a configuration's shared text written wherever its next machine falls."""
    monkeypatch.setattr(json_doc, "MACHINES_PER_PIECE", per_piece)
    for audit in (fleet_audit, _apart(fleet_audit), dataclasses.replace(fleet_audit, machines=())):
        pieces = list(json_doc.json_pieces(audit))
        assert all(type(p) is Printable for p in pieces)
        assert len(pieces) == 1 + max(1, -(-len(audit.machines) // per_piece))
        assert "".join(pieces) == whole_json(audit)


def _apart(audit):
    """`audit` with rows that share no hardware, cost or outcome object (as a caller other
    than run_audit may build them)."""
    machines = tuple(
        dataclasses.replace(
            m,
            hardware=dataclasses.replace(m.hardware),
            cost=dataclasses.replace(m.cost),
            outcomes=tuple(dataclasses.replace(o) for o in m.outcomes),
        )
        for m in audit.machines
    )
    return dataclasses.replace(audit, machines=machines)


def test_rows_that_share_nothing_and_no_rows_at_all(fleet_audit) -> None:
    shared = {id(m.outcomes) for m in fleet_audit.machines}
    assert len(shared) < len(fleet_audit.machines)  # run_audit's rows share their outcomes
    for audit in (_apart(fleet_audit), dataclasses.replace(fleet_audit, machines=())):
        assert render_json(audit) == whole_json(audit)


def test_the_summary_counts_a_configuration_once_per_row(fleet_audit) -> None:
    """workload_rows and model_rows sum each configuration's outcomes once, times its rows:
    the same rows, counts, medians and order as rows that share nothing, summed one by one."""
    apart = _apart(fleet_audit)
    titles = {w.name: w.title for w in fleet_audit.workloads}
    shared = workload_rows(fleet_audit.machines, titles), model_rows(fleet_audit.machines)
    assert shared == (workload_rows(apart.machines, titles), model_rows(apart.machines))
    assert shared == (fleet_audit.workloads, fleet_audit.models)
    assert any(len(m.machine_ids) > 1 for m in fleet_audit.models)


def test_csv_rows_read_the_same_shared_or_apart(fleet_audit) -> None:
    assert render_csv(fleet_audit) == render_csv(_apart(fleet_audit))


def test_printable_leaves_a_cleaned_document_as_it_is() -> None:
    clean = Printable("a table \x1b[1mbold\x1b[0m")  # only a maker's own styles in it
    assert printable(clean) is clean and printable(clean, keep_styles=True) is clean
    assert printable("host " + ESCAPES) == "host [2J]0;pwned]52;c;aGk=31mfake"


@pytest.mark.parametrize(
    "origin",
    ["a.json", "fleet/a.json", "/abs/fleet/a.jsonl:12", "<stdin>:3", "a/.", "a/b/", "a//b",
     "/", ".", "..", "a/..", "", "fleet/./x.json", "./a.json", "//", "a/./", "a\\b.json",
     f"fleet/host{ESCAPES.replace('/', '')}.json"],
)  # fmt: skip
def test_a_host_label_is_the_file_name_a_path_gives(origin) -> None:
    assert file_name(origin) == PurePath(origin).name


def test_machine_rows_read_the_same_shared_apart_or_cut(fleet_audit) -> None:
    rows = machine_rows(fleet_audit)
    assert len(rows) == len(fleet_audit.machines) + 1
    assert rows == machine_rows(_apart(fleet_audit))
    assert machine_rows(fleet_audit, 2) == rows[:3]
    assert render_markdown(fleet_audit) == render_markdown(_apart(fleet_audit))


@pytest.mark.parametrize(
    "value",
    [None, "", "host-1.json", "".join(map(chr, range(32, 127))), 'a "quoted" name',
     "C:\\fleet\\a.json", "a\x7fb", "caf\u00e9", "a\u202eb", "tab\there", ESCAPES],
)  # fmt: skip
def test_a_string_is_written_as_the_serializer_writes_it(value) -> None:
    assert _string(value) == printable(to_json(value).decode("utf-8"))
