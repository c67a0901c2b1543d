"""--anonymize: no hostname, user name, serial, UUID, home path or folder name; a stable
machine id that cannot be recomputed from the report."""

from __future__ import annotations

import dataclasses
import json
import os

import pytest

from advisor.advice_options import AdviceOptions
from advisor.advise import advise, machine_id
from advisor.paths import workloads_dir
from advisor.probe import load_profile
from advisor.report.document import build_document
from advisor.report.models import validate_report
from advisor.workload import load_workload_file

SECRETS = (
    "build-host-7",
    "GPU-5f1c2e4a-0000-4000-8000-123456789abc",
    "1324019000123",
    "4c4c4544004b3510805ac4c04f4e3232",
)


@pytest.fixture(scope="module")
def identified(catalog):
    """A probed-looking machine with every identifying field set."""
    machine = load_profile("rtx-4090-desktop")
    gpu = dataclasses.replace(machine.gpus[0], uuid=SECRETS[1], serial=SECRETS[2])
    return dataclasses.replace(
        machine,
        name=SECRETS[0],
        hostname=SECRETS[0],
        host_id=SECRETS[3],
        origin="probe",
        gpus=(gpu,),
    )


@pytest.fixture(scope="module")
def workload_in_home(tmp_path_factory):
    """A workload file whose path contains the home folder (and so the user name)."""
    path = tmp_path_factory.mktemp("wl") / "mine.yaml"
    path.write_text((workloads_dir() / "chat-assistant.yaml").read_text(), encoding="utf-8")
    workload = load_workload_file(path)
    return dataclasses.replace(workload, origin=f"{os.path.expanduser('~')}/work/mine.yaml")


def _doc(machine, catalog, workload, anonymize):
    advice = advise(machine, catalog, [workload], AdviceOptions())
    return build_document(advice, anonymize=anonymize)


def test_identifying_fields_are_gone(identified, catalog, workload_in_home) -> None:
    plain = _doc(identified, catalog, workload_in_home, False)
    anon = _doc(identified, catalog, workload_in_home, True)
    plain_text, anon_text = json.dumps(plain), json.dumps(anon)
    assert all(secret in plain_text for secret in SECRETS)
    assert not any(secret in anon_text for secret in SECRETS)
    assert os.path.expanduser("~") not in anon_text
    assert anon["anonymized"] is True and anon["machine"]["hostname"] is None
    assert anon["machine"]["name"] == f"machine {anon['machine_id']}"
    assert anon["inputs"]["workloads"][0]["origin"] == "mine.yaml"
    validate_report(anon)


def test_the_machine_id_is_stable_and_blind_to_names(identified, catalog,
                                                     workload_in_home) -> None:  # fmt: skip
    first = _doc(identified, catalog, workload_in_home, True)
    renamed = dataclasses.replace(identified, hostname="other-name", name="other-name")
    second = _doc(renamed, catalog, workload_in_home, True)
    plain = _doc(identified, catalog, workload_in_home, False)
    assert first["machine_id"] == second["machine_id"] != plain["machine_id"]
    other = load_profile("rtx-3090-desktop")
    third = _doc(other, catalog, workload_in_home, True)
    assert third["machine_id"] != first["machine_id"]


def test_identical_machines_get_different_ids() -> None:
    """A fleet of one laptop model: each installation's id tells them apart, a renamed host
    keeps its id, and without an installation id the hostname (or GPU UUID) does."""
    laptop = dataclasses.replace(load_profile("office-laptop-8gb"), origin="probe")
    a = dataclasses.replace(laptop, hostname="ws-001", host_id="0" * 32)
    b = dataclasses.replace(laptop, hostname="ws-002", host_id="1" * 32)
    renamed = dataclasses.replace(a, hostname="ws-001-renamed")
    assert len({machine_id(a), machine_id(b)}) == 2
    assert machine_id(renamed) == machine_id(a)
    by_name = [dataclasses.replace(laptop, hostname=n) for n in ("ws-001", "ws-002")]
    assert machine_id(by_name[0]) != machine_id(by_name[1])
    assert machine_id(laptop) == machine_id(load_profile("office-laptop-8gb"))  # hardware only


def _hostname_only(machine):
    """A probed machine with no installation id and no NVIDIA GPU: only its hostname tells it
    apart, and a dictionary of hostnames would recover an unsalted id."""
    return dataclasses.replace(
        machine, hostname="ws-0042", host_id=None, origin="probe",
        gpus=tuple(dataclasses.replace(g, uuid=None, serial=None) for g in machine.gpus),
    )  # fmt: skip


def test_the_anonymized_id_cannot_be_recomputed(
    identified, catalog, workload_in_home, advisor_home, monkeypatch
) -> None:
    machine = _hostname_only(identified)
    first = _doc(machine, catalog, workload_in_home, True)
    guesses = {machine_id(dataclasses.replace(machine, hostname=f"ws-{n:04d}")) for n in range(100)}
    assert first["machine_id"] not in guesses  # the dictionary attack finds nothing
    salt_file = advisor_home / "data" / "anonymize-salt"
    assert salt_file.stat().st_mode & 0o777 == 0o600
    again = _doc(machine, catalog, workload_in_home, True)
    assert again["machine_id"] == first["machine_id"]  # one machine, one id, run after run
    monkeypatch.setenv("ADVISOR_HOME", str(advisor_home / "another-installation"))
    other = _doc(machine, catalog, workload_in_home, True)
    assert other["machine_id"] != first["machine_id"]


def test_an_unwritable_data_dir_still_anonymizes(
    identified, catalog, workload_in_home, advisor_home, capsys
) -> None:
    (advisor_home / "data").write_text("not a folder")
    doc = _doc(_hostname_only(identified), catalog, workload_in_home, True)
    assert doc["machine_id"] != machine_id(_hostname_only(identified))
    assert "could not keep the anonymization salt" in capsys.readouterr().err


def test_paths_and_user_names_in_file_names_are_scrubbed(
    identified, catalog, monkeypatch, tmp_path
) -> None:
    """A workload file outside the home folder, a config file, and a measured model whose file
    and model names carry the user's name (in another case, joined by - and _)."""
    from advisor.bench.store.db import BenchStore
    from tests.measurement_kit import gpu_measurement

    monkeypatch.setenv("LOGNAME", "alice")
    folder = tmp_path / "srv" / "projects" / "team-x"
    folder.mkdir(parents=True)
    path = folder / "mine.yaml"
    path.write_text((workloads_dir() / "chat-assistant.yaml").read_text(), encoding="utf-8")
    workload = load_workload_file(path)
    run = gpu_measurement(identified, "qwen3.6-27b", "Q4_K_M", 30.0, 1000.0)
    model = dataclasses.replace(
        run.model, path="/data/models/Alice/alice-secret-finetune_ALICE-Q8_0.gguf",
        name="Alice_finetune v2",
    )  # fmt: skip
    with BenchStore() as store:
        store.add(dataclasses.replace(run, model=model))
    advice = advise(identified, catalog, [workload], AdviceOptions())
    plain = json.dumps(build_document(advice))
    assert plain.count(str(folder)) >= 2  # the origin, and the verdict's words
    doc = build_document(advice, anonymize=True)
    text = json.dumps(doc)
    assert str(tmp_path) not in text and "srv/projects" not in text
    assert "alice" not in text.lower()
    assert doc["inputs"]["workloads"][0]["origin"] == "mine.yaml"
    assert doc["measurements"][0]["model"]["path"] == "<user>-secret-finetune_<user>-Q8_0.gguf"
    assert doc["measurements"][0]["model"]["name"] == "<user>_finetune v2"
    validate_report(doc)
