"""The stage values hash by value, their mappings cannot change, and no memo keys by identity."""

from __future__ import annotations

import ast
import copy
import dataclasses
import json
import pickle
from pathlib import Path

import pytest

from advisor.catalog import load_catalog
from advisor.frozen import FrozenMap
from advisor.probe import list_profiles, load_profile

PACKAGE = Path(__file__).resolve().parent.parent / "advisor"


def test_a_frozen_map_refuses_every_change_and_still_reads_as_a_dict() -> None:
    m = FrozenMap({"cpu.name": "not reported"})
    for change in (
        lambda: m.__setitem__("x", "y"),
        lambda: m.__delitem__("cpu.name"),
        lambda: m.update(x="y"),
        lambda: m.setdefault("x", "y"),
        lambda: m.pop("cpu.name"),
        m.popitem,
        m.clear,
    ):
        with pytest.raises(TypeError, match="cannot change"):
            change()
    with pytest.raises(TypeError):
        m |= {"x": "y"}
    assert m == {"cpu.name": "not reported"}
    assert repr(m) == repr({"cpu.name": "not reported"})  # pinned digests read reprs
    assert json.dumps(m) == '{"cpu.name": "not reported"}'
    assert hash(m) == hash(FrozenMap({"cpu.name": "not reported"}))
    back = pickle.loads(pickle.dumps(m))
    assert type(back) is FrozenMap and back == m and hash(back) == hash(m)


def test_a_frozen_map_cannot_be_filled_again_and_makes_one_from_keys() -> None:
    m = FrozenMap(a="1")
    before = hash(m)
    with pytest.raises(TypeError, match="cannot change"):
        m.__init__(b="2")  # type: ignore[misc]
    assert dict(m) == {"a": "1"}
    assert hash(m) == before == hash(FrozenMap(m))
    made = FrozenMap.fromkeys([1, 2], "x")
    assert type(made) is FrozenMap
    assert made == {1: "x", 2: "x"}
    assert hash(made) == hash(FrozenMap({1: "x", 2: "x"}))


def test_every_profile_machine_hashes_by_value() -> None:
    for name in list_profiles():
        machine = load_profile(name)
        assert type(machine.unknown) is FrozenMap and type(machine.sources) is FrozenMap
        twin = dataclasses.replace(machine)  # an equal machine that is another object
        assert twin is not machine and twin == machine and hash(twin) == hash(machine)
    other = dataclasses.replace(machine, unknown={**machine.unknown, "os": "test"})
    assert type(other.unknown) is FrozenMap  # a plain dict passed in is frozen
    assert other != machine


def test_every_catalog_architecture_hashes_and_its_mapping_is_frozen() -> None:
    catalog = load_catalog(overlay=False)
    archs = [m.architecture for m in catalog.models]
    assert len({hash(a) for a in archs}) > 100
    for arch in archs:
        assert type(arch.unknown) is FrozenMap
        assert hash(dataclasses.replace(arch)) == hash(arch)


def test_the_cached_hash_stays_out_of_pickles_and_copies() -> None:
    arch = load_catalog(overlay=False).models[0].architecture
    hash(arch)  # cached on the instance now
    for twin in (pickle.loads(pickle.dumps(arch)), copy.copy(arch), copy.deepcopy(arch)):
        assert "_frozen_hash" not in vars(twin)
        assert twin == arch and hash(twin) == hash(arch)


def _identity_keys(tree: ast.AST) -> list[int]:
    """Lines calling id(): the estimator's stages key nothing by identity."""
    return [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "id"
    ]


@pytest.mark.parametrize("stage", ["probe", "catalog", "estimate"])
def test_no_stage_below_the_verdict_keys_anything_by_identity(stage: str) -> None:
    found = {
        str(path.relative_to(PACKAGE)): lines
        for path in sorted((PACKAGE / stage).rglob("*.py"))
        if (lines := _identity_keys(ast.parse(path.read_text(encoding="utf-8"))))
    }
    assert found == {}
