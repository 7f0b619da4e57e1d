"""The Lab screen: all six panels reachable from tabs, each built on first view."""

from __future__ import annotations

from textual.app import App
from textual.widgets import TabbedContent

from tests.panels.harness import settle_workers
from tutor.app.engines import EngineHub
from tutor.app.panels.base import Panel
from tutor.app.screens.lab import ORDER, LabScreen


class LabApp(App[None]):
    def __init__(self, hub: EngineHub) -> None:
        super().__init__()
        self.hub = hub

    def on_mount(self) -> None:
        self.push_screen(LabScreen())


async def test_every_tab_opens_its_panel(tiny_hub: EngineHub) -> None:
    app = LabApp(tiny_hub)
    async with app.run_test(size=(130, 50)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, LabScreen)
        assert [p.PANEL_ID for p in screen.query(Panel)] == ["tokenizer"]
        # twice: first while each panel is being built, then with all of them built; a tab
        # opened a moment ago must not pull itself back to the front when its box gets focus
        for _ in range(2):
            for i, panel_id in enumerate(ORDER, start=1):
                await pilot.press(f"alt+{i}")
                await pilot.pause()
                assert screen.query_one(TabbedContent).active == f"lab-{panel_id}"
        # the keys that reach the app through every terminal (tmux, ssh): next and previous
        await pilot.press("ctrl+pagedown")
        assert screen.query_one(TabbedContent).active == f"lab-{ORDER[0]}"  # wraps around
        await pilot.press("ctrl+pagedown", "ctrl+pagedown", "ctrl+pageup")
        await pilot.pause()
        assert screen.query_one(TabbedContent).active == f"lab-{ORDER[1]}"
        # the new panel's own keys work at once, wherever the focus is
        assert screen.key_panel() is screen.query_one(f"#lab-{ORDER[1]}").query_one(Panel)
        await settle_workers(pilot, app)
        assert sorted(p.PANEL_ID for p in screen.query(Panel)) == sorted(ORDER)
        assert all(p.result for p in screen.query(Panel))
        await pilot.press("escape")
        assert not isinstance(app.screen, LabScreen)
