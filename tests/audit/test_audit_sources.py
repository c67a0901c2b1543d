"""Finding report files: the folder walk finds, orders and resolves exactly what
`Path.rglob("*")` with the report filter and `Path.resolve()` did."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from advisor.audit.sources import REPORT_SUFFIXES, Skipped, locate


def _rglob(folder: Path) -> list[Path]:
    """The search as it was written before the scandir walk."""
    return sorted(
        p
        for p in folder.rglob("*")
        if p.suffix.lower() in REPORT_SUFFIXES and not p.name.startswith(".") and p.is_file()
    )


@pytest.mark.skipif(os.name == "nt", reason="symlinks need privileges on Windows")
def test_the_walk_finds_what_rglob_finds_in_its_order(tmp_path: Path) -> None:
    fleet = tmp_path / "fleet"
    names = [
        "a.json", "B.json", "b-c.json", "b/x.json", "b-c/y.JSON", "b/.hidden.json",
        ".team/z.jsonl", "b/deep/er/w.ndjson", "notes.txt", "b/readme.md", "c.json.part",
    ]  # fmt: skip
    for name in names:
        (fleet / name).parent.mkdir(parents=True, exist_ok=True)
        (fleet / name).write_text("{}")
    (fleet / "folder.json").mkdir()  # a folder named like a report
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "outside.json").write_text("{}")
    (fleet / "linked").symlink_to(elsewhere)  # a symlinked folder is not entered
    (fleet / "b" / "link.json").symlink_to(elsewhere / "outside.json")  # a symlinked file is
    (fleet / "b" / "broken.json").symlink_to(tmp_path / "missing.json")
    (fleet / "b" / "loop").symlink_to("..")
    found = list(locate([str(fleet)]))
    assert found == _rglob(fleet)
    assert [p.relative_to(fleet).as_posix() for p in found] == [
        ".team/z.jsonl", "B.json", "a.json", "b/deep/er/w.ndjson", "b/link.json", "b/x.json",
        "b-c/y.JSON", "b-c.json",
    ]  # fmt: skip
    # a file named again, through a symlink or by its own path, is read once
    again = [str(fleet), str(elsewhere / "outside.json"), str(fleet / "a.json")]
    assert list(locate(again)) == found
    (tmp_path / "alias").symlink_to(fleet)
    assert list(locate([str(fleet), str(tmp_path / "alias")])) == found


def test_a_folder_without_reports_says_so(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("")
    [skipped] = list(locate([str(tmp_path)]))
    assert isinstance(skipped, Skipped) and "holds no .json or .jsonl" in skipped.reason


def test_a_workers_path_text_is_read_as_its_path_would_be(tmp_path: Path) -> None:
    """Reading workers are sent paths as text: the suffix that makes a file JSON lines, and
    the origin, are the Path's."""
    from advisor.audit.sources import _suffix, read_file

    names = ["a.json", "..jsonl", ".jsonl", "b.JSONL", "x.", ".b.ndjson", "c.tar.jsonl", "d"]
    for name in names:
        path = Path(tmp_path / name)
        assert _suffix(str(path)) == path.suffix, name
        path.write_text('{"a": 1}\n{"b": 2}\n')
        assert list(read_file(str(path))) == list(read_file(path)), name


def test_files_found_as_text_are_written_as_their_paths_are(tmp_path: Path, monkeypatch) -> None:
    """locate_text gives each file as `str(path)` of the Path the search found it as (the
    origins the audit shows), however the folder is written; locate gives those Paths."""
    from advisor.audit.sources import locate_text

    fleet = tmp_path / "fleet"
    for name in ("a.json", "b/c.json", "b/d/e.jsonl"):
        (fleet / name).parent.mkdir(parents=True, exist_ok=True)
        (fleet / name).write_text("{}")
    monkeypatch.chdir(tmp_path)
    for arg in ["fleet", "fleet/", "./fleet", "fleet//b", "fleet/./b/", str(fleet), "fleet/b/.."]:
        expected = [str(p) for p in _rglob(Path(arg))]
        assert list(locate_text([arg])) == expected, arg
        assert list(locate([arg])) == [Path(p) for p in expected], arg
    assert list(locate_text(["fleet/a.json"])) == ["fleet/a.json"]
    monkeypatch.chdir(fleet)
    assert list(locate_text(["."])) == [str(p) for p in _rglob(Path("."))]
    assert list(locate_text(["."]))[0] == "a.json"
