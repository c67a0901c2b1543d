"""`advisor catalog update FILE|URL`: a newer catalog file, validated, diffed, applied atomically
as an update in the user data dir (the shipped models.yaml untouched), and reversible.

The newer catalog is the real models.yaml with a later catalog_version, one API price changed
and one model removed; the URL is served from 127.0.0.1."""

from __future__ import annotations

import functools
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import yaml

from advisor.catalog import load_catalog
from advisor.catalog.update import previous_path, update_path
from advisor.cli import main
from advisor.errors import ExitCode
from advisor.paths import catalog_path

NEWER = "2027.01.15"


def _catalog_file(folder: Path, version: str = NEWER, *, break_it: bool = False) -> Path:
    doc = yaml.safe_load(catalog_path().read_text("utf-8"))
    doc["catalog_version"] = version
    api = doc["cloud"]["api_models"][0]
    api["input_usd_per_mtok"] = round(api["input_usd_per_mtok"] + 1.5, 4)
    doc["models"] = doc["models"][1:]
    if break_it:
        del doc["models"][0]["source"]
    path = folder / f"models-{version}{'-broken' if break_it else ''}.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True), "utf-8")
    return path


@pytest.fixture(scope="module")
def newer(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _catalog_file(tmp_path_factory.mktemp("update"))


def _shipped() -> tuple[str, bytes]:
    return load_catalog(overlay=False).catalog_version, catalog_path().read_bytes()


def test_an_update_is_shown_applied_and_reverted(newer: Path, capsys) -> None:
    version, shipped_bytes = _shipped()
    first = yaml.safe_load(catalog_path().read_text("utf-8"))
    removed, api = first["models"][0]["id"], first["cloud"]["api_models"][0]
    assert main(["catalog", "update", str(newer)]) == 0
    out, err = capsys.readouterr()
    assert f"catalog {version} (in use) -> {NEWER}" in out
    assert f"models removed (1):\n    {removed}" in out
    assert f"{api['name']}: input_usd_per_mtok {api['input_usd_per_mtok']} -> " in out
    assert "applied:" in err and update_path().read_bytes() == newer.read_bytes()
    catalog = load_catalog()
    assert catalog.catalog_version == NEWER and catalog.find(removed) is None
    assert catalog_path().read_bytes() == shipped_bytes  # the shipped file is never edited

    assert main(["catalog", "update", "--revert"]) == 0
    assert "the shipped catalog is in use" in capsys.readouterr().out
    assert load_catalog().catalog_version == version and not update_path().exists()


def test_a_second_update_reverts_to_the_first(newer: Path, tmp_path: Path, capsys) -> None:
    later = _catalog_file(tmp_path, "2027.02.01")
    assert main(["catalog", "update", str(newer)]) == 0
    assert main(["catalog", "update", str(later)]) == 0
    assert load_catalog().catalog_version == "2027.02.01"
    assert previous_path().read_bytes() == newer.read_bytes()
    assert main(["catalog", "update", "--revert"]) == 0
    assert load_catalog().catalog_version == NEWER


def test_a_broken_file_is_refused_and_nothing_changes(newer: Path, tmp_path: Path, capsys) -> None:
    assert main(["catalog", "update", str(newer)]) == 0
    capsys.readouterr()
    broken = _catalog_file(tmp_path, "2027.03.01", break_it=True)
    assert main(["catalog", "update", str(broken)]) == ExitCode.BAD_INPUT
    assert "source" in capsys.readouterr().err
    assert update_path().read_bytes() == newer.read_bytes()


def test_an_older_catalog_needs_force(tmp_path: Path, capsys) -> None:
    older = _catalog_file(tmp_path, "2020.01.01")
    assert main(["catalog", "update", str(older)]) == ExitCode.USAGE
    assert "older than the one in use" in capsys.readouterr().err and not update_path().exists()
    assert main(["catalog", "update", str(older), "--dry-run", "--force"]) == 0
    assert not update_path().exists()


def test_a_newer_shipped_catalog_wins_over_an_old_update(newer: Path, tmp_path: Path) -> None:
    assert main(["catalog", "update", str(newer)]) == 0
    update_path().write_bytes(_catalog_file(tmp_path, "2020.01.01").read_bytes())
    assert load_catalog().catalog_version == _shipped()[0]


def test_from_a_url(newer: Path, capsys) -> None:
    handler = functools.partial(SimpleHTTPRequestHandler, directory=str(newer.parent))
    handler.log_message = lambda *a: None  # type: ignore[method-assign]
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}"
        assert main(["catalog", "update", f"{url}/{newer.name}"]) == 0
        assert load_catalog().catalog_version == NEWER
        assert main(["catalog", "update", f"{url}/missing.yaml"]) == ExitCode.NOT_FOUND
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def test_revert_with_nothing_applied_says_so(capsys) -> None:
    assert main(["catalog", "update", "--revert"]) == ExitCode.USAGE
    assert "no catalog update is applied" in capsys.readouterr().err


def test_validate_checks_the_applied_update_and_says_it_is_in_use(
    newer: Path, tmp_path: Path, capsys
) -> None:
    import json

    assert main(["catalog", "validate"]) == 0
    assert "catalog in use: the shipped catalog" in capsys.readouterr().out
    assert main(["catalog", "update", str(newer)]) == 0
    capsys.readouterr()
    assert main(["catalog", "validate"]) == 0
    out = capsys.readouterr().out
    assert f"ok: {update_path()} (catalog)" in out
    assert f"catalog in use: the update `advisor catalog update` applied, {update_path()}" in out
    assert main(["catalog", "validate", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["catalog_in_use"] == str(update_path())
    assert [f["path"] for f in doc["files"]] == [str(catalog_path()), str(update_path())]
    # An update edited by hand since: validate names its problem; commands skip it.
    broken = _catalog_file(tmp_path, "2027.03.01", break_it=True)
    update_path().write_bytes(broken.read_bytes())
    assert main(["catalog", "validate"]) == ExitCode.BAD_INPUT
    out, err = capsys.readouterr()
    assert f"{update_path()}:" in err and "source" in err
    assert "catalog in use: the shipped catalog" in out and "does not validate" in out
