"""The package's shape stays as ARCHITECTURE.md draws it: no import cycle between any two of its
modules, and one owner for the byte units.

lint-imports keeps the stages in order; it does not see a cycle inside one stage (two modules of
verdict/ importing each other, function-level and TYPE_CHECKING imports included), which is how
the cycles in issue 16 began.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import grimp

PACKAGE = Path(__file__).resolve().parent.parent / "advisor"
UNITS = PACKAGE / "units.py"


def _cycles(graph) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in sorted(graph.modules):
        if root in index:
            continue
        work = [(root, iter(sorted(graph.find_modules_directly_imported_by(root))))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append(
                        (child, iter(sorted(graph.find_modules_directly_imported_by(child))))
                    )
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                group = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == node:
                        break
                if len(group) > 1:
                    found.append(sorted(group))
    return found


def test_no_module_imports_itself_back() -> None:
    graph = grimp.build_graph("advisor")
    assert _cycles(graph) == []


def test_the_cycle_check_finds_a_cycle() -> None:
    graph = grimp.ImportGraph()
    for name in ("p", "p.a", "p.b", "p.c"):
        graph.add_module(name)
    graph.add_import(importer="p.a", imported="p.b")
    graph.add_import(importer="p.b", imported="p.c")
    graph.add_import(importer="p.c", imported="p.a")
    assert _cycles(graph) == [["p.a", "p.b", "p.c"]]


_UNIT_NAME = re.compile(r"_?[KMGT]I?B", re.IGNORECASE)
_BINARY = {1 << 20, 1 << 30, 1 << 40}


def _binary_constant(node: ast.expr) -> bool:
    """2**30, 1024**3, 1 << 30, 1073741824 and the like (MiB, GiB, TiB)."""
    try:
        value = (
            ast.literal_eval(node)
            if isinstance(node, ast.Constant)
            else eval(  # noqa: S307
                compile(ast.Expression(node), "<unit>", "eval"), {"__builtins__": {}}
            )
        )
    except Exception:
        return False
    return isinstance(value, int) and value in _BINARY


def _unit_copies(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(), str(path))
    found = []
    for node in tree.body:
        targets = node.targets if isinstance(node, ast.Assign) else []
        if isinstance(node, ast.AnnAssign):
            targets = [node.target]
        for target in targets:
            if isinstance(target, ast.Name) and _UNIT_NAME.fullmatch(target.id):
                found.append(f"{path.name}:{node.lineno} defines {target.id}")
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.BinOp)
            and isinstance(node.op, ast.Div)  # bytes shown in MiB or GiB; // counts tokens too
            and isinstance(node.right, (ast.Constant, ast.BinOp))
            and _binary_constant(node.right)
        ):
            found.append(f"{path.name}:{node.lineno} divides by {ast.unparse(node.right)}")
    return found


def test_byte_units_are_defined_once() -> None:
    """GIB, MIB and GB live in advisor/units.py; a module neither defines its own nor divides
    by a spelled-out 2**30 (issue 16 found GIB in ten modules)."""
    copies = [c for p in sorted(PACKAGE.rglob("*.py")) if p != UNITS for c in _unit_copies(p)]
    assert copies == []


def test_the_unit_check_finds_a_copy(tmp_path: Path) -> None:
    module = tmp_path / "copy.py"
    module.write_text("GIB = 1024**3\n\n\ndef gib(n):\n    return f'{n / 2**30:.1f} GiB'\n")
    assert _unit_copies(module) == ["copy.py:1 defines GIB", "copy.py:5 divides by 2 ** 30"]


# Module-level dicts a function fills (memos, registries) outside advisor/estimate/, whose memos
# the estimator owns. These three are known: layout's _ARCHES and _BYTES hold an architecture and
# a file's own bytes under a value key (use_file_bytes writes it, so it is a registry, not only a
# memo); upgrades' _ASKED keeps spec-table answers per table. A new one should be a functools
# cache on hashable values (ARCHITECTURE.md), or be named here with its reason.
KNOWN_MODULE_DICTS = {
    "catalog/tensors/layout.py:_ARCHES",
    "catalog/tensors/layout.py:_BYTES",
    "probe/specs/upgrades.py:_ASKED",
}


def _empty_module_dicts(path: Path, root: Path) -> list[str]:
    tree = ast.parse(path.read_text(), str(path))
    found = []
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target, value = node.targets[0], node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            target, value = node.target, node.value
        else:
            continue
        empty = (isinstance(value, ast.Dict) and not value.keys) or (
            isinstance(value, ast.Call)
            and isinstance(value.func, ast.Name)
            and value.func.id in ("dict", "defaultdict", "OrderedDict")
            and not value.args
        )
        if empty and isinstance(target, ast.Name):
            found.append(f"{path.relative_to(root).as_posix()}:{target.id}")
    return found


def test_no_new_module_level_memo_dicts_outside_the_estimator() -> None:
    found = {
        name
        for path in sorted(PACKAGE.rglob("*.py"))
        if "estimate" not in path.relative_to(PACKAGE).parts[:1]
        for name in _empty_module_dicts(path, PACKAGE)
    }
    assert found - KNOWN_MODULE_DICTS == set()  # one removed is welcome: drop it from the list


def test_the_memo_check_finds_one(tmp_path: Path) -> None:
    module = tmp_path / "memo.py"
    module.write_text("_SEEN: dict[str, int] = {}\n_KEPT = dict()\nTABLE = {'a': 1}\n")
    assert _empty_module_dicts(module, tmp_path) == ["memo.py:_SEEN", "memo.py:_KEPT"]


def _unmapped(package: Path, architecture: str) -> list[str]:
    """The top-level modules and packages of `package` that no row of ARCHITECTURE.md's rooms
    table names (as `name.py`, `name/` or `name`)."""
    rows = [line for line in architecture.splitlines() if line.startswith("| ")]
    named = set(re.findall(r"`([^`]+)`", "\n".join(rows)))
    missing = []
    for path in sorted(package.iterdir()):
        if path.name.startswith(("_", ".")) and path.name != "__main__.py":
            continue
        if path.is_dir() and not (path / "__init__.py").exists():
            continue
        if path.is_file() and path.suffix != ".py":
            continue
        stem = path.stem if path.is_file() else path.name
        if not named & {path.name, f"{path.name}/", stem}:
            missing.append(path.name)
    return missing


def test_every_top_level_module_has_its_room_in_architecture_md() -> None:
    """A newcomer finds every module of advisor/ in ARCHITECTURE.md's table of rooms: a new
    one is placed in its stage's row when it is added."""
    text = (PACKAGE.parent / "ARCHITECTURE.md").read_text(encoding="utf-8")
    assert _unmapped(PACKAGE, text) == []


def test_the_room_check_finds_a_module_left_out(tmp_path: Path) -> None:
    (tmp_path / "kept.py").write_text("")
    (tmp_path / "stray.py").write_text("")
    (tmp_path / "stage").mkdir()
    (tmp_path / "stage" / "__init__.py").write_text("")
    table = "| layer | package |\n| --- | --- |\n| one | `kept.py`, `stage/` |\n"
    table += "`stray.py` named in prose only\n"
    assert _unmapped(tmp_path, table) == ["stray.py"]


def _shadowed_submodules(package: Path) -> list[str]:
    """The names a package's __init__.py binds at its top level (imports, functions, classes,
    assignments) that are also the names of its submodules: `from package import name` then
    gives the module or the other object depending on whether something imported the
    submodule first (advisor.estimate's `from functools import cache` hid
    advisor.estimate.cache from tests/test_cache_sources.py when it ran alone)."""
    found = []
    for init in sorted(package.rglob("__init__.py")):
        folder = init.parent
        subs = {p.stem for p in folder.glob("*.py") if p.name != "__init__.py"}
        subs |= {p.name for p in folder.iterdir() if (p / "__init__.py").exists()}
        for node in ast.parse(init.read_text(), str(init)).body:
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                names = [(a.asname or a.name).split(".")[0] for a in node.names]
                if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                    # `from advisor.x import y` where y is x's own submodule binds the module
                    own = init.relative_to(package.parent).parent.as_posix().replace("/", ".")
                    if node.module == own:
                        continue
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                names = [node.name]
            elif isinstance(node, ast.Assign):
                names = [t.id for t in node.targets if isinstance(t, ast.Name)]
            elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
                names = [node.target.id]
            else:
                continue
            rel = init.relative_to(package.parent).as_posix()
            found += [f"{rel}:{node.lineno} binds {n}" for n in names if n in subs]
    return found


# advisor.estimate.estimate is the public function (`from advisor.estimate import estimate`):
# the package imports its submodule estimate.py before it defines the function, so the name is
# the function whatever is imported later.
KNOWN_SHADOWS = {"advisor/estimate/__init__.py binds estimate"}


def test_no_package_binds_the_name_of_its_own_submodule() -> None:
    found = {re.sub(r":\d+ ", " ", f) for f in _shadowed_submodules(PACKAGE)}
    assert found == KNOWN_SHADOWS


def test_the_shadow_check_finds_one(tmp_path: Path) -> None:
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "cache.py").write_text("")
    (package / "__init__.py").write_text("from functools import cache\n")
    assert _shadowed_submodules(package) == ["pkg/__init__.py:1 binds cache"]
