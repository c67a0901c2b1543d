"""The workload tab: the form on the left, and the verdict it gets, worked out in a thread."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal

from advisor.errors import AdvisorError
from advisor.tui import stages
from advisor.tui.messages import AdviceReady, StageFailed
from advisor.tui.stages import AdviceInputs
from advisor.tui.widgets.verdict_view import VerdictView
from advisor.tui.widgets.workload_form import WorkloadForm

if TYPE_CHECKING:
    from advisor.workload import Workload


class WorkloadPane(Horizontal):
    """Every valid edit asks for a new verdict; a stale answer is dropped, not shown."""

    def __init__(self, presets: Sequence[Workload], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.presets = tuple(presets)
        self.workload: Workload | None = self.presets[0] if self.presets else None
        self.inputs: AdviceInputs | None = None

    def compose(self) -> ComposeResult:
        yield WorkloadForm(self.presets, id="workload-form")
        yield VerdictView(id="verdict")

    def set_inputs(self, inputs: AdviceInputs | None) -> None:
        """New inputs ask for a new verdict; the same ones again change nothing."""
        if inputs is not None and inputs.same_as(self.inputs):
            return
        self.inputs = inputs
        if inputs is None:
            self.query_one(VerdictView).say("Waiting for the machine…")
        else:
            self._advise()

    def _advise(self) -> None:
        if self.inputs is not None and self.workload is not None:
            self.query_one(VerdictView).say("Working out the verdict…")
            self.advise(self.inputs, self.workload)

    @work(thread=True, exclusive=True, group="advice")
    def advise(self, inputs: AdviceInputs, workload: Workload) -> None:
        try:
            advice = stages.advice(inputs, [workload])
        except AdvisorError as exc:
            self.post_message(StageFailed("advice", exc.message, exc.hint))
            return
        stale = stages.stale_facts(advice, inputs.catalog)
        self.post_message(AdviceReady(advice, workload, stale))

    @on(AdviceReady)
    def _advice_ready(self, message: AdviceReady) -> None:
        current = self.inputs is not None and message.advice.machine is self.inputs.machine
        if message.workload is not self.workload or not current:
            message.stop()  # the user has edited the workload or switched machine since
            return
        self.query_one(VerdictView).show(message.advice.verdicts[0], message.stale)

    @on(StageFailed)
    def _failed(self, message: StageFailed) -> None:
        self.query_one(VerdictView).say(f"No verdict: {message.message}", problem=True)

    @on(WorkloadForm.Changed)
    def _changed(self, message: WorkloadForm.Changed) -> None:
        message.stop()
        if message.workload is None:
            self.query_one(VerdictView).say(f"Fix the form: {message.error}", problem=True)
            return
        self.workload = message.workload
        self._advise()
