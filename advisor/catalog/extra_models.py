"""The user's own models beside the catalog's: `--model FILE.gguf` or `--model hf:ORG/REPO:Q`,
repeatable, for `advisor models`, `advisor report` and the app.

Each is read as `advisor estimate --model` reads it (advisor.catalog.gguf.file_model for a file,
advisor.catalog.hub for a Hub repository: header only, never the weights) and added to the
catalog in memory, with the sources its facts cite; nothing is written. Two quants of one
repository (`--model hf:X:Q4_K_M --model hf:X:Q8_0`) are one model with both quants. A model
read this way has no quality index (the header carries none), and is judged as such.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence

from advisor.catalog.model import Catalog, Model, Source
from advisor.errors import UsageError


def with_extra_models(
    catalog: Catalog, specs: Sequence[str], *, say: Callable[[str], None] | None = None
) -> Catalog:
    """`catalog` with the models `specs` name added (or the catalog itself if there are none)."""
    if not specs:
        return catalog
    taken = [m.id for m in catalog.models]
    added: dict[str, Model] = {}
    sources: dict[str, Source] = {}
    for spec in specs:
        model, cited = _read(spec, taken)
        sources.update(cited)
        known = added.get(model.id)
        if known is not None:
            if any(q.type == model.quants[0].type for q in known.quants):
                raise UsageError(f"--model {spec}: that model and quant is given twice")
            model = dataclasses.replace(known, quants=known.quants + model.quants)
        added[model.id] = model
        if say is not None:
            quants = ", ".join(q.type for q in model.quants)
            say(f"--model {spec}: {model.name} ({quants}) is ranked beside the catalog as "
                f"{model.id}")  # fmt: skip
    return dataclasses.replace(catalog, models=catalog.models + tuple(added.values()),
                               sources={**catalog.sources, **sources})  # fmt: skip


def _read(spec: str, taken: Sequence[str]) -> tuple[Model, dict[str, Source]]:
    from advisor.catalog.gguf.file_model import is_model_file, read_file_model
    from advisor.catalog.hub.ref import is_repo_ref

    if is_repo_ref(spec):
        from advisor.catalog.hub.remote_model import read_remote_model

        remote = read_remote_model(spec, taken_ids=taken)
        return remote.model, remote.sources
    if is_model_file(spec):
        found = read_file_model(spec, taken_ids=taken)
        return found.model, found.sources
    raise UsageError(
        f"--model {spec}: give a GGUF file or a Hugging Face repository (hf:ORG/REPO:QUANT)",
        hint="catalog models are ranked already; `advisor catalog list` shows them",
    )
