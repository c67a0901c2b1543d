"""How to get and run a catalog model: the download, `ollama pull` and llama.cpp commands."""

from __future__ import annotations

import shlex
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from advisor.catalog.model import Model, Quant
    from advisor.estimate.estimate import Estimate


@dataclass(frozen=True)
class HowTo:
    """Commands a person can paste. A missing one is None with the reason in `missing`."""

    download: str | None
    ollama: str | None
    llama_server: str | None
    missing: tuple[str, ...] = ()


def gguf_repo(model: Model, quant: Quant) -> str | None:
    return quant.repo or model.gguf_repo


def _download(model: Model, quant: Quant) -> str | None:
    repo = gguf_repo(model, quant)
    if repo is None or quant.file is None:
        return None
    from advisor.catalog.hub.client import cli_name

    return shlex.join([cli_name(), "download", repo, quant.file])  # huggingface_hub's CLI


def _llama_server(model: Model, quant: Quant, estimate: Estimate | None) -> str | None:
    repo = gguf_repo(model, quant)
    if repo is None:
        return None
    args = ["llama-server", "-hf", f"{repo}:{quant.type}"]
    if estimate is not None:
        args += ["-ngl", str(estimate.placement.gpu_layers), "-c", str(estimate.context_tokens)]
        if estimate.placement.experts_on_cpu:
            args.append("--cpu-moe")
        if estimate.kv_type != "f16":
            args += ["-fa", "on", "-ctk", estimate.kv_type, "-ctv", estimate.kv_type]
    return shlex.join(args)


def how_to_get(model: Model, quant: Quant, estimate: Estimate | None) -> HowTo:
    """The commands for this model and quant, using the estimate's offload and context."""
    missing = []
    download = _download(model, quant)
    if download is None:
        missing.append("the catalog lists no GGUF file for this quant")
    ollama = f"ollama pull {model.ollama_tag}" if model.ollama_tag else None
    if ollama is None:
        missing.append("no Ollama tag is known for this model")
    return HowTo(download, ollama, _llama_server(model, quant, estimate), tuple(missing))
