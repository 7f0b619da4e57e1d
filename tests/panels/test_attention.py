"""Attention panel on the tiny models: the map's numbers are the engine's, keys move
through layers, heads and query tokens, and the decoder/encoder switch changes the mask."""

from __future__ import annotations

import numpy as np
from textual.widgets import Input, Static

from tests.panels.harness import PanelApp, settle, shown
from tutor.app.engines import EngineHub
from tutor.app.panels.attention import AttentionHeatmap, AttentionPanel, cell_text
from tutor.app.panels.lines import LineView
from tutor.app.panels.live import StatusLine

TEXT = "The capital of France is Paris"


def seen(heatmap: AttentionHeatmap) -> list[str]:
    """The heat map's lines as they are drawn now (only what is in view)."""
    return [heatmap.render_line(y).text for y in range(heatmap.scrollable_content_region.height)]


async def test_map_equals_engine_and_keys_move(tiny_hub: EngineHub) -> None:
    app = PanelApp("attention", tiny_hub, {"text": TEXT, "layer": 1, "head": 2})
    async with app.run_test(size=(120, 50)) as pilot:
        await settle(pilot, app)
        assert isinstance(app.panel, AttentionPanel)
        heatmap = app.query_one(AttentionHeatmap)
        expected = tiny_hub.decoder().attention(TEXT)
        np.testing.assert_array_equal(heatmap.matrix, expected.weights[1, 2])
        assert heatmap.labels == expected.tokens and heatmap.causal
        # the selected (last) query row writes each weight in hundredths, and is in view
        last = expected.weights[1, 2, -1]
        cells = "".join(cell_text(float(w), False, heatmap.cell) for w in last)
        assert heatmap.row_text(len(expected.tokens) - 1).endswith(cells)
        assert cells in "\n".join(seen(heatmap))
        result = app.panel.result
        assert {k: result[k] for k in ("text", "model", "layer", "head", "token_count",
                                       "causal")} == {
            "text": TEXT, "model": "decoder", "layer": 1, "head": 2,
            "token_count": len(expected.tokens), "causal": True}
        assert set(result) == set(AttentionPanel.spec().results)

        heatmap.focus()
        await pilot.press("left_square_bracket", "full_stop")
        await settle(pilot, app)
        assert (app.panel.result["layer"], app.panel.result["head"]) == (0, 3)
        np.testing.assert_array_equal(heatmap.matrix, expected.weights[0, 3])
        await pilot.press("up", "up")
        assert heatmap.row == len(expected.tokens) - 3
        bars = app.query_one("#att-bars", LineView).plain
        assert f"“{expected.tokens[-3]}” looks at" in bars and "masked" in bars

        await pilot.press("v")
        multiples = shown(app.query_one("#att-multiples", Static))
        assert all(f"head {h}" in multiples for h in range(expected.heads))

        await pilot.press("m")
        await settle(pilot, app)
        enc = tiny_hub.encoder().attention(TEXT)
        assert app.panel.result["model"] == "encoder" and not app.panel.result["causal"]
        np.testing.assert_array_equal(heatmap.matrix, enc.weights[0, 3])
        # bidirectional: weight above the diagonal
        assert np.triu(heatmap.matrix, 1).sum() > 0


async def test_typing_brackets_goes_to_the_text(tiny_hub: EngineHub) -> None:
    app = PanelApp("attention", tiny_hub, {"text": "a"})
    async with app.run_test(size=(120, 50)) as pilot:
        await settle(pilot, app)
        app.query_one(Input).focus()
        await pilot.press("end", "left_square_bracket", "full_stop", "v")
        await settle(pilot, app)
        assert app.panel.result["text"] == "a[.v" and app.panel.result["layer"] == 0


async def test_long_and_empty_inputs(tiny_hub: EngineHub) -> None:
    app = PanelApp("attention", tiny_hub, {"text": "word " * 400})
    async with app.run_test(size=(120, 50)) as pilot:
        await settle(pilot, app)
        status = app.query_one(StatusLine)
        assert "only the last" in shown(status)
        heatmap = app.query_one(AttentionHeatmap)
        assert heatmap.matrix.shape[0] == app.panel.result["token_count"] > 100
        # the map is larger than the screen: it scrolls instead of being cut
        assert heatmap.virtual_size.width > heatmap.size.width
        assert heatmap.virtual_size.height > heatmap.size.height
        # the last (selected) row is in view, and scrolling shows the first one
        def in_view(q: int) -> bool:
            return any(line.strip() and heatmap.row_text(q).startswith(line.rstrip())
                       for line in seen(heatmap))

        assert in_view(heatmap.row) and not in_view(0)
        heatmap.focus()
        await pilot.press("home")
        await settle(pilot, app)
        assert in_view(0) and not in_view(heatmap.row)
        app.query_one(Input).value = "   "
        await settle(pilot, app)
        assert "empty" in shown(status) and status.has_class("-error")
        assert heatmap.matrix.size == 0


def _strip(token: str) -> str:
    return token.replace("␣", " ").strip()


async def test_query_and_key_weights_are_the_engines(tiny_hub: EngineHub) -> None:
    """The published query → key weight and most-attended key, checked against the engine's
    own weights; arrows move the key, a preset picks query and key."""
    app = PanelApp("attention", tiny_hub, {"text": TEXT, "layer": 1, "head": 2, "query": 4})
    async with app.run_test(size=(120, 50)) as pilot:
        await settle(pilot, app)
        maps = tiny_hub.decoder().attention(TEXT)
        row = maps.weights[1, 2, 4]
        top = int(np.argmax(row))
        result = app.panel.result
        assert (result["query_index"], result["query_token"]) == (4, _strip(maps.tokens[4]))
        assert result["top_key_index"] == top and result["top_key_offset"] == 4 - top
        assert result["top_key_token"] == _strip(maps.tokens[top])
        assert result["top_key_weight"] == float(row.max()) == result["weight"]
        assert "␣" not in result["query_token"] + result["key_token"]
        app.query_one(AttentionHeatmap).focus()
        await pilot.press("left", "left", "left", "left", "left", "left")
        await settle(pilot, app)
        result = app.panel.result
        assert result["key_index"] == 0 and result["weight"] == float(row[0])
        assert result["key_token"] == _strip(maps.tokens[0])
        await pilot.press("down")  # a new query keeps the chosen key
        await settle(pilot, app)
        assert app.panel.result["query_index"] == 5 and app.panel.result["key_index"] == 0
        assert app.panel.result["weight"] == float(maps.weights[1, 2, 5, 0])
        bars = app.query_one("#att-bars", LineView).plain.splitlines()
        assert bars[1].endswith("◀") and not any(line.endswith("◀") for line in bars[2:])

    app = PanelApp("attention", tiny_hub, {"text": TEXT, "query": 3, "key": 1, "model": "encoder"})
    async with app.run_test(size=(120, 50)) as pilot:
        await settle(pilot, app)
        enc = tiny_hub.encoder().attention(TEXT)
        assert app.panel.result["weight"] == float(enc.weights[0, 0, 3, 1])
        assert app.panel.result["key_token"] == _strip(enc.tokens[1])
