"""Concurrent writers of one user file lose nothing: each read-change-write holds its lock."""

from __future__ import annotations

import multiprocessing
import os
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

from advisor.bench.kernels.synthetic import SyntheticSpec, write_synthetic_gguf

ADDS = 8


def test_concurrent_catalog_adds_keep_every_entry(tmp_path: Path, advisor_home: Path) -> None:
    """Eight `advisor catalog add` processes at once: all say "added", and all are kept (the
    overlay once kept 1 to 3 of them)."""
    files = [
        write_synthetic_gguf(tmp_path / f"m{i}.gguf", "Q8_0", SyntheticSpec(name=f"Parallel {i}"))
        for i in range(ADDS)
    ]
    env = {**os.environ, "ADVISOR_HOME": str(advisor_home)}
    adds = [
        subprocess.Popen(
            [sys.executable, "-m", "advisor", "catalog", "add", str(path)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for path in files
    ]
    outcomes = [(add.wait(timeout=600), *add.communicate()) for add in adds]
    assert [code for code, _, _ in outcomes] == [0] * ADDS, [err for _, _, err in outcomes]
    assert all(out.startswith("added parallel-") for _, out, _ in outcomes)

    from advisor.catalog import load_catalog

    ids = {m.id for m in load_catalog().models if m.id.startswith("parallel-")}
    assert ids == {f"parallel-{i}" for i in range(ADDS)}
    overlay = advisor_home / "data" / "catalog-overlay.yaml"
    assert (
        subprocess.run(
            [sys.executable, "-m", "advisor", "catalog", "validate", str(overlay)], env=env
        ).returncode
        == 0
    )
    assert not list(overlay.parent.glob(".catalog-overlay.yaml.*.tmp"))


def _add_bandwidth_test(home: str, index: int) -> None:
    os.environ["ADVISOR_HOME"] = home
    from advisor.probe.bandwidth.copy_test import BandwidthMeasurement, store_bandwidth

    test = BandwidthMeasurement(10.0 + index, 1, 2**23, 5, 0.01, "2026-12-06T12:00:00+00:00")
    store_bandwidth(f"m-{index}", test)


def test_concurrent_cache_writers_keep_every_entry(advisor_home: Path) -> None:
    """The bandwidth cache holds one entry per machine: writers at once keep them all."""
    from advisor.probe.bandwidth.copy_test import recorded_bandwidth

    context = multiprocessing.get_context("spawn")
    writers = [
        context.Process(target=_add_bandwidth_test, args=(str(advisor_home), i))
        for i in range(ADDS)
    ]
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join(timeout=600)  # a hang guard, not a speed limit
    assert [w.exitcode for w in writers] == [0] * ADDS
    now = datetime(2026, 12, 7, tzinfo=timezone.utc)
    assert [len(recorded_bandwidth(f"m-{i}", now=now)) for i in range(ADDS)] == [1] * ADDS
