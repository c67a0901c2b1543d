"""A report's `options_checked` counts each file once: a model's smallest file, checked early
to see whether any of its files can decode fast enough (advisor.verdict.model_files
`_hopeless`), is not checked and counted a second time when the search reaches it in quality
order. On the real catalog and every reference profile, the full search (every file it reaches
estimated) lists no file twice and counts what it lists; the skipping search counts the same."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from advisor.advice_options import AdviceOptions
from advisor.advise import advise
from advisor.catalog import load_catalog
from advisor.probe import load_profile
from advisor.verdict import decide as decide_module
from advisor.verdict.proven import Proven
from advisor.workload import load_workloads

PROFILES = sorted(p.stem for p in (Path(__file__).parents[2] / "profiles").glob("*.yaml"))
OPTIONS = AdviceOptions(cache=False, remedies=False)


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


@pytest.mark.parametrize("profile", PROFILES)
def test_each_file_is_checked_and_counted_once(profile, catalog, monkeypatch) -> None:
    machine, workloads = load_profile(profile), load_workloads()
    skipping = [v.options_checked for v in advise(machine, catalog, workloads, OPTIONS).verdicts]
    listed: list[list[tuple[str, str]]] = []
    original = decide_module._decided

    def decided(workload, options, *args, **kwargs):
        listed.append([(o.candidate.model_id, o.candidate.quant) for o in options])
        return original(workload, options, *args, **kwargs)

    monkeypatch.setattr(Proven, "unneeded", lambda self, *args: None)  # every file estimated
    monkeypatch.setattr(decide_module, "_decided", decided)
    full = advise(machine, catalog, workloads, OPTIONS).verdicts
    for files, verdict in zip(listed, full, strict=True):
        twice = [file for file, n in Counter(files).items() if n > 1]
        assert twice == [], f"{profile} {verdict.workload}: checked twice: {twice}"
        assert verdict.options_checked == len(files)
    assert [v.options_checked for v in full] == skipping
