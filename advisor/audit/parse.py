"""Reading reports for an audit: fast JSON parsing, a reason for every report refused, and
one set of advise() inputs per distinct machine configuration.

Thousands of reports share a few hundred configurations, so a report is parsed once, reduced
to a digest of what a verdict depends on (keys.py), and only the first report of each digest
goes through advisor.report.read.inputs_from_report, which builds the Machine, workloads and
measurements. A report that reader refuses takes the reader's reason with it.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from pydantic_core import from_json

from advisor.audit.keys import digest, machine_key, machine_left_out
from advisor.audit.sections import Shared, split_parse
from advisor.audit.sources import RawReport, Skipped
from advisor.errors import ReportError
from advisor.report.read import READ, ReportInputs, check_header, inputs_from_report

# The parts of a report a re-evaluation reads; candidates, verdicts and team plans are recomputed.
_HEADER = ("kind", "schema_version")


@dataclass(frozen=True)
class ReportRef:
    """One readable report: which machine, when, and which configuration it describes."""

    origin: str
    machine_id: str
    generated_at: datetime
    machine_name: str | None
    group: bytes  # the Group it belongs to


@dataclass(frozen=True)
class Group:
    """A distinct machine configuration with its workloads, measurements and prices."""

    key: bytes
    machine_key: bytes  # the machine part alone, for upgrades that meet another configuration
    measurements_key: bytes
    workload_keys: tuple[bytes, ...]  # one per workload of inputs.workloads
    inputs: ReportInputs


@dataclass(frozen=True)
class Parsed:
    """One raw report as parsed on its own (in this process or a worker): its ReportRef, or why
    it was skipped, and, when it was the first of its configuration the parser saw, the
    configuration's Group."""

    origin: str
    key: bytes | None  # its configuration; None when the report was refused
    found: ReportRef | Skipped
    group: Group | None  # None: the parser had seen this configuration


def parse_report(raw: RawReport, shared: Shared) -> Parsed:
    """Parse one report; a configuration not in `shared.seen` gets its Group built (and is
    added), with the Workload objects of `shared.workloads` where they are equal.

    The first report of a configuration is validated whole; a later one only in the parts its
    configuration leaves out (names, free memory, ...). A report refused is skipped on its own:
    the next report of its configuration is read afresh, so one bad report cannot take others
    down with it.
    """
    try:
        doc, inputs_key = _json(raw, shared)
        check_header(doc)
        key, mkey = _group_key(doc, inputs_key)
        found = _report_ref(raw.origin, doc, key)
        _check_left_out(doc, shared.envelopes)
        if key in shared.seen:
            return Parsed(raw.origin, key, found, None)
        inputs = inputs_from_report({k: doc.get(k) for k in doc if k in _WANTED})
    except ReportError as exc:
        return Parsed(raw.origin, None, Skipped(raw.origin, reason(exc)), None)
    shared.seen.add(key)
    return Parsed(raw.origin, key, found, _group(key, mkey, doc, inputs, shared.workloads))


def _check_left_out(doc: Mapping[str, Any], envelopes: set[tuple]) -> None:
    """Validate what the configuration key leaves out of a report (keys.py): its envelope and
    its machine's names and free memory, as the report format has them; the rest is the
    configuration's, validated with its first report. An envelope equal (types included) to
    one found valid before is not validated again."""
    envelope = {k: doc[k] for k in ENVELOPE if k in doc}
    seen = _envelope_key(envelope)
    if seen is None or seen not in envelopes:
        _validate_left_out("envelope", envelope)
        if seen is not None:
            envelopes.add(seen)
    machine = doc.get("machine")
    gpus = machine.get("gpus", []) if isinstance(machine, Mapping) else None
    if not isinstance(gpus, list) or not all(isinstance(g, Mapping) for g in gpus):
        return  # not the profile format: the whole report's validation says where
    _validate_left_out("machine", machine_left_out(machine))  # type: ignore[arg-type]


def _envelope_key(envelope: Mapping[str, Any]) -> tuple | None:
    """The envelope as a hashable value that tells `true` from `1` and `1` from `1.0`; None
    when a value is not a plain scalar (it is validated every time)."""
    if not all(v is None or type(v) in _SCALARS for v in envelope.values()):
        return None
    return tuple((k, type(v), v) for k, v in envelope.items())


_SCALARS = frozenset((str, int, float, bool))


def _validate_left_out(part: str, value: dict[str, Any]) -> None:
    from pydantic_core import ValidationError

    validate, validation_message = _left_out_validators()
    try:
        validate[part](value)
    except ValidationError as exc:
        key, message, _ = validation_message(exc)
        raise ReportError(message, key=key if part == "envelope" else f"machine.{key}") from exc


def warm_validators() -> None:
    """Import pydantic and build the validators reading needs (about 0.2 s), so that worker
    processes forked afterwards start with them."""
    from advisor.files.strict import adapter
    from advisor.report.read_models import ReadBack

    _left_out_validators()
    adapter(ReadBack)


@functools.cache
def _left_out_validators() -> tuple[dict[str, Callable[[Any], object]], Callable]:
    """The envelope's and the machine's left-out parts' validators, imported once."""
    from advisor.files.strict import adapter
    from advisor.probe.profiles.schema import ProfileEntry
    from advisor.probe.profiles.serialize import validation_message
    from advisor.report.read_models import Envelope

    envelope = adapter(Envelope)
    validate = {
        "envelope": lambda value: envelope.validate_python(value, strict=True),
        "machine": ProfileEntry.model_validate,
    }
    return validate, validation_message


class ReportReader:
    """Turns raw reports into ReportRefs, keeping one Group per distinct configuration.

    A configuration is described by the first report of it read (in the order reports are
    merged); reports parsed elsewhere (worker processes, see advisor.audit.read) are merged in
    their order, so the outcome is the same as reading them all here.
    """

    def __init__(self) -> None:
        self.groups: dict[bytes, Group] = {}
        self._shared = Shared()

    def read(self, raw: RawReport) -> ReportRef | Skipped:
        return self.merge(parse_report(raw, self._shared))

    def merge(self, parsed: Parsed) -> ReportRef | Skipped:
        key = parsed.key
        if key is None:
            return parsed.found
        self._shared.seen.add(key)
        if key not in self.groups:
            group = parsed.group
            assert group is not None, "the first report of a configuration carries its group"
            self.groups[key] = _shared(group, self._shared.workloads)
        return parsed.found


def _group(key: bytes, mkey: bytes, doc: Mapping[str, Any], inputs: ReportInputs,
           workloads: dict[bytes, Any]) -> Group:  # fmt: skip
    keys = tuple(digest(w) for w in doc["inputs"]["workloads"])  # read: they are there
    group = Group(
        key=key,
        machine_key=mkey,
        measurements_key=digest(doc.get("measurements") or []),
        workload_keys=keys,
        inputs=inputs,
    )
    return _shared(group, workloads)


def _shared(group: Group, workloads: dict[bytes, Any]) -> Group:
    """The group with its workloads shared with every other group that has them."""
    inputs = group.inputs
    pairs = zip(group.workload_keys, inputs.workloads, strict=True)
    shared = tuple(workloads.setdefault(k, w) for k, w in pairs)
    if all(a is b for a, b in zip(shared, inputs.workloads, strict=True)):
        return group
    return dataclasses.replace(group, inputs=dataclasses.replace(inputs, workloads=shared))


def _report_ref(origin: str, doc: Mapping[str, Any], key: bytes) -> ReportRef:
    machine = doc.get("machine")
    name = machine.get("name") if isinstance(machine, Mapping) else None
    return ReportRef(
        origin=origin,
        machine_id=_text(doc, "machine_id"),
        generated_at=_time(doc),
        machine_name=name if isinstance(name, str) else None,
        group=key,
    )


_WANTED = frozenset(READ)
ENVELOPE = ("advisor_version", "catalog_version", "currency", "anonymized", "config_file")


def reason(exc: ReportError) -> str:
    """The refusal in words, without the path (the audit lists it beside the reason)."""
    text = exc.detail if exc.key is None else f"{exc.key}: {exc.detail}"
    return f"{text}; {exc.hint}" if exc.hint else text


# In a report as advisor writes it (indent 2), the parts an audit recomputes come last, each a
# top-level key at the start of a line; JSON strings hold no raw newline, so these bytes can
# only be that key. A complete file ends with the top-level brace at the start of a line.
_RECOMPUTED = b'\n  "candidates": '
_END = b"\n}"


def _json(raw: RawReport, shared: Shared | None = None) -> tuple[Any, bytes | None]:
    """The report's parsed document, and its inputs section's digest where it was taken."""
    if not raw.data.strip():
        raise ReportError("empty: no report in it")
    head = _head(raw.data)
    if head is not None:
        found = split_parse(head, shared) if shared is not None else None
        if found is not None and found[0].keys() >= _WANTED:
            return found
        try:
            doc = from_json(head, allow_inf_nan=False)
        except ValueError:
            doc = None  # not the layout advisor writes: parse it whole, for the exact reason
        if isinstance(doc, dict) and doc.keys() >= _WANTED:
            return doc, None
    try:
        return from_json(raw.data, allow_inf_nan=False), None
    except ValueError as exc:
        text = str(exc)
        if text.startswith("EOF while parsing"):
            where = text.split(" at ", 1)[-1]
            raise ReportError(
                f"truncated: the JSON ends early ({where}); was the copy cut short?"
            ) from exc
        if _NON_FINITE.search(raw.data):
            text += " (NaN and Infinity are not JSON numbers)"
        raise ReportError(f"not JSON: {text}") from exc


# What a writer that allows non-finite floats (Python's json, JavaScript) puts for them.
_NON_FINITE = re.compile(rb"[:,\[]\s*-?(?:NaN|Infinity)\b")


def _head(data: bytes) -> bytes | None:
    """The report without its candidates and verdicts (three quarters of the bytes, which the
    audit does not read), closed as a JSON object; None unless the file is complete and laid
    out as advisor writes reports."""
    if not data.rstrip().endswith(_END):
        return None  # truncated, or another layout: the whole parse says which
    cut = data.find(_RECOMPUTED)
    if cut < 0:
        return None
    head = data[:cut].rstrip()
    if not head.endswith(b","):
        return None  # no comma before the candidates: the whole parse names the damage
    return head[:-1] + b"\n}"  # one comma only: a second stays, and the head's parse fails


def _group_key(doc: Mapping[str, Any], inputs_key: bytes | None) -> tuple[bytes, bytes]:
    """The configuration's key (`inputs_key`: the inputs section's digest, if known) and the
    machine's."""
    machine = doc.get("machine")
    mkey = machine_key(machine) if isinstance(machine, Mapping) else digest(machine)
    header = [doc.get(k) for k in _HEADER]
    inputs = inputs_key or digest(doc.get("inputs"))
    return digest([header, mkey.hex(), inputs.hex(), digest(doc.get("measurements")).hex()]), mkey


def _text(doc: Mapping[str, Any], key: str) -> str:
    value = doc.get(key)
    if not isinstance(value, str) or not value or len(value) > 200:
        raise ReportError("is missing or not text (up to 200 characters)", key=key)
    return value


def _time(doc: Mapping[str, Any]) -> datetime:
    text = _text(doc, "generated_at")
    try:
        when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        raise ReportError(f"{text!r} is not an ISO 8601 time", key="generated_at") from exc
    return when if when.tzinfo else when.replace(tzinfo=timezone.utc)
