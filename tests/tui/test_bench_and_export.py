"""The throughput test dialog (a real run of a tiny GGUF) and the report export."""

from __future__ import annotations

import json
import signal
import subprocess
import sys

from textual.widgets import Button, Input, Label, RadioSet

from advisor.bench.kernels.synthetic import write_synthetic_gguf
from advisor.bench.store.db import BenchStore, default_store_path
from advisor.tui import bench_process
from advisor.tui.screens import bench as bench_screen
from advisor.tui.screens.bench import BenchScreen
from advisor.tui.screens.export import ExportScreen
from advisor.tui.widgets.models_table import ModelsTable

SIZE = (120, 40)


async def _start_test(app, pilot, model) -> BenchScreen:
    await pilot.press("b")
    screen = app.screen
    assert isinstance(screen, BenchScreen)
    screen.query_one("#bench-path", Input).value = str(model)
    await pilot.click("#bench-run")
    assert screen.running and screen.query_one("#bench-close", Button).label == "Stop"
    return screen


def _started_after_the_stop(monkeypatch) -> None:
    """The real child starts only once Stop is pressed: however slowly a busy machine runs the
    app, the child cannot finish a repetition before the Stop reaches it."""
    real = bench_process.run_bench_process

    def after_stop(request, stop, on_tick):
        assert stop.wait(120), "Stop was never pressed"
        return real(request, stop, on_tick)

    monkeypatch.setattr(bench_screen, "run_bench_process", after_stop)


def _status(screen) -> str:
    return str(screen.query_one("#bench-status", Label).render())


async def test_throughput_test_runs_and_recalibrates(build, settle, tmp_path) -> None:
    model = write_synthetic_gguf(tmp_path / "tiny-Q8_0.gguf", "Q8_0")
    # This computer, as bare `advisor` probes it: a calibration belongs to one machine.
    # A budget no machine, however busy, spends on a tiny model: it stops at 10 runs.
    app = build(machine=None, profile=None, bench_budget_s=3600)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert not any(c.estimate.speed.calibrated_from_runs for c in _fitting(app))
        screen = await _start_test(app, pilot, model)
        await screen.workers.wait_for_complete()
        await pilot.pause()
        assert not screen.running
        assert "prefill" in _status(screen) and "decode" in _status(screen)
        with BenchStore(default_store_path()) as store:
            (stored,) = store.history()
        assert stored.measurement.model.path == str(model.resolve())
        await app.workers.wait_for_complete()  # the app ranks again with the calibration
        await pilot.pause()
        assert app.measurements == 1
        # A 0.4 MB file runs from the CPU's cache: it speaks for no catalog model (a few GB),
        # so the table's speeds stay estimates (issue 13 item 9).
        assert not any(c.estimate.speed.calibrated_from_runs for c in _fitting(app, "cpu"))
        await pilot.press("escape")
        assert not isinstance(app.screen, BenchScreen)


async def test_throughput_test_stops_when_asked(build, settle, tmp_path, monkeypatch) -> None:
    model = write_synthetic_gguf(tmp_path / "tiny-Q8_0.gguf", "Q8_0")
    _started_after_the_stop(monkeypatch)
    app = build()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        screen = await _start_test(app, pilot, model)
        await pilot.press("escape")  # stops; does not close while the test runs
        assert app.screen is screen and screen.stop.is_set()
        await screen.workers.wait_for_complete()
        await pilot.pause()
        assert "Stopped before any run finished" in _status(screen)
        assert not default_store_path().exists() or not BenchStore().history()


async def test_a_stop_reaches_a_test_started_with_ctrl_c_ignored(
    build, settle, tmp_path, monkeypatch
) -> None:
    """advisor started in the background (SIGINT ignored, inherited by its children) still
    stops its throughput test: the child takes SIGINT as Ctrl-C from its first line, and a
    Stop pressed before that line waits for it instead of being lost."""
    model = write_synthetic_gguf(tmp_path / "tiny-Q8_0.gguf", "Q8_0")
    _started_after_the_stop(monkeypatch)
    before = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        app = build()
        async with app.run_test(size=SIZE) as pilot:
            await settle(app, pilot)
            screen = await _start_test(app, pilot, model)
            await pilot.press("escape")
            await screen.workers.wait_for_complete()
            await pilot.pause()
            assert "Stopped before any run finished" in _status(screen)
    finally:
        signal.signal(signal.SIGINT, before)


def test_ignores_sigint_reads_the_process_own_mask() -> None:
    if not sys.platform.startswith("linux"):
        return  # elsewhere it answers False and the Stop is sent at once
    code = "import signal, sys, time; signal.signal(signal.SIGINT, signal.{}); "
    code += "print(flush=True); sys.stdin.read()"
    for disposition, ignored in (("SIG_IGN", True), ("SIG_DFL", False)):
        child = subprocess.Popen(
            [sys.executable, "-c", code.format(disposition)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            child.stdout.readline()  # its disposition is set
            assert bench_process.ignores_sigint(child.pid) is ignored
        finally:
            child.communicate("")


async def test_throughput_test_refuses_a_missing_file(build, settle, tmp_path) -> None:
    app = build()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("b")
        screen = app.screen
        screen.query_one("#bench-path", Input).value = str(tmp_path / "nothing.gguf")
        await pilot.click("#bench-run")
        assert not screen.running
        assert "no such file" in str(screen.query_one("#bench-status", Label).render())


async def _export(app, pilot, path, *, markdown=False) -> ExportScreen:
    await pilot.press("e")
    screen = app.screen
    assert isinstance(screen, ExportScreen)
    if markdown:
        screen.query_one(RadioSet).query("RadioButton").last().value = True
        await pilot.pause()
    screen.query_one("#export-path", Input).value = str(path)
    await pilot.pause()
    await pilot.click("#export-save")
    await screen.workers.wait_for_complete()
    await pilot.pause()
    return screen


async def test_export_writes_the_json_report(build, settle, tmp_path, presets) -> None:
    app = build()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        target = tmp_path / "report.json"
        await _export(app, pilot, target)
        assert not isinstance(app.screen, ExportScreen)
        doc = json.loads(target.read_text())
        assert doc["schema_version"] >= 1
        assert len(doc["verdicts"]) == len(presets)
        assert any(n.title == "Report exported" for n in app._notifications)


async def test_export_markdown_and_no_silent_overwrite(build, settle, tmp_path) -> None:
    app = build()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        target = tmp_path / "report.md"
        target.write_text("the user's own notes\n")
        screen = await _export(app, pilot, target, markdown=True)
        assert app.screen is screen  # it asks first
        assert "press Save again" in str(screen.query_one("#export-status", Label).render())
        assert target.read_text() == "the user's own notes\n"
        await pilot.pause(0.3)  # a button ignores a second click while it shows the first
        await pilot.click("#export-save")
        await screen.workers.wait_for_complete()
        await pilot.pause()
        assert target.read_text().startswith("#")


def _fitting(app, placement: str | None = None) -> list:
    rows = [c for c in app.query_one(ModelsTable).candidates if c.fits]
    return [c for c in rows if placement is None or c.estimate.placement.kind == placement]
