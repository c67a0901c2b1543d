"""The estimate stage owns the calibration maths and never imports the bench stage."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "advisor"


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_estimate_never_imports_bench() -> None:
    offenders = {
        str(path.relative_to(PACKAGE)): sorted(
            m for m in _imported_modules(path) if m.startswith("advisor.bench")
        )
        for path in (PACKAGE / "estimate").rglob("*.py")
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_bench_calibration_and_estimates_do_not_import_each_other_both_ways() -> None:
    calibration = _imported_modules(PACKAGE / "bench" / "calibrate" / "from_store.py")
    estimates = _imported_modules(PACKAGE / "bench" / "calibrate" / "estimates.py")
    assert not ("advisor.bench.calibrate.estimates" in calibration
                and "advisor.bench.calibrate.from_store" in estimates)  # fmt: skip
