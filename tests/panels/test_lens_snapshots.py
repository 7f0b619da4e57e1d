"""SVG snapshots of the logit lens and explore panels at 100x30 on the tiny decoder. Update
with `pytest tests/panels/test_lens_snapshots.py --snapshot-update` after checking the new
pictures by eye."""

from __future__ import annotations

from typing import Any

import pytest

from tests.panels.harness import PanelApp, settle
from tutor.app.engines import EngineHub

CASES: dict[str, tuple[dict[str, Any], str, list[str]]] = {
    "layers": ({"prompt": "The capital of France is Paris. The capital of Italy is"},
               "LensGrid", ["up", "left"]),
    "explore": ({"prompt": "The capital of France is", "top_k": 5}, "CandidateList",
                ["enter", "down", "enter"]),
}


@pytest.mark.parametrize("panel_id", list(CASES))
def test_panel_snapshot_100x30(panel_id: str, tiny_hub: EngineHub, snap_compare: Any) -> None:
    inputs, target, keys = CASES[panel_id]
    app = PanelApp(panel_id, tiny_hub, inputs)

    async def run_before(pilot: Any) -> None:
        await settle(pilot, app)
        app.panel.query_one(target).focus()
        for key in keys:
            await pilot.press(key)
            await settle(pilot, app)
        app.screen.set_focus(None)  # no blinking cursor in the picture
        await pilot.pause()

    assert snap_compare(app, terminal_size=(100, 30), run_before=run_before)
