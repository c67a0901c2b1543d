"""The models table and the detail pane: order, filters, sorting, ranking again, what a row says."""

from __future__ import annotations

import dataclasses
import io

from rich.console import Console
from textual.widgets import DataTable, Input, Select

from advisor.tui.widgets.model_detail import ModelDetail
from advisor.tui.widgets.models_table import COLUMNS, CONTEXTS, ModelsTable

SIZE = (120, 40)


def _table(app) -> ModelsTable:
    return app.query_one(ModelsTable)


async def test_best_choices_first_then_the_models_left_out(build, settle) -> None:
    app = build()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        shown = _table(app).shown
        fits = [c.fits for c in shown]
        assert fits[0] and fits == sorted(fits, reverse=True)  # every fitting row first
        assert [c.rank for c in shown] == sorted(c.rank for c in shown)
        assert all(c.why_left_out for c in shown if not c.fits)
        assert app.query_one(DataTable).row_count == len(shown) == len(app.catalog.models)


async def test_text_and_fit_filters(build, settle) -> None:
    app = build()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        table = _table(app)
        await pilot.press("slash")
        assert app.focused is table.query_one("#search", Input)
        await pilot.press(*"qwen3")
        assert table.shown and all("qwen3" in c.model.id for c in table.shown)
        await pilot.press("enter")  # back to the table
        assert isinstance(app.focused, DataTable)
        await pilot.press("f")
        assert table.view.fit == "fits" and all(c.fits for c in table.shown)
        await pilot.press("f")
        assert table.view.fit == "gpu"
        assert all(c.estimate.placement.kind == "gpu" for c in table.shown)


async def test_sorting_by_key_and_by_header_click(build, settle) -> None:
    app = build()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        table = _table(app)
        app.query_one(DataTable).focus()
        await pilot.press("s")
        assert table.view.sort == "decode"
        speeds = [c.estimate.speed.decode_tokens_per_s for c in table.shown if c.fits]
        assert speeds == sorted(speeds, reverse=True)
        await pilot.click("#models-table", offset=(_header_x("decode"), 0))  # reverse it
        await pilot.pause()
        assert table.view.sort == "decode" and table.view.reverse
        await pilot.click("#models-table", offset=(2, 0))  # the # header: back to the ranking
        await pilot.pause()
        assert table.view.sort == "rank"


async def test_task_and_context_rank_again(build, settle) -> None:
    app = build()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        table = _table(app)
        table.query_one("#task-filter", Select).value = "vision"
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert table.view.task == "vision"
        assert table.shown and all("vision" in c.model.tasks for c in table.shown)
        app.query_one(DataTable).focus()
        await pilot.press("c")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert table.context_tokens == CONTEXTS[2]
        fitting = [c for c in table.shown if c.fits]
        assert fitting and all(c.estimate.context_tokens == CONTEXTS[2] for c in fitting)


async def test_detail_follows_the_cursor(build, settle) -> None:
    app = build()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        app.query_one(DataTable).focus()
        await pilot.press("down")
        await pilot.pause()
        chosen = _table(app).current
        assert app.query_one(ModelDetail).candidate is chosen
        text = _detail_text(app)
        est, quant, model = chosen.estimate, chosen.quant, chosen.model
        assert model.name in text and "weights" in text and "KV" in text
        repo = quant.repo or model.gguf_repo
        assert f"hf download {repo} {quant.file}" in text
        ngl = est.placement.gpu_layers
        assert f"llama-server -hf {repo}:{quant.type} -ngl {ngl} -c {est.context_tokens}" in text
        assert "Decode tok/s as the context fills" in text
        assert "Not found on this computer" in text


async def test_installed_models_are_marked(build, settle, catalog, tmp_path) -> None:
    from advisor.bench.kernels.synthetic import write_synthetic_gguf
    from advisor.catalog.scan.installed import scan_models

    app = build()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        top = _table(app).shown[0]
    # A real scan result, labelled as the top model (a tiny file cannot pass for it by itself).
    path = write_synthetic_gguf(tmp_path / top.quant.file, "Q4_0")
    (found,) = scan_models([tmp_path], catalog, include_defaults=False)
    found = dataclasses.replace(
        found, model_id=top.model.id, quant=top.quant.type, in_catalog=True, matched_by="file name"
    )
    app = build(installed=(found,))
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        first = _table(app).shown[0]
        assert first.installed == (path,)
        assert f"Installed: {path}" in _detail_text(app)


async def test_small_terminal_swaps_table_and_detail(build, settle) -> None:
    app = build()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        detail = app.query_one(ModelDetail)
        assert app.screen.has_class("-short") and not detail.display
        await pilot.press("enter")
        assert detail.display and not _table(app).display
        assert app.focused is detail
        await pilot.press("escape")
        assert not detail.display and _table(app).display
        assert isinstance(app.focused, DataTable)


def _header_x(key: str) -> int:
    """A column header's x offset in the table: each column has one cell of padding a side."""
    x = 0
    for name, _, width in COLUMNS:
        if name == key:
            return x + 2
        x += width + 2
    raise KeyError(key)


def _detail_text(app) -> str:
    """What the detail pane shows, as plain text (wide enough that nothing wraps)."""
    console = Console(width=240, record=True, file=io.StringIO())
    console.print(app.query_one(ModelDetail).renderable)
    return console.export_text()


async def test_the_model_column_narrows_so_decode_shows_at_80_columns(build, settle) -> None:
    from advisor.tui.widgets.models_table import MIN_NAME_WIDTH, name_width

    assert name_width(120) == 24 and name_width(80) == 16 and name_width(40) == MIN_NAME_WIDTH
    app = build()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        table = app.query_one(DataTable)
        widths = {str(k.value): c.width for k, c in table.columns.items()}
        assert widths["name"] == 24
        cursor = _table(app).current
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        widths = {str(k.value): c.width for k, c in table.columns.items()}
        assert widths["name"] == 16
        shown_up_to_decode = sum(
            widths[k] + 2 for k in ("rank", "name", "quant", "fit", "memory", "decode")
        )
        assert shown_up_to_decode <= 80 - 2  # the scrollbar
        assert table.row_count == len(_table(app).shown) and _table(app).current == cursor
