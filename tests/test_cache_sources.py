"""The disk caches are keyed by the code they depend on (advisor.files.disk_cache.source_stamp and
code_digest): every source a cache names must exist, or editing that code would not invalidate
it (a module turned into a package, estimate/calibration.py into estimate/calibration/, is the
usual way), and the code that makes a cached value must be among them, or an edit to it leaves
a stale value in the cache."""

from __future__ import annotations

import ast
import io
import pickle
from pathlib import Path
from typing import Any

import pytest

from advisor import config, remedies, workload
from advisor.audit import cache as audit_cache
from advisor.catalog import loader
from advisor.catalog.loader import load_catalog_file
from advisor.estimate import cache as estimate_cache
from advisor.files.disk_cache import PACKAGE
from advisor.probe.profiles import load as profiles
from advisor.probe.specs import table as specs

ROOT = Path(__file__).resolve().parent.parent

# Every source list a disk cache is keyed by: package paths (source_stamp) ...
PATH_LISTS = {
    "audit": audit_cache._SOURCES,
    "estimate": estimate_cache.SOURCES,
    "remedies": remedies.SOURCES,
}
# ... and advisor module names (the `code` of disk_cache.cached; the overlay adds its module
# to the catalog's, the spec table names advisor.probe.specs.table).
MODULE_LISTS = {
    "catalog": loader.CODE,
    "overlay": (*loader.CODE, "advisor.catalog.overlay"),
    "profile": profiles.CODE,
    "config": config.CODE,
    "workloads": workload.CODE,
    "spec-table": ("advisor.probe.specs.table",),
}


def _module_path(name: str) -> Path:
    return PACKAGE.joinpath(*name.split(".")[1:]).with_suffix(".py")


@pytest.mark.parametrize(("name", "sources"), PATH_LISTS.items(), ids=PATH_LISTS)
def test_every_source_a_cache_names_exists(name: str, sources: tuple[str, ...]) -> None:
    missing = [source for source in sources if not (PACKAGE / source).exists()]
    assert not missing, f"the {name} cache names sources that do not exist: {missing}"


@pytest.mark.parametrize(("name", "modules"), MODULE_LISTS.items(), ids=MODULE_LISTS)
def test_every_module_a_cache_names_has_a_source_file(name: str, modules: tuple[str, ...]) -> None:
    missing = [m for m in modules if not _module_path(m).is_file()]
    assert not missing, f"the {name} cache names modules without a source file: {missing}"


class _Recording(pickle.Unpickler):
    def __init__(self, data: bytes) -> None:
        super().__init__(io.BytesIO(data))
        self.modules: set[str] = set()

    def find_class(self, module: str, name: str) -> Any:
        self.modules.add(module)
        return super().find_class(module, name)


def _modules_in_pickle(value: object) -> set[str]:
    """The advisor modules whose classes a cache's pickle of `value` names (it stores it so)."""
    reader = _Recording(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
    reader.load()
    return {m for m in reader.modules if m.split(".")[0] == "advisor"}


@pytest.mark.parametrize(
    ("name", "build", "code"),
    [
        ("catalog", lambda: load_catalog_file(ROOT / "models.yaml", use_cache=False), loader.CODE),
        ("profile", lambda: profiles._read(*_first_profile()), profiles.CODE),
        ("workloads", lambda: tuple(workload.load_workloads()), workload.CODE),
        ("spec-table", specs._build, ("advisor.probe.specs.table",)),
    ],
    ids=("catalog", "profile", "workloads", "spec-table"),
)
def test_a_cached_values_classes_are_in_its_code(name: str, build: Any, code: tuple) -> None:
    """A cached pickle holds instances of these classes (advisor.frozen's FrozenMap in the
    catalog and profiles): a change to one must make the cache build the value again."""
    missing = _modules_in_pickle(build()) - set(code)
    assert not missing, f"the {name} cache holds classes of modules it is not keyed by: {missing}"


def _first_profile() -> tuple[Path, str]:
    path = profiles.find_profile(profiles.list_profiles()[0])
    return path, f"profile:{path.stem}"


def _advisor_imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names = []
        if isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module, *(f"{node.module}.{a.name}" for a in node.names)]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        found |= {n for n in names if n.split(".")[0] == "advisor"}
    return found


def _source_of(module: str) -> Path | None:
    base = PACKAGE.joinpath(*module.split(".")[1:])
    for path in (base.with_suffix(".py"), base / "__init__.py"):
        if path.is_file():
            return path
    return None


# Modules the remedy search reaches that do not decide a remedy: file handling, paths, error
# types and console output, the measurement store (the measurements are in the key), and the
# dataclasses' kept code (what Python compiles: tests/test_dataclass_code.py).
_NOT_DECIDING = ("advisor/__init__.py", "advisor/files/", "advisor/paths.py", "advisor/errors.py",
                 "advisor/console.py", "advisor/bench/store/db.py",
                 "advisor/dataclass_code.py")  # fmt: skip


def test_the_remedies_cache_stamps_all_the_code_a_remedy_search_runs() -> None:
    """Editing verdict/power_for.py, confidence.py, remedy.py or workload.py left the remedies
    cache's key unchanged: its code list named 13 modules, not what the search imports."""
    stamped = [PACKAGE / s for s in (*estimate_cache.SOURCES, *remedies.SOURCES)]
    seen: set[Path] = set()
    todo = [PACKAGE / "remedies.py"]
    while todo:
        path = todo.pop()
        if path in seen:
            continue
        seen.add(path)
        todo += [p for m in _advisor_imports(path) if (p := _source_of(m)) is not None]
    unstamped = sorted(
        str(path.relative_to(PACKAGE.parent))
        for path in seen
        if not any(path == s or s in path.parents for s in stamped)
    )
    unstamped = [p for p in unstamped if not p.startswith(_NOT_DECIDING)]
    assert not unstamped, f"the remedies cache is not keyed by: {unstamped}"


def test_the_remedies_cache_tells_a_laptop_from_a_desktop() -> None:
    """A profile's on_battery makes a laptop (no desktop card goes in: advisor.probe.specs.
    upgrades.is_laptop), and the machine text the caches key on leaves the battery state out:
    the remedy cached for the desktop must not answer for the laptop."""
    import dataclasses

    from advisor.advice_options import AdviceOptions
    from advisor.advise import advise
    from advisor.catalog import load_catalog
    from advisor.probe.profiles.load import load_profile
    from advisor.workload import load_workloads

    catalog, workloads = load_catalog(overlay=False), load_workloads(["coding-agent"])
    shipped = load_profile("rtx-3060-desktop")
    desktop = dataclasses.replace(shipped, on_battery=False,
                                  sources={**shipped.sources, "on_battery": "profile"})  # fmt: skip
    laptop = dataclasses.replace(desktop, on_battery=True)

    def remedy(machine, cache: bool):
        verdict = advise(machine, catalog, workloads, AdviceOptions(cache=cache)).verdicts[0]
        return verdict.remedy and verdict.remedy.change

    assert remedy(desktop, True) is not None  # a GPU goes in: the case this test is about
    assert remedy(laptop, True) == remedy(laptop, False)
