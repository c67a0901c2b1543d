"""Files that are not what their names say: FIFOs, devices, sparse giants, files cut short while
read. Each is refused with its reason, at once, in bounded memory."""

from __future__ import annotations

import json
import os
import struct
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from catalog_testkit import tiny_llama_gguf

from advisor.catalog import load_catalog
from advisor.catalog.gguf.header import DECODE_BUDGET_BYTES, read_header
from advisor.catalog.scan.installed import scan
from advisor.cli import main
from advisor.errors import ExitCode, GGUFError

pytestmark = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs (POSIX)")
DEV_ZERO = Path("/dev/zero")


def _fifo(path: Path) -> Path:
    os.mkfifo(path)
    return path


def _in_time(work) -> object:
    """Run `work` in a thread: a FIFO opened for reading once blocked forever. The join's
    timeout is a hang guard, not a speed limit. Returns what `work` returns, raises what it
    raises."""
    outcome: dict[str, object] = {}

    def run() -> None:
        try:
            outcome["value"] = work()
        except BaseException as exc:  # noqa: BLE001 - handed back to the test below
            outcome["error"] = exc

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(timeout=600)
    assert not thread.is_alive(), "it hung"
    if "error" in outcome:
        raise outcome["error"]  # type: ignore[misc]
    return outcome["value"]


def test_ollama_manifests_that_are_not_files(tmp_path: Path, catalog_file: Path) -> None:
    root = tmp_path / "ollama"
    digest = "a" * 64
    tiny_llama_gguf(root / "blobs" / f"sha256-{digest}", file_type=15)
    manifests = root / "manifests" / "registry.ollama.ai" / "library" / "tiny"
    manifests.mkdir(parents=True)
    layer = {"mediaType": "application/vnd.ollama.image.model", "digest": f"sha256:{digest}"}
    (manifests / "1b").write_text(json.dumps({"schemaVersion": 2, "layers": [layer]}))
    _fifo(manifests / "fifo")
    (manifests / "zero").symlink_to(DEV_ZERO)
    catalog = load_catalog(catalog_file, overlay=False)
    result = _in_time(lambda: scan([root], catalog, include_defaults=False))
    (model,) = result.installed
    assert model.ollama_tags == ("tiny:1b",)
    reasons = {s.path.name: s.reason for s in result.skipped}
    assert "a pipe (FIFO), not a file" in reasons["fifo"]
    assert "a character device, not a file" in reasons["zero"]


@pytest.mark.parametrize("kind", ["fifo", "device", "folder"])
def test_a_gguf_that_is_not_a_file_is_refused(tmp_path: Path, kind: str) -> None:
    path = {"fifo": lambda: _fifo(tmp_path / "m.gguf"), "device": lambda: DEV_ZERO,
            "folder": lambda: tmp_path}[kind]()  # fmt: skip
    with pytest.raises(GGUFError, match="not a file"):
        _in_time(lambda: read_header(path))


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["models", "--json", "--catalog", "{x}"], ExitCode.BAD_INPUT),
        (["catalog", "validate", "{x}"], ExitCode.BAD_INPUT),
        (
            ["report", "--json", "--profile", "rtx-4090-desktop", "--workload", "{x}"],
            ExitCode.BAD_INPUT,
        ),
        (
            ["report", "--json", "--profile", "rtx-4090-desktop", "--config", "{x}"],
            ExitCode.BAD_INPUT,
        ),
        (["probe", "--json", "--replay", "{x}"], ExitCode.BAD_INPUT),
        (["probe", "--json", "--profile", "{x}"], ExitCode.BAD_INPUT),
        (["audit", "--format", "json", "--no-upgrades", "{x}"], ExitCode.BAD_INPUT),
    ],  # fmt: skip
    ids=["catalog", "validate", "workload", "config", "replay", "profile", "audit"],
)
@pytest.mark.parametrize("kind", ["device", "fifo"])
def test_a_document_that_is_not_a_file(args, code, kind, tmp_path: Path, capsys) -> None:
    """/dev/zero once ate all memory, and a FIFO waited forever for a writer."""
    target = DEV_ZERO if kind == "device" else _fifo(tmp_path / "doc.yaml")
    if args[0] == "audit" and kind == "fifo":
        target = _fifo(tmp_path / "report.json")
    argv = [a.replace("{x}", str(target)) for a in args]
    assert _in_time(lambda: main(argv)) == code
    err = capsys.readouterr().err
    assert str(target) in err and "not a file" in err and "Traceback" not in err


def _sparse_string_arrays(path: Path, arrays: int, items: int) -> Path:
    """A GGUF header of `arrays` arrays of `items` empty strings: each item is 8 zero bytes,
    left as a hole, so the file takes a few KB of disk and gigabytes of apparent size."""
    with path.open("wb") as out:
        out.write(b"GGUF" + struct.pack("<IQQ", 3, 0, arrays))
        for index in range(arrays):
            key = f"junk.{index}".encode()
            out.write(struct.pack("<Q", len(key)) + key + struct.pack("<IIQ", 9, 8, items))
            out.seek(items * 8, os.SEEK_CUR)  # the hole: `items` zero lengths
        out.truncate()
    return path


def test_a_sparse_header_of_empty_strings_is_refused_at_once(tmp_path: Path) -> None:
    """50 arrays of 2**24 - 1 empty strings: 6.7 GB apparent, walked for 118 s once."""
    path = _sparse_string_arrays(tmp_path / "sparse.gguf", 50, 2**24 - 1)
    assert path.stat().st_size > 6e9
    with pytest.raises(GGUFError, match=f"more than {DECODE_BUDGET_BYTES >> 20} MiB of metadata"):
        read_header(path)


_TRUNCATE_WHILE_READING = """
import sys
from advisor.catalog.gguf import header as gguf_header
from advisor.errors import GGUFError

path = sys.argv[1]
original = gguf_header._Walker._metadata

def metadata(self, count):
    with open(path, "r+b") as handle:  # cut short after the reader looked at its size
        handle.truncate(4096)  # a page: what was mapped past it is gone
    return original(self, count)

gguf_header._Walker._metadata = metadata
try:
    gguf_header.read_header(path)
except GGUFError as exc:
    print(exc.message)
"""


def test_a_file_cut_short_while_its_header_is_read(tmp_path: Path) -> None:
    """Through a memory map this was SIGBUS (exit 135, no word); with reads it is an error."""
    # A name of 2 MiB: read past the reader's first window (1 MiB), past the mapped pages
    path = tiny_llama_gguf(tmp_path / "cut.gguf", name="x" * (2 << 20))
    done = subprocess.run([sys.executable, "-c", _TRUNCATE_WHILE_READING, str(path)],
                          capture_output=True, text=True, timeout=600)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "the file shrank while its header was read" in done.stdout


def test_a_megabyte_model_name_is_cut_before_matching_and_printing(
    tmp_path: Path, catalog_file: Path, capsys
) -> None:
    """A 14.7 MB general.name once took scan 97 s in difflib, and was printed whole."""
    from catalog_testkit import model_gguf

    model_gguf(tmp_path / "models" / "huge-name.gguf", arch="llama", name="Tiny Llama " * 1_400_000,
               n_layers=22, hidden=2048)  # fmt: skip
    args = ["scan", str(tmp_path / "models"), "--only", "--catalog", str(catalog_file)]
    assert _in_time(lambda: main(args)) == ExitCode.OK
    out = capsys.readouterr().out
    assert len(out) < 2000 and "Tiny Llama Tiny Llama" in out and "…" in out
