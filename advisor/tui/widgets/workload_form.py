"""The workload form: pick a preset, edit its numbers; every valid edit posts the new workload."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.validation import Number
from textual.widgets import Input, Label, Select

from advisor.tui.format import plain

if TYPE_CHECKING:
    from advisor.workload import Workload


@dataclass(frozen=True)
class FieldSpec:
    """One editable workload field: its name on Workload, its label, and its kind of number."""

    name: str
    label: str
    integer: bool = False
    optional: bool = False  # blank means "no limit" (None)


FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("requests_per_day", "requests / day"),
    FieldSpec("model_calls_per_request", "calls / request", integer=True),
    FieldSpec("input_tokens_per_request", "input tokens/call", integer=True),
    FieldSpec("output_tokens_per_request", "output tokens/call", integer=True),
    FieldSpec("cached_input_share", "cached input share"),
    FieldSpec("context_tokens", "context tokens", integer=True),
    FieldSpec("min_decode_tokens_per_s", "min decode tok/s"),
    FieldSpec("max_time_to_first_token_s", "1st token within s", optional=True),
    FieldSpec("concurrency", "requests at once", integer=True),
    FieldSpec("users", "users", integer=True),
    FieldSpec("hours_per_day", "hours / day"),
    FieldSpec("days_per_week", "days / week"),
    FieldSpec("quality_floor_pct", "quality floor %"),
)


def field_text(value: float | int | None) -> str:
    if value is None:
        return ""
    return f"{value:g}" if isinstance(value, float) else str(value)


def parse_field(spec: FieldSpec, text: str) -> float | int | None:
    """The number typed into a field; ValueError says what is wrong with it."""
    text = text.strip().replace(",", "").replace("_", "")
    if not text:
        if spec.optional:
            return None
        raise ValueError(f"{spec.label}: a number is needed")
    try:
        return int(text) if spec.integer else float(text)
    except ValueError:
        kind = "a whole number" if spec.integer else "a number"
        raise ValueError(f"{spec.label}: {text!r} is not {kind}") from None


def edited_workload(base: Workload, task: str, texts: dict[str, str]) -> Workload:
    """`base` with the typed values; pydantic checks the fields together, as a file would be."""
    values = {spec.name: parse_field(spec, texts[spec.name]) for spec in FIELDS}
    changes = {**values, "task": task}
    if all(getattr(base, k) == v for k, v in changes.items()):
        return base  # the form was filled in from `base`: nothing to check (nor to import)
    from pydantic import ValidationError

    from advisor.files.strict import validate
    from advisor.workload import Workload

    data = {**dataclasses.asdict(base), **changes, "origin": "edited"}
    try:
        return validate(Workload, data)
    except ValidationError as exc:
        first = exc.errors()[0]
        message = first["msg"].removeprefix("Value error, ")
        loc = [p for p in first["loc"] if p != "__root__"]
        # A check across fields names its key on the error it raised (advisor.workload).
        loc = loc or list(getattr(first.get("ctx", {}).get("error"), "loc", ()))
        key = ".".join(str(p) for p in loc)
        raise ValueError(f"{key}: {message}" if key else message) from None


class WorkloadForm(VerticalScroll):
    """Preset picker and one Input per field; posts Changed with a valid workload or the error."""

    @dataclass
    class Changed(Message):
        workload: Workload | None  # None while the form holds an invalid value
        error: str | None = None

    def __init__(self, presets: Sequence[Workload], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.presets = {w.name: w for w in presets}
        self.base: Workload | None = next(iter(self.presets.values()), None)

    def compose(self) -> ComposeResult:
        from advisor.catalog.fields import TASKS  # loaded by the time workloads have been

        options = [(plain(w.title), w.name) for w in self.presets.values()]
        base = self.base
        yield Label("Workload", classes="form-title")
        yield Select(
            options,
            value=base.name if base else Select.NULL,
            allow_blank=False,
            id="preset",
            compact=True,
        )
        with Horizontal(classes="form-row"):
            yield Label("task", classes="form-label")
            yield Select(
                [(t, t) for t in TASKS],
                value=base.task if base else "chat",
                allow_blank=False,
                id="task",
                compact=True,
            )
        for spec in FIELDS:
            with Horizontal(classes="form-row"):
                yield Label(spec.label, classes="form-label")
                yield Input(
                    field_text(getattr(base, spec.name)) if base else "",
                    placeholder="no limit" if spec.optional else "",
                    type="integer" if spec.integer else "number",
                    validators=[Number(minimum=0)],
                    valid_empty=spec.optional,
                    id=f"field-{spec.name}",
                    compact=True,
                )
        yield Label("", id="form-error")

    @on(Select.Changed, "#preset")
    def _preset_chosen(self, event: Select.Changed) -> None:
        chosen = self.presets.get(str(event.value))
        if chosen is None or chosen is self.base:
            return
        self.base = chosen
        with self.prevent(Input.Changed, Select.Changed):
            self.query_one("#task", Select).value = chosen.task
            for spec in FIELDS:
                self.query_one(f"#field-{spec.name}", Input).value = field_text(
                    getattr(chosen, spec.name)
                )
        self._set_error(None)
        self.post_message(self.Changed(chosen))

    @on(Input.Changed)
    @on(Select.Changed, "#task")
    def _edited(self, event: Message) -> None:
        event.stop()
        if self.base is None:
            return
        texts = {spec.name: self.query_one(f"#field-{spec.name}", Input).value for spec in FIELDS}
        task = str(self.query_one("#task", Select).value)
        try:
            workload = edited_workload(self.base, task, texts)
        except ValueError as exc:
            self._set_error(str(exc))
            self.post_message(self.Changed(None, str(exc)))
            return
        self._set_error(None)
        self.post_message(self.Changed(workload))

    def _set_error(self, message: str | None) -> None:
        label = self.query_one("#form-error", Label)
        label.update(plain(message or ""))
        label.set_class(message is not None, "-error")
