"""The models tab: the table, and the detail of the highlighted row below it or in its place."""

from __future__ import annotations

from textual import on
from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import DataTable, Input

from advisor.tui.widgets.model_detail import ModelDetail
from advisor.tui.widgets.models_table import ModelsTable


class ModelsView(Vertical):
    """Enter opens the detail (on short terminals in the table's place); escape goes back."""

    BINDINGS = [
        Binding("enter", "toggle_detail", "Detail", show=False),
        Binding("escape", "close_detail", "Back", show=False),
    ]

    def compose(self) -> ComposeResult:
        yield ModelsTable(id="models-box")
        yield ModelDetail(id="detail")

    @on(ModelsTable.Highlighted)
    def _highlighted(self, message: ModelsTable.Highlighted) -> None:
        self.query_one(ModelDetail).candidate = message.candidate

    @on(DataTable.RowSelected)
    def _row_selected(self) -> None:
        self.action_toggle_detail()

    def action_toggle_detail(self) -> None:
        opening = not self.has_class("-detail-open")
        self.set_class(opening, "-detail-open")
        self.query_one(ModelDetail if opening else "#models-table").focus()

    def action_close_detail(self) -> None:
        if not self.has_class("-detail-open") or isinstance(self.app.focused, Input):
            raise SkipAction()  # the app's escape: leave the filter box
        self.action_toggle_detail()
