"""The start of a benchmark's child script that times advise(): the config, catalog and
workloads loaded, the machine (`profile`, or this computer probed) with its RAM bandwidth fixed
at 30 GB/s so every run estimates alike, and the modules a search runs imported, so the timed
part is the search alone. The child script assigns `profile` (a name or None) and `remedies`
before this text; benchmarks/search_cost.py and benchmarks/advise_split.py use it."""

SETUP = r"""
import dataclasses
from advisor.advice_options import AdviceOptions
from advisor.catalog import load_catalog
from advisor.config import load_config
from advisor.probe.resolve import resolve_machine
from advisor.workload import load_workloads
config, catalog, workloads = load_config(), load_catalog(), load_workloads()
machine = resolve_machine(profile=profile, measure_bandwidth=False)
memory = dataclasses.replace(machine.memory, bandwidth_measured_gbs=30.0)
machine = dataclasses.replace(machine, memory=memory)
options = AdviceOptions(config=config, remedies=remedies, cache=False)
for name in ("advisor.verdict.search", "advisor.verdict.gather", "advisor.verdict.decide",
             "advisor.verdict.candidates", "advisor.estimate.assemble", "advisor.estimate.fit",
             "advisor.estimate.speed.predict", "advisor.estimate.speed.floor",
             "advisor.estimate.speed.ceiling", "advisor.remedies",
             "advisor.catalog.tensors.builder"):
    __import__(name)
"""
