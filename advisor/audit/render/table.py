"""The audit as terminal tables (the default format), drawn with rich."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import TYPE_CHECKING

from rich.console import Console
from rich.table import Table
from rich.text import Text

from advisor.audit.fleet import UPGRADE_RANKING
from advisor.audit.render import present as p
from advisor.audit.render.markdown import (
    UNREACHED_TITLE,
    cost_rows,
    machine_rows,
    model_rows,
    unreached_rows,
    upgrade_rows,
    workload_rows,
)
from advisor.console import printable

if TYPE_CHECKING:
    from advisor.audit.fleet import FleetAudit

TABLE_MACHINES = 40  # the terminal shows this many; csv, json, markdown and html list all
TABLE_HOSTS = 2  # report names an upgrade row lists before "and N more"
FILE_WIDTH = 120


def render_table(audit: FleetAudit, *, width: int | None = None, color: bool = False) -> str:
    out = io.StringIO()
    console = Console(
        file=out,
        width=width or FILE_WIDTH,
        force_terminal=color,
        no_color=not color,
        highlight=False,
        emoji=False,
        markup=False,  # no text of ours uses it, and report text must never be read as it
    )
    for line in p.headline(audit):
        console.print(_text(line))
    console.print()
    console.print(_table("Workloads: where each runs well locally", workload_rows(audit)))
    console.print(_table("Fleet cost (USD per month)", cost_rows(audit)))
    console.print(_text(f"How: {audit.cost.explanation}.", style="dim"))
    console.print()
    if audit.upgrades_checked:
        # The kind column is left out: the change's label says it, and the terminal is narrow.
        rows = [row[:1] + row[2:] for row in upgrade_rows(audit, TABLE_HOSTS)]
        console.print(_table("Upgrade suggestions", rows))
        if audit.suggestions:
            console.print(_text(f"Order: {UPGRADE_RANKING}.", style="dim"))
        if audit.unreached:
            console.print(_table(UNREACHED_TITLE, unreached_rows(audit, TABLE_HOSTS)))
    else:
        console.print("Upgrade suggestions: not checked (--no-upgrades).")
    if audit.servers is not None:
        console.print(_table("Shared servers (USD per month)", p.server_rows(audit)))
    console.print(_table("Models the fleet would run", model_rows(audit)))
    console.print(_table("Machines: each one's best option", _machines(audit)))
    if len(audit.machines) > TABLE_MACHINES:
        console.print(
            f"(showing {TABLE_MACHINES} of {len(audit.machines):,} machines; "
            "--format csv, json, markdown or html list every one)"
        )
    _problems(console, audit)
    return out.getvalue()


def _machines(audit: FleetAudit) -> list[Sequence[str]]:
    """The markdown rows without the machine id: the report's name fits a terminal better."""
    rows = machine_rows(audit, TABLE_MACHINES)
    return [row[:1] + row[2:] for row in rows]


def _table(title: str, rows: list[Sequence[str]]) -> Table | Text:
    if len(rows) <= 1:
        return _text(f"{title}: none.")
    head, *body = rows
    table = Table(title=title, title_justify="left", title_style="bold", expand=False)
    for index, name in enumerate(head):
        table.add_column(
            name,
            justify="right" if name in p.NUMERIC_COLUMNS else "left",
            overflow="fold",
            no_wrap=index == 0,  # the row's name: what a reader scans for
        )
    for row in body:
        table.add_row(*(_text(cell) for cell in row))
    return table


def _text(text: str, style: str = "") -> Text:
    """Report text as it is: never read as markup (a `[/]` in a CPU name would raise, and a
    `[link=...]` would make a live hyperlink), without control characters."""
    return Text(printable(str(text)), style=style)


def _problems(console: Console, audit: FleetAudit) -> None:
    if audit.skipped:
        console.print()
        console.print(f"Skipped reports ({len(audit.skipped)}):", style="bold")
        for s in audit.skipped:
            console.print(_text(f"  {s.origin}: {s.reason}"))
    if audit.replaced:
        console.print()
        console.print(
            f"{len(audit.replaced)} report(s) replaced by a newer report of the same "
            "machine (the JSON format lists them)."
        )
