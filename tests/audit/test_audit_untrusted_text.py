"""Text from reports and file names is data: never read as Rich markup, and its control
characters (ESC, OSC, BEL, C1, bidirectional overrides) never reach the terminal."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path, PurePath

import pytest
from audit_kit import as_machine, whole_json, write

from advisor.audit.audit import AuditSettings, run_audit
from advisor.audit.render.json_doc import render_json
from advisor.audit.render.table import render_table
from advisor.cli import main
from advisor.commands.audit import FORMATS
from advisor.console import Printable
from advisor.errors import ExitCode

# Clears the screen, sets the title, writes the clipboard (OSC 52), a one-byte CSI, a
# carriage return that hides what came before, and a right-to-left override.
ESCAPES = "\x1b[2J\x1b]0;pwned\x07\x1b]52;c;aGk=\x07\x9b31m\rfake\u202e"
MARKUP = "[/] [link=https://evil.example]click[/link] [bold red]"
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _hostile(doc: dict, number: int) -> dict:
    doc = copy.deepcopy(as_machine(doc, number))
    machine = doc["machine"]
    machine["name"] = f"host {MARKUP} {ESCAPES}"
    machine["cpu"]["name"] = f"AMD {MARKUP} Ryzen {ESCAPES}"
    machine["gpus"][0]["name"] = f"NVIDIA GeForce RTX 4090 {MARKUP}{ESCAPES}"
    workload = doc["inputs"]["workloads"][0]
    workload["name"] = "chat [/]"  # a row of its own
    workload["title"] = f"Chat {MARKUP} assistant {ESCAPES}"
    return doc


@pytest.fixture(scope="module")
def folder(tmp_path_factory, docs) -> Path:
    folder = tmp_path_factory.mktemp("hostile")
    write(folder, f"host{ESCAPES.replace('/', '')}.json", _hostile(docs["rtx-4090-desktop"], 1))
    write(folder, "plain.json", as_machine(docs["office-laptop-8gb"], 2))
    write(folder, f"cut{ESCAPES.replace('/', '')}.json", "{")
    return folder


@pytest.fixture(scope="module")
def audit(folder, catalog):
    return run_audit([str(folder)], catalog, AuditSettings(jobs=1, upgrades=False))


def test_the_table_shows_markup_as_text(audit) -> None:
    text = render_table(audit, width=400)
    assert "AMD [/] [link=https://evil.example]click[/link] [bold red] Ryzen" in text
    assert "Chat [/] [link=https://evil.example]click[/link]" in text


def test_a_coloured_table_has_no_hyperlink_and_only_its_own_colours(audit) -> None:
    text = render_table(audit, width=400, color=True)
    assert "\x1b]8;" not in text  # OSC 8: a live hyperlink
    sequences = re.findall("\x1b[^a-zA-Z]*[a-zA-Z]?", text)
    assert sequences and all(re.fullmatch("\x1b\\[[0-9;]*m", s) for s in sequences)
    assert not CONTROL.search(re.sub("\x1b\\[[0-9;]*m", "", text))


@pytest.mark.parametrize("fmt", FORMATS)
def test_no_format_prints_a_control_character(capsys, folder, fmt) -> None:
    code = main(["audit", "--jobs", "1", "--no-upgrades", "--format", fmt, str(folder)])
    out, err = capsys.readouterr()
    assert code == ExitCode.PARTIAL  # the cut report
    assert not CONTROL.search(out.replace("\n", "").replace("\t", ""))
    assert not CONTROL.search(err.replace("\n", ""))
    assert "warning: skipped " in err and "cut[2J]0;pwned]52;c;aGk=31mfake.json" in err
    if fmt == "json":
        names = [m["name"] for m in json.loads(out)["machines"]]
        assert "host [/] [link=https://evil.example]click[/link] [bold red] " in names[0]


def test_hostile_text_is_cleaned_as_the_whole_document_was(audit) -> None:
    text = render_json(audit)
    assert text == whole_json(audit)
    assert type(text) is Printable and not CONTROL.search(text.replace("\n", ""))
    assert "\x1b" not in text and "\u202e" not in text and "\x9b" not in text


def test_the_written_file_holds_no_control_character(tmp_path, folder) -> None:
    out = tmp_path / "audit.json"
    code = main(["audit", "--jobs", "1", "--no-upgrades", "--format", "json", "-o", str(out),
                 str(folder)])  # fmt: skip
    assert code == ExitCode.PARTIAL  # the cut report
    text = out.read_text(encoding="utf-8")
    assert not CONTROL.search(text.replace("\n", ""))
    assert "/host\\u001b[2J\\u001b]0;pwned\\u0007" in text  # JSON's own escapes
    # the characters JSON writes as they are (C1, bidi) are taken out
    reports = [PurePath(m["report"]).name for m in json.loads(text)["machines"]]
    clean = ESCAPES.replace("/", "").replace("\x9b", "").replace("\u202e", "")
    assert f"host{clean}.json" in reports


async def test_the_audit_view_shows_markup_as_text(audit) -> None:
    from textual.widgets import DataTable, Static

    from advisor.tui.audit.app import make_audit_app

    app = make_audit_app(audit)
    async with app.run_test(size=(160, 40)) as pilot:
        await pilot.press("4")  # machines
        await pilot.pause()
        table = app.query_one("#machine-table", DataTable)
        table.move_cursor(row=0)
        await pilot.pause()
        cells = [str(c) for c in table.get_row_at(0)]
        assert any("[/] [link=https://evil.example]" in c for c in cells)
        assert not any(CONTROL.search(c) for c in cells)
        detail = app.query_one("#machine-detail", Static)
        await pilot.press("1", "2", "3", "5", "6")  # every tab draws
        await pilot.pause()
        assert detail is not None
