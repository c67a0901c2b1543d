"""A Machine's own profile dict read without pydantic (advisor.probe.profiles.plain) builds what
the profile schema builds, and anything the schema would refuse or convert otherwise goes to it."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from pathlib import Path

import pytest
from probe_fakes import RTX_3060, RTX_4090, linux, nvidia_gpu, with_nvidia
from pydantic import ValidationError

from advisor.probe import list_profiles, load_profile, machine_to_dict
from advisor.probe.profiles import plain
from advisor.probe.profiles.build import entry_to_machine
from advisor.probe.profiles.schema import CpuEntry, GpuEntry, ProfileEntry
from advisor.probe.record.replay import replay_machine
from advisor.probe.specs import upgrades
from advisor.probe.specs.table import spec_table
from tests.sealed_kit import typed

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("mirror", "model"),
    [(plain.PlainProfile, ProfileEntry), (plain.PlainCpu, CpuEntry), (plain.PlainGpu, GpuEntry)],
)
def test_the_plain_entries_have_the_schemas_fields_and_defaults(mirror, model) -> None:
    fields = dataclasses.fields(mirror)
    assert [f.name for f in fields] == list(model.model_fields)
    empty = model.model_validate({"name": "x"} if "name" in model.model_fields else {})
    for f in fields:
        if f.name == "name":
            continue
        default = f.default_factory() if f.default_factory is not dataclasses.MISSING else f.default
        schema_default = getattr(empty, f.name)
        assert default == (tuple(schema_default) if isinstance(default, tuple) else schema_default)


def _machines():
    replayed = {
        "replay: RTX 4090": replay_machine(with_nvidia(linux(), [nvidia_gpu(**RTX_4090)])),
        "replay: RTX 3060": replay_machine(with_nvidia(linux(), [nvidia_gpu(**RTX_3060)])),
        "replay: no GPU": replay_machine(linux()),
    }
    return {**replayed, **{name: load_profile(name) for name in list_profiles()}}


MACHINES = _machines()
# The audit's menu, a VRAM variant, a laptop card, a server card, an Intel card
CARDS = [*upgrades.GPU_MENU, "GeForce RTX 4060 Ti 16 GB", "GeForce RTX 3060 Mobile"]
CARDS += ["H100 PCIe 80 GB", "Arc B580"]


@pytest.mark.parametrize("name", sorted(MACHINES))
def test_a_gpu_change_builds_the_machine_the_schema_builds(name, monkeypatch) -> None:
    machine = MACHINES[name]
    specs = [s for s in spec_table() if s.name in CARDS]
    assert len(specs) == len(CARDS)
    plain_built = [upgrades._with_gpu(machine, spec) for spec in specs]

    def refused(data):
        raise plain.Untrusted("the schema decides")

    monkeypatch.setattr(plain, "plain_entry", refused)
    schema_built = [upgrades._with_gpu(machine, spec) for spec in specs]
    assert [typed(m) for m in plain_built] == [typed(m) for m in schema_built]


@pytest.mark.parametrize("name", sorted(MACHINES))
def test_a_machines_own_dict_reads_back_as_the_schema_reads_it(name) -> None:
    data = machine_to_dict(MACHINES[name])
    for lookup in (False, True):
        via_plain = entry_to_machine(plain.plain_entry(data), origin="o", lookup=lookup)
        via_schema = entry_to_machine(ProfileEntry.model_validate(data), origin="o", lookup=lookup)
        assert typed(via_plain) == typed(via_schema)


BAD = {
    "a float for an integer": {"cpu": {"cores": 8.0}},
    "a bool for an integer": {"cpu": {"threads": True}},
    "a bool for a float": {"ram_gb": True},
    "a string for a float": {"ram_gb": "16"},
    "not a finite number": {"ram_gb": float("nan")},
    "an unknown os": {"os": "freebsd"},
    "an unknown backend": {"backend": "opencl"},
    "an unknown SIMD flag": {"cpu": {"simd": ["sse9"]}},
    "an unknown vendor": {"gpus": [{"name": "X", "vendor": "matrox"}]},
    "a tuple for a list": {"notes": ("a",)},
    "a GPU without a name": {"gpus": [{"vram_gb": 8.0}]},
    "a key the schema lacks": {"colour": "red"},
    "a CPU key the schema lacks": {"cpu": {"sockets": 2}},
    "a number among the sources": {"sources": {"ram": 1}},
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_what_the_schema_refuses_is_left_to_the_schema(case) -> None:
    data = {"name": "m", **BAD[case]}
    with pytest.raises(plain.Untrusted):
        plain.plain_entry(data)
    with pytest.raises(ValidationError):
        ProfileEntry.model_validate(data)


def test_a_dict_the_plain_read_refuses_is_validated_by_the_schema() -> None:
    # A Machine holding a float core count (no probe writes one): the schema reports it, as
    # it did before the plain read existed, rather than the plain read letting it through.
    machine = load_profile("rtx-3060-desktop")
    odd = dataclasses.replace(machine, cpu=dataclasses.replace(machine.cpu, physical_cores=8.0))
    (spec,) = [s for s in spec_table() if s.name == "RTX 3090"]
    with pytest.raises(ValidationError, match="cores"):
        upgrades._with_gpu(odd, spec)


def test_a_gpu_change_on_a_probed_machine_imports_no_pydantic() -> None:
    code = (
        "import sys\n"
        "from advisor.probe.live.probe import probe_machine\n"
        "from advisor.probe.specs.upgrades import Change, apply_change\n"
        "machine = probe_machine(measure_bandwidth=False)\n"
        "change = Change('gpu', 'RTX 3090 GPU (24 GB)', 24.0, 'RTX 3090', None, None)\n"
        "upgraded = apply_change(machine, change)\n"
        "assert upgraded.gpus[-1].name == 'RTX 3090', upgraded.gpus\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'pydantic'))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True
    )
    assert done.stdout.strip() == "[]", done.stdout
