"""What an estimate says on stderr about a Hugging Face model: the quants, what was read."""

from __future__ import annotations

from advisor.catalog.hub.remote_model import RemoteModel
from advisor.catalog.render import file_size


def remote_notes(remote: RemoteModel) -> list[str]:
    """Lines naming the repository's quants with their sizes, and how the model was read."""
    where = f"hf:{remote.repo} at {remote.commit[:12]}"
    fresh = " (from advisor's cache)" if remote.from_cache else ""
    options = "; ".join(_option(o) for o in remote.options)
    lines = [f"{where}{fresh}: {options}"]
    if remote.basis == "header":
        lines.append(
            f"read the header of {remote.path} by range requests: {remote.quant}, "
            f"weights {file_size(remote.weights_bytes)} as the file's tensors"
        )
    else:
        lines.append(
            f"no GGUF in the repository: {remote.quant} computed from config.json's "
            f"architecture, weights {file_size(remote.weights_bytes)} (computed)"
        )
    unknown = {**remote.model.architecture.unknown, **remote.model.unknown}
    lines += [f"unknown {key}: {why}" for key, why in unknown.items()]
    return lines


def _option(option) -> str:
    if option.basis == "computed":
        return f"{option.label} {file_size(option.size_bytes)} (computed)"
    parts = f", {option.parts} parts" if option.parts > 1 else ""
    return f"{option.label} {file_size(option.size_bytes)} ({option.path}{parts})"
