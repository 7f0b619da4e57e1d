"""A task step on the real tokenizer panel (tiny models): typing a long word passes it."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Input, Static

from tutor.app.app import TutorApp
from tutor.app.panels import panel_class
from tutor.course.progress import ProgressStore
from tutor.settings import Settings


@pytest.mark.skipif(panel_class("tokenizer") is None, reason="no tokenizer panel yet")
async def test_typing_into_the_tokenizer_panel_passes_the_task(course_env: Path) -> None:
    store = ProgressStore.open(Settings.load().progress_path)
    store.record_position("first-steps", "task-long", 5)
    store.close()
    app = TutorApp(load_model=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("enter")
        await pilot.pause()
        box = app.screen.query_one("#tok-input", Input)
        assert box.value == ""  # the step's preset input
        box.value = "antidisestablishmentarianism"
        for _ in range(600):  # the panel loads the tiny models and tokenizes in a worker
            await pilot.pause(0.1)
            if "-passed" in app.screen.query_one("#task-status", Static).classes:
                break
        status = str(app.screen.query_one("#task-status", Static).render())
        assert "Task passed" in status, str(app.screen.query_one(".panel-status").render())
        box.value = "a"
        await pilot.pause(0.5)
        # once passed, a later result does not undo it
        assert "-passed" in app.screen.query_one("#task-status", Static).classes
    store = ProgressStore.open(Settings.load().progress_path)
    assert "task-long" in store.lesson("first-steps").done_steps
    store.close()
