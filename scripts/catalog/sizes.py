"""GGUF file sizes: published ones read from model_sizes.csv (and LlamaBarn), else computed.

model_sizes.csv mixes three units, converted here with their precision kept in the note:
`bytes` (exact file size), `GB` (Hugging Face's display, 10^9 bytes, rounded) and `GiB`
(llama-bench or load-log tensor size, 2^30 bytes: tensors only, no GGUF header).
Rows are matched to catalog models by an explicit table; rows for other models, finetunes
or non-standard mixes (unsloth UD-*) are listed with the reason they were left out.
"""

from __future__ import annotations

from dataclasses import dataclass

from advisor.catalog.fields import QUANT_TYPES

# model_sizes.csv `model` value -> catalog id, decided row by row (tests/catalog reads it too).
# Base and instruct checkpoints of one model share every tensor shape, so their files differ
# only by a few KB of chat template. Left out on purpose: LLaMA 1 (not in the catalog),
# finetunes (OpenHermes, TinyLlama-1T-OpenOrca, ...), older versions (Mistral 7B
# v0.1/v0.2, Phi-3), unsloth UD-* files (not llama-quantize's mix).
SIZE_ROWS = {
    "Llama-3.1-8B": "llama-3.1-8b-instruct",
    "Llama 3.1 8B": "llama-3.1-8b-instruct",
    "Llama 3.1 8B Instruct": "llama-3.1-8b-instruct",
    "Meta-Llama-3.1-8B-Instruct": "llama-3.1-8b-instruct",
    "Llama 3.1 70B": "llama-3.1-70b-instruct",
    "Llama 3.1 405B": "llama-3.1-405b-instruct",
    "Meta-Llama-3-70B": "llama-3-70b-instruct",
    "Meta-Llama-3-8B": "llama-3-8b-instruct",
    "Llama 3 - 8B Instruct": "llama-3-8b-instruct",
    "LLaMA 2 7B": "llama-2-7b-chat",
    "Llama-2-13B-chat": "llama-2-13b-chat",
    "LLaMA 2 13B": "llama-2-13b-chat",
    "LLaMA 2 70B": "llama-2-70b-chat",
    "Llama-2-70B-chat": "llama-2-70b-chat",
    "DeepSeek-V2-Lite-Chat": "deepseek-v2-lite-chat",
    "llama-2-7b.Q4_0": "llama-2-7b-chat",
    "Qwen2.5-7B-Instruct": "qwen2.5-7b-instruct",
    "Qwen2.5-7B": "qwen2.5-7b-instruct",
    "Qwen2.5-14B-Instruct": "qwen2.5-14b-instruct",
    "Qwen2.5-72B-Instruct": "qwen2.5-72b-instruct",
    "Qwen2.5-Coder-7B": "qwen2.5-coder-7b-instruct",
    "Llama-3.3-70B-Instruct": "llama-3.3-70b-instruct",
    "Llama-3.2-3B-Instruct (bartowski)": "llama-3.2-3b-instruct",
    "Mistral-7B-Instruct-v0.3": "mistral-7b-instruct-v0.3",
    "gemma-2-9b-it": "gemma-2-9b-it",
    "Gemma 2 9B Instruct": "gemma-2-9b-it",
    "gemma-2-2b-it": "gemma-2-2b-it",
    "gpt-oss-20b": "gpt-oss-20b",
    "gpt-oss-20b-mxfp4": "gpt-oss-20b",
    "gpt-oss-120b": "gpt-oss-120b",
    "gpt-oss-120b-mxfp4-00001-of-00003": "gpt-oss-120b",
    "Qwen3-Coder-30B-A3B-Instruct": "qwen3-coder-30b-a3b-instruct",
    "gemma-3-4b-it-qat": "gemma-3-4b-it",
    "GLM-4.7-Flash-BF16-00001-of-00002": "glm-4.7-flash",
    "Ministral-3-14B-Instruct-2512-BF16": "ministral-3-14b-instruct-2512",
    "Qwen3.6-35B-A3B-BF16-00001-of-00002": "qwen3.6-35b-a3b",
    "gemma-4-26B-A4B-it-BF16-00001-of-00002": "gemma-4-26b-a4b-it",
    "gemma-4-31B-it-BF16-00001-of-00002": "gemma-4-31b-it",
}

# llama-bench model descriptions in the quant column -> quant type.
DESCRIPTION_QUANTS = {"BF16": "BF16", "Q8_0": "Q8_0", "Q4_0": "Q4_0", "MXFP4 MoE": "MXFP4"}

# LlamaBarn catalog figures, quoted in research/costs-and-capability.md (decimal GB).
LLAMABARN = (
    ("qwen3-4b-instruct-2507", "Q4_K_M", "2.50"),
    ("qwen3-4b-instruct-2507", "Q8_0", "4.28"),
    ("qwen3-30b-a3b", "Q4_K_M", "18.56"),
    ("qwen3-30b-a3b", "Q8_0", "32.48"),
    ("gemma-3-4b-it", "Q4_0", "2.53"),
    ("gemma-3-12b-it", "Q4_0", "7.13"),
    ("gemma-3-27b-it", "Q4_0", "15.91"),
    ("gpt-oss-20b", "MXFP4", "12.11"),
    ("gpt-oss-120b", "MXFP4", "63.39"),
    ("qwen3.6-27b", "Q4_K_M", "16.8"),
    ("qwen3.6-35b-a3b", "Q4_K_M", "22.1"),
    ("gemma-4-31b-it", "Q4_K_M", "18.7"),
    ("gemma-4-26b-a4b-it", "Q4_K_M", "16.8"),
    ("qwen3.5-9b", "Q4_K_M", "5.7"),
)
LLAMABARN_NOTE = {
    "gemma-3-4b-it": "QAT Q4_0 build",
    "gemma-3-12b-it": "QAT Q4_0 build",
    "gemma-3-27b-it": "QAT Q4_0 build",
    "qwen3-4b-instruct-2507": "",
    "qwen3-30b-a3b": "build not named (original or 2507: same tensor shapes)",
}


@dataclass(frozen=True)
class Published:
    """One published size, converted to bytes, with how precise it is."""

    model_id: str
    quant: str
    size_bytes: int
    uncertainty_bytes: int  # half the last printed digit, plus the missing header for GiB
    source: str  # source key
    note: str
    file: str | None = None  # the file the size is for, where the source names it
    repo: str | None = None


def _decimals(text: str) -> int:
    return len(text.split(".")[1]) if "." in text else 0


def convert(value: str, unit: str) -> tuple[int, int, str]:
    """(bytes, uncertainty, precision note) for a model_sizes.csv value."""
    if unit == "bytes":
        return int(value), 0, "exact file size"
    half = 0.5 * 10 ** -_decimals(value)
    if unit == "GB":
        return round(float(value) * 1e9), round(half * 1e9), f"{value} GB (10^9 B, rounded)"
    if unit.startswith("GiB"):
        # llama-bench counts tensor bytes; the GGUF header (tokenizer, ~2-10 MB) is not in it.
        size = round(float(value) * 2**30)
        return size, round(half * 2**30) + 10_000_000, f"{value} GiB tensor size, no header"
    raise ValueError(f"unknown unit {unit!r}")


def _quant(row: dict[str, str]) -> str | None:
    quant = row["quant"].strip()
    if " " in quant:  # a llama-bench model description: "gemma4 31B BF16"
        tail = quant.split(" ", 2)[-1]
        return DESCRIPTION_QUANTS.get(tail)
    return quant.upper()


def _source_key(source: str) -> str:
    for prefix, key in (
        ("ggml-org/llama.cpp tools/quantize", "llama-cpp-quantize-readme"),
        ("XiongjieDai/GPU-Benchmarks-on-LLM-Inference README", "xiongjiedai-readme"),
        ("XiongjieDai notebooks", "xiongjiedai-notebooks"),
        ("lmstudio-ai/model-catalog", "lmstudio-model-catalog"),
        ("huggingface.co/", "hf-file-listings"),
        ("ggml-org/llama.cpp benches/dgx-spark", "llama-cpp-dgx-spark"),
        ("geerlingguy/ai-benchmarks", "geerlingguy-ai-benchmarks"),
        ("kyuz0/amd-strix-halo-toolboxes", "strix-halo-toolboxes"),
    ):
        if source.startswith(prefix):
            return key
    raise KeyError(f"no source key for {source[:60]!r}")


def _file_and_repo(source: str) -> tuple[str | None, str | None]:
    """The repo and file a row names: LM Studio rows give a resolve URL."""
    marker = "https://huggingface.co/"
    if marker not in source:
        if source.startswith("huggingface.co/"):
            return None, source.split("/tree")[0].removeprefix("huggingface.co/")
        return None, None
    path = source.split(marker, 1)[1]
    org, name, _, _, *rest = path.split("/")
    return rest[-1] if rest else None, f"{org}/{name}"


def published_sizes(rows: list[dict[str, str]]) -> tuple[list[Published], list[str]]:
    """Every model_sizes.csv row that matches a catalog model and quant, and why others don't."""
    found, skipped = [], []
    for row in rows:
        model_id = SIZE_ROWS.get(row["model"].strip())
        quant = _quant(row)
        if "UD-" in row["model"]:
            skipped.append(f"{row['model']}: unsloth dynamic mix, not llama-quantize's")
            continue
        if model_id is None:
            skipped.append(f"{row['model']} {row['quant']}: not a catalog model")
            continue
        if quant not in QUANT_TYPES:
            skipped.append(f"{row['model']} {row['quant']}: not a catalog quant type")
            continue
        size, unc, precision = convert(row["file_size_bytes_or_gb"], row["unit"])
        file, repo = _file_and_repo(row["source"])
        if file and "Meta-Llama-3-8B" in file and model_id == "llama-3.1-8b-instruct":
            skipped.append(f"{row['model']} {file}: a Llama 3 file name in the 3.1 repo")
            continue
        where = f" ({repo})" if repo else ""
        found.append(
            Published(
                model_id,
                quant,
                size,
                unc,
                _source_key(row["source"]),
                f"{precision}{where}",
                file,
                repo,
            )
        )
    for model_id, quant, value in LLAMABARN:
        size, unc, precision = convert(value, "GB")
        extra = LLAMABARN_NOTE.get(model_id, "")
        note = f"{precision}, LlamaBarn" + (f"; {extra}" if extra else "")
        found.append(Published(model_id, quant, size, unc, "llamabarn-catalog", note))
    return found, skipped


def best_published(candidates: list[Published], expected_file: str | None) -> Published:
    """The most precise figure (an exact file size beats any rounded one); among equals, the
    file the catalog links to."""
    return min(candidates, key=lambda p: (p.uncertainty_bytes, p.file != expected_file, p.source))
