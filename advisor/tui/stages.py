"""The slow work behind the app, as plain functions its thread workers call: no Textual here."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from advisor.probe.machine import Machine
from advisor.tui.candidates import ListedCandidate

if TYPE_CHECKING:
    from advisor.advice_options import AdviceOptions
    from advisor.advise import Advice
    from advisor.catalog.model import Catalog
    from advisor.catalog.scan.installed import InstalledModel
    from advisor.config import Config
    from advisor.estimate.rank import RankedCandidate
    from advisor.team.advice import TeamAdvice
    from advisor.tui.setup import Setup
    from advisor.verdict.staleness import StaleFact
    from advisor.workload import Workload

THIS_COMPUTER = ""  # the profile choice that probes the live machine
DEFAULT_CONTEXT_TOKENS = 8192


@dataclass(frozen=True)
class ProfileChoice:
    """One machine the user may switch to: a profile name (or THIS_COMPUTER) and its title."""

    key: str
    title: str
    summary: str = ""


# --- the machine ------------------------------------------------------------------------------
def first_machine(setup: Setup, default_profile: str | None = None) -> Machine:
    """The machine to paint first: a profile, or this computer without the bandwidth test.

    With no profile asked for, the config file's default profile applies, as in `advisor
    report`; THIS_COMPUTER asks for the probe whatever the config says.
    """
    from advisor.probe import resolve_machine

    profile = setup.profile if setup.profile is not None else default_profile
    return resolve_machine(
        profile=profile or None,
        profiles_dir=setup.profiles_dir,
        ram_gb=setup.ram_gb,
        vram_gb=setup.vram_gb,
        measure_bandwidth=False,
    )


def needs_bandwidth(setup: Setup, machine: Machine) -> bool:
    """A live probe still owes the RAM copy test; a profile states its figures."""
    return (
        setup.measure_bandwidth
        and machine.origin == "probe"
        and machine.memory.bandwidth_measured_gbs is None
    )


def with_bandwidth(machine: Machine) -> Machine:
    """The machine with its RAM bandwidth measured (cached per machine by the probe)."""
    from advisor.probe import fill_memory_bandwidth

    return fill_memory_bandwidth(machine)


def profile_key(machine: Machine) -> str:
    """The profile switcher's key for a machine: its profile name, or THIS_COMPUTER."""
    return THIS_COMPUTER if machine.origin == "probe" else machine.origin.removeprefix("profile:")


def machine_summary(machine: Machine) -> str:
    """A short line for the profile list (the title names the machine): backend and memory."""
    from advisor.tui.format import gib

    parts = [machine.backend]
    gpus = [g for g in machine.gpus if not g.unified_memory]
    if gpus:
        count = f"{len(gpus)} GPUs, " if len(gpus) > 1 else ""
        parts.append(f"{count}{gib(machine.total_vram_bytes, 0)} VRAM")
    elif machine.gpus:
        parts.append("unified memory")
    parts.append(f"{gib(machine.memory.ram_total_bytes, 0)} RAM")
    return " · ".join(parts)


def profile_choices(profiles_dir: Path | None) -> list[ProfileChoice]:
    """This computer first, then every profile with its title and a one-line summary."""
    from advisor.probe import list_profiles, load_profile

    choices = [ProfileChoice(THIS_COMPUTER, "This computer", "probe the live machine")]
    for name in list_profiles(profiles_dir):
        machine = load_profile(name, profiles_dir)
        choices.append(ProfileChoice(name, machine.name, machine_summary(machine)))
    return choices


# --- data files -------------------------------------------------------------------------------
def config() -> Config:
    """The user's config file (prices, region, defaults); flags have none to override here."""
    from advisor.config import load_config

    return load_config()


def catalog(setup: Setup, config: Config | None = None) -> Catalog:
    """The catalog, with the plan limits the config assumes (prices.plan_limits), read by the
    parser `--plan-limit` uses (advisor.catalog.plan_limits)."""
    from advisor.catalog import load_catalog
    from advisor.catalog.plan_limits import with_plan_limits
    from advisor.config import plan_limits

    found = load_catalog(setup.catalog_path)
    return with_plan_limits(found, plan_limits(config)) if config is not None else found


def workloads(config: Config) -> tuple[Workload, ...]:
    """The config's default workloads, else every preset and user workload."""
    from advisor.workload import load_workloads

    return load_workloads(config.defaults.workloads)


def scan(catalog: Catalog) -> tuple[InstalledModel, ...]:
    """GGUF files in the usual model folders (Hugging Face, LM Studio, Ollama, llama.cpp)."""
    from advisor.catalog.scan.installed import scan_models

    return scan_models(catalog=catalog)


# --- the models table -------------------------------------------------------------------------
def installed_paths(
    installed: Sequence[InstalledModel], model_id: str, quant: str | None
) -> tuple[Path, ...]:
    return tuple(
        i.path
        for i in installed
        if i.model_id == model_id and i.complete and (quant is None or i.quant == quant)
    )


def with_installed(
    rows: Sequence[ListedCandidate], installed: Sequence[InstalledModel]
) -> tuple[ListedCandidate, ...]:
    """The rows with the files `advisor scan` found for each model (and quant) marked."""
    return tuple(
        dataclasses.replace(
            row,
            installed=installed_paths(
                installed, row.model.id, row.quant.type if row.quant else None
            ),
        )
        for row in rows
    )


def calibration(machine: Machine):
    """This machine's throughput tests as a calibration; None without any."""
    from advisor.bench.calibrate.from_store import load_calibration

    return load_calibration(machine)


def quality_basis(ranked: RankedCandidate) -> str:
    """How the quality figure was reached and the index it comes from, as the report says it
    (advisor.estimate.rank.RankedCandidate.quality_text)."""
    return ranked.quality_text


def ranked(
    machine: Machine,
    catalog: Catalog,
    installed: Sequence[InstalledModel],
    *,
    task: str,
    context_tokens: int,
) -> list[ListedCandidate]:
    """Every catalog model for the task: the fitting ones best first, then those left out, as
    estimated with this machine's calibration."""
    from functools import partial

    from advisor.estimate import estimate
    from advisor.estimate.rank import quality_for, rank_models

    estimator = partial(estimate, calibration=calibration(machine))
    from advisor.verdict.choice import interactive_floor

    floor = interactive_floor(task)  # the rule a verdict picks its option by
    ranking = rank_models(
        machine, catalog, task=task, context_tokens=context_tokens, estimator=estimator,
        interactive_decode_tokens_per_s=floor[0] if floor else None,
    )  # fmt: skip
    rows = []
    for c in ranking.candidates:
        model = catalog.find(c.model_id)
        quant = model.quant(c.quant)
        paths = installed_paths(installed, model.id, quant.type)
        basis = quality_basis(c)
        row = ListedCandidate(
            model, quant, c.estimate, len(rows) + 1, c.quality, None, basis, paths
        )
        rows.append(row)
    for left_out in ranking.excluded:
        model = catalog.find(left_out.model_id)
        quality = quality_for(model, task)
        index = quality[0] if quality else None
        basis = (
            f"{quality[1].replace('_', ' ')} {index:.1f}, before quantization" if quality else None
        )
        paths = installed_paths(installed, model.id, None)
        rows.append(
            ListedCandidate(model, None, None, len(rows) + 1, index, left_out.reason, basis, paths)
        )
    return rows


# --- verdicts and the report ------------------------------------------------------------------
@dataclass(frozen=True)
class AdviceInputs:
    """What a verdict needs besides the workload; the app hands them over as they land."""

    machine: Machine
    catalog: Catalog
    config: Config
    measurements: int = 0  # throughput tests run since the app started: each recalibrates

    def same_as(self, other: AdviceInputs | None) -> bool:
        """The very same inputs (not merely equal ones): the verdict would not change."""
        if other is None:
            return False
        mine = (self.machine, self.catalog, self.config)
        theirs = (other.machine, other.catalog, other.config)
        same = all(a is b for a, b in zip(mine, theirs, strict=True))
        return same and self.measurements == other.measurements


def advice(inputs: AdviceInputs, workloads: Sequence[Workload]) -> Advice:
    """The verdicts for `workloads` on the inputs' machine, priced with its config."""
    from advisor.advice_options import AdviceOptions
    from advisor.advise import advise

    options = AdviceOptions(config=inputs.config)
    return advise(inputs.machine, inputs.catalog, list(workloads), options)


def stale_facts(advice: Advice, catalog: Catalog) -> tuple[StaleFact, ...]:
    """The prices and scores the verdicts used that are older than MAX_AGE_DAYS on the
    advice's date, as `advisor report` warns of them."""
    from advisor.verdict.staleness import advice_facts, report_date, stale

    facts = advice_facts(advice.rate, advice.verdicts, catalog)
    return stale(facts, report_date(advice.generated_at))


def team_stale_facts(
    team: TeamAdvice, catalog: Catalog, options: AdviceOptions
) -> tuple[StaleFact, ...]:
    """The same for a team plan, as `advisor report --team N` warns of them."""
    from advisor.advise import electricity_rate, now_utc
    from advisor.team.advice import dated_facts
    from advisor.verdict.staleness import report_date, stale

    rate = electricity_rate(catalog, options)
    return stale(dated_facts(team, catalog, rate), report_date(now_utc()))


def report(inputs: AdviceInputs, workloads: Sequence[Workload], fmt: str) -> str:
    """The report for every workload, as JSON or markdown text."""
    return report_text(advice(inputs, workloads), fmt)


def report_text(advice: Advice, fmt: str) -> str:
    """The report as `advisor --json` or `advisor report --format markdown` would print it."""
    from advisor.report.document import build_document

    doc: dict[str, Any] = build_document(advice)
    if fmt == "markdown":
        from advisor.report.markdown import render_markdown
        from advisor.report.view_read import report_view

        return render_markdown(report_view(doc))
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def write_report(path: Path, text: str) -> Path:
    from advisor.paths import atomic_write_text

    return atomic_write_text(path, text)
