"""The catalog parse cache: used when the file is unchanged, never when it is stale or corrupt."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from catalog_testkit import CATALOG_YAML, CountingYaml

from advisor.catalog import cache, load_catalog


def test_second_load_comes_from_the_cache(catalog_file: Path, parses: CountingYaml) -> None:
    first = load_catalog(catalog_file, overlay=False)
    second = load_catalog(catalog_file, overlay=False)
    assert parses.calls == 1
    assert first == second
    assert cache.cache_file(catalog_file).is_file()


def test_edited_file_is_parsed_again(catalog_file: Path, parses: CountingYaml) -> None:
    load_catalog(catalog_file, overlay=False)
    stat = catalog_file.stat()
    # Same size and same mtime: only the content hash can tell the files apart.
    catalog_file.write_text(CATALOG_YAML.replace("name: Tiny Llama", "name: Tiny Lamma"))
    os.utime(catalog_file, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert catalog_file.stat().st_size == stat.st_size
    assert load_catalog(catalog_file, overlay=False).models[0].name == "Tiny Lamma"
    assert parses.calls == 2


def test_touched_file_is_parsed_again(catalog_file: Path, parses: CountingYaml) -> None:
    load_catalog(catalog_file, overlay=False)
    stat = catalog_file.stat()
    os.utime(catalog_file, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    load_catalog(catalog_file, overlay=False)
    assert parses.calls == 2


def test_new_advisor_version_is_parsed_again(
    catalog_file: Path, parses: CountingYaml, monkeypatch: pytest.MonkeyPatch
) -> None:
    load_catalog(catalog_file, overlay=False)
    monkeypatch.setattr(cache, "__version__", "999.0")
    load_catalog(catalog_file, overlay=False)
    assert parses.calls == 2


@pytest.mark.parametrize(
    "garbage",
    [b"", b"{not json", b"[]", b'{"key": 1, "data": {}}', b"\xff\xfe\x00"],
)
def test_corrupt_cache_is_ignored_and_rebuilt(
    catalog_file: Path, parses: CountingYaml, garbage: bytes
) -> None:
    load_catalog(catalog_file, overlay=False)
    entry = cache.cache_file(catalog_file)
    entry.write_bytes(garbage)
    assert len(load_catalog(catalog_file, overlay=False).models) == 2
    assert parses.calls == 2
    assert json.loads(entry.read_text())["key"]["sha256"]  # rewritten whole


def test_cached_data_that_fails_the_schema_falls_back_to_the_yaml(
    catalog_file: Path, parses: CountingYaml
) -> None:
    load_catalog(catalog_file, overlay=False)
    entry = cache.cache_file(catalog_file)
    document = json.loads(entry.read_text())
    document["data"]["models"][0]["quants"][0]["size_bytes"] = -1
    entry.write_text(json.dumps(document))
    catalog = load_catalog(catalog_file, overlay=False)
    assert catalog.models[0].quants[0].size_bytes == 668788096
    assert parses.calls == 2
    assert json.loads(entry.read_text())["data"]["models"][0]["quants"][0]["size_bytes"] > 0


def test_invalid_catalog_is_not_cached(catalog_file: Path) -> None:
    catalog_file.write_text(CATALOG_YAML.replace("n_layers: 22", "n_layers: x"))
    with pytest.raises(Exception, match="n_layers"):
        load_catalog(catalog_file, overlay=False)
    assert not cache.cache_file(catalog_file).exists()


def test_unwritable_cache_dir_does_not_break_loading(
    catalog_file: Path, advisor_home: Path
) -> None:
    (advisor_home / "cache").write_text("a file where the cache dir should be")
    assert len(load_catalog(catalog_file, overlay=False).models) == 2
