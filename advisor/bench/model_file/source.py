"""Where the model to test comes from: a path, a model `advisor scan` found, or a download."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from advisor.catalog.model import Catalog, Model, Quant
from advisor.errors import NotFoundError, UsageError


@dataclass(frozen=True)
class ModelSource:
    path: Path
    model_id: str | None  # the catalog model the file is, when known
    quant: str | None
    origin: Literal["path", "installed", "downloaded"]
    matched_by: str | None = None  # how a bare path was recognised: "file name", "metadata"...


def resolve_source(
    file: str | None,
    model_id: str | None,
    quant: str | None,
    *,
    download: bool = False,
    catalog_path: str | None = None,
) -> ModelSource:
    """The file to run. A path wins; --model/--quant then only say which catalog model it is.

    `--model PATH.gguf` is the file itself, as for `advisor estimate` (its quant is its own);
    `--model hf:ORG/REPO[:QUANT]` is that repository's GGUF of the quant (--quant or the ref's).
    """
    from advisor.catalog.gguf.file_model import is_model_file
    from advisor.catalog.hub.ref import is_repo_ref

    if file is None and model_id is not None and is_repo_ref(model_id):
        return _from_repo(model_id, quant, download)
    if file is None and model_id is not None and is_model_file(model_id):
        if quant is not None or download:
            raise UsageError(f"--model {model_id} is a file: it is its own quant and needs no "
                             "download; leave out --quant and --download")  # fmt: skip
        file, model_id = model_id, None
    if (model_id is None) != (quant is None):
        raise UsageError("--model and --quant go together")
    if file is None and model_id is None:
        raise UsageError(
            "say which model to test: a GGUF file, or --model ID --quant Q",
        )
    if file is not None and download:
        raise UsageError("--download fetches a catalog model: use it with --model and --quant")
    if model_id is None:
        return _recognised(Path(file).expanduser(), catalog_path)  # type: ignore[arg-type]
    catalog = _catalog(catalog_path)
    model, entry = _catalog_quant(catalog, model_id, quant)  # type: ignore[arg-type]
    if file is not None:
        return ModelSource(Path(file).expanduser(), model.id, entry.type, "path")
    installed = _installed(catalog, model, entry)
    if installed is not None:
        return ModelSource(installed, model.id, entry.type, "installed")
    if download:
        from advisor.bench.model_file.download import download_quant
        from advisor.console import note

        path = download_quant(model, entry, say=note)
        return ModelSource(path, model.id, entry.type, "downloaded")
    raise NotFoundError(
        f"{model.id} {entry.type} is not installed here (advisor scan found no file)",
        hint=f"add --download to fetch it ({entry.size_bytes / 1e9:.1f} GB from Hugging Face), "
        "or pass the file: advisor bench FILE.gguf",
    )


def _from_repo(text: str, quant: str | None, download: bool) -> ModelSource:
    """The GGUF (every part) of a Hub repository's quant: from the Hugging Face cache, or
    downloaded with --download."""
    import time

    from advisor.bench.model_file.download import download_files
    from advisor.catalog.hub.listing import choose, gguf_quants
    from advisor.catalog.hub.ref import parse_repo_ref
    from advisor.catalog.hub.remote_model import repo_listing
    from advisor.console import note

    ref = parse_repo_ref(text)
    if ref.quant and quant and ref.quant.upper() != quant.upper():
        raise UsageError(f"--quant {quant} and {text} name different quants")
    info, _ = repo_listing(ref.repo, now=time.time())
    quants = gguf_quants(info)
    if not quants:
        raise NotFoundError(
            f"hf:{ref.repo} has no GGUF file to run",
            hint="the throughput test runs a GGUF; `advisor estimate --model hf:...` "
            "computes this model's sizes from its config.json",
        )
    chosen = choose(quants, ref.quant or quant, ref.repo)
    files = [f.path for f in chosen.files]
    if download:
        return ModelSource(download_files(ref.repo, files, say=note), None, None, "downloaded")
    try:
        path = download_files(ref.repo, files, local_only=True)
    except NotFoundError:
        raise NotFoundError(
            f"hf:{ref.repo} {chosen.label} is not in the Hugging Face cache",
            hint=f"add --download to fetch it ({chosen.size_bytes / 1e9:.1f} GB)",
        ) from None
    return ModelSource(path, None, None, "installed")


def _recognised(path: Path, catalog_path: str | None) -> ModelSource:
    """A bare path, labelled with its catalog model and quant when the scan's rules match it."""
    from advisor.bench.model_file.identity import require_model_file
    from advisor.catalog.gguf.header import read_header
    from advisor.catalog.scan.identify import identify, summarize

    require_model_file(path)
    found = identify(_catalog(catalog_path), summarize(read_header(path)), file_name=path.name)
    if found is None or found.quant is None or found.model.quant(found.quant) is None:
        return ModelSource(path, None, None, "path")
    return ModelSource(path, found.model.id, found.quant, "path", found.matched_by)


def _catalog(catalog_path: str | None) -> Catalog:
    from advisor.catalog import load_catalog

    return load_catalog(catalog_path)


def _catalog_quant(catalog: Catalog, model_id: str, quant: str) -> tuple[Model, Quant]:
    model = catalog.find(model_id)
    if model is None:
        raise NotFoundError(
            f"no model {model_id!r} in the catalog", hint="`advisor catalog list` shows the ids"
        )
    entry = model.quant(quant)
    if entry is None:
        listed = ", ".join(q.type for q in model.quants)
        raise NotFoundError(f"{model.id} has no quant {quant!r} in the catalog (it has {listed})")
    return model, entry


def _installed(catalog: Catalog, model: Model, quant: Quant) -> Path | None:
    """The file `advisor scan` finds for this model and quant, if any."""
    from advisor.catalog import find_installed

    return find_installed(catalog, model.id, quant.type)
