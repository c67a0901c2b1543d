"""Worker processes judge exactly what one process judges."""

from __future__ import annotations

import advisor.audit.evaluate as evaluate
from advisor.audit.audit import AuditSettings, run_audit
from advisor.audit.read import read_reports
from advisor.audit.render.json_doc import audit_document


def _doc(audit) -> dict:
    doc = audit_document(audit)
    doc.pop("generated_at")
    return doc


def test_a_pool_of_workers_gives_the_same_audit(fleet_dir, catalog, monkeypatch) -> None:
    alone = run_audit([str(fleet_dir)], catalog, AuditSettings(jobs=1))
    monkeypatch.setattr(evaluate, "POOL_MIN_REQUESTS", 2)  # the test fleet has 4 configurations
    monkeypatch.setattr(evaluate, "WARM_UP_REQUESTS", 1)
    sent: list[int] = []
    real = evaluate.Evaluator._in_pool

    def in_pool(self, todo):
        sent.append(len(todo))
        return real(self, todo)

    monkeypatch.setattr(evaluate.Evaluator, "_in_pool", in_pool)
    pooled = run_audit([str(fleet_dir)], catalog, AuditSettings(jobs=2))
    assert sent and sent[0] == 3  # 4 configurations: one judged here first, three in workers
    assert pooled.evaluations == alone.evaluations
    assert _doc(pooled) == _doc(alone)


def test_workers_are_sent_workload_keys_and_judge_the_same(fleet_dir, catalog, monkeypatch) -> None:
    """A request goes to a worker without its workloads (9 of its 12 KB) when the workers
    were started with them (every request, here); one with a workload they were not started
    with goes whole. The audit is the same."""
    alone = run_audit([str(fleet_dir)], catalog, AuditSettings(jobs=1))
    monkeypatch.setattr(evaluate, "POOL_MIN_REQUESTS", 2)
    sent: list[tuple[bool, int]] = []
    real = evaluate.Evaluator._task

    def task(self, request):
        made = real(self, request)
        sent.append((made[1], len(made[0].workloads)))
        return made

    monkeypatch.setattr(evaluate.Evaluator, "_task", task)
    pooled = run_audit([str(fleet_dir)], catalog, AuditSettings(jobs=2))
    assert len(sent) >= 2 and all(by_key and not n for by_key, n in sent)
    assert _doc(pooled) == _doc(alone)
    evaluator = evaluate.Evaluator(catalog)
    evaluator._workloads = {}
    request = next(iter(_requests(fleet_dir)))
    assert evaluator._task(request) == (request, False)  # not known to the workers: whole


def _requests(fleet_dir):
    from advisor.audit.audit import _plan
    from advisor.audit.parse import ReportReader

    reader = ReportReader()
    read_reports([str(fleet_dir)], None, reader)
    return [_plan(g, AuditSettings(), {}).request for g in reader.groups.values()]


def test_the_first_configuration_is_judged_while_workers_read(
    fleet_dir, catalog, monkeypatch
) -> None:
    """With reading workers, this process judges the first file's configuration meanwhile:
    that judgement is the judging's warm-up (none is made after the reading), it counts once,
    and the audit is the one a single process makes."""
    import advisor.audit.read as read

    alone = run_audit([str(fleet_dir)], catalog, AuditSettings(jobs=1))
    monkeypatch.setattr(read, "POOL_MIN_FILES", 2)
    monkeypatch.setattr(evaluate, "POOL_MIN_REQUESTS", 2)
    early: list[bytes] = []
    events: list[str] = []
    sent: list[int] = []
    real_prefetch, real_inline, real_pool = (
        evaluate.Evaluator.prefetch,
        evaluate.Evaluator._inline,
        evaluate.Evaluator._in_pool,
    )

    def prefetch(self, request):
        assert self._pool is None and not self.results  # before any judging
        early.append(request.key)
        return real_prefetch(self, request)

    def in_line(self, request):
        events.append("inline")
        return real_inline(self, request)

    def in_pool(self, todo):
        events.append("pool")
        sent.append(len(todo))
        return real_pool(self, todo)

    monkeypatch.setattr(evaluate.Evaluator, "prefetch", prefetch)
    monkeypatch.setattr(evaluate.Evaluator, "_inline", in_line)
    monkeypatch.setattr(evaluate.Evaluator, "_in_pool", in_pool)
    pooled = run_audit([str(fleet_dir)], catalog, AuditSettings(jobs=2))
    assert len(early) == 1 and events[0] == "pool"  # no warm-up after the reading
    assert sent and sent[0] == 3  # 4 configurations: the first judged while reading
    assert pooled.evaluations == alone.evaluations
    assert _doc(pooled) == _doc(alone)


def test_a_prefetched_judgement_covering_less_than_asked_is_not_counted(catalog) -> None:
    """Two reports' configurations that share a machine but not all workloads are judged as
    one request: a judgement made ahead for one of them does not stand in for it (the count
    of judgements stays the one made without it)."""
    from dataclasses import replace

    from advisor.advice_options import AdviceOptions
    from advisor.probe import load_profile
    from advisor.workload import load_workloads

    workloads = tuple(load_workloads())[:2]
    machine = load_profile("office-laptop-8gb")
    options = AdviceOptions(cache=False, top_candidates=1)
    a = evaluate.Request(b"k", machine, (), options, workloads[:1], (b"w0",))
    b = replace(a, workloads=workloads, workload_keys=(b"w0", b"w1"))
    with evaluate.Evaluator(catalog) as evaluator:
        evaluator.prefetch(a)
        evaluator.evaluate([a, b])
        assert evaluator.judged == 1  # a and b as one request, as without the prefetch
        merged = evaluator.result(b"k", b"w0")
    with evaluate.Evaluator(catalog) as evaluator:
        evaluator.prefetch(a)
        evaluator.evaluate([a])
        assert evaluator.judged == 1  # the prefetched judgement, counted once
        assert evaluator.result(b"k", b"w0") == merged
    with evaluate.Evaluator(catalog) as evaluator:
        evaluator.prefetch(a)
        assert evaluator.judged == 0  # never asked for: not counted


def _read(paths, jobs: int, stdin=None):
    from advisor.audit.parse import ReportReader

    reader = ReportReader()
    refs, skipped = read_reports(paths, stdin, reader, jobs)
    groups = {k: (g.workload_keys, g.inputs) for k, g in reader.groups.items()}
    return refs, skipped, groups


def test_workers_read_exactly_what_one_process_reads(tmp_path, docs, monkeypatch) -> None:
    """Configurations met again in later runs, a refused one, bad reports, JSON lines and
    stdin between the files: the same references, reasons and configurations, in order."""
    import contextlib
    import io
    import json

    from audit_kit import as_machine, write

    import advisor.audit.read as read

    laptop, desk = docs["office-laptop-8gb"], docs["rtx-4090-desktop"]
    refused = as_machine(desk, 90)
    refused["inputs"]["workloads"][0]["calls_per_day"] = "many"
    folder = tmp_path / "fleet"
    for number in range(12):
        doc = as_machine(laptop if number % 3 else desk, number)
        doc["machine"] = dict(doc["machine"], name=f"host {number}")  # same configuration
        write(folder, f"r{number:02d}.json", doc)
    write(folder, "r03b.json", refused)
    write(folder, "r07b.json", dict(as_machine(desk, 91), machine_id=7))
    write(folder, "r08b.json", json.dumps(as_machine(laptop, 92))[:900])
    write(folder, "r10b.json", as_machine(refused, 93))
    write(folder, "lines.jsonl", "\n".join(json.dumps(as_machine(laptop, n)) for n in (94, 95)))
    lines = json.dumps(as_machine(desk, 96)).encode() + b"\n"
    paths = [str(folder / "r0*.json"), "-", str(folder)]
    alone = _read(paths, 1, io.BytesIO(lines))
    monkeypatch.setattr(read, "POOL_MIN_FILES", 2)
    monkeypatch.setattr(read, "RUNS_PER_WORKER", 3)  # several runs meet each configuration
    runs: list[int] = []
    real = read.worker_pool

    @contextlib.contextmanager
    def counted(jobs, *args):
        with real(jobs, *args) as pool:
            imap = pool.imap
            pool.imap = lambda fn, items: (runs.extend(len(i) for i in items), imap(fn, items))[1]
            yield pool

    monkeypatch.setattr(read, "worker_pool", counted)
    pooled = _read(paths, 2, io.BytesIO(lines))
    assert sum(runs) == 17 and len(runs) > 4  # stdin read here, between two sets of runs
    assert pooled == alone
    refs, skipped, groups = alone
    assert len(refs) == 15 and len(groups) == 2
    assert {g[1].machine.name for g in groups.values()} == {"host 0", "host 1"}  # the first
    reasons = sorted(s.reason.split(" (")[0].split(":")[0] for s in skipped)
    assert reasons == ["inputs.workloads[0].calls_per_day"] * 2 + ["machine_id"] + ["truncated"]


def test_the_summary_is_made_while_the_workers_judge_the_first_upgrade_round(
    fleet_dir, catalog, monkeypatch
) -> None:
    """What the summary takes from the judgements alone is worked out once, in the first
    upgrade round, between sending its requests to the workers and reading their results
    (not after the last round, with the workers stopped); the audit is the one a single
    process makes, which works it out after the search."""
    import advisor.audit.audit as audit

    made: list[tuple[int, int]] = []  # (pooled evaluations begun, results read in the round)
    rounds: list[int] = []
    real_parts, real_pool, real_keep = (
        audit._parts,
        evaluate.Evaluator._in_pool,
        evaluate.Evaluator._keep,
    )
    kept_in_round = [0]

    def parts(*args):
        made.append((len(rounds), kept_in_round[0]))
        return real_parts(*args)

    def in_pool(self, todo):
        rounds.append(len(todo))
        kept_in_round[0] = 0
        return real_pool(self, todo)

    def keep(self, *args):
        kept_in_round[0] += 1
        return real_keep(self, *args)

    monkeypatch.setattr(audit, "_parts", parts)
    monkeypatch.setattr(evaluate.Evaluator, "_keep", keep)
    alone = run_audit([str(fleet_dir)], catalog, AuditSettings(jobs=1))
    assert made == [(0, kept_in_round[0])]  # one process: after the search
    made.clear()
    monkeypatch.setattr(evaluate, "POOL_MIN_REQUESTS", 2)  # the test fleet has 4 configurations
    monkeypatch.setattr(evaluate.Evaluator, "_in_pool", in_pool)
    pooled = run_audit([str(fleet_dir)], catalog, AuditSettings(jobs=2))
    assert len(rounds) >= 2 and made == [(2, 0)]  # the judging, then the first upgrade round
    assert pooled.evaluations == alone.evaluations
    assert _doc(pooled) == _doc(alone)
    made.clear()
    without = run_audit([str(fleet_dir)], catalog, AuditSettings(jobs=2, upgrades=False))
    assert len(made) == 1 and without.machines == pooled.machines


def test_a_reading_worker_builds_each_configuration_once_across_its_runs(
    tmp_path, docs, monkeypatch
) -> None:
    """A worker reads several runs one after the other and keeps what it met between them:
    a configuration it built in one run is not built (validated whole) again in the next,
    only the parts its key leaves out are checked, as within one run."""
    from audit_kit import as_machine, write

    import advisor.audit.parse as parse
    import advisor.audit.read as read

    laptop = docs["office-laptop-8gb"]
    paths = [str(write(tmp_path, f"r{n}.json", as_machine(laptop, n))) for n in range(4)]
    bad = dict(as_machine(laptop, 9), machine=dict(laptop["machine"], ram_available_gb=-1))
    paths.append(str(write(tmp_path, "bad.json", bad)))
    built: list[str] = []
    real = parse.inputs_from_report

    def counted(doc):
        built.append(doc["machine_id"])
        return real(doc)

    monkeypatch.setattr(parse, "inputs_from_report", counted)
    monkeypatch.setattr(read, "_WORKER_SHARED", None)
    read._start_reader()  # as the pool's initializer does in each worker
    first, second = read.read_run(paths[:2]), read.read_run(paths[2:])
    assert built == [f"m-{0:020x}"] and first[0].group is not None
    assert all(p.group is None for p in first[1:] + second[:2])
    assert isinstance(second[2].found, read.Skipped)  # its own left-out part is still checked
    assert "ram_available_gb" in second[2].found.reason


def test_reading_runs_shrink_to_short_last_runs_in_file_order() -> None:
    """10,000 files on two workers: the runs start at 625 files (10,000 over 2 x 8) and shrink
    with the files left to MIN_RUN_FILES, so a worker that ends first waits on a short run;
    every file is in one run, in order, and what is not a file keeps its place."""
    import advisor.audit.read as read
    from advisor.audit.sources import Skipped

    files = [f"/fleet/r{n:05d}.json" for n in range(10_000)]
    odd = Skipped("<stdin>:1", "truncated")
    items = [*files[:5000], odd, *files[5000:]]
    plan = read._runs(items, len(files), 2 * read.RUNS_PER_WORKER)
    runs = [p for p in plan if isinstance(p, list)]
    assert [f for run in runs for f in run] == files
    assert plan[next(i for i, p in enumerate(plan) if p is odd) - 1][-1] == files[4999]
    sizes = [len(run) for run in runs]
    assert sizes[0] == 625 and sizes[-2] == read.MIN_RUN_FILES and sizes[-1] <= read.MIN_RUN_FILES
    assert len(runs) < 80  # a few dozen results to send back, not one per file
    plain = [len(run) for run in read._runs(files, len(files), 2 * read.RUNS_PER_WORKER)]
    assert plain == sorted(plain, reverse=True) and plain[0] == 625 and sum(plain) == 10_000
    assert plain[-2] == read.MIN_RUN_FILES
    # a small fleet: runs of equal size (below MIN_RUN_FILES there is nothing to shrink)
    small = read._runs(files[:16], 16, 6)
    assert [len(r) for r in small] == [3, 3, 3, 3, 3, 1]
