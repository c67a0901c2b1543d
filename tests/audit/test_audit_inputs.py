"""Where reports come from (files, folders, globs, JSON lines, stdin) and every kind of bad
report: each is listed with its reason and skipped, and the audit runs on the rest."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from audit_kit import as_machine, write

from advisor.audit.audit import AuditSettings, run_audit
from advisor.audit.sources import RawReport, Skipped, gather
from advisor.errors import ReportError, UsageError

QUICK = AuditSettings(upgrades=False, jobs=1)


def _origins(items) -> list[str]:
    return [Path(i.origin).name for i in items]


def test_files_folders_and_globs(tmp_path, docs) -> None:
    doc = docs["rtx-4090-desktop"]
    write(tmp_path / "a", "one.json", as_machine(doc, 1))
    write(tmp_path / "a" / "deeper", "two.json", as_machine(doc, 2))
    write(tmp_path / "a", ".three.json.tmp", "partial")  # an atomic write in progress
    write(tmp_path / "a", "notes.txt", "not a report")
    write(tmp_path / "b", "four.json", as_machine(doc, 4))
    items = list(gather([str(tmp_path / "a"), str(tmp_path / "b" / "*.json")]))
    assert all(isinstance(i, RawReport) for i in items)
    assert _origins(items) == ["two.json", "one.json", "four.json"]


def test_a_file_named_twice_is_read_once(tmp_path, docs) -> None:
    path = write(tmp_path, "one.json", as_machine(docs["rtx-4090-desktop"], 1))
    items = list(gather([str(path), str(tmp_path), str(tmp_path / "*.json")]))
    assert _origins(items) == ["one.json"]


def test_nothing_found_is_said_per_argument(tmp_path) -> None:
    (tmp_path / "empty").mkdir()
    items = list(
        gather(
            [str(tmp_path / "missing.json"), str(tmp_path / "*.nothing"), str(tmp_path / "empty")]
        )
    )
    assert [type(i) for i in items] == [Skipped] * 3
    reasons = [i.reason for i in items]
    assert reasons == [
        "no such file or folder",
        "no file matches this pattern",
        "the folder holds no .json or .jsonl report files",
    ]


def test_json_lines_from_stdin_and_from_a_file(tmp_path, docs) -> None:
    doc = docs["office-laptop-8gb"]
    lines = "\n".join(json.dumps(as_machine(doc, n)) for n in (1, 2)) + "\n\n"
    write(tmp_path, "fleet.jsonl", lines)
    stdin = io.BytesIO(lines.encode())
    items = list(gather(["-", str(tmp_path / "fleet.jsonl")], stdin))
    assert [i.origin for i in items] == [
        "<stdin>:1",
        "<stdin>:2",
        f"{tmp_path / 'fleet.jsonl'}:1",
        f"{tmp_path / 'fleet.jsonl'}:2",
    ]


def test_stdin_named_twice_is_a_usage_error() -> None:
    with pytest.raises(UsageError):
        list(gather(["-", "-"], io.BytesIO(b"")))


def _bad_reports(folder: Path, doc: dict) -> dict[str, str]:
    """File name -> the words its skip reason must contain."""
    text = json.dumps(as_machine(doc, 99), indent=2)
    newer = dict(as_machine(doc, 98), schema_version=99)
    broken = as_machine(doc, 97)
    broken["machine"]["ram_gb"] = "lots"
    no_time = as_machine(doc, 96, when="last tuesday")
    cases = {
        "truncated.json": (text[: len(text) // 2], "truncated"),
        "empty.json": ("", "empty"),
        "garbage.json": ("this is not json {", "not JSON"),
        "foreign.json": ({"kind": "something-else", "hello": 1}, "not an advisor report"),
        "list.json": ([1, 2, 3], "not an advisor report"),
        "newer.json": (newer, "schema version 99"),
        "broken-machine.json": (broken, "machine"),
        "bad-time.json": (no_time, "generated_at"),
    }
    for name, (content, _) in cases.items():
        write(folder, name, content)
    return {name: words for name, (_, words) in cases.items()}


def test_every_bad_report_is_skipped_with_its_reason(tmp_path, docs, catalog, monkeypatch) -> None:
    expected = _bad_reports(tmp_path, docs["office-laptop-8gb"])
    write(tmp_path, "good.json", as_machine(docs["office-laptop-8gb"], 1))
    unreadable = write(tmp_path, "unreadable.json", "{}")
    from advisor.files import regular as regular_files

    real = regular_files.read_regular

    def read_regular(path, *args, **kwargs) -> bytes:  # as root, chmod 000 still reads
        if Path(path) == unreadable:
            raise PermissionError(13, "Permission denied")
        return real(path, *args, **kwargs)

    monkeypatch.setattr(regular_files, "read_regular", read_regular)
    audit = run_audit([str(tmp_path)], catalog, QUICK)
    reasons = {Path(s.origin).name: s.reason for s in audit.skipped}
    assert set(reasons) == set(expected) | {"unreadable.json"}
    for name, words in expected.items():
        assert words in reasons[name], (name, reasons[name])
    assert reasons["unreadable.json"] == "unreadable: Permission denied"
    assert "upgrade advisor" in reasons["newer.json"]
    assert [Path(m.origin).name for m in audit.machines] == ["good.json"]


def test_the_newest_report_of_a_machine_wins(tmp_path, docs, catalog) -> None:
    small, large = docs["office-laptop-8gb"], docs["rtx-4090-desktop"]
    write(tmp_path, "a-new.json", as_machine(large, 7, when="2026-11-02T10:00:00Z"))
    write(tmp_path, "b-old.json", as_machine(small, 7, when="2026-10-01T10:00:00Z"))
    write(tmp_path, "c-other.json", as_machine(small, 8, when="2026-09-01T10:00:00Z"))
    audit = run_audit([str(tmp_path)], catalog, QUICK)
    kept = {m.machine_id: Path(m.origin).name for m in audit.machines}
    assert kept == {f"m-{7:020x}": "a-new.json", f"m-{8:020x}": "c-other.json"}
    [replaced] = audit.replaced
    assert (Path(replaced.origin).name, Path(replaced.newer).name) == ("b-old.json", "a-new.json")
    assert audit.reports_read == 3 and not audit.skipped


def test_on_a_tie_the_report_read_last_wins(tmp_path, docs, catalog) -> None:
    doc = docs["office-laptop-8gb"]
    for name in ("a.json", "b.json"):
        write(tmp_path, name, as_machine(doc, 3, when="2026-11-02T10:00:00Z"))
    audit = run_audit([str(tmp_path)], catalog, QUICK)
    assert [Path(m.origin).name for m in audit.machines] == ["b.json"]


def test_reports_of_one_configuration_are_judged_once(tmp_path, docs, catalog) -> None:
    for number in range(6):
        write(tmp_path, f"{number}.json", as_machine(docs["rtx-3060-desktop"], number))
    audit = run_audit([str(tmp_path)], catalog, QUICK)
    assert len(audit.machines) == 6
    assert audit.configurations == 1 and audit.evaluations == 1


def test_an_electricity_region_the_catalog_lost_skips_those_reports(tmp_path, docs, catalog):
    doc = as_machine(docs["office-laptop-8gb"], 1)
    doc["inputs"]["electricity"]["region"] = "atlantis"
    write(tmp_path, "lost.json", doc)
    write(tmp_path, "fine.json", as_machine(docs["office-laptop-8gb"], 2))
    audit = run_audit([str(tmp_path)], catalog, QUICK)
    [skipped] = audit.skipped
    assert Path(skipped.origin).name == "lost.json"
    assert "could not be judged again" in skipped.reason and "atlantis" in skipped.reason


def test_a_workload_defined_two_ways_is_noted(tmp_path, docs, catalog, workloads) -> None:
    old = as_machine(docs["rtx-4090-desktop"], 1)
    old["inputs"]["workloads"][0]["requests_per_day"] = 400.0  # an older preset, say
    write(tmp_path, "old.json", old)
    write(tmp_path, "new.json", as_machine(docs["rtx-4090-desktop"], 2))
    audit = run_audit([str(tmp_path)], catalog, QUICK)
    name = old["inputs"]["workloads"][0]["name"]
    [note] = audit.notes
    assert f"define the {name} workload in 2 different ways" in note
    again = run_audit([str(tmp_path)], catalog, AuditSettings(upgrades=False, workloads=workloads))
    assert again.notes == () and again.configurations == again.evaluations == 1


def test_one_id_under_two_file_names_is_noted(tmp_path, docs, catalog) -> None:
    doc = docs["office-laptop-8gb"]
    write(tmp_path / "week-1", "host-a.json", as_machine(doc, 5, when="2026-11-01T10:00:00Z"))
    write(tmp_path / "week-2", "host-a.json", as_machine(doc, 5, when="2026-11-08T10:00:00Z"))
    audit = run_audit([str(tmp_path)], catalog, QUICK)
    assert len(audit.replaced) == 1 and audit.notes == ()  # the same host, a week apart
    write(tmp_path / "week-2", "host-b.json", as_machine(doc, 5, when="2026-11-08T11:00:00Z"))
    audit = run_audit([str(tmp_path)], catalog, QUICK)
    [note] = audit.notes
    assert "share a machine id with a report of another name" in note


def test_the_recomputed_parts_are_not_parsed_yet_damage_is_found(docs) -> None:
    """A report as advisor writes it is read without its candidates and verdicts (the audit
    recomputes them); a file cut anywhere, or laid out otherwise, is parsed whole."""
    from advisor.audit.parse import _json
    from advisor.audit.sources import RawReport

    doc = as_machine(docs["office-laptop-8gb"], 1)
    text = json.dumps(doc, indent=2) + "\n"
    quick, _ = _json(RawReport("r.json", text.encode()))
    assert quick == {k: v for k, v in doc.items() if k not in ("candidates", "verdicts", "team")}
    for cut in (len(text) - 3, len(text) * 3 // 4, len(text) // 2):
        with pytest.raises(ReportError, match="truncated"):
            _json(RawReport("cut.json", text[:cut].encode()))
    moved = {k: v for k, v in doc.items() if k != "measurements"} | {"measurements": []}
    assert _json(RawReport("m.json", json.dumps(moved, indent=2).encode()))[0] == moved
    compact = json.dumps(doc).encode()
    assert _json(RawReport("c.json", compact))[0] == doc


def test_a_missing_or_doubled_comma_before_the_candidates_is_named(docs) -> None:
    """The read part ends at the comma before the candidates: exactly one, as JSON has it (the
    cut once stripped any number of commas, so a report missing it, or with two, read fine)."""
    from advisor.audit.parse import _json
    from advisor.audit.sources import RawReport

    text = json.dumps(as_machine(docs["office-laptop-8gb"], 1), indent=2)
    for commas in ("", ",,", ", ,"):
        bad = text.replace(',\n  "candidates": ', f'{commas}\n  "candidates": ', 1)
        assert bad != text
        with pytest.raises(ReportError, match="not JSON"):
            _json(RawReport("r.json", bad.encode()))
