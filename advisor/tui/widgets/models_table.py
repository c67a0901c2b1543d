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

from advisor.console import printable
from advisor.tui.candidates import (
    FIT_FILTER_LABELS,
    FIT_FILTERS,
    SORTS,
    ListedCandidate,
    arrange,
    pool_use,
)
from advisor.tui.charts import usage_bar
from advisor.tui.format import plain, rate, rate_range, tokens
from advisor.units import GIB

# (key, header, width): fixed widths keep the whole row inside 120 columns; long model
# names are cut, and the detail pane gives them in full.
COLUMNS: tuple[tuple[str, str, int | None], ...] = (
    ("rank", "#", 3),
    ("name", "Model", 24),
    ("quant", "Quant", 6),
    ("fit", "Fit", 10),
    ("memory", "Memory used/avail", 19),
    ("decode", "Decode tok/s", 12),
    ("prefill", "Prefill tok/s", 15),
    ("context", "Ctx", 4),
    ("quality", "Qual", 4),
)
# The Model column narrows down to this on a small terminal, so that the decode speed still
# shows at 80 columns (a column's cells take 2 more for their padding).
MIN_NAME_WIDTH = 14
_BEFORE_DECODE = ("rank", "quant", "fit", "memory", "decode")
_SCROLLBAR = 2
MEASURED = "●"
_PLACEMENT_WORDS = {"gpu": "GPU", "partial": "GPU+CPU", "cpu": "CPU"}


def fit_cell(c: ListedCandidate) -> Text:
    if c.estimate is None or not c.fits:
        return Text("✘ left out" if c.why_left_out else "✘ no", style="red")
    kind = c.estimate.placement.kind
    style = "green" if kind == "gpu" else "yellow" if kind == "partial" else "cyan"
    return Text(f"✔ {_PLACEMENT_WORDS[kind]}", style=style)


def memory_cell(c: ListedCandidate) -> Text:
    if c.estimate is None:
        return Text("—", style="dim")
    use = pool_use(c.estimate)
    cell = usage_bar(use.used_bytes, use.available_bytes, width=6)
    total = f"{use.available_bytes / GIB:.0f}" if use.available_bytes is not None else "?"
    cell.append(f" {use.used_bytes / GIB:.1f}/{total} GiB")
    return cell


def speed_cell(c: ListedCandidate, kind: str) -> Text:
    """`kind` ("decode" or "prefill") tokens/s: the measured rate, else the estimate and range."""
    speed = c.estimate.speed if c.estimate else None
    if speed is None:
        return Text("—", style="dim")
    measured = getattr(speed, f"measured_{kind}_tokens_per_s")
    cell = Text()
    if measured is not None:
        cell.append(f"{MEASURED} ", style="bold green")
        cell.append(rate(measured), style="bold")
        return cell
    low, high = getattr(speed, f"{kind}_range")
    cell.append(rate(getattr(speed, f"{kind}_tokens_per_s")))
    cell.append(f" {rate_range(low, high)}", style="dim")
    return cell


def decode_cell(c: ListedCandidate) -> Text:
    return speed_cell(c, "decode")


def prefill_cell(c: ListedCandidate) -> Text:
    return speed_cell(c, "prefill")


def row_cells(c: ListedCandidate) -> tuple[Text | str, ...]:
    """The cells of one row, in COLUMNS order."""
    name = Text(printable(c.model.name), overflow="ellipsis", no_wrap=True)
    if c.installed:
        name = Text("⬇ ", style="green") + name
    context: Text | str = "—"
    if c.estimate is not None and c.estimate.max_context_tokens is None:
        context = Text("?", style="dim")  # unknown: the detail pane says why
    elif c.estimate is not None:
        context = tokens(c.estimate.max_context_tokens)
    quality = f"{c.quality:.0f}" if c.quality is not None else "—"
    return (
        str(c.rank),
        name,
        c.quant.type if c.quant else "—",
        fit_cell(c),
        memory_cell(c),
        decode_cell(c),
        prefill_cell(c),
        context,
        quality,
    )


def name_width(terminal_width: int) -> int:
    """The Model column's width: the full 24 where there is room, else what leaves the columns
    up to the decode speed on screen, MIN_NAME_WIDTH at least."""
    widths = dict((key, width) for key, _, width in COLUMNS)
    full = widths["name"] or 24
    others = sum((widths[k] or 0) + 2 for k in _BEFORE_DECODE) + 2 + _SCROLLBAR
    return max(MIN_NAME_WIDTH, min(full, terminal_width - others))


CONTEXTS: tuple[int, ...] = (4096, 8192, 32768, 131072)
DEFAULT_TASK = "chat"


@dataclass(frozen=True)
class TableView:
    """How the table is filtered and ordered right now."""

    text: str = ""
    fit: str = "all"
    task: str = DEFAULT_TASK
    sort: str = "rank"
    reverse: bool = False


class ModelsTable(Vertical):
    """Filter bar and table. Posts Highlighted when the cursor lands on a candidate.

    The task and the context change the ranking itself, so they post RankingWanted and the app
    ranks again; the text and fit filters and the sort only rearrange the rows already ranked.
    """

    BINDINGS = [
        Binding("slash", "focus_search", "Filter", key_display="/"),
        Binding("t", "next_task", "Task"),
        Binding("c", "next_context", "Context"),
        Binding("f", "next_fit", "Fit"),
        Binding("s", "next_sort", "Sort"),
    ]

    @dataclass
    class Highlighted(Message):
        candidate: ListedCandidate | None

    @dataclass
    class RankingWanted(Message):
        task: str
        context_tokens: int

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.candidates: tuple[ListedCandidate, ...] = ()
        self.view = TableView()
        self.shown: list[ListedCandidate] = []
        self.tasks: tuple[str, ...] = (DEFAULT_TASK,)  # the catalog's task tags, once loaded
        self.context_tokens = CONTEXTS[1]
        self.note = "ranking…"
        self._name_width = 0

    def compose(self) -> ComposeResult:
        with Horizontal(id="filters"):
            yield Input(placeholder="/ filter models", id="search", compact=True)
            yield Select(
                [(f"task: {DEFAULT_TASK}", DEFAULT_TASK)],
                value=DEFAULT_TASK,
                allow_blank=False,
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
        self._add_columns(table, name_width(self.app.size.width))
        yield table

    def _add_columns(self, table: DataTable, name: int) -> None:
        self._name_width = name
        for key, label, width in COLUMNS:
            table.add_column(label, key=key, width=name if key == "name" else width)

    def on_resize(self, event) -> None:
        """Narrow or widen the Model column to the terminal (the rows are drawn again)."""
        wanted = name_width(event.size.width)
        if wanted != self._name_width:
            table = self.query_one(DataTable)
            table.clear(columns=True)
            self._add_columns(table, wanted)
            self._redraw()

    def on_mount(self) -> None:
        self.query_one(DataTable).loading = True
        self._count()

    def set_tasks(self, tasks: Sequence[str]) -> None:
        self.tasks = tuple(tasks)
        select = self.query_one("#task-filter", Select)
        with self.prevent(Select.Changed):
            select.set_options([(f"task: {t}", t) for t in tasks])
            select.value = self.view.task if self.view.task in tasks else tasks[0]

    def set_candidates(self, candidates: Sequence[ListedCandidate]) -> None:
        """New ranking results: redraw, keeping the cursor on the same model where it is shown."""
        self.candidates = tuple(candidates)
        self.note = ""
        table = self.query_one(DataTable)
        table.loading = False
        self._redraw()
        if self.app.focused is None and self.is_on_screen:
            table.focus()  # it could not take the focus while it was loading

    def set_note(self, note: str) -> None:
        """Say why the table is empty or stale (ranking, or a stage that failed)."""
        self.note = note
        self.query_one(DataTable).loading = False
        self._count()

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
        label = f"{tokens(self.context_tokens)} ctx · {fits} fit of {len(self.shown)}"
        if self.view.sort != "rank":
            label += f" · by {self.view.sort}" + (" ↑" if self.view.reverse else "")
        if self.note:
            label = f"{self.note} · {label}"
        self.query_one("#row-count", Label).update(plain(label))

    @property
    def current(self) -> ListedCandidate | None:
        table = self.query_one(DataTable)
        if not self.shown or table.cursor_row >= len(self.shown):
            return None
        return self.shown[table.cursor_row]

    def _set_view(self, **changes) -> None:
        self.view = TableView(**{**self.view.__dict__, **changes})
        self._redraw()

    def _rank_again(self) -> None:
        self.note = "ranking…"
        self._count()
        self.post_message(self.RankingWanted(self.view.task, self.context_tokens))

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
        task = str(event.value)
        if task != self.view.task:
            self._set_view(task=task)
            self._rank_again()

    @on(Select.Changed, "#fit-filter")
    def _fit(self, event: Select.Changed) -> None:
        event.stop()
        self._set_view(fit=str(event.value))

    def action_focus_search(self) -> None:
        self.query_one("#search", Input).focus()

    def action_next_task(self) -> None:
        tasks = self.tasks
        index = tasks.index(self.view.task) if self.view.task in tasks else -1
        self.query_one("#task-filter", Select).value = tasks[(index + 1) % len(tasks)]

    def action_next_context(self) -> None:
        index = CONTEXTS.index(self.context_tokens) if self.context_tokens in CONTEXTS else 0
        self.context_tokens = CONTEXTS[(index + 1) % len(CONTEXTS)]
        self._rank_again()

    def action_next_fit(self) -> None:
        fit = FIT_FILTERS[(FIT_FILTERS.index(self.view.fit) + 1) % len(FIT_FILTERS)]
        self.query_one("#fit-filter", Select).value = fit

    def action_next_sort(self) -> None:
        names = list(SORTS)
        self._set_view(sort=names[(names.index(self.view.sort) + 1) % len(names)], reverse=False)
