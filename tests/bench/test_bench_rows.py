"""benchmarks/bench_vs_llama_bench.py --rows: which measured row scores which file's estimate."""

from __future__ import annotations

import csv
from pathlib import Path

from benchmarks.bench_vs_llama_bench import rows_file, rows_of_file

ROWS = Path(__file__).resolve().parents[2] / "benchmarks" / "data" / "cpu_rows_here.csv"


def _rows() -> list[dict[str, str]]:
    with ROWS.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_the_300m_rows_score_the_files_they_were_taken_on(tmp_path) -> None:
    """cpu_rows_here.py's 300m rows are of llama.cpp-quantized files ("quantized-300m-*"); the
    table used to look for rows named "300m-pure" and printed no estimate for them."""
    rows = [r for r in _rows() if r["shape"] == "300m" and r["threads"] == "1"]
    assert {r["quant"] for r in rows} == {"F16", "Q8_0", "Q4_0"}
    q4 = next(r for r in rows if r["quant"] == "Q4_0")
    path = rows_file(tmp_path, "300m", "Q4_0")
    assert path.name == "quantized-300m-Q4_0.gguf"
    with path.open("wb") as handle:
        handle.truncate(int(q4["file_bytes"]))  # sparse: only its size is read
    assert {r["test"] for r in rows_of_file(rows, "Q4_0", path)} == {"pp512", "tg128"}


def test_a_row_never_scores_a_file_of_another_size(tmp_path) -> None:
    rows = [r for r in _rows() if r["shape"] == "300m"]
    path = rows_file(tmp_path, "300m", "Q4_0")
    path.write_bytes(b"\0" * 1000)  # a pure Q4_0 file is 143831872 bytes, not the rows' 152279872
    assert rows_of_file(rows, "Q4_0", path) == []
    assert rows_of_file(rows, "Q4_0", tmp_path / "missing.gguf") == []
