"""The models table: one row per candidate, best first, with text, task and fit filters."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import DataTable, Input, Label, Select

from advisor.catalog.model import TASKS
from advisor.tui.candidates import FIT_FILTER_LABELS, FIT_FILTERS, SORTS, Candidate, arrange
from advisor.tui.charts import usage_bar
from advisor.tui.format import GIB, rate, rate_range, tokens

COLUMNS: tuple[tuple[str, str], ...] = (
    ("rank", "#"),
    ("name", "Model"),
    ("quant", "Quant"),
    ("fit", "Fit"),
    ("memory", "Memory"),
    ("decode", "Decode tok/s"),
    ("prefill", "Prefill tok/s"),
    ("context", "Max ctx"),
    ("quality", "Quality"),
)
MEASURED = "●"
_PLACEMENT_WORDS = {"gpu": "GPU", "partial": "GPU+CPU", "cpu": "CPU"}


def fit_cell(c: Candidate) -> Text:
    if c.estimate is None or not c.fits:
        return Text("✘ no", style="red")
    kind = c.estimate.placement.kind
    style = "green" if kind == "gpu" else "yellow" if kind == "partial" else "cyan"
    return Text(f"✔ {_PLACEMENT_WORDS[kind]}", style=style)


def memory_cell(c: Candidate) -> Text:
    if c.estimate is None:
        return Text("unknown", style="dim")
    shares = c.estimate.placement.shares
    used = c.estimate.memory.total_bytes
    budgets = [s.available_bytes for s in shares]
    available = None if not budgets or None in budgets else sum(budgets)  # type: ignore[arg-type]
    cell = usage_bar(used, available, width=8)
    total = f"{available / GIB:.0f}" if available is not None else "?"
    cell.append(f" {used / GIB:.1f}/{total} GiB")
    return cell


def _speed_cell(value: float, low: float, high: float, measured: float | None) -> Text:
    if measured is not None:
        cell = Text(f"{MEASURED} ", style="bold green")
        cell.append(rate(measured), style="bold")
        return cell
    cell = Text(rate(value))
    cell.append(f" {rate_range(low, high)}", style="dim")
    return cell


def decode_cell(c: Candidate) -> Text:
    speed = c.estimate.speed if c.estimate else None
    if speed is None:
        return Text("—", style="dim")
    low, high = speed.decode_range
    return _speed_cell(speed.decode_tokens_per_s, low, high, speed.measured_decode_tokens_per_s)


def prefill_cell(c: Candidate) -> Text:
    speed = c.estimate.speed if c.estimate else None
    if speed is None:
        return Text("—", style="dim")
    low, high = speed.prefill_range
    return _speed_cell(speed.prefill_tokens_per_s, low, high, speed.measured_prefill_tokens_per_s)


def row_cells(c: Candidate) -> tuple[Text | str, ...]:
    """The cells of one row, in COLUMNS order."""
    name = Text(c.model.name)
    if c.installed:
        name.append(" ⬇", style="green")
    context = tokens(c.estimate.max_context_tokens) if c.estimate else "—"
    quality = f"{c.quality:.0f}" if c.quality is not None else "—"
    return (
        str(c.rank),
        name,
        c.quant.type,
        fit_cell(c),
        memory_cell(c),
        decode_cell(c),
        prefill_cell(c),
        context,
        quality,
    )


@dataclass(frozen=True)
class TableView:
    """How the table is filtered and ordered right now."""

    text: str = ""
    fit: str = "all"
    task: str | None = None
    sort: str = "rank"
    reverse: bool = False


class ModelsTable(Vertical):
    """Filter bar and table. Posts Highlighted when the cursor lands on a candidate."""

    BINDINGS = [
        Binding("slash", "focus_search", "Filter", key_display="/"),
        Binding("t", "next_task", "Task"),
        Binding("f", "next_fit", "Fit"),
        Binding("s", "next_sort", "Sort"),
    ]

    @dataclass
    class Highlighted(Message):
        candidate: Candidate | None

    @dataclass
    class TaskChanged(Message):
        task: str | None

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.candidates: tuple[Candidate, ...] = ()
        self.view = TableView()
        self.shown: list[Candidate] = []

    def compose(self) -> ComposeResult:
        with Horizontal(id="filters"):
            yield Input(placeholder="/ filter models", id="search", compact=True)
            yield Select(
                [(f"task: {t}", t) for t in TASKS],
                prompt="task: any",
                id="task-filter",
                compact=True,
            )
            yield Select(
                [(FIT_FILTER_LABELS[f], f) for f in FIT_FILTERS],
                value="all",
                allow_blank=False,
                id="fit-filter",
                compact=True,
            )
            yield Label("", id="row-count")
        table: DataTable = DataTable(id="models-table", cursor_type="row", zebra_stripes=True)
        for key, label in COLUMNS:
            table.add_column(label, key=key)
        yield table

    def set_candidates(self, candidates: Sequence[Candidate]) -> None:
        """New ranking results: redraw, keeping the cursor on the same model where it is shown."""
        self.candidates = tuple(candidates)
        self._redraw()

    def _redraw(self) -> None:
        table = self.query_one(DataTable)
        current = self.current
        v = self.view
        self.shown = arrange(
            self.candidates, text=v.text, fit=v.fit, task=v.task, sort=v.sort, reverse=v.reverse
        )
        table.clear()
        for candidate in self.shown:
            table.add_row(*row_cells(candidate), key=candidate.key)
        keys = [c.key for c in self.shown]
        if current is not None and current.key in keys:
            table.move_cursor(row=keys.index(current.key), animate=False)
        self._count()
        self.post_message(self.Highlighted(self.current))

    def _count(self) -> None:
        fits = sum(1 for c in self.shown if c.fits)
        label = f"{len(self.shown)} shown · {fits} fit"
        if self.view.sort != "rank":
            label += f" · by {self.view.sort}"
        self.query_one("#row-count", Label).update(label)

    @property
    def current(self) -> Candidate | None:
        table = self.query_one(DataTable)
        if not self.shown or table.cursor_row >= len(self.shown):
            return None
        return self.shown[table.cursor_row]

    def _set_view(self, **changes) -> None:
        self.view = TableView(**{**self.view.__dict__, **changes})
        self._redraw()

    @on(DataTable.RowHighlighted)
    def _row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        self.post_message(self.Highlighted(self.current))

    @on(DataTable.HeaderSelected)
    def _header_selected(self, event: DataTable.HeaderSelected) -> None:
        event.stop()
        column = str(event.column_key.value)
        sort = column if column in SORTS else "rank"
        reverse = not self.view.reverse if sort == self.view.sort else False
        self._set_view(sort=sort, reverse=reverse)

    @on(Input.Changed, "#search")
    def _search(self, event: Input.Changed) -> None:
        event.stop()
        self._set_view(text=event.value)

    @on(Input.Submitted, "#search")
    def _search_done(self, event: Input.Submitted) -> None:
        event.stop()
        self.query_one(DataTable).focus()

    @on(Select.Changed, "#task-filter")
    def _task(self, event: Select.Changed) -> None:
        event.stop()
        task = None if event.value is Select.NULL else str(event.value)
        if task != self.view.task:
            self._set_view(task=task)
            self.post_message(self.TaskChanged(task))

    @on(Select.Changed, "#fit-filter")
    def _fit(self, event: Select.Changed) -> None:
        event.stop()
        self._set_view(fit=str(event.value))

    def action_focus_search(self) -> None:
        self.query_one("#search", Input).focus()

    def action_next_task(self) -> None:
        choices = (None, *TASKS)
        task = choices[(choices.index(self.view.task) + 1) % len(choices)]
        self.query_one("#task-filter", Select).value = Select.NULL if task is None else task

    def action_next_fit(self) -> None:
        fit = FIT_FILTERS[(FIT_FILTERS.index(self.view.fit) + 1) % len(FIT_FILTERS)]
        self.query_one("#fit-filter", Select).value = fit

    def action_next_sort(self) -> None:
        names = list(SORTS)
        self._set_view(sort=names[(names.index(self.view.sort) + 1) % len(names)], reverse=False)
