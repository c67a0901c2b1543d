"""How much of a model's benchmark score survives quantization, per llama.cpp file type.

Two sourced measurements, combined:
- KL divergence from F16 for every file type, on one model: llama.cpp tools/perplexity/
  README.md, "LLaMA 3 8b Scoreboard" (CUDA, revision f364eb6f; rows without an importance
  matrix where the table has them, "WT 10m" imatrix rows for the i-quants and Q2_K_S).
- What that costs on a task score: Aider's quantization study (aider/website/_data/quant.yml
  @ 5dc9490, Qwen2.5-Coder-32B-Instruct, all through Ollama): fp16 71.4%, Q4_K_M 66.9%,
  Q2_K 61.7% pass on the code-editing benchmark, i.e. 6.3% and 13.6% of the score lost.

Loss is taken proportional to KL divergence up to Q4_K_M's (small divergences cost little),
and as a power law through the Q2_K point beyond it. The 2-bit and 1-bit i-quants lie past
the last measured point: their losses are extrapolated, and say so.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

# Mean KL divergence to F16, Llama 3 8B (llama.cpp perplexity README scoreboard).
KLD: dict[str, float] = {
    "Q8_0": 0.001355, "Q6_K": 0.005452, "Q5_K_M": 0.010762, "Q5_K_S": 0.016595,
    "Q5_1": 0.018045, "Q5_0": 0.022239, "Q4_K_M": 0.031273, "IQ4_NL": 0.035742,
    "IQ4_XS": 0.036334, "Q4_K_S": 0.043136, "Q4_1": 0.071683, "Q4_0": 0.071940,
    "Q3_K_L": 0.087176, "Q3_K_M": 0.101913, "IQ3_M": 0.102534, "IQ3_S": 0.111278,
    "IQ3_XS": 0.138693, "IQ3_XXS": 0.183625, "Q3_K_S": 0.228217, "IQ2_M": 0.325989,
    "Q2_K_S": 0.403360, "IQ2_S": 0.439197, "Q2_K": 0.445132, "IQ2_XS": 0.546290,
    "IQ2_XXS": 0.812022, "IQ1_M": 1.393084, "IQ1_S": 2.254554,
}  # fmt: skip
LOSS_Q4_K_M = 1 - 66.9 / 71.4  # Aider quant study: Q4_K_M vs fp16, same model and server
LOSS_Q2_K = 1 - 61.7 / 71.4
EXPONENT = math.log(LOSS_Q2_K / LOSS_Q4_K_M) / math.log(KLD["Q2_K"] / KLD["Q4_K_M"])
LOSSLESS = frozenset({"F32", "F16", "BF16"})
# Released in this format by its makers (gpt-oss): nothing to lose against the original.
NATIVE = frozenset({"MXFP4"})
SOURCE = (
    "llama.cpp tools/perplexity/README.md (Llama 3 8B KL divergence) scaled by Aider's "
    "quantization study (Qwen2.5-Coder-32B: Q4_K_M -6.3%, Q2_K -13.6%)"
)


# Where each figure comes from. No figure is measured on the model it is applied to: the task
# losses were measured on Qwen2.5-Coder-32B, the divergences on LLaMA 3 8B.
MEASURED = "measured on another model, Qwen2.5-Coder-32B"  # Aider's Q4_K_M and Q2_K points
SCALED = "scaled from another model's measurements"  # KL divergence on LLaMA 3 8B × Aider's loss
EXTRAPOLATED = "extrapolated past another model's measurements"  # beyond Q2_K's divergence
RULE_OF_THUMB = "rule of thumb: no measurement for this type, taken as Q4_K_M"


@dataclass(frozen=True)
class QuantRetention:
    quant: str
    factor: float  # share of the full-precision score kept
    basis: str  # where the figure comes from, in words: MEASURED, SCALED, ... below


@lru_cache(maxsize=256)
def retention(quant: str) -> QuantRetention:
    """The share of a model's task score a quant keeps, and how we know (a pure function of
    the name: remembered, as searches ask it for every file of every model)."""
    q = quant.upper()
    if q in LOSSLESS:
        return QuantRetention(q, 1.0, "lossless")
    if q in NATIVE:
        return QuantRetention(q, 1.0, "native")
    kld = KLD.get(q)
    if kld is None:
        return QuantRetention(q, 1.0 - LOSS_Q4_K_M, RULE_OF_THUMB)
    if kld <= KLD["Q4_K_M"]:
        loss = LOSS_Q4_K_M * kld / KLD["Q4_K_M"]
    else:
        loss = LOSS_Q4_K_M * (kld / KLD["Q4_K_M"]) ** EXPONENT
    basis = MEASURED if q in ("Q4_K_M", "Q2_K") else SCALED
    if kld > KLD["Q2_K"]:
        basis = EXTRAPOLATED
    return QuantRetention(q, max(0.0, 1.0 - loss), basis)
