"""Reasoned scenarios against advisor's verdicts, and the verdict of every reference profile.

    python benchmarks/scenarios.py [--data FILE] [--only ID ...] [--home DIR] [--arithmetic]
    python benchmarks/scenarios.py --profiles [--home DIR]

Each scenario in benchmarks/data/scenarios.yaml names a machine (a shipped profile), a
workload (a shipped preset, or a preset with some keys changed), whether the hardware is owned
or bought at a price, --no-cloud, for a team the people and the seats they pay for today, and
the user's own quality judgement (--min-quality, --quality MODEL=SCORE) where they give one.
With it comes the answer worked out by hand from the catalog (models.yaml, the data pack in
shared/data): the verdict, the option, the monthly cost of each path and the speed figures,
with the arithmetic written out, and a tolerance for each figure.

The script runs advisor's own pipeline for each (the argument parser and
advisor.commands.report.build, which `advisor report --json` runs) and prints, per scenario,
the expected and the reported figure and whether it is within its tolerance. It exits 1 when
any scenario disagrees. --arithmetic prints each scenario's working too.

--profiles prints, for every shipped profile and workload preset, the verdict, the local option
and the chosen path's monthly cost (owned hardware, US electricity), as a markdown table.

Throughput tests and the user's config would change the figures, so the runs use their own
advisor home (--home, default a folder in the temp dir, where the estimate cache is kept
between runs): no config file, no stored throughput tests.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "benchmarks" / "data" / "scenarios.yaml"
DEFAULT_HOME = Path(tempfile.gettempdir()) / "advisor-scenarios-home"


@dataclass(frozen=True)
class Figure:
    """One figure of the reasoned answer: where it is in the report, its value and tolerance."""

    what: str
    at: str  # dotted path in the verdict ("costs_usd_per_month.hybrid"), "team." for the team plan
    value: float | str | bool | None
    rel: float | None = None  # relative tolerance (0.1 = within 10%)
    abs: float | None = None  # absolute tolerance, in the figure's unit

    def within(self, actual: object) -> bool:
        if isinstance(self.value, (str, bool)) or self.value is None or actual is None:
            return actual == self.value
        if not isinstance(actual, (int, float)):
            return False
        allowed = max(
            self.abs or 0.0, (self.rel or 0.0) * abs(float(self.value))
        )  # neither given: exact
        return abs(float(actual) - float(self.value)) <= allowed + 1e-9

    def tolerance_text(self) -> str:
        parts = []
        if self.rel:
            parts.append(f"±{self.rel:.0%}")
        if self.abs:
            parts.append(f"±{self.abs:g}")
        return " or ".join(parts) or "exact"


@dataclass(frozen=True)
class Scenario:
    id: str
    who: str
    profile: str
    workload: str | dict
    hardware_price_usd: float | None
    no_cloud: bool
    team: int | None
    seats: tuple[str, ...]
    verdict: str
    option: str | None  # "Model name QUANT", None: no option expected
    figures: tuple[Figure, ...]
    arithmetic: str
    # The user's own judgement of quality: --min-quality PCT and --quality MODEL=SCORE
    min_quality: float | None = None
    quality: tuple[str, ...] = ()

    @property
    def workload_name(self) -> str:
        if isinstance(self.workload, str):
            return self.workload
        return self.workload["name"]


def load_scenarios(path: Path = DATA) -> list[Scenario]:
    """The scenarios in `path`; a malformed entry names its id and key."""
    docs = yaml.safe_load(path.read_text(encoding="utf-8"))
    out = []
    for entry in docs["scenarios"]:
        expect = entry["expect"]
        figures = tuple(
            Figure(f["what"], f["at"], f["value"], f.get("rel"), f.get("abs"))
            for f in expect.get("figures", ())
        )
        out.append(
            Scenario(
                id=entry["id"],
                who=entry["who"],
                profile=entry["profile"],
                workload=entry["workload"],
                hardware_price_usd=entry.get("hardware_price_usd"),
                no_cloud=bool(entry.get("no_cloud", False)),
                team=entry.get("team"),
                seats=tuple(entry.get("seats", ())),
                verdict=expect["verdict"],
                option=expect.get("option"),
                figures=figures,
                arithmetic=entry["arithmetic"],
                min_quality=entry.get("min_quality"),
                quality=tuple(entry.get("quality", ())),
            )
        )
    ids = [s.id for s in out]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise SystemExit(f"{path}: scenario id used twice: {', '.join(dupes)}")
    return out


def _workload_arg(scenario: Scenario, folder: Path) -> str:
    """A preset name, or a workload file: the preset's YAML with the scenario's keys changed."""
    if isinstance(scenario.workload, str):
        return scenario.workload
    spec = dict(scenario.workload)
    name, base = spec.pop("name"), spec.pop("base")
    from advisor.paths import workloads_dir

    doc = yaml.safe_load((workloads_dir() / f"{base}.yaml").read_text(encoding="utf-8"))
    doc.update(spec.pop("set", {}))
    path = folder / f"{name}.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return str(path)


def argv_for(scenario: Scenario, folder: Path) -> list[str]:
    """The `advisor report` command line the scenario stands for."""
    argv = ["report", "--json", "--profile", scenario.profile]
    argv += ["--workload", _workload_arg(scenario, folder)]
    if scenario.hardware_price_usd is not None:
        argv += ["--hardware-price", f"{scenario.hardware_price_usd:g}"]
    if scenario.no_cloud:
        argv.append("--no-cloud")
    if scenario.team is not None:
        argv += ["--team", str(scenario.team)]
    for seat in scenario.seats:
        argv += ["--seats", seat]
    return argv + _quality_flags(scenario)


def _quality_flags(scenario: Scenario) -> list[str]:
    """--min-quality and --quality, where the scenario's user judges quality themselves."""
    flags = [] if scenario.min_quality is None else ["--min-quality", f"{scenario.min_quality:g}"]
    for given in scenario.quality:
        flags += ["--quality", given]
    return flags


def report_document(argv: list[str], warnings: set[str] | None = None) -> dict:
    """What `advisor <argv>` (a report with --json) prints, as a dict: the real parser and
    advisor.commands.report.build, with the config the command would read. What the command
    says on stderr (old prices, ...) goes into `warnings` when given."""
    from advisor.cli import build_parser
    from advisor.commands import report
    from advisor.config import load_config

    args = build_parser(only="report").parse_args(argv)
    said = io.StringIO()
    with contextlib.redirect_stderr(said):
        report._team_flags(args)
        doc = report.build(args, load_config(getattr(args, "config", None)))
    if warnings is not None:
        warnings.update(line for line in said.getvalue().splitlines() if line.strip())
    else:
        sys.stderr.write(said.getvalue())
    return doc


def run_scenario(scenario: Scenario, folder: Path, warnings: set[str] | None = None) -> dict:
    return report_document(argv_for(scenario, folder), warnings)


def lookup(doc: dict, at: str) -> object:
    """The value at a dotted path: in the (only) verdict, or after "team." in the team plan."""
    if at.startswith("team."):
        node: object = doc["team"][0]
        at = at[len("team.") :]
    else:
        node = doc["verdicts"][0]
    for key in at.split("."):
        if node is None:
            return None
        node = node[int(key)] if isinstance(node, list) else node.get(key)  # type: ignore[union-attr]
    return node


def option_text(doc: dict) -> str | None:
    option = doc["verdicts"][0].get("local_option")
    return f"{option['model_name']} {option['quant']}" if option else None


@dataclass(frozen=True)
class Outcome:
    what: str
    expected: object
    actual: object
    tolerance: str
    ok: bool


def compare(scenario: Scenario, doc: dict) -> list[Outcome]:
    """The scenario's expectations against the report: verdict, option, then each figure."""
    verdict = doc["verdicts"][0]["verdict"]
    out = [Outcome("verdict", scenario.verdict, verdict, "exact", verdict == scenario.verdict)]
    if scenario.option is not None:
        shown = option_text(doc)
        out.append(
            Outcome("local option", scenario.option, shown, "exact", shown == scenario.option)
        )
    for figure in scenario.figures:
        actual = lookup(doc, figure.at)
        out.append(
            Outcome(
                figure.what, figure.value, actual, figure.tolerance_text(), figure.within(actual)
            )
        )
    return out


def _fmt(value: object) -> str:
    if isinstance(value, float):
        if abs(value) < 1:
            return f"{value:.3f}"  # cents of a light workload: 0.033, not 0.03
        return f"{value:,.2f}" if abs(value) < 1000 else f"{value:,.0f}"
    return "-" if value is None else str(value)


def print_scenarios(scenarios: list[Scenario], folder: Path, arithmetic: bool) -> int:
    failed = 0
    warnings: set[str] = set()
    for s in scenarios:
        outcomes = compare(s, run_scenario(s, folder, warnings))
        bad = [o for o in outcomes if not o.ok]
        failed += bool(bad)
        flags = " --no-cloud" if s.no_cloud else ""
        if s.hardware_price_usd is not None:
            flags += f" --hardware-price {s.hardware_price_usd:g}"
        if s.team:
            flags += f" --team {s.team}" + "".join(f" --seats {x}" for x in s.seats)
        flags += "".join(f" {x}" for x in _quality_flags(s))
        print(f"\n{s.id}  [{'ok' if not bad else 'DISAGREES'}]  {s.who}")
        print(f"  advisor report --profile {s.profile} --workload {s.workload_name}{flags}")
        print(f"  {'':<44} {'expected':>26} {'advisor':>26}  tolerance")
        for o in outcomes:
            mark = "" if o.ok else "   <-- outside"
            print(
                f"  {o.what[:44]:<44} {_fmt(o.expected):>26} {_fmt(o.actual):>26}  "
                f"{o.tolerance}{mark}"
            )
        if arithmetic:
            print("  arithmetic:")
            for line in s.arithmetic.strip().splitlines():
                print(f"    {line}")
    if warnings:
        print("\nadvisor said (once each):")
        for line in sorted(warnings):
            print(f"  {line}")
    print(f"\n{len(scenarios) - failed} of {len(scenarios)} scenarios agree with advisor")
    return 1 if failed else 0


def print_profiles() -> int:
    """Every shipped profile × preset: verdict, option, the chosen path's monthly cost."""
    from advisor.paths import profiles_dir

    print("| profile | workload | verdict | local option | USD/month | best cloud |")
    print("| --- | --- | --- | --- | ---: | ---: |")
    warnings: set[str] = set()
    for profile in sorted(p.stem for p in profiles_dir().glob("*.yaml")):
        doc = report_document(["report", "--json", "--profile", profile], warnings)
        for v in doc["verdicts"]:
            costs = v["costs_usd_per_month"]
            option = v.get("local_option")
            shown = f"{option['model_name']} {option['quant']}" if option else "-"
            cost = costs["hybrid"] if v["verdict"] == "hybrid" else costs["local"]
            best = (v.get("cloud") or {}).get("best_usd_per_month")
            print(
                f"| {profile} | {v['workload']} | {v['verdict']} | {shown} | "
                f"{_fmt(cost)} | {_fmt(best)} |"
            )
    print(
        "\nUSD/month: the chosen path's (hybrid: the hybrid total; local, cloud and not viable: "
        "the local option's electricity); owned hardware, US electricity, no throughput tests."
    )
    for line in sorted(warnings):
        print(f"advisor said: {line}", file=sys.stderr)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DATA, help="scenario file (YAML)")
    parser.add_argument("--only", nargs="+", metavar="ID", help="run only these scenarios")
    parser.add_argument("--home", type=Path, default=DEFAULT_HOME, help="ADVISOR_HOME to use")
    parser.add_argument("--arithmetic", action="store_true", help="print each scenario's working")
    parser.add_argument("--profiles", action="store_true", help="every profile × preset instead")
    args = parser.parse_args(argv)
    os.environ["ADVISOR_HOME"] = str(args.home)
    sys.path.insert(0, str(ROOT))
    if args.profiles:
        return print_profiles()
    scenarios = load_scenarios(args.data)
    if args.only:
        unknown = sorted(set(args.only) - {s.id for s in scenarios})
        if unknown:
            parser.error(f"no scenario named {', '.join(unknown)} in {args.data}")
        scenarios = [s for s in scenarios if s.id in args.only]
    with tempfile.TemporaryDirectory(prefix="advisor-scenarios-") as folder:
        return print_scenarios(scenarios, Path(folder), args.arithmetic)


if __name__ == "__main__":
    sys.exit(main())
