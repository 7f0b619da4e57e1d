"""A minimal host app for one panel, on the tiny models (or the real ones for the real tier)."""

from __future__ import annotations

import contextlib
import io
from typing import Any

from rich.console import Console
from textual.app import App, ComposeResult
from textual.content import Content
from textual.widget import Widget
from textual.widgets import Static
from textual.worker import WorkerCancelled

from tutor.app.engines import EngineHub
from tutor.app.panels import panel_class
from tutor.app.panels.base import Panel
from tutor.settings import Settings

TINY = {"decoder": "tiny-llama", "encoder": "tiny-bert", "seq2seq": "dates"}
REAL = {"decoder": "smollm2", "encoder": "minilm", "seq2seq": "dates"}

# Built once per session: loading even the tiny models takes seconds on a busy machine.
_HUBS: dict[str, EngineHub] = {}


def shared_hub(kind: str = "tiny") -> EngineHub:
    if kind not in _HUBS:
        # the tiny tier stays on the CPU so snapshots read the same on a machine with a GPU
        _HUBS[kind] = (EngineHub(Settings.build({**TINY, "device": "cpu"})) if kind == "tiny"
                       else EngineHub(Settings.build(REAL)))
    return _HUBS[kind]


class PanelApp(App[None]):
    """Hosts one panel and records every result it publishes."""

    def __init__(self, panel_id: str, hub: EngineHub, inputs: dict[str, Any] | None = None):
        super().__init__()
        self.hub = hub
        self.panel_id = panel_id
        self.inputs = inputs or {}
        self.results: list[dict[str, Any]] = []

    def compose(self) -> ComposeResult:
        cls = panel_class(self.panel_id)
        assert cls is not None, f"no widget registered for {self.panel_id}"
        yield cls(self.hub, self.inputs, id="panel")

    @property
    def panel(self) -> Panel:
        return self.query_one("#panel", Panel)

    def on_panel_result_changed(self, message: Panel.ResultChanged) -> None:
        self.results.append(message.result)


async def wait_workers(app: App[Any]) -> None:
    """Wait for the running workers; one cancelled by a newer request counts as finished."""
    with contextlib.suppress(WorkerCancelled):
        await app.workers.wait_for_complete()


async def settle(pilot: Any, app: PanelApp, rounds: int = 3) -> None:
    """Wait until the panel's pending debounce timers and workers have all finished."""
    panel = app.panel
    for _ in range(200):
        await pilot.pause(0.05)
        await wait_workers(app)
        await pilot.pause()
        if not panel._job_timers and not panel._jobs_running:  # type: ignore[attr-defined]
            rounds -= 1
            if rounds <= 0:
                return
    raise AssertionError("the panel never settled")


def shown(widget: Static | Widget) -> str:
    """The plain text a Static shows (Rich tables included), as the learner reads it."""
    content = widget.content if isinstance(widget, Static) else widget.render()
    if isinstance(content, str):
        return content
    if isinstance(content, Content):
        return content.plain
    console = Console(width=max(widget.size.width, 200), record=True, file=io.StringIO(),
                      color_system=None)
    console.print(content)
    return console.export_text()


async def settle_workers(pilot: Any, app: App[Any]) -> None:
    """Wait for every panel of the screen to finish its pending jobs."""
    for _ in range(400):
        await pilot.pause(0.05)
        await wait_workers(app)
        panels = list(app.screen.query(Panel))
        if all(not p._job_timers and not p._jobs_running for p in panels):  # type: ignore[attr-defined]
            await pilot.pause(0.1)
            return
    raise AssertionError("the panels never settled")


async def panel_result(panel_id: str, hub: EngineHub, inputs: dict[str, Any],
                       size: tuple[int, int] = (140, 50)) -> dict[str, Any]:
    """What a panel publishes for these preset inputs, after the learner's one obvious
    action where the panel needs one: Generate for generation, stepping the prediction loop
    to its end. Used to recompute the numbers lessons declare (tests/real)."""
    app = PanelApp(panel_id, hub, inputs)
    async with app.run_test(size=size) as pilot:
        await settle(pilot, app)
        if panel_id == "generation":
            await pilot.press("ctrl+g")
            await settle(pilot, app)
        elif panel_id == "prediction-loop":
            from tutor.app.panels.prediction_loop import StepPipeline

            app.query_one(StepPipeline).focus()
            for _ in range(513):  # the panel's own step limit ends the loop before this
                if app.panel.result.get("finished"):
                    break
                await pilot.press("s")  # the loop's step key (n is the lesson's next step)
                await settle(pilot, app, rounds=1)
        return app.panel.result
