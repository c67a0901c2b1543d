"""Which catalog model a GGUF file on disk is: by Ollama tag, file name, repo, or metadata."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from advisor.catalog.gguf.file import file_type_name, quant_from_file_type, quant_from_name
from advisor.catalog.gguf.header import GGUFHeader
from advisor.catalog.model import Catalog, Model

NAME_MATCH_MIN = 0.75  # difflib ratio between the header's model name and the catalog's
NAME_MATCH_MARGIN = 0.05  # the best name must beat the next candidate by this much


@dataclass(frozen=True)
class GGUFSummary:
    """The header facts a scan shows and matches on."""

    architecture: str | None
    name: str | None  # general.name
    basename: str | None
    size_label: str | None  # "8B", "30B-A3B"
    finetune: str | None  # "Instruct"
    n_layers: int | None  # block_count less any next-token-prediction (MTP) layers
    hidden_size: int | None
    file_type: str | None  # llama.cpp's name for general.file_type
    quant: str | None  # the catalog quant type, when the file type is one

    @property
    def label(self) -> str | None:
        """The model's name as the header gives it."""
        parts = [self.basename, self.size_label, self.finetune]
        return self.name or " ".join(p for p in parts if p) or None


def summarize(header: GGUFHeader) -> GGUFSummary:
    arch = header.architecture

    def arch_int(key: str) -> int | None:
        value = header.get(f"{arch}.{key}")
        return value if type(value) is int else None

    blocks = arch_int("block_count")
    mtp = arch_int("nextn_predict_layers") or 0
    file_type = header.get("general.file_type")
    return GGUFSummary(
        architecture=arch,
        name=_text(header.get("general.name")),
        basename=_text(header.get("general.basename")),
        size_label=_text(header.get("general.size_label")),
        finetune=_text(header.get("general.finetune")),
        n_layers=blocks - mtp if blocks is not None else None,
        hidden_size=arch_int("embedding_length"),
        file_type=file_type_name(file_type),
        quant=quant_from_file_type(file_type),
    )


@dataclass(frozen=True)
class Identification:
    model: Model
    quant: str | None
    matched_by: str  # "ollama tag" | "file name" | "repository" | "metadata"


def identify(
    catalog: Catalog,
    summary: GGUFSummary,
    *,
    file_name: str,
    repo: str | None = None,
    ollama_tags: Sequence[str] = (),
) -> Identification | None:
    """The catalog model this file is, or None. Name-based matches must agree on layers."""
    quant = summary.quant or quant_from_name(file_name)
    quant = quant or next(filter(None, (quant_from_name(t) for t in ollama_tags)), None)
    for matched_by, model in (
        ("ollama tag", _by_ollama_tag(catalog, ollama_tags)),
        ("file name", _by_file_name(catalog, file_name, repo)),
        ("repository", _by_repo(catalog, repo)),
    ):
        if model is not None and _layers_agree(model, summary):
            return Identification(model, quant, matched_by)
    model = _by_metadata(catalog, summary)
    return Identification(model, quant, "metadata") if model else None


def normalize_tag(tag: str) -> str:
    """Ollama's own defaults: `qwen3` is `qwen3:latest`; the library namespace is implicit."""
    tag = tag.strip().lower().removeprefix("registry.ollama.ai/").removeprefix("library/")
    return tag if ":" in tag else f"{tag}:latest"


def _by_ollama_tag(catalog: Catalog, tags: Iterable[str]) -> Model | None:
    """The model whose tag is the longest match: `qwen3:8b-q8_0` is the Q8_0 build of
    `qwen3:8b`, but `qwen3:4b-instruct-2507-q4_K_M` is Qwen3-4B-Instruct-2507's own tag, not a
    build of `qwen3:4b`."""
    installed = [normalize_tag(t) for t in tags]
    best: tuple[int, Model] | None = None
    for model in catalog.models:
        if not model.ollama_tag:
            continue
        wanted = normalize_tag(model.ollama_tag)
        longer = best is None or len(wanted) > best[0]
        if longer and any(t == wanted or t.startswith(wanted + "-") for t in installed):
            best = (len(wanted), model)
    return best[1] if best else None


def _by_file_name(catalog: Catalog, file_name: str, repo: str | None) -> Model | None:
    wanted = file_name.lower()
    matches = [
        model
        for model in catalog.models
        for quant in model.quants
        if quant.file and _same_file(quant.file, wanted)
    ]
    if repo and len(matches) > 1:
        matches = [m for m in matches if repo.lower() in _repos(m)] or matches
    return matches[0] if len(set(m.id for m in matches)) == 1 else None


def _same_file(catalog_file: str, wanted: str) -> bool:
    """Equal names; llama.cpp's old cache prefixed `<org>_<repo>_` to the file name."""
    name = catalog_file.rsplit("/", 1)[-1].lower()
    return wanted == name or wanted.endswith("_" + name)


def _by_repo(catalog: Catalog, repo: str | None) -> Model | None:
    if not repo:
        return None
    wanted = repo.lower()
    matches = [m for m in catalog.models if wanted in _repos(m)]
    return matches[0] if len(matches) == 1 else None


def _repos(model: Model) -> set[str]:
    repos = {model.hf_repo.lower()}
    if model.gguf_repo:
        repos.add(model.gguf_repo.lower())
    repos.update(q.repo.lower() for q in model.quants if q.repo)
    return repos


def _layers_agree(model: Model, summary: GGUFSummary) -> bool:
    return summary.n_layers is None or summary.n_layers == model.architecture.n_layers


def _by_metadata(catalog: Catalog, summary: GGUFSummary) -> Model | None:
    label = summary.label
    if not (label and summary.architecture and summary.n_layers):
        return None
    candidates = [
        m
        for m in catalog.models
        if m.architecture.arch == summary.architecture
        and m.architecture.n_layers == summary.n_layers
        and summary.hidden_size in (None, m.architecture.hidden_size)
    ]
    scored = sorted(((_name_score(label, m), m.id, m) for m in candidates), reverse=True)
    if not scored or scored[0][0] < NAME_MATCH_MIN:
        return None
    if len(scored) > 1 and scored[0][0] - scored[1][0] < NAME_MATCH_MARGIN:
        return None  # two models fit about as well: better unidentified than wrong
    return scored[0][2]


def _name_score(label: str, model: Model) -> float:
    wanted = _words(label)
    names = (model.name, model.id, model.hf_repo.rsplit("/", 1)[-1])
    return max(difflib.SequenceMatcher(None, wanted, _words(n)).ratio() for n in names)


def _words(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9.]+", text.lower()))


# A header's names are a few words; one of megabytes (a hostile file) is cut here, before it is
# matched (difflib is quadratic in it: 97 s once for 14.7 MB) or printed.
MAX_TEXT_CHARS = 200


def _text(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    text = value[: MAX_TEXT_CHARS * 4].strip()
    if len(text) > MAX_TEXT_CHARS:
        text = text[:MAX_TEXT_CHARS] + "…"
    return text or None
