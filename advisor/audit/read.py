"""Reading a fleet's reports: in worker processes when there are many files.

Parsing is most of the reading time (a report is about 60 KB of JSON, and its verdicts are
parsed with the rest). Workers read and parse runs of consecutive files and send back what
they found; the audit merges it in file order (advisor.audit.parse.ReportReader.merge), so the
result is the one reading every file here would give.

A worker keeps what it has met (advisor.audit.sections.Shared) from one run to its next, as it
would within one long run: it builds (validates whole) each configuration once, however many
runs it reads. The pool gives each worker its next run as it finishes one, in file order, so
a worker's runs come in file order too and the first report of a configuration in the merge
order is one its worker had not met: it carries the configuration's Group. The runs are short
(several a worker), so the audit merges the first runs' results while the workers read the
later ones, and the two workers end within a run of each other.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack
from typing import BinaryIO

from advisor.audit.parse import Parsed, ReportReader, ReportRef, parse_report, warm_validators
from advisor.audit.sections import Shared
from advisor.audit.sources import RawReport, Skipped, locate_text, read_file
from advisor.audit.workers import worker_pool
from advisor.files.disk_cache import no_cycle_collection

# Below this many files a pool costs more (start-up, sending results back) than it saves.
POOL_MIN_FILES = 400
# Runs of files a worker reads, one after the other (each given as it finishes the last): the
# audit merges the results of a run while the workers read on, rather than all of them at the
# end with both workers idle, and no worker waits long on the other at the end.
RUNS_PER_WORKER = 8
# The runs shrink as the files left do (each about what is left over jobs * RUNS_PER_WORKER,
# down to this many files): the last runs are short, so a worker that ends first waits on the
# other for a short run rather than a whole one (10,000 files in runs of 625 left one worker
# idle for ~75 ms at the end of the reading, 2026-12-07).
MIN_RUN_FILES = 32


def read_reports(
    paths: Sequence[str],
    stdin: BinaryIO | None,
    reader: ReportReader,
    jobs: int = 1,
    meanwhile: Callable[[], None] | None = None,
    started: Started | None = None,
) -> tuple[list[ReportRef], list[Skipped]]:
    """Every readable report the paths name, and every one skipped with its reason.

    `meanwhile`: called here while worker processes read (when they do), once the first file
    is read here (so `reader.groups` holds its configuration): work this process would
    otherwise do alone after the reading, with the other core idle. `started`: the reading of
    these paths as start_reading began it (else it begins here); it ends here."""
    refs: list[ReportRef] = []
    skipped: list[Skipped] = []
    # Each parsed report is thousands of short-lived dicts, freed by reference counting; the
    # cycle collector would only rescan them (a third of the reading time for 10,000 reports).
    with no_cycle_collection():
        if started is None:
            started = start_reading(paths, stdin, jobs, head_here=meanwhile is not None)
        with started:
            for item in started.found(reader, meanwhile):
                (skipped if isinstance(item, Skipped) else refs).append(item)  # type: ignore[arg-type]
    return refs, skipped


def start_reading(
    paths: Sequence[str], stdin: BinaryIO | None, jobs: int = 1, *, head_here: bool = True
) -> Started:
    """Find the files and, when there are many, start the worker processes reading them,
    before the audit needs them: what it does meanwhile (loading the config and catalog,
    its own imports) runs beside the workers rather than alone before them. `head_here`: the
    first file is left for this process to read (see read_reports' `meanwhile`). What finding
    the files raises is raised when the reports are asked for, where it was raised before."""
    with no_cycle_collection():
        try:
            items = list(locate_text(paths, stdin))  # a file as its path's text
        except Exception as exc:  # noqa: BLE001 - raised again by Started.found
            return Started([], error=exc)
        files = sum(isinstance(i, str) for i in items)
        if jobs <= 1 or files < POOL_MIN_FILES:
            return Started(items)
        head: str | None = None
        if head_here and items and isinstance(items[0], str):
            head, items = items[0], items[1:]
        plan = _runs(items, files - (head is not None), jobs * RUNS_PER_WORKER)
        runs = [p for p in plan if isinstance(p, list)]
        warm_validators()  # once here, before the fork, rather than once in every worker
        stack = ExitStack()
        pool = stack.enter_context(worker_pool(jobs, _start_reader))
        return Started(plan, head=head, results=pool.imap(read_run, runs), stack=stack)


def _runs(items: list, files: int, share: int) -> list[list[str] | RawReport | Skipped]:
    """The items with their files in runs of consecutive files, each about the files left
    over `share` (the first ~files/share, the last MIN_RUN_FILES, or fewer in a small fleet);
    other items stay in their place between the runs."""
    floor = min(MIN_RUN_FILES, max(1, -(-files // share)))
    plan: list[list[str] | RawReport | Skipped] = []
    size = 0
    for item in items:
        if not isinstance(item, str):
            plan.append(item)
        elif plan and isinstance(plan[-1], list) and len(plan[-1]) < size:
            plan[-1].append(item)
        else:
            size = max(floor, -(-files // share))
            plan.append([item])
        files -= isinstance(item, str)
    return plan


class Started:
    """A reading begun by start_reading: the files found (or what finding them raised) and,
    when workers read them, their results to come; a `with` block stops the workers."""

    def __init__(
        self,
        plan: list,
        *,
        head: str | None = None,
        results: Iterator | None = None,
        stack: ExitStack | None = None,
        error: Exception | None = None,
    ) -> None:
        self.plan = plan  # the items, or with workers, runs of files and the items between
        self.head = head
        self.results = results
        self.stack = stack
        self.error = error

    def __enter__(self) -> Started:
        return self

    def __exit__(self, *exc) -> None:
        if self.stack is not None:
            self.stack.close()

    def found(self, reader: ReportReader,
              meanwhile: Callable[[], None] | None) -> Iterator[ReportRef | Skipped]:  # fmt: skip
        """What the reading finds, in order: runs of files from the workers and anything else
        (stdin) read here, in its place; with `meanwhile`, it runs once the first file is read
        here, while the workers read on."""
        if self.error is not None:
            raise self.error
        if self.results is None:
            yield from _here(self.plan, reader)
            return
        if self.head is not None:
            yield from _here([self.head], reader)  # first in the order, as if a worker read it
        if meanwhile is not None:
            meanwhile()
        for step in self.plan:
            if isinstance(step, list):
                for parsed in next(self.results):
                    yield reader.merge(parsed)
            else:
                yield step if isinstance(step, Skipped) else reader.read(step)


def _here(items: list, reader: ReportReader) -> Iterator[ReportRef | Skipped]:
    for item in items:
        if isinstance(item, str):
            for raw in read_file(item):
                yield raw if isinstance(raw, Skipped) else reader.read(raw)
        else:
            yield item if isinstance(item, Skipped) else reader.read(item)


# What a reading worker has met, kept from one run to its next (see the module's docstring).
# Set once per worker by the pool's initializer (not a memo: tests/test_structure.py).
_WORKER_SHARED: Shared | None = None


def _start_reader() -> None:
    global _WORKER_SHARED
    _WORKER_SHARED = Shared()


def read_run(paths: list[str]) -> list[Parsed]:
    """Read and parse a run of files (in a worker): one Parsed per report, in order."""
    shared = _WORKER_SHARED if _WORKER_SHARED is not None else Shared()
    out: list[Parsed] = []
    with no_cycle_collection():
        for path in paths:
            for raw in read_file(path):
                if isinstance(raw, Skipped):
                    out.append(Parsed(raw.origin, None, raw, None))
                else:
                    out.append(parse_report(raw, shared))
    return out
