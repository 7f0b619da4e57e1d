"""A bug inside one panel replaces that panel with a sentence; the app and the other
panels keep working (Textual would otherwise end the app and print a traceback)."""

from __future__ import annotations

from typing import Any

import pytest
from textual.app import App, ComposeResult
from textual.widgets import Input, Static

from tests.panels.harness import settle_workers
from tutor.app.engines import EngineHub
from tutor.app.panels.next_token import NextTokenPanel
from tutor.app.panels.tokenizer import TokenizerPanel


class BuildFails(NextTokenPanel):
    def compose_panel(self) -> ComposeResult:
        yield Static("half built")
        raise ValueError("no [b]layer[/b] 99")


class MountFails(NextTokenPanel):
    def on_mount(self) -> None:
        raise KeyError("top_k")


class AnswerFails(NextTokenPanel):
    def on_next_token_panel_predicted(self, message: Any) -> None:
        raise ZeroDivisionError("division by zero")


class ActionFails(NextTokenPanel):
    def action_sample(self, n: int) -> None:
        raise IndexError("list index out of range")


class Host(App[None]):
    def __init__(self, hub: EngineHub, broken: type[NextTokenPanel]) -> None:
        super().__init__()
        self.hub = hub
        self.broken = broken

    def compose(self) -> ComposeResult:
        yield self.broken(self.hub, {}, id="broken")
        yield TokenizerPanel(self.hub, {"text": "still here"}, id="healthy")


@pytest.mark.parametrize(("broken", "expected"), [
    (BuildFails, "ValueError: no [b]layer[/b] 99"),
    (MountFails, "KeyError: 'top_k'"),
    (AnswerFails, "ZeroDivisionError: division by zero"),
    (ActionFails, "IndexError: list index out of range"),
])
async def test_a_failing_panel_says_so_and_the_app_goes_on(
        tiny_hub: EngineHub, broken: type[NextTokenPanel], expected: str) -> None:
    app = Host(tiny_hub, broken)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle_workers(pilot, app)
        if broken is ActionFails:
            app.query_one("#broken #nt-prompt", Input).focus()
            await pilot.press("ctrl+s")
            await settle_workers(pilot, app)
        assert app.is_running
        notices = [str(w.render()) for w in app.query(".panel-failed")]
        assert len(notices) == 1  # once, not once per later message
        assert f"The Next token panel stopped: {expected}" in notices[0]
        assert not app.query_one("#broken").query(Input)  # its controls are gone
        # the other panel still answers the keyboard
        healthy = app.query_one("#healthy", TokenizerPanel)
        healthy.query_one("#tok-input", Input).focus()
        await pilot.press("end", *" again")
        await settle_workers(pilot, app)
        assert healthy.result["text"] == "still here again"
        assert healthy.result["token_count"] > 0
