"""Reports that share their inputs section's bytes parse it once (advisor.audit.sections), and
read exactly as each would alone: the same document, the same configuration, and the same
reason when any other part is damaged."""

from __future__ import annotations

import json
from typing import Any

from audit_kit import as_machine
from pydantic_core import from_json

from advisor.audit import sections
from advisor.audit.parse import ReportReader, _json, parse_report
from advisor.audit.sections import Shared, split_parse
from advisor.audit.sources import RawReport, Skipped
from advisor.errors import ReportError


def _raw(doc: Any, name: str = "r.json") -> RawReport:
    text = doc if isinstance(doc, str) else json.dumps(doc, indent=2)
    return RawReport(name, text.encode())


def _alone(raw: RawReport) -> Any:
    """What one report read on its own gives: its reference, or its reason."""
    parsed = parse_report(raw, Shared())
    return parsed.found if parsed.key is None else (parsed.key, parsed.found)


def test_reports_sharing_inputs_parse_them_once_to_the_same_document(docs) -> None:
    shared = Shared()
    laptop, desk = docs["office-laptop-8gb"], docs["rtx-4090-desktop"]
    for number, doc in enumerate((laptop, laptop, desk, laptop)):
        report = as_machine(doc, number)
        report["machine"] = dict(report["machine"], name=f"host {number}")
        doc_read, inputs_key = _json(_raw(report), shared)
        whole, none = _json(_raw(report))  # the whole parse, as without the memo
        assert none is None and inputs_key is not None
        assert doc_read == whole
    assert len(shared.sections) == (1 if laptop["inputs"] == desk["inputs"] else 2)
    assert shared.last is not None and shared.last[1] in shared.sections.values()
    values = [v for v, _ in shared.sections.values()]
    assert all(isinstance(v, dict) and "workloads" in v for v in values)


def test_damage_beside_a_known_section_gets_the_reason_it_gets_alone(docs) -> None:
    """The inputs section's bytes are in the memo; the rest of the report is broken."""
    good = as_machine(docs["office-laptop-8gb"], 1)
    text = json.dumps(good, indent=2)
    broken = {
        "nan": text.replace('"ram_gb": ', '"ram_gb": NaN, "x": ', 1),
        "cut machine": text.replace('"machine": {', '"machine": {{', 1),
        "bad value": json.dumps(
            dict(good, machine=dict(good["machine"], ram_gb="lots")), indent=2
        ),  # fmt: skip
        "no id": json.dumps({k: v for k, v in good.items() if k != "machine_id"}, indent=2),
        "inputs twice": text.replace(
            '\n  "measurements": ', '\n  "inputs": {"workloads": 3},\n  "measurements": ', 1
        ),
        "inputs is text": text.replace('\n  "inputs": ', '\n  "inputs": "x",\n  "y": ', 1),
        "envelope 1 for true": text.replace('"anonymized": true', '"anonymized": 1', 1),
        "envelope 1.0": text.replace('"anonymized": true', '"anonymized": 1.0', 1),
    }
    for name, bad in broken.items():
        assert bad != text, name
        reader = ReportReader()
        assert not isinstance(reader.read(_raw(text, "good.json")), Skipped)
        found = reader.read(_raw(bad, "bad.json"))
        alone = _alone(_raw(bad, "bad.json"))
        assert isinstance(found, Skipped) and found == alone, name


def test_a_duplicate_inputs_key_reads_as_the_whole_parse_reads_it(docs) -> None:
    """JSON keeps the last of two equal keys; the cut must not keep the first."""
    good = as_machine(docs["office-laptop-8gb"], 1)
    text = json.dumps(good, indent=2)
    other = json.dumps(good["inputs"] | {"hardware": None})
    measured, named = '\n  "measurements": ', '\n  "machine_id": '
    cases = [  # the text, and whether the cut is taken
        (text.replace(measured, f'\n  "inputs": {other},{measured}', 1), False),
        (text.replace(named, f'\n  "inputs": {other}, "machine_id": ', 1), False),
        (text.replace(named, f'\n  "x": 1, "inputs": {other}, "machine_id": ', 1), True),
        (text.replace(measured, f'{measured}[], "inputs": {other}, "m": ', 1), False),
    ]
    for bad, cut in cases:
        shared = Shared()
        _json(_raw(text), shared)  # the good section is known
        head = bad[: bad.index('\n  "candidates": ')].rstrip().rstrip(",") + "\n}"
        found = split_parse(head.encode(), shared)
        assert (found is not None) == cut
        assert found is None or found[0] == from_json(head.encode())
        assert _json(_raw(bad), shared)[0] == from_json(head.encode())


def test_a_head_holding_the_placeholder_is_parsed_whole(docs) -> None:
    good = as_machine(docs["office-laptop-8gb"], 1)
    good["machine"] = dict(good["machine"], name=sections._PARSED_PLACEHOLDER)
    text = json.dumps(good, indent=2).encode()
    assert sections._PLACEHOLDER in text
    head = text[: text.index(b'\n  "candidates": ')].rstrip().rstrip(b",") + b"\n}"
    assert split_parse(head, Shared()) is None
    assert _json(_raw(good), Shared())[0]["machine"]["name"] == sections._PARSED_PLACEHOLDER


def test_the_memo_stops_growing_at_its_cap(docs, monkeypatch) -> None:
    monkeypatch.setattr(sections, "MEMO_BYTES", 100)
    shared = Shared()
    doc, key = _json(_raw(as_machine(docs["office-laptop-8gb"], 1)), shared)
    assert key is not None and shared.sections == {} and shared.section_bytes == 0


def test_a_section_nested_to_the_parsers_depth_limit_reads_as_the_whole_parse(docs) -> None:
    """The JSON parser refuses values nested past a depth limit: the inputs section parsed
    alone sits one level higher than in its report, so at the limit it must not pass alone
    where the whole report is refused (or the reason would change)."""
    text = json.dumps(as_machine(docs["office-laptop-8gb"], 1), indent=2)

    def outcome(raw: RawReport, shared: Shared | None) -> Any:
        try:
            return _json(raw, shared)[0]
        except ReportError as exc:
            return str(exc)

    refused = 0
    for depth in range(190, 215):  # around the parser's limit (200 on pydantic-core 2)
        deep = "[" * depth + "]" * depth
        bad = text.replace('\n  "inputs": {', f'\n  "inputs": {{"deep": {deep}, ', 1)
        assert bad != text
        whole = outcome(_raw(bad), None)  # no memo: the head and the file parsed whole
        assert outcome(_raw(bad), Shared()) == whole, depth
        refused += isinstance(whole, str)
    assert 0 < refused < 25  # the limit was crossed within the range


def test_the_last_section_answers_only_its_own_bytes(docs, monkeypatch) -> None:
    """Each report's section is taken from the one before it only when its bytes are that
    one's: alternating inputs, and with no memo at all, read as the whole parse does."""
    monkeypatch.setattr(sections, "MEMO_BYTES", 0)  # nothing memoized: the last one alone
    shared = Shared()
    laptop = as_machine(docs["office-laptop-8gb"], 1)
    other = json.loads(json.dumps(laptop))
    other["inputs"]["workloads"][0]["title"] = "Another title"
    for number, doc in enumerate((laptop, other, other, laptop, laptop, other)):
        report = as_machine(doc, number)
        doc_read, inputs_key = _json(_raw(report), shared)
        assert inputs_key is not None and doc_read == _json(_raw(report))[0]
        assert shared.last is not None and shared.last[1][0] == report["inputs"]
    assert not shared.sections
