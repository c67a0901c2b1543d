"""How much quality each quant type keeps: llama.cpp's KL-divergence scoreboard, Aider's study.

`retained` is 1 + the mean change in the probability of the correct token (Mean Δp) on
Wikitext-2 for LLaMA 3 8B, llama.cpp tools/perplexity/README.md. LLaMA 3 8B is among the
models hurt most by quantization, so larger models keep more. Rows without an importance
matrix are used where the README has them (what llama-quantize and Ollama do by default);
i-quants need one, so theirs are the "WT 10m" rows. Aider's code-editing study of
Qwen2.5-Coder-32B gives the task-level check where it measured the type.
"""

from __future__ import annotations

from typing import Any

# type: (Mean Δp %, KLD, PPL, ΔPPL, imatrix) from the LLaMA 3 8B scoreboard.
SCOREBOARD = {
    "F16": (0.001, 0.000551, 6.233160, 0.001524, None),
    "Q8_0": (-0.019, 0.001355, 6.234284, 0.002650, None),
    "Q6_K": (-0.007, 0.005452, 6.253382, 0.021748, None),
    "Q5_K_M": (-0.114, 0.010762, 6.288607, 0.056974, None),
    "Q5_K_S": (-0.223, 0.016595, 6.336598, 0.104964, None),
    "Q5_1": (-0.287, 0.018045, 6.337857, 0.106223, None),
    "Q5_0": (-0.416, 0.022239, 6.363224, 0.131591, None),
    "Q4_K_M": (-0.596, 0.031273, 6.407115, 0.175482, None),
    "Q4_K_S": (-0.927, 0.043136, 6.500529, 0.268895, None),
    "IQ4_NL": (-0.590, 0.035742, 6.455593, 0.223959, "WT 10m"),
    "IQ4_XS": (-0.668, 0.036334, 6.459705, 0.228071, "WT 10m"),
    "Q4_1": (-0.927, 0.071683, 6.682737, 0.451103, None),
    "Q4_0": (-1.588, 0.071940, 6.700147, 0.468514, None),
    "Q3_K_L": (-1.532, 0.087176, 6.787876, 0.556242, None),
    "Q3_K_M": (-1.990, 0.101913, 6.888498, 0.656864, None),
    "IQ3_M": (-3.178, 0.102534, 6.898327, 0.666694, "WT 10m"),
    "IQ3_S": (-3.066, 0.111278, 6.965501, 0.733867, "WT 10m"),
    "IQ3_XS": (-3.667, 0.138693, 7.163043, 0.931409, "WT 10m"),
    "IQ3_XXS": (-3.918, 0.183625, 7.458436, 1.226803, "WT 10m"),
    "Q3_K_S": (-5.604, 0.228217, 7.863786, 1.632152, None),
    "IQ2_M": (-6.463, 0.325989, 8.600799, 2.369166, "WT 10m"),
    "Q2_K_S": (-7.131, 0.403360, 9.323778, 3.092145, "WT 10m"),
    "IQ2_S": (-8.319, 0.439197, 9.650781, 3.419148, "WT 10m"),
    "Q2_K": (-9.123, 0.445132, 9.751568, 3.519934, None),
    "IQ2_XS": (-10.576, 0.546290, 10.761424, 4.529791, "WT 10m"),
    "IQ2_XXS": (-14.363, 0.812022, 14.091782, 7.860148, "WT 10m"),
    "IQ1_M": (-24.672, 1.393084, 25.493722, 19.262089, "WT 10m"),
    "IQ1_S": (-31.973, 2.254554, 60.694593, 54.462959, "WT 10m"),
}

# Aider code-editing pass rate of Qwen2.5-Coder-32B-Instruct on Ollama, over fp16's 71.4%.
AIDER = {"Q4_K_M": 66.9, "Q2_K": 61.7, "F16": 71.4}
AIDER_FP16 = 71.4


def _entry(quant: str) -> dict[str, Any]:
    delta_p, kld, ppl, dppl, imatrix = SCOREBOARD[quant]
    entry: dict[str, Any] = {
        "type": quant,
        "retained": round(min(1.0, 1 + delta_p / 100), 5),  # F16 +0.001 %: noise
        "source": ["llama-cpp-perplexity-readme"],
        "measured_on": "LLaMA 3 8B, Wikitext-2" + (f", imatrix {imatrix}" if imatrix else ""),
        "mean_delta_p": round(delta_p / 100, 6),
        "kld": kld,
        "ppl_ratio": round(ppl / (ppl - dppl), 5),
    }
    if quant in AIDER:
        entry["task_retained"] = round(AIDER[quant] / AIDER_FP16, 4)
        entry["source"].append("aider-quant-study")
    return entry


def quant_quality() -> list[dict[str, Any]]:
    """The models.yaml `quant_quality:` list, best-kept first."""
    rows = [_entry(q) for q in SCOREBOARD]
    # BF16 against FP16 logits: Mean Δp -0.0000745 %, KLD 0.00002515 (README, BF16 vs FP16).
    rows.append(
        {
            "type": "BF16",
            "retained": 1.0,
            "source": ["llama-cpp-perplexity-readme"],
            "measured_on": "LLaMA 3 8B, BF16 vs FP16 logits",
            "mean_delta_p": -7.45e-07,
            "kld": 2.515e-05,
            "ppl_ratio": 1.0004,
        }
    )
    # MXFP4 is the format gpt-oss was released in: the released weights are the reference.
    rows.append(
        {
            "type": "MXFP4",
            "retained": 1.0,
            "source": ["architectures-csv"],
            "measured_on": "native release format of gpt-oss (MoE experts trained in MXFP4)",
        }
    )
    return sorted(rows, key=lambda r: (-r["retained"], r["type"]))
