"""--download through the installed huggingface_hub, against a Hub served on 127.0.0.1.

Nothing of huggingface_hub is replaced: only its endpoint is pointed at tests/bench/
hub_server.py, as HF_ENDPOINT does (in a fresh interpreter, through the variable itself).
"""

from __future__ import annotations

import dataclasses
import os
import re
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from advisor.bench.model_file.download import download_quant
from advisor.errors import BenchError, NotFoundError, UnreachableError, WriteError
from tests.bench.hub_server import COMMIT, Hub, point_huggingface_hub_at, serve
from tests.bench.test_bench_download import GPT_OSS_FILE, GPT_OSS_REPO, QWEN_FILE, QWEN_REPO
from tests.bench.test_bench_download import _model as model_of

hf = pytest.importorskip("huggingface_hub")
import huggingface_hub.constants  # noqa: E402 - after the skip

QWEN = b"GGUF" + bytes(range(256)) * 40
SHARDS = [b"GGUF" + bytes([i]) * (1000 + i) for i in (1, 2, 3)]
PLENTY = 10**13
_BLOBS = "True" if hf.__version__.startswith("0.") else "true"  # as each version writes it


def _files() -> dict[str, bytes]:
    files = {f"{QWEN_REPO}/{QWEN_FILE}": QWEN, f"meta-llama/Llama-Gated-GGUF/{QWEN_FILE}": QWEN}
    for i, data in enumerate(SHARDS, start=1):
        files[f"{GPT_OSS_REPO}/gpt-oss-120b-mxfp4-0000{i}-of-00003.gguf"] = data
    return files


@pytest.fixture
def hub(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Hub]:
    with serve(Hub(_files(), gated={"meta-llama/Llama-Gated-GGUF"})) as served:
        point_huggingface_hub_at(monkeypatch, served.url)
        monkeypatch.setenv("HF_HOME", str(tmp_path / "hf-home"))
        yield served


def _download(tmp_path: Path, repo: str, file: str, quant: str = "Q4_K_M", free=PLENTY) -> Path:
    return download_quant(*model_of(repo, file, quant), cache_dir=tmp_path / "cache",
                          free_bytes=lambda _: free)  # fmt: skip


def test_downloads_into_the_hub_cache(hub: Hub, tmp_path: Path) -> None:
    path = _download(tmp_path, QWEN_REPO, QWEN_FILE)
    assert path == tmp_path / "cache" / (
        f"models--bartowski--Qwen_Qwen3-8B-GGUF/snapshots/{COMMIT}/{QWEN_FILE}"
    )
    assert path.read_bytes() == QWEN
    assert hub.gets() == [f"/{QWEN_REPO}/resolve/{COMMIT}/{QWEN_FILE}"]  # the listed commit


def test_a_cached_file_is_not_fetched_again(hub: Hub, tmp_path: Path) -> None:
    first = _download(tmp_path, QWEN_REPO, QWEN_FILE)
    second = _download(tmp_path, QWEN_REPO, QWEN_FILE)
    assert first == second and len(hub.gets()) == 1


def test_a_split_model_comes_down_whole(hub: Hub, tmp_path: Path) -> None:
    path = _download(tmp_path, GPT_OSS_REPO, GPT_OSS_FILE, "MXFP4")
    assert path.name == GPT_OSS_FILE
    parts = sorted(path.parent.glob("gpt-oss-120b-mxfp4-*.gguf"))
    assert [p.read_bytes() for p in parts] == SHARDS


def test_not_enough_disk_downloads_nothing(hub: Hub, tmp_path: Path) -> None:
    with pytest.raises(WriteError, match="needs .* GB but only") as info:
        _download(tmp_path, GPT_OSS_REPO, GPT_OSS_FILE, "MXFP4", free=100)
    assert "HF_HUB_CACHE" in (info.value.hint or "")
    assert hub.gets() == []
    assert hub.api_calls() == [f"/api/models/{GPT_OSS_REPO}?blobs={_BLOBS}"]  # the sizes


@pytest.mark.parametrize(
    ("repo", "file", "kind", "message"),
    [
        (QWEN_REPO, "missing.gguf", NotFoundError, f"no file {QWEN_REPO}/missing.gguf"),
        ("nobody/nothing", QWEN_FILE, NotFoundError, "no repository nobody/nothing"),
        ("meta-llama/Llama-Gated-GGUF", QWEN_FILE, UnreachableError, "is gated"),
    ],
)
def test_hub_answers_become_our_errors(
    hub: Hub, tmp_path: Path, repo: str, file: str, kind: type, message: str
) -> None:
    with pytest.raises(kind, match=message):
        _download(tmp_path, repo, file)


def test_a_cache_that_cannot_be_written_is_a_write_error(hub: Hub, tmp_path: Path) -> None:
    (tmp_path / "cache").write_text("a file where the cache folder should be\n")
    with pytest.raises(WriteError, match="could not save"):
        _download(tmp_path, QWEN_REPO, QWEN_FILE)


def test_offline_with_nothing_cached_says_so(
    hub: Hub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", True)
    with pytest.raises(BenchError, match="cannot reach Hugging Face"):
        _download(tmp_path, QWEN_REPO, QWEN_FILE)


def test_a_fresh_interpreter_honours_hf_endpoint(hub: Hub, tmp_path: Path) -> None:
    """huggingface_hub 2.x loads `constants` lazily: `hub.constants` without importing it by
    name raised AttributeError (the crash of `advisor bench --download`)."""
    script = textwrap.dedent(f"""
        from tests.bench.test_bench_download import _model
        from advisor.bench.model_file.download import download_quant
        print(download_quant(*_model({QWEN_REPO!r}, {QWEN_FILE!r}), free_bytes=lambda _: 10**13))
    """)
    env = {**os.environ, "HF_ENDPOINT": hub.url, "HF_HUB_CACHE": str(tmp_path / "env-cache"),
           "HF_HOME": str(tmp_path / "hf-home"), "HF_HUB_OFFLINE": "0"}  # fmt: skip
    env.pop("HF_TOKEN", None)
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True,
                          text=True, cwd=Path(__file__).parents[2], timeout=300)  # fmt: skip
    assert done.returncode == 0, done.stderr
    path = Path(done.stdout.strip())
    assert path.is_relative_to(tmp_path / "env-cache") and path.read_bytes() == QWEN


def test_every_hint_names_a_command_that_exists() -> None:
    """The app's "Get it" line runs huggingface_hub's own CLI; the install hints install
    the extras this package defines, from the repository (it is on no package index)."""
    from importlib.metadata import entry_points

    from advisor.bench.run.native import INSTALL_HINT
    from advisor.tui.howto import _download

    hub_scripts = {e.name for e in entry_points(group="console_scripts")
                   if e.value.startswith("huggingface_hub")}  # fmt: skip
    model, quant = model_of(QWEN_REPO, QWEN_FILE)
    assert _download(model, quant).split()[0] in hub_scripts
    pyproject = (Path(__file__).parents[2] / "pyproject.toml").read_text("utf-8")
    assert re.search(r"^bench = \[", pyproject, flags=re.M)  # the extra the hint installs
    assert "pip install -e '.[bench]'" in INSTALL_HINT and "local-llm-advisor" not in INSTALL_HINT


def _hf_cache_blob(tmp_path: Path, repo: str) -> Path:
    org, name = repo.split("/")
    return tmp_path / "cache" / f"models--{org}--{name}" / "blobs"


def test_a_partial_download_is_resumed(hub: Hub, tmp_path: Path) -> None:
    """An interrupted run leaves `<blob>.incomplete`; the next asks only for the rest."""
    blobs = _hf_cache_blob(tmp_path, QWEN_REPO)
    blobs.mkdir(parents=True)
    etag = hub.digest(f"{QWEN_REPO}/{QWEN_FILE}")
    (blobs / f"{etag}.incomplete").write_bytes(QWEN[:4000])
    path = _download(tmp_path, QWEN_REPO, QWEN_FILE)
    assert path.read_bytes() == QWEN
    assert hub.ranges == ["bytes=4000-"] and hub.bytes_sent == len(QWEN) - 4000


def test_a_file_whose_size_is_not_the_listed_one_is_refused_and_removed(
    hub: Hub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from advisor.catalog.hub import client

    real = client.repo_info

    def listing_of_another_size(repo: str):  # the file changed on the Hub after the listing
        info = real(repo)
        files = tuple(dataclasses.replace(f, size_bytes=f.size_bytes + 1) for f in info.files)
        return dataclasses.replace(info, files=files)

    monkeypatch.setattr(client, "repo_info", listing_of_another_size)
    with pytest.raises(BenchError, match=f"came down as {len(QWEN)} bytes, but the repository "
                       f"lists {len(QWEN) + 1}"):  # fmt: skip
        _download(tmp_path, QWEN_REPO, QWEN_FILE)
    assert not any(p.is_file() for p in (tmp_path / "cache").rglob("*.gguf"))


def test_a_hub_repository_is_benchmarked_from_its_listing(
    hub: Hub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`bench --model hf:ORG/REPO:QUANT --download`: the quant's file (every part) from the
    repository's listing; without --download, only a copy already in the cache."""
    from advisor.bench.model_file.source import resolve_source

    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_CACHE", str(tmp_path / "cache"))
    with pytest.raises(NotFoundError, match="not in the Hugging Face cache"):
        resolve_source(None, f"hf:{GPT_OSS_REPO}:MXFP4", None)
    source = resolve_source(None, f"hf:{GPT_OSS_REPO}", "mxfp4", download=True)
    assert source.origin == "downloaded" and source.path.name == GPT_OSS_FILE
    again = resolve_source(None, f"hf:{GPT_OSS_REPO}:MXFP4", None)
    assert again.path == source.path and again.origin == "installed"
    assert len(hub.gets()) == 3


def test_the_progress_bar_is_shown_on_stderr(hub: Hub, tmp_path: Path) -> None:
    script = textwrap.dedent(f"""
        from tests.bench.test_bench_download import _model
        from advisor.bench.model_file.download import download_quant
        print(download_quant(*_model({QWEN_REPO!r}, {QWEN_FILE!r}), free_bytes=lambda _: 10**13,
                             say=print))
    """)
    env = {**os.environ, "HF_ENDPOINT": hub.url, "HF_HUB_CACHE": str(tmp_path / "env-cache"),
           "HF_HOME": str(tmp_path / "hf-home"), "HF_HUB_OFFLINE": "0"}  # fmt: skip
    env.pop("HF_HUB_DISABLE_PROGRESS_BARS", None)
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True,
                          text=True, cwd=Path(__file__).parents[2], timeout=300)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert f"downloading hf:{QWEN_REPO}/{QWEN_FILE} (0.00 GB)" in done.stdout
    assert "100%" in done.stderr  # huggingface_hub's tqdm bar
