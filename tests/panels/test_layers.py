"""Logit lens panel on the tiny decoder: the grid, the selection, windows, and its results."""

from __future__ import annotations

import numpy as np
from textual.widgets import Input, Static, TabbedContent

from tests.panels.harness import PanelApp, settle, settle_workers, shown
from tests.panels.test_lab import LabApp
from tutor.app.engines import EngineHub
from tutor.app.panels.layers import WINDOW, LayersPanel, LensGrid
from tutor.app.panels.lines import LineView
from tutor.app.panels.live import StatusLine
from tutor.app.screens.lab import LabScreen

PROMPT = "The capital of France is Paris. The capital of Italy is"


async def test_results_match_the_engine_and_arrows_move(tiny_hub: EngineHub) -> None:
    app = PanelApp("layers", tiny_hub, {"prompt": PROMPT})
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, app)
        expected = tiny_hub.decoder().lens(PROMPT, top=1)
        last = expected.positions[-1]
        result = app.panel.result
        assert result["prompt"] == PROMPT and result["n_layers"] == 2
        assert result["final_token"] == expected.texts[int(expected.final_ids[0])].strip("␣")
        assert result["final_prob"] == float(expected.final_prob[-1, 0])
        assert result["first_top1_layer"] == expected.first_top1_layer(last)

        panel = app.query_one(LayersPanel)
        grid = app.query_one(LensGrid)
        assert panel.lens is not None and len(panel.lens.positions) == WINDOW
        assert (panel.sel_layer, panel.sel_column) == (2, WINDOW - 1)
        top = int(panel.lens.top_ids[0, -1, 0])
        assert panel.lens.texts[top][:6] in grid.row_text(0)
        grid.focus()
        await pilot.press("up", "up", "left")
        assert (panel.sel_layer, panel.sel_column) == (0, WINDOW - 2)
        assert "emb at" in app.query_one("#ly-top", LineView).plain
        assert "top-1 first at" in shown(app.query_one("#ly-final", Static))


async def test_moving_past_the_window_loads_earlier_positions(tiny_hub: EngineHub) -> None:
    app = PanelApp("layers", tiny_hub, {"prompt": PROMPT})
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, app)
        panel = app.query_one(LayersPanel)
        assert panel.lens is not None
        n = len(panel.lens.tokens)
        first = panel.lens.positions[0]
        app.query_one(LensGrid).focus()
        for _ in range(WINDOW):
            await pilot.press("left")
            await settle(pilot, app)
        assert panel.lens.positions[0] < first
        assert panel.lens.positions[panel.sel_column] == n - 1 - WINDOW
        whole = tiny_hub.decoder().lens(PROMPT, last=64, top=8)
        cols = [whole.positions.index(p) for p in panel.lens.positions]
        np.testing.assert_array_equal(panel.lens.top_ids, whole.top_ids[:, cols])
        # the published result still describes the prompt's last position
        assert all(r == app.results[0] for r in app.results)


async def test_empty_prompt_and_other_architectures_get_sentences(tiny_hub: EngineHub) -> None:
    app = PanelApp("layers", tiny_hub, {"prompt": ""})
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, app)
        status = app.query_one(StatusLine)
        assert "empty" in shown(status) and status.has_class("-error")
        app.query_one("#ly-prompt", Input).value = "The cat"
        await settle(pilot, app)
        assert app.panel.result["prompt"] == "The cat"

    bert = EngineHub({"decoder": "tiny-bert", "encoder": "tiny-bert"}, device="cpu")
    app = PanelApp("layers", bert, {"prompt": PROMPT})
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, app)
        assert "does not apply" in shown(app.query_one(StatusLine)) and app.results == []


async def test_a_narrow_grid_scrolls_to_the_selected_cell(tiny_hub: EngineHub) -> None:
    app = PanelApp("layers", tiny_hub, {"prompt": PROMPT})
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        grid = app.query_one(LensGrid)
        panel = app.query_one(LayersPanel)
        assert panel.lens is not None and panel.sel_column == WINDOW - 1
        # the last column does not fit beside the top-tokens list: the grid has scrolled to it
        x = grid.scroll_offset.x
        assert x > 0
        last = panel.lens.tokens[panel.lens.positions[-1]][:4]
        assert last in "".join(s.text for s in grid.render_line(0))
        grid.focus()
        for _ in range(WINDOW - 1):
            await pilot.press("left")
        await pilot.pause()
        assert panel.sel_column == 0 and grid.scroll_offset.x == 0


async def test_the_selection_moves_without_focusing_the_grid(tiny_hub: EngineHub) -> None:
    # a panel's keys work from anywhere on its Lab tab or lesson step (docs/keys.md): the grid
    # need not have the focus, and the prompt box keeps its own arrows while typed into
    app = LabApp(tiny_hub)
    async with app.run_test(size=(130, 50)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, LabScreen)
        screen.query_one(TabbedContent).active = "lab-layers"
        await settle_workers(pilot, app)
        panel = screen.query_one(LayersPanel)
        assert panel.lens is not None
        screen.set_focus(None)
        before = (panel.sel_layer, panel.sel_column)
        await pilot.press("up", "comma", "comma", "full_stop")
        await pilot.pause()
        assert (panel.sel_layer, panel.sel_column) == (before[0] - 1, before[1] - 1)
        box = screen.query_one("#ly-prompt", Input)
        box.focus()
        box.cursor_position = len(box.value)
        await pilot.press("comma")
        assert box.value.endswith(",")  # typed, not a move
