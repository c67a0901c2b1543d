"""The Team tab: people, seats, the server (the machine on top, `p` to switch) and the plan with
its commands, worked out in a thread by advisor.team."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.widgets import Button, Input, Label, Select, Static

from advisor.errors import AdvisorError
from advisor.tui import stages
from advisor.tui.format import plain

if TYPE_CHECKING:
    from advisor.team.advice import TeamAdvice
    from advisor.tui.stages import AdviceInputs
    from advisor.verdict.staleness import StaleFact
    from advisor.workload import Workload

DEFAULT_PEOPLE = "25"
DEFAULT_SEATS = "chatgpt-business=25"


@dataclass(frozen=True)
class TeamAsk:
    """What the form asks for, read and checked."""

    people: int
    seats: tuple[str, ...]
    peak_factor: float | None
    workload: Workload


class TeamView(VerticalScroll):
    """Press Plan (or Enter in a field) to plan the shared server for the machine on top."""

    @dataclass
    class Planned(Message):
        advice: TeamAdvice
        ask: TeamAsk
        stale: tuple[StaleFact, ...] = ()  # the old prices and scores the plan used

    @dataclass
    class Failed(Message):
        text: str

    def __init__(self, presets: Sequence[Workload], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.presets = tuple(w for w in presets if w.access == "interactive") or tuple(presets)
        self.inputs: AdviceInputs | None = None
        self.ask: TeamAsk | None = None
        self.advice: TeamAdvice | None = None  # the plan on screen

    def compose(self) -> ComposeResult:
        with Horizontal(id="team-form", classes="team-form"):
            yield Label("people")
            yield Input(DEFAULT_PEOPLE, id="team-people", type="integer")
            yield Label("seats")
            yield Input(DEFAULT_SEATS, id="team-seats", placeholder="PLAN=N, PLAN=N")
            yield Label("peak ×")
            yield Input("", id="team-peak", placeholder="2 (assumed)")
        with Horizontal(id="team-form-2", classes="team-form"):
            yield Label("workload")
            choices = [(plain(w.title), w.name) for w in self.presets]
            first = choices[0][1] if choices else Select.BLANK
            yield Select(choices, value=first, allow_blank=not choices, id="team-workload")
            yield Button("Plan", id="team-plan", variant="primary")
        yield Static(
            "The server is the machine on top: press p to pick a server profile "
            "(h100-server, dual-rtx-3090, mac-studio-m3-ultra-512gb, ...), then Plan.",
            id="team-result",
        )

    def set_inputs(self, inputs: AdviceInputs | None) -> None:
        self.inputs = inputs

    @on(Button.Pressed, "#team-plan")
    @on(Input.Submitted)
    def _plan(self) -> None:
        result = self.query_one("#team-result", Static)
        if self.inputs is None:
            result.update("Waiting for the machine, catalog and config…")
            return
        try:
            ask = self._read()
        except AdvisorError as exc:
            result.update(Text(f"Fix the form: {exc.message}", style="bold red"))
            return
        self.ask = ask
        result.update(
            f"Planning a shared server for {ask.people} people on {self.inputs.machine.name}…"
        )
        self.plan(self.inputs, ask)

    def _read(self) -> TeamAsk:
        from advisor.errors import UsageError
        from advisor.team.demand import check_team_size

        people_text = self.query_one("#team-people", Input).value.strip()
        if not people_text.lstrip("-").isdigit():
            raise UsageError(f"people must be a whole number, got {people_text!r}")
        seats = tuple(s.strip() for s in self.query_one("#team-seats", Input).value.split(","))
        peak_text = self.query_one("#team-peak", Input).value.strip()
        try:
            peak = float(peak_text) if peak_text else None
        except ValueError as exc:
            raise UsageError(f"peak × must be a number, got {peak_text!r}") from exc
        name = self.query_one("#team-workload", Select).value
        workload = next((w for w in self.presets if w.name == name), None)
        if workload is None:
            raise UsageError("choose a workload")
        return TeamAsk(
            check_team_size(int(people_text)), tuple(s for s in seats if s), peak, workload
        )

    @work(thread=True, exclusive=True, group="team")
    def plan(self, inputs: AdviceInputs, ask: TeamAsk) -> None:
        from advisor.advice_options import AdviceOptions
        from advisor.team.advice import TeamOptions, team_advice
        from advisor.verdict.seats import parse_seats, seat_plans

        try:
            seats = seat_plans(parse_seats(list(ask.seats)), inputs.catalog)
            team = TeamOptions(users=ask.people, peak_factor=ask.peak_factor, seats=seats)
            options = AdviceOptions(config=inputs.config)
            advice = team_advice(inputs.machine, inputs.catalog, ask.workload, team, options)
        except AdvisorError as exc:
            self.post_message(self.Failed(exc.message))
            return
        stale = stages.team_stale_facts(advice, inputs.catalog, options)
        self.post_message(self.Planned(advice, ask, stale))

    @on(Planned)
    def _planned(self, message: Planned) -> None:
        if message.ask is not self.ask:
            return  # asked again since
        from advisor.report.team_text import render_team_text

        self.advice = message.advice
        text = Text(render_team_text(message.advice))
        if message.stale:
            text.append("\nOld prices and scores\n", style="bold underline")
            text.append("\n".join(f"· {f.message()}" for f in message.stale), style="yellow")
        self.query_one("#team-result", Static).update(text)

    @on(Failed)
    def _failed(self, message: Failed) -> None:
        self.query_one("#team-result", Static).update(
            Text(f"No plan: {message.text}", style="bold red")
        )
