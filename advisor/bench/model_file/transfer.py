"""One file of a Hub repository into the Hugging Face cache, resumable, with a progress bar.

huggingface_hub's own hf_hub_download resumes an interrupted download in 0.24 but not in 2.x
(each run writes a fresh temporary file and deletes it on failure), so the transfer is done
here, the same way in every version: into `blobs/<digest>.incomplete` (the name 0.24 resumes
from too), from its length on with a byte range; checked against the listed size; then moved
to `blobs/<digest>` and linked from `snapshots/<commit>/<path>` with `refs/main` naming the
commit, the cache layout every huggingface_hub version (and `advisor scan`) reads. The bar is
huggingface_hub's tqdm on stderr, which HF_HUB_DISABLE_PROGRESS_BARS turns off.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path, PurePosixPath

from advisor.catalog.hub import client
from advisor.catalog.hub.client import HubFile
from advisor.errors import BenchError, WriteError

_FLUSH_BYTES = 1 << 22


def fetch_file(repo: str, commit: str, file: HubFile, cache: Path) -> Path:
    """The file's path in the cache's snapshot of `commit`, downloaded (or resumed) if needed."""
    folder = cache / f"models--{repo.replace('/', '--')}"
    snapshot = folder / "snapshots" / commit / PurePosixPath(file.path)
    blob = folder / "blobs" / _blob_name(repo, file)
    try:
        if not (snapshot.is_file() and snapshot.stat().st_size == file.size_bytes):
            if not (blob.is_file() and blob.stat().st_size == file.size_bytes):
                _download(repo, commit, file, blob)
            _link(snapshot, blob)
        _write_ref(folder, commit)
    except OSError as exc:
        raise WriteError(
            f"could not save {repo}/{file.path} under {cache}: {exc}",
            hint="check the folder is writable, or set HF_HUB_CACHE",
        ) from exc
    return snapshot


def _blob_name(repo: str, file: HubFile) -> str:
    if file.digest:
        return file.digest
    return hashlib.sha256(f"{repo}/{file.path}:{file.size_bytes}".encode()).hexdigest()


def _download(repo: str, commit: str, file: HubFile, blob: Path) -> None:
    partial = blob.with_name(blob.name + ".incomplete")
    blob.parent.mkdir(parents=True, exist_ok=True)
    have = partial.stat().st_size if partial.is_file() else 0
    if have >= file.size_bytes:
        have = 0  # longer than the file: not a part of it
    hub = client.import_hub()
    with client.open_stream(repo, commit, file.path, have) as (status, chunks):
        if status == 200:
            have = 0  # the Hub sent the whole file
        with partial.open("r+b" if have else "wb") as out, hub.utils.tqdm(
            total=file.size_bytes, initial=have, unit="B", unit_scale=True, unit_divisor=1024,
            desc=PurePosixPath(file.path).name,
        ) as bar:  # fmt: skip
            out.seek(have)
            out.truncate()
            for chunk in chunks:
                out.write(chunk)
                bar.update(len(chunk))
            out.flush()
            os.fsync(out.fileno())
    size = partial.stat().st_size
    if size != file.size_bytes:
        partial.unlink(missing_ok=True)
        raise BenchError(
            f"hf:{repo}/{file.path} came down as {size} bytes, but the repository lists "
            f"{file.size_bytes}: the file changed during the download, or it was cut short; "
            "it was removed",
            hint="run the command again to download it afresh",
        )
    os.replace(partial, blob)


def _link(snapshot: Path, blob: Path) -> None:
    snapshot.parent.mkdir(parents=True, exist_ok=True)
    snapshot.unlink(missing_ok=True)
    try:
        snapshot.symlink_to(os.path.relpath(blob, snapshot.parent))
    except OSError:  # no symlinks (Windows without developer mode): huggingface_hub copies too
        import shutil

        shutil.copyfile(blob, snapshot)


def _write_ref(folder: Path, commit: str) -> None:
    ref = folder / "refs" / "main"
    ref.parent.mkdir(parents=True, exist_ok=True)
    if not ref.is_file() or ref.read_text(encoding="utf-8").strip() != commit:
        ref.write_text(commit, encoding="utf-8")
