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
    prepare(catalog, ready_after(10_000))  # never ready: every step, the table read last
    assert len(asked) == len(FIRST_IMPORTS) + 2
    assert vars(catalog)["digest"] == load_catalog().digest
    assert file_sums._table.cache_info().currsize == 1 and file_sums._table()
