"""What a first advise() needs that the machine does not decide, done ahead while the copy test's
child allocates (advisor.advice_ahead): once prepare() has run to its end, a first report's
advise() imports nothing more, prepare() asks before each step whether the child is ready and
stops as soon as it is, and the report it leads to is the same."""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from pathlib import Path

from advisor.advice_ahead import FIRST_IMPORTS, prepare

# A first report's inputs loaded as advisor.commands.report.build loads them for this computer
# (the modules it has imported by the time it waits for the copy test: `ahead`, those of
# FIRST_IMPORTS not among them), then a profile whose verdicts are cloud (the remedy search
# runs) in place of the probed machine, prepare() with a child that never becomes ready, and
# advise(): the advisor modules advise() imported after prepare().
FIRST_REPORT = """
import json, sys
import advisor.cli, advisor.commands.report, advisor.probe.live.early
from advisor.advice_ahead import FIRST_IMPORTS, prepare
from advisor.advise import AdviceOptions, advise
from advisor.catalog import load_catalog
from advisor.config import load_config
from advisor.probe.resolve import resolve_machine_soon
from advisor.report.document import build_document
from advisor.workload import load_workloads

config = load_config()
catalog, workloads = load_catalog(), load_workloads()
before = {m for m in sys.modules if m.startswith("advisor")}
ahead = [m for m in FIRST_IMPORTS if m not in before]
machine = resolve_machine_soon(profile="office-laptop-16gb")()
prepare(catalog, lambda: False)
prepared = {m for m in sys.modules if m.startswith("advisor")}
advice = advise(machine, catalog, workloads, AdviceOptions(config=config))
build_document(advice)
after = {m for m in sys.modules if m.startswith("advisor")}
remedies = [v.remedy is not None for v in advice.verdicts]
print(json.dumps([sorted(after - prepared), ahead, any(remedies)]))
"""


def test_after_prepare_a_first_advise_imports_nothing_more(tmp_path: Path) -> None:
    env = {**os.environ, "ADVISOR_HOME": str(tmp_path), "HOME": str(tmp_path)}
    done = subprocess.run([sys.executable, "-c", FIRST_REPORT], capture_output=True, text=True,
                          env=env, check=True, timeout=600)  # fmt: skip
    late, ahead, remedied = json.loads(done.stdout.strip().splitlines()[-1])
    assert remedied  # the remedy search ran: its modules are needed
    assert late == []  # FIRST_IMPORTS lacks these: add them
    assert ahead == list(FIRST_IMPORTS)  # none is imported before the wait already


def test_prepare_asks_before_each_step_and_stops_when_the_child_is_ready() -> None:
    from advisor.catalog import load_catalog
    from advisor.catalog.tensors import file_sums

    asked = []

    def ready_after(steps: int):
        def ready() -> bool:
            asked.append(1)
            return len(asked) > steps

        return ready

    catalog = copy.copy(load_catalog())
    prepare(catalog, ready_after(0))
    assert len(asked) == 1 and "digest" not in vars(catalog)  # ready at once: nothing done
    asked.clear()
    prepare(catalog, ready_after(3))
    assert len(asked) == 4 and "digest" not in vars(catalog)
    asked.clear()
    prepare(catalog, ready_after(len(FIRST_IMPORTS)))  # the imports, then ready
    assert len(asked) == len(FIRST_IMPORTS) + 1 and "digest" not in vars(catalog)
    asked.clear()
    file_sums._table.cache_clear()
    prepare(catalog, ready_after(len(FIRST_IMPORTS) + 1))  # the catalog hashed, then ready
    assert len(asked) == len(FIRST_IMPORTS) + 2 and "digest" in vars(catalog)
    assert file_sums._table.cache_info().currsize == 0  # the table not read
    asked.clear()
    catalog = copy.copy(load_catalog())
    prepare(catalog, ready_after(10_000))  # never ready: every step, then each model's files
    # the imports, the hash, the table, two code stamps, each model's files (no workloads to
    # price, no machine for the search's tables)
    assert len(asked) == len(FIRST_IMPORTS) + 4 + len(catalog.models)
    assert vars(catalog)["digest"] == load_catalog().digest
    assert file_sums._table.cache_info().currsize == 1 and file_sums._table()


def _counted(monkeypatch) -> dict[str, list]:
    """The files whose token cost (at any weights) and all-on-CPU sums are worked out."""
    from advisor.estimate import fit_sums
    from advisor.estimate.speed import load

    made: dict[str, list] = {"token cost": [], "cpu only": []}
    token_cost, cpu_only = load.token_cost, fit_sums._cpu_only

    def counted_cost(arch, quant, *args, **kwargs):
        made["token cost"].append(quant)
        return token_cost(arch, quant, *args, **kwargs)

    def counted_cpu_only(arch, quant, settings):
        made["cpu only"].append(quant)
        return cpu_only(arch, quant, settings)

    monkeypatch.setattr(load, "token_cost", counted_cost)
    monkeypatch.setattr(fit_sums, "_cpu_only", counted_cpu_only)
    return made


def test_after_prepare_a_first_search_works_out_no_file_again(monkeypatch) -> None:
    """prepare() works out what a search on a machine without usable GPUs reads of each file
    no larger than all its memory, whatever the machine (its token cost at the file's size,
    its all-on-CPU sums), and the search's answers stay the same: advise() then works out
    none of it again."""
    import dataclasses

    from advisor.advice_options import AdviceOptions
    from advisor.advise import advise
    from advisor.catalog import load_catalog
    from advisor.probe import load_profile
    from advisor.workload import load_workloads

    # A machine no other test has judged (the memos are the process's): its RAM unlike any
    # profile's, so its files and contexts are asked about afresh
    base = load_profile("office-laptop-16gb")
    memory = dataclasses.replace(base.memory, ram_total_bytes=23 * 1024**3 + 12345)
    machine = dataclasses.replace(base, memory=memory)
    catalog, workloads = load_catalog(), load_workloads()
    options = AdviceOptions(cache=False, remedies=False)
    from advisor.estimate import fit_sums
    from advisor.estimate.speed import predict

    fit_sums._CPU_ONLY.clear()  # what earlier tests of this process worked out
    predict.least_token_cost.cache_clear()
    predict.file_token_cost.cache_clear()
    made = _counted(monkeypatch)
    prepare(catalog, lambda: False, machine, workloads)
    room = memory.ram_total_bytes
    files = {(m.architecture, q.type): q.size_bytes for m in catalog.models for q in m.quants}
    # every file no larger than all the machine's memory (files alike in their architecture
    # and type once), and none larger (there are some)
    assert len(made["cpu only"]) == sum(size <= room for size in files.values()) < len(files)
    for found in made.values():
        found.clear()
    advice = advise(machine, catalog, workloads, options)
    assert made == {"token cost": [], "cpu only": []}
    fit_sums._CPU_ONLY.clear()  # the search works them out itself: the same answers
    predict.least_token_cost.cache_clear()
    predict.file_token_cost.cache_clear()
    again = advise(machine, catalog, workloads, options)
    assert made["cpu only"]
    assert (again.verdicts, again.candidates) == (advice.verdicts, advice.candidates)


def test_after_prepare_a_first_report_prices_and_stamps_nothing_again(monkeypatch) -> None:
    """The workloads' cloud paths and the stamps of the code the advice and remedy caches are
    keyed by are worked out ahead too: advise() works out neither again, and the estimate
    cache's stamp reads the files those stamps listed (disk_cache.code_stamp)."""
    from advisor.advice_options import AdviceOptions
    from advisor.advise import advise
    from advisor.catalog import load_catalog
    from advisor.files import disk_cache
    from advisor.probe import load_profile
    from advisor.verdict import cloud
    from advisor.workload import load_workloads

    machine = load_profile("office-laptop-8gb")
    catalog, workloads = load_catalog(), load_workloads()
    # The stamps as a first report's process starts, unstamped: what earlier tests stamped
    # would otherwise answer advise() whether or not prepare() stamped it
    disk_cache.code_stamp.cache_clear()
    disk_cache._kept_source_lines.cache_clear()
    prepare(catalog, lambda: False, machine, workloads)
    asked: list[object] = []
    lines, stamp, costs = disk_cache._source_lines, disk_cache.source_stamp, cloud.cloud_costs

    def counted_stamp(names):
        names = tuple(names)
        if names:  # (code_digest(()) of a cache keyed by no module stamps nothing)
            asked.append(names)
        return stamp(names)

    monkeypatch.setattr(disk_cache, "_source_lines", lambda name: asked.append(name) or lines(name))
    monkeypatch.setattr(disk_cache, "source_stamp", counted_stamp)
    monkeypatch.setattr(cloud, "cloud_costs", lambda *a: asked.append(a) or costs(*a))
    advice = advise(machine, catalog, workloads, AdviceOptions())
    assert asked == []  # no folder listed or file stat'ed, no cloud path priced, again
    assert any(v.remedy is not None for v in advice.verdicts)  # the remedy search ran
