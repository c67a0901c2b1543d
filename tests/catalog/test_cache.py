"""The catalog in the validated cache: used while the files are unchanged, never when stale,
corrupt, or written by other code; an edited overlay is checked again on its own."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from catalog_testkit import CATALOG_YAML, NEW_MODEL, CountingYaml

from advisor.catalog import CatalogProblems, load_catalog
from advisor.catalog.loader import CODE
from advisor.files import disk_cache, strict


@pytest.fixture
def validations(monkeypatch: pytest.MonkeyPatch) -> list[type]:
    """The classes strict.validate was asked to validate, in order."""
    seen: list[type] = []
    real = strict.validate

    def counting(cls, data):
        seen.append(cls)
        return real(cls, data)

    monkeypatch.setattr(strict, "validate", counting)
    return seen


def _entry(catalog_file: Path) -> Path:
    return disk_cache.entry_path("catalog", [catalog_file])


def test_second_load_is_neither_parsed_nor_validated(
    catalog_file: Path, parses: CountingYaml, validations: list[type]
) -> None:
    first = load_catalog(catalog_file, overlay=False)
    second = load_catalog(catalog_file, overlay=False)
    assert (parses.calls, len(validations)) == (1, 1)
    assert first == second and first is not second
    assert _entry(catalog_file).is_file()


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
    monkeypatch.setattr(disk_cache, "__version__", "999.0")
    load_catalog(catalog_file, overlay=False)
    assert parses.calls == 2


def test_changed_schema_code_is_parsed_again(
    catalog_file: Path, parses: CountingYaml, monkeypatch: pytest.MonkeyPatch
) -> None:
    load_catalog(catalog_file, overlay=False)
    real = disk_cache.code_digest
    monkeypatch.setattr(disk_cache, "code_digest", lambda modules: "edited" + real(modules))
    load_catalog(catalog_file, overlay=False)
    assert parses.calls == 2


def test_the_code_digest_covers_the_schema_modules() -> None:
    assert "advisor.catalog.model" in CODE and "advisor.files.strict" in CODE
    one = disk_cache.code_digest(("advisor.catalog.model",))
    assert one != disk_cache.code_digest(("advisor.catalog.loader",))
    assert len(one) == 64


@pytest.mark.parametrize("garbage", [b"", b"\x80\x05garbage", b"{not a pickle", b"\xff\xfe\x00"])
def test_corrupt_entry_is_ignored_and_rebuilt(
    catalog_file: Path, parses: CountingYaml, garbage: bytes
) -> None:
    load_catalog(catalog_file, overlay=False)
    entry = _entry(catalog_file)
    good = entry.read_bytes()
    entry.write_bytes(garbage)
    assert len(load_catalog(catalog_file, overlay=False).models) == 2
    assert parses.calls == 2
    assert entry.read_bytes()[:40] == good[:40]  # rewritten whole


def test_truncated_entry_is_ignored(catalog_file: Path, parses: CountingYaml) -> None:
    load_catalog(catalog_file, overlay=False)
    entry = _entry(catalog_file)
    entry.write_bytes(entry.read_bytes()[: entry.stat().st_size // 2])
    assert [m.id for m in load_catalog(catalog_file, overlay=False).models][0] == "tiny-llama"
    assert parses.calls == 2


def test_invalid_catalog_is_not_cached(catalog_file: Path) -> None:
    catalog_file.write_text(CATALOG_YAML.replace("n_layers: 22", "n_layers: x"))
    for _ in range(2):  # the second load reports the same problem: nothing was stored
        with pytest.raises(CatalogProblems, match="n_layers") as caught:
            load_catalog(catalog_file, overlay=False)
        assert caught.value.line is not None
    assert not _entry(catalog_file).exists()


def test_unwritable_cache_dir_does_not_break_loading(
    catalog_file: Path, advisor_home: Path
) -> None:
    (advisor_home / "cache").write_text("a file where the cache dir should be")
    assert len(load_catalog(catalog_file, overlay=False).models) == 2
    assert len(load_catalog(catalog_file, overlay=False).models) == 2


def test_uncached_load_parses_whatever_the_cache_holds(
    catalog_file: Path, parses: CountingYaml
) -> None:
    from advisor.catalog.loader import load_catalog_file

    load_catalog(catalog_file, overlay=False)
    load_catalog_file(catalog_file, use_cache=False)
    assert parses.calls == 2


def test_overlay_comes_from_the_cache_and_is_checked_again_when_edited(
    catalog_file: Path, overlay_file: Path, parses: CountingYaml
) -> None:
    overlay_file.parent.mkdir(parents=True, exist_ok=True)
    overlay_file.write_text(NEW_MODEL)
    assert load_catalog(catalog_file).models[-1].id == "my-model"
    assert parses.calls == 2  # the catalog and the overlay
    assert load_catalog(catalog_file).models[-1].name == "My Model"
    assert parses.calls == 2
    overlay_file.write_text(NEW_MODEL.replace("name: My Model", "name: Renamed"))
    assert load_catalog(catalog_file).models[-1].name == "Renamed"
    assert parses.calls == 3  # the overlay only: the catalog still came from the cache


def test_a_cached_overlay_is_checked_again_when_the_catalog_changes(
    catalog_file: Path, overlay_file: Path, capsys
) -> None:
    """The overlay cites the catalog's sources: a catalog edit can break a valid overlay."""
    overlay_file.parent.mkdir(parents=True, exist_ok=True)
    overlay_file.write_text(
        NEW_MODEL.replace("source: [mine]\n    release", "source: [cards]\n    release")
    )
    assert load_catalog(catalog_file).models[-1].id == "my-model"
    catalog_file.write_text(CATALOG_YAML.replace("cards", "card"))
    catalog = load_catalog(catalog_file)
    assert "my-model" not in [m.id for m in catalog.models]
    assert "unknown source 'cards'" in capsys.readouterr().err
