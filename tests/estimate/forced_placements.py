"""Estimates at forced GPU layer counts (`-ngl`), the placements a bound must hold at besides the
ones the estimator chooses: the prefill floor's and the decode ceiling's tests walk the same."""

from __future__ import annotations

from collections.abc import Iterator

from advisor.estimate import estimate

FORCED = ("rtx-4090-desktop", "rtx-4060-laptop", "dual-rtx-3090", "dgx-spark")
MODELS = ("qwen3-30b-a3b", "llama-3.3-70b-instruct", "gpt-oss-120b", "qwen3-8b")


def forced_estimates(machine, catalog) -> Iterator[tuple[object, object, object, str]]:
    """(model, quant, estimate, label) for every file of MODELS that fits at 0, 1, a third, a
    half, all but one and all layers (plus one) on the GPU."""
    for model_id in MODELS:
        model = catalog.find(model_id)
        n = model.architecture.n_layers
        for quant in model.quants:
            for layers in (0, 1, n // 3, n // 2, n - 1, n + 1):
                est = estimate(machine, model, quant.type, context_tokens=4096,
                               gpu_layers=layers, detail=False)  # fmt: skip
                if est.fits:
                    yield model, quant, est, f"{model_id} {quant.type} -ngl {layers}"
