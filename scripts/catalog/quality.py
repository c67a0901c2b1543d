"""Artificial Analysis scores and LMArena license strings, looked up in quality.csv by name.

Every score the catalog ships comes from ONE Artificial Analysis block: the 2026-10-10
snapshot, on the index AA rescaled after 2026-08-22 (v4.1, inferred from the rescale; the
snapshot does not state it). The kept 2026-08-22 block (`..._v4_0`) is on the old scale and is
read only to find a curated name's slug: AA keeps a model's slug when it renames its row
("Claude Opus 4.8 (Adaptive Reasoning, Max Effort)" -> "Claude Opus 4.8 (Max)"), so a name
from the older snapshots resolves to the same model's new row. Its scores are never copied.
"""

from __future__ import annotations

from typing import Any

AA_INDEX = "artificial_analysis_intelligence_index"
AA_OLD_INDEX = "artificial_analysis_intelligence_index_v4_0"
AA_SOURCE = "aa-2026-10-10"
AA_DATE = "2026-10-10"
# What the index is, as every output names it (see advisor.catalog.model.Quality).
AA_INDEX_NAME = "Artificial Analysis Intelligence Index"
AA_INDEX_VERSION = "v4.1"


def _float(text: str) -> float | None:
    return float(text) if text.strip() else None


class QualityTable:
    """The AA rows (by model_name, newest snapshot only) and LMArena license strings."""

    def __init__(self, rows: list[dict[str, str]]) -> None:
        self.aa = {r["model_name"]: r for r in rows if r["index_name"] == AA_INDEX}
        self._by_slug = {r["model_slug"]: r["model_name"] for r in self.aa.values()}
        old = [r for r in rows if r["index_name"] == AA_OLD_INDEX]
        self._old_slug = {r["model_name"].strip(): r["model_slug"] for r in old}
        self.licenses = {
            r["model_name"]: r["notes"].split(";")[0].removeprefix("license=").strip()
            for r in rows
            if r["index_name"].startswith("lmarena") and r["notes"].startswith("license=")
        }

    def resolve(self, name: str) -> str:
        """The newest snapshot's row name for a curated name (exact, else by the older
        snapshot's slug for that name)."""
        if name in self.aa:
            return name
        slug = self._old_slug.get(name.strip())
        if slug is not None and slug in self._by_slug:
            return self._by_slug[slug]
        raise KeyError(
            f"no Artificial Analysis row named {name!r} in quality.csv's 2026-10-10 block"
            " (nor a 2026-08-22 row of that name whose slug is in it)"
        )

    def row(self, name: str) -> dict[str, str]:
        return self.aa[self.resolve(name)]

    def quality(self, name: str) -> dict[str, Any]:
        """The models.yaml `quality:` mapping for AA row `name`."""
        resolved = self.resolve(name)
        row = self.aa[resolved]
        out: dict[str, Any] = {
            "source": AA_SOURCE,
            "snapshot_date": AA_DATE,
            "index_name": AA_INDEX_NAME,
            "index_version": AA_INDEX_VERSION,
            "aa_name": resolved.strip(),
            "intelligence_index": _float(row["score"]),
        }
        if (coding := _float(row["aa_coding_index"])) is not None:
            out["coding_index"] = coding
        if (agentic := _float(row["aa_agentic_index"])) is not None:
            out["agentic_index"] = agentic
        if row["is_estimated"] == "True":
            out["estimated"] = True
        if resolved.strip() != name.strip():
            out["note"] = f"AA renamed the row {name.strip()!r} (same slug)"
        return out

    def context(self, name: str | None) -> int | None:
        if name is None:
            return None
        text = self.row(name)["context_window_tokens"]
        return int(text) if text.strip() else None

    def license(self, lmarena_name: str) -> str:
        if not self.licenses.get(lmarena_name):
            raise KeyError(f"no LMArena license for {lmarena_name!r}")
        return self.licenses[lmarena_name]
