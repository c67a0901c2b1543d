"""A catalog Model built from a local GGUF file, for `advisor catalog add`."""

from __future__ import annotations

import dataclasses
import datetime
import re
from collections.abc import Sequence
from dataclasses import dataclass

from pydantic import ValidationError

from advisor.catalog.fields import QUANT_TYPES
from advisor.catalog.gguf.arch import architecture_from_gguf
from advisor.catalog.gguf.file import GGUFModelFile, file_type_name
from advisor.catalog.model import Model, Quant, Source
from advisor.errors import GGUFError, UsageError
from advisor.files.strict import validate

_NOT_IN_HEADER = "not in the GGUF metadata"
_HF_URL = re.compile(r"^https?://(?:www\.)?huggingface\.co/([\w.-]+/[\w.-]+)/?$")
LOCAL_SUFFIX = "-local"


@dataclass(frozen=True)
class NewEntry:
    """What `catalog add` writes: the model and the source its facts cite."""

    model: Model
    source_key: str
    source: Source
    renamed_from: str | None  # the id the file suggested, taken by a shipped model


def entry_from_gguf(
    gguf: GGUFModelFile,
    *,
    taken_ids: Sequence[str] = (),
    model_id: str | None = None,
    name: str | None = None,
    hf_repo: str | None = None,
    tasks: Sequence[str] = (),
    quant: str | None = None,
    today: datetime.date | None = None,
    origin: tuple[str, str] | None = None,
) -> NewEntry:
    """Describe `gguf` as a catalog entry; the options override what the header says.

    `taken_ids` are shipped model ids: a derived id that collides gets LOCAL_SUFFIX, so an
    added file never silently replaces a curated entry (an explicit `model_id` may). `origin`
    is the (title, url) its facts cite, when the file is not a local one (a Hub repository).
    """
    header = gguf.header
    suggested = model_id or _derived_id(gguf)
    final_id = suggested
    if model_id is None and suggested in taken_ids:
        final_id = suggested + LOCAL_SUFFIX
    quant_type = _quant_type(gguf, quant)
    source_key = f"gguf-{final_id}-{quant_type.lower()}"
    date = (today or datetime.date.today()).isoformat()
    title, url = origin or (
        f"GGUF header of {gguf.path.name}, read by advisor catalog add",
        gguf.path.resolve().as_uri(),
    )
    source = Source(title=title, date=date, url=url)
    unknown: dict[str, str] = {
        "release_date": _NOT_IN_HEADER,
        "quality": "a GGUF header carries no Artificial Analysis index (an overlay entry "
        "can add one)",
    }
    license_name = _text(header.get("general.license"))
    if license_name is None:
        unknown["license"] = _NOT_IN_HEADER
    repo = hf_repo or _repo_from_header(header.metadata)
    notes = None
    if repo is None:  # hf_repo is required: a placeholder, said to be one
        repo = f"local/{final_id}"
        notes = f"hf_repo {repo} is a placeholder: {_NOT_IN_HEADER}; pass --hf-repo to set it"
    file_quant = Quant(
        type=quant_type,
        size_bytes=gguf.size_bytes,
        basis="published",
        source=source_key,
        file=gguf.path.name,
        note=_shards_note(gguf),
    )
    try:
        # Validated like a catalog entry (the architecture already is: it stays as it is).
        model = validate(
            Model,
            dict(
                id=final_id,
                name=name or _display_name(gguf),
                hf_repo=repo,
                family=_text(header.get("general.basename")) or header.architecture or "unknown",
                source=(source_key,),
                release_date=None,
                license=license_name,
                tasks=tuple(tasks) or ("chat",),
                architecture=architecture_from_gguf(header, gguf.tensors, source=source_key),
                quality=None,
                quants=(dataclasses.asdict(file_quant),),
                unknown=unknown,
                notes=notes,
            ),
        )
    except ValidationError as exc:
        detail = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise UsageError(f"cannot describe {gguf.path.name} as a catalog model: {detail}") from None
    renamed = suggested if final_id != suggested else None
    return NewEntry(model, source_key, source, renamed)


def slug(text: str) -> str:
    """A catalog id from free text: 'Meta Llama 3.1 8B Instruct' -> 'meta-llama-3.1-8b-instruct'."""
    value = re.sub(r"[^a-z0-9._-]+", "-", text.lower()).strip("-._")
    return re.sub(r"-{2,}", "-", value)


def _derived_id(gguf: GGUFModelFile) -> str:
    candidates = [_text(gguf.header.get("general.name")), _parts_name(gguf), _file_stem(gguf)]
    for candidate in candidates:
        if candidate and slug(candidate):
            return slug(candidate)
    return "local-model"


def _display_name(gguf: GGUFModelFile) -> str:
    return _text(gguf.header.get("general.name")) or _parts_name(gguf) or _file_stem(gguf)


def _parts_name(gguf: GGUFModelFile) -> str | None:
    parts = [_text(gguf.header.get(f"general.{k}")) for k in ("basename", "size_label", "finetune")]
    return " ".join(p for p in parts if p) or None


def _file_stem(gguf: GGUFModelFile) -> str:
    """The file name without shard suffix, quant type and extension."""
    stem = re.sub(r"-\d{5}-of-\d{5}$", "", gguf.path.name.removesuffix(".gguf"))
    quant = gguf.quant
    if quant:
        stem = re.sub(rf"[-_.]?{re.escape(quant)}$", "", stem, flags=re.IGNORECASE)
    return stem


def _quant_type(gguf: GGUFModelFile, override: str | None) -> str:
    if override is not None:
        wanted = override.upper()
        if wanted not in QUANT_TYPES:
            raise UsageError(f"--quant {override}: expected one of {', '.join(QUANT_TYPES)}")
        return wanted
    if gguf.quant:
        return gguf.quant
    declared = file_type_name(gguf.header.get("general.file_type"))
    what = f"its file type {declared}" if declared else "it names no file type"
    raise GGUFError(
        f"{what}, which is not a quant type the catalog lists",
        path=gguf.path,
        hint=f"pass --quant with one of {', '.join(QUANT_TYPES)} if you know it",
    )


def _repo_from_header(metadata: dict[str, object]) -> str | None:
    direct = _text(metadata.get("general.source.huggingface.repository"))
    if direct:
        return direct
    for key in ("general.source.repo_url", "general.base_model.0.repo_url", "general.repo_url"):
        match = _HF_URL.match(_text(metadata.get(key)) or "")
        if match:
            return match[1]
    return None


def _shards_note(gguf: GGUFModelFile) -> str | None:
    if len(gguf.shards) == 1:
        return None
    return f"split in {len(gguf.shards)} files; size_bytes counts them all"


def _text(value: object) -> str | None:
    return value.strip() or None if isinstance(value, str) else None
