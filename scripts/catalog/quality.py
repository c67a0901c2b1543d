"""Artificial Analysis scores and LMArena license strings, looked up in quality.csv by name."""

from __future__ import annotations

from typing import Any

AA_INDEX = "artificial_analysis_intelligence_index"
AA_SOURCE = "aa-2026-07-10"
AA_DATE = "2026-07-10"


def _float(text: str) -> float | None:
    return float(text) if text.strip() else None


class QualityTable:
    """The AA rows (by model_name) and LMArena license strings of quality.csv."""

    def __init__(self, rows: list[dict[str, str]]) -> None:
        self.aa = {r["model_name"]: r for r in rows if r["index_name"] == AA_INDEX}
        self.licenses = {
            r["model_name"]: r["notes"].split(";")[0].removeprefix("license=").strip()
            for r in rows
            if r["index_name"].startswith("lmarena") and r["notes"].startswith("license=")
        }

    def row(self, name: str) -> dict[str, str]:
        if name not in self.aa:
            raise KeyError(f"no Artificial Analysis row named {name!r} in quality.csv")
        return self.aa[name]

    def quality(self, name: str) -> dict[str, Any]:
        """The models.yaml `quality:` mapping for AA row `name`."""
        row = self.row(name)
        out: dict[str, Any] = {
            "source": AA_SOURCE,
            "snapshot_date": AA_DATE,
            "aa_name": name.strip(),
            "intelligence_index": _float(row["score"]),
        }
        if (coding := _float(row["aa_coding_index"])) is not None:
            out["coding_index"] = coding
        if (agentic := _float(row["aa_agentic_index"])) is not None:
            out["agentic_index"] = agentic
        if row["is_estimated"] == "True":
            out["estimated"] = True
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
