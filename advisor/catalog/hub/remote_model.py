"""`--model hf:ORG/REPO[:QUANT]`: a Hugging Face repository as a Model, without its weights.

A GGUF repository lists its quants with the Hub's exact file sizes; the chosen one's header
(every part of a split set) is read by range requests, and the model is what that header says,
weights being its exact tensor bytes (advisor.catalog.gguf.file_model). A repository with no GGUF
but a config.json (safetensors) is described from the config, each common quant's size
computed from the architecture by the tensor recipes, and marked computed.
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from advisor.catalog.hub import cache, client
from advisor.catalog.hub.client import HubFile, RepoInfo
from advisor.catalog.hub.listing import choose, gguf_quants
from advisor.catalog.hub.ref import parse_repo_ref
from advisor.catalog.model import Model, Source
from advisor.errors import InputError, NotFoundError, UnreachableError, UsageError

# The quants llama.cpp's users pick most (llama.cpp README, quantize --help's "recommended").
COMMON_QUANTS = ("Q3_K_M", "Q4_K_M", "Q5_K_M", "Q6_K", "Q8_0", "F16")
MAX_CONFIG_BYTES = 1 << 20  # real config.json files are a few KB


@dataclass(frozen=True)
class QuantOption:
    """A quant the repository offers (a GGUF file's listed size) or that was computed."""

    label: str
    size_bytes: int
    basis: Literal["listed", "computed"]
    path: str | None  # the file in the repository (first part of a split set)
    parts: int = 1


@dataclass(frozen=True)
class RemoteModel:
    """A model read from a Hugging Face repository."""

    model: Model
    quant: str
    repo: str
    commit: str
    basis: Literal["header", "computed"]  # GGUF header read, or computed from config.json
    weights_bytes: int
    path: str  # the GGUF file read (first part), or config.json
    options: tuple[QuantOption, ...]
    from_cache: bool  # nothing was asked of the network
    sources: dict[str, Source] = field(default_factory=dict)  # what the model's keys cite


def read_remote_model(
    text: str,
    quant: str | None = None,
    *,
    taken_ids: Sequence[str] = (),
    now: float | None = None,
) -> RemoteModel:
    """The model `text` (hf:ORG/REPO[:QUANT] or a page URL) names, at `quant` (or the ref's)."""
    ref = parse_repo_ref(text)
    if ref.quant and quant and ref.quant.upper() != quant.upper():
        raise UsageError(
            f"--quant {quant} and {text} name different quants", hint="give the quant once"
        )
    wanted = ref.quant or quant
    info, cached = repo_listing(ref.repo, now=time.time() if now is None else now)
    if gguf_quants(info):
        return _from_gguf(info, wanted, taken_ids, cached)
    config = next((f for f in info.files if f.path == "config.json"), None)
    if config is not None:
        return _from_config(info, config, wanted, cached)
    names = ", ".join(f.path for f in info.files[:8]) or "no files"
    raise NotFoundError(
        f"hf:{ref.repo} has neither a GGUF file nor a config.json ({names})",
        hint="give a repository of GGUF files (often ORG/MODEL-GGUF) or of the original "
        "safetensors weights",
    )


def repo_listing(repo: str, *, now: float) -> tuple[RepoInfo, bool]:
    """The repository's listing, and whether it came from the cache (no network)."""
    online = not client.offline()
    hit = cache.load_listing(repo, now=now, max_age_s=cache.LISTING_TTL_S if online else None)
    if hit is not None:
        return hit, True
    if not online:
        raise UnreachableError(
            f"offline (HF_HUB_OFFLINE is set) and hf:{repo} is not in advisor's cache",
            hint="unset HF_HUB_OFFLINE once online; an estimate made online is kept for later",
        )
    try:
        info = client.repo_info(repo)
    except NotFoundError as exc:
        raise NotFoundError(exc.message + client.suggest(repo), hint=exc.hint) from exc
    except UnreachableError:
        stale = cache.load_listing(repo, now=now, max_age_s=None)
        if stale is None:
            raise
        return stale, True
    cache.store_listing(info, now=now)
    return info, False


def model_id(repo: str) -> str:
    from advisor.catalog.add import slug

    return slug("hf-" + repo.replace("/", "-"))


def _from_gguf(
    info: RepoInfo, wanted: str | None, taken_ids: Sequence[str], cached: bool
) -> RemoteModel:
    from advisor.catalog.gguf.file_model import model_of_file
    from advisor.catalog.hub.remote_file import read_remote_gguf

    quants = gguf_quants(info)
    chosen = choose(quants, wanted, info.repo)
    online = not client.offline()
    gguf = read_remote_gguf(info.repo, info.commit, chosen, online=online)
    url = f"{client.endpoint()}/{info.repo}/blob/{info.commit}/{chosen.path}"
    found = model_of_file(
        gguf,
        taken_ids=taken_ids,
        model_id=model_id(info.repo),
        hf_repo=info.repo,
        origin=(
            f"GGUF header of hf:{info.repo}/{chosen.path} at commit "
            f"{info.commit[:12]}, read by range requests",
            url,
        ),
    )
    options = tuple(
        QuantOption(q.label, q.size_bytes, "listed", q.path, q.expected_parts) for q in quants
    )
    return RemoteModel(
        found.model,
        found.quant,
        info.repo,
        info.commit,
        "header",
        found.tensor_bytes,
        chosen.path,
        options,
        cached,
        found.sources,
    )


def _from_config(
    info: RepoInfo, config_file: HubFile, wanted: str | None, cached: bool
) -> RemoteModel:
    from advisor.catalog.hub.config_arch import architecture_from_config
    from advisor.catalog.tensors.layout import quant_tensor_bytes, tensor_layout

    name = f"hf:{info.repo}/config.json"
    config = _config(info, config_file, name)
    source = f"{model_id(info.repo)}-config"
    arch = architecture_from_config(config, source=source, name=name)
    options = tuple(
        QuantOption(q, tensor_layout(arch, q).file_bytes, "computed", None) for q in COMMON_QUANTS
    )
    quant = _computed_choice(options, wanted, info.repo)
    model = _config_model(info, config, arch, quant, tensor_layout(arch, quant).file_bytes, source)
    weights = quant_tensor_bytes(arch, quant).total_bytes
    cited = Source(
        title=f"config.json of hf:{info.repo} at commit {info.commit[:12]}; GGUF sizes computed "
        "from its architecture",
        date=time.strftime("%Y-%m-%d"),
        url=f"{client.endpoint()}/{info.repo}/blob/{info.commit}/config.json",
    )
    return RemoteModel(model, quant, info.repo, info.commit, "computed", weights, "config.json",
                       options, cached, {source: cited})  # fmt: skip


def _config(info: RepoInfo, file: HubFile, name: str) -> dict:
    raw = cache.load_blob("config", info.repo, file)
    if raw is None:
        if client.offline():
            raise UnreachableError(f"offline (HF_HUB_OFFLINE is set) and {name} is not cached")
        raw = client.read_file(info.repo, info.commit, file.path, MAX_CONFIG_BYTES)
        cache.store_blob("config", info.repo, file, raw)
    try:
        config = json.loads(raw)
    except ValueError as exc:
        raise InputError(f"not JSON: {exc}", path=name) from None
    if not isinstance(config, dict):
        raise InputError("not a JSON object", path=name)
    return config


def _computed_choice(options: Sequence[QuantOption], wanted: str | None, repo: str) -> str:
    from advisor.catalog.fields import QUANT_TYPES
    from advisor.catalog.render import file_size

    listed = "; ".join(f"{o.label} {file_size(o.size_bytes)} (computed)" for o in options)
    if wanted is None:
        raise UsageError(
            f"hf:{repo} has no GGUF files; choose a quant to compute: {listed}",
            hint=f"e.g. --model hf:{repo}:Q4_K_M",
        )
    if wanted.upper() not in QUANT_TYPES:
        raise NotFoundError(f"{wanted} is no quant type advisor knows (common ones: {listed})")
    return wanted.upper()


def _config_model(info: RepoInfo, config: dict, arch, quant: str, size: int, source: str) -> Model:
    from advisor.files.strict import validate

    note = (
        "computed from config.json's architecture (no GGUF in the repository): "
        "llama-quantize's tensor types for this quant"
    )
    return validate(
        Model,
        dict(
            id=model_id(info.repo),
            name=info.repo.split("/")[-1],
            hf_repo=info.repo,
            family=str(config.get("model_type")),
            source=(source,),
            release_date=None,
            license=None,
            tasks=("chat",),
            architecture=arch,
            quality=None,
            quants=(dict(type=quant, size_bytes=size, basis="computed", source=source, note=note),),
            unknown={
                "release_date": "not in config.json",
                "license": "not read from the repository",
                "quality": "a Hub repository has no Artificial Analysis index in the catalog",
            },
        ),
    )
