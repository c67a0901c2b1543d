"""Check the catalog's Ollama tags from llm-checker's seed of the Ollama library; print them.

    python -m scripts.catalog.ollama_tags_from_llm_checker PATH/TO/models.db

The database is src/data/seed/models.db of the npm package llm-checker 3.8.1
(https://registry.npmjs.org/llm-checker/-/llm-checker-3.8.1.tgz); its registry_sources row
'ollama' says it was ingested from https://ollama.com/library on 2026-06-20. Each pick below
is a catalog id and the tag whose name in that listing spells out the same model (family,
version, parameter count); the script checks every tag is a variant of a library model
(page under ollama.com/library/, no user namespace, not a -cloud tag) and prints the
`ollama:` lines for scripts/catalog/curation.yaml. Where a size tag such as `qwen3:4b`
names an older release, the explicit `...-q4_K_M` tag is used instead. The models left out
are printed with the reason. Exits 1 when a tag is not in the database.
"""

from __future__ import annotations

import sqlite3
import sys

# catalog id: (library tag, what in the listing ties it to the model)
PICKS: dict[str, tuple[str, str]] = {
    "llama-4-scout-17b-16e-instruct": ("llama4:scout", "tag 17b-scout-16e-instruct-*"),
    "llama-4-maverick-17b-128e-instruct": ("llama4:maverick", "tag 17b-maverick-128e-instruct-*"),
    "devstral-small-2-24b-instruct-2512": ("devstral-small-2:24b", "tag 24b-instruct-2512-*"),
    "ministral-3-3b-instruct-2512": ("ministral-3:3b", "tag 3b-instruct-2512-*"),
    "ministral-3-8b-instruct-2512": ("ministral-3:8b", "tag 8b-instruct-2512-*"),
    "ministral-3-14b-instruct-2512": ("ministral-3:14b", "tag 14b-instruct-2512-*"),
    "qwen3-4b-instruct-2507": ("qwen3:4b-instruct-2507-q4_K_M", "explicit 2507 tag"),
    "qwen3-30b-a3b": ("qwen3:30b-a3b-q4_K_M", "30b-a3b without -2507 (the original)"),
    "qwen3-30b-a3b-instruct-2507": ("qwen3:30b-a3b-instruct-2507-q4_K_M", "explicit 2507 tag"),
    "qwen3-235b-a22b-instruct-2507": ("qwen3:235b-a22b-instruct-2507-q4_K_M", "explicit 2507 tag"),
    "qwen3-next-80b-a3b-instruct": ("qwen3-next:80b-a3b-instruct-q4_K_M", "explicit instruct tag"),
    "qwen3.5-0.8b": ("qwen3.5:0.8b", "size tag"),
    "qwen3.5-2b": ("qwen3.5:2b", "size tag"),
    "qwen3.5-4b": ("qwen3.5:4b", "size tag"),
    "qwen3.5-9b": ("qwen3.5:9b", "size tag"),
    "qwen3.5-27b": ("qwen3.5:27b", "size tag"),
    "qwen3.5-35b-a3b": ("qwen3.5:35b-a3b", "size tag"),
    "qwen3.5-122b-a10b": ("qwen3.5:122b-a10b", "size tag"),
    "qwen3.6-27b": ("qwen3.6:27b", "size tag"),
    "qwen3.6-35b-a3b": ("qwen3.6:35b-a3b", "size tag"),
    "gemma-4-e2b-it": ("gemma4:e2b", "tag e2b-it-*"),
    "gemma-4-e4b-it": ("gemma4:e4b", "tag e4b-it-*"),
    "gemma-4-26b-a4b-it": ("gemma4:26b", "tag 26b-a4b-it-*"),
    "gemma-4-31b-it": ("gemma4:31b", "tag 31b-it-*"),
    "deepseek-r1-distill-llama-8b": ("deepseek-r1:8b-llama-distill-q4_K_M", "explicit tag"),
    "deepseek-r1": ("deepseek-r1:671b-q4_K_M", "671b without -0528 (the original)"),
    "glm-4.7-flash": ("glm-4.7-flash:q4_K_M", "the library has no size tag"),
    "nemotron-3-nano-30b-a3b": ("nemotron-3-nano:30b", "tag 30b-a3b-*"),
    "nemotron-3-nano-4b": ("nemotron-3-nano:4b", "description names the 4B model"),
    "nemotron-3-super-120b-a12b": ("nemotron-3-super:120b", "tag 120b-a12b-*"),
    "granite-4.1-8b": ("granite4.1:8b", "size tag"),
}

LEFT_OUT: dict[str, str] = {
    "devstral-small-2507": "devstral's tags are 24b-small-2505-* only (Devstral Small 2505)",
    "deepseek-v3.1": "the page is V3.1-Terminus; the plain 671b-q8_0/fp16 tags are not described",
    "deepseek-v3.2": "deepseek-v3.2:cloud only",
    "kimi-k2-instruct": "kimi-k2:1t-cloud only (and the page is K2-Instruct-0905)",
    "minimax-m2": "minimax-m2:cloud only",
    "qwen3.5-397b-a17b": "qwen3.5:397b-cloud only",
    "qwen3.8-27b": "no qwen3.8 in the listing",
    "glm-4.5": "no glm-4.5 in the listing",
    "glm-4.5-air": "no glm-4.5-air in the listing",
    "nemotron-3.5-lightning-30b-a3b": "no nemotron-3.5 in the listing",
    "granite-4.2-8b": "no granite4.2 in the listing",
    "smollm3-3b": "no smollm3 in the listing (smollm, smollm2 only)",
    "lfm2-1.2b": "lfm2's tags are 24b only",
    "lfm2-2.6b": "lfm2's tags are 24b only",
    "lfm2-8b-a1b": "lfm2's tags are 24b only",
}


def check(db: sqlite3.Connection, tag: str) -> str | None:
    """Why `tag` is not a library tag in the listing, or None when it is."""
    name = tag.split(":", 1)[0]
    row = db.execute(
        "SELECT v.tag, m.namespace, m.url FROM variants v JOIN models m ON m.id = v.model_id"
        " WHERE v.model_id = ? AND v.tag = ?",
        (name, tag),
    ).fetchone()
    if row is None:
        return "not in the listing"
    if row[1] or not (row[2] or "").startswith("https://ollama.com/library/"):
        return f"not a library model ({row[1]!r}, {row[2]})"
    if "cloud" in tag.split(":", 1)[1]:
        return "a cloud tag"
    return None


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    db = sqlite3.connect(f"file:{argv[0]}?mode=ro", uri=True)
    ingested = db.execute("SELECT last_ingested_at FROM registry_sources WHERE id = 'ollama'")
    print(f"# ollama.com/library as ingested {ingested.fetchone()[0]}")
    bad = 0
    for model_id, (tag, why) in PICKS.items():
        problem = check(db, tag)
        bad += problem is not None
        print(f"{model_id}: ollama: {tag!r}  # {problem or why}")
    for model_id, why in LEFT_OUT.items():
        print(f"{model_id}: no tag  # {why}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
